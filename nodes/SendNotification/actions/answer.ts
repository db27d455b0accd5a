/**
 * Step three of an execute (after dispatch.ts): one output item per input item, paired with it. Every error item is
 * the package's one error shape (errorItem); the send's summary travels with it.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { CloudCredentials } from '../../shared/io/transport';
import { graphUrl } from '../../shared/io/transport';
import { errorItem, type NodeError } from '../../shared/n8n/errors';
import type { SendOutcome } from './dispatch';
import type { PreparedSend, SkippedSend } from './prepare';

/** What was (or would have been) sent, to whom, as what, and at what estimated cost. */
export function summary(send: PreparedSend): IDataObject {
	return {
		recipient: send.recipientInput,
		to: send.to,
		sender: send.senderId,
		notificationType: send.type.value,
		template: {
			id: send.template.id,
			name: send.template.name,
			language: send.template.language,
			category: String(send.template.category).toUpperCase(),
		},
		renderedText: send.renderedText,
		estimatedCost: { ...send.cost },
		correlation: send.correlation,
		...(send.consent ? { consent: { ...send.consent } } : {}),
		...(send.serviceWindow ? { serviceWindow: { ...send.serviceWindow } } : {}),
		...(send.language ? { language: { ...send.language } } : {}),
		...(send.recipientTime ? { recipientTime: { ...send.recipientTime } } : {}),
		...(send.contentWarnings.length
			? { contentWarnings: send.contentWarnings.map((f) => ({ rule: f.rule, phrase: f.phrase, language: f.language })) }
			: {}),
	};
}

/** An item not sent on purpose (no consent), as prepare decided. */
export function skippedItem(skipped: SkippedSend): INodeExecutionData {
	return { json: skipped.skipped, pairedItem: { item: skipped.itemIndex } };
}

/** An item refused before anything was sent (Continue On Fail). */
export function refusedItem(itemIndex: number, error: NodeError): INodeExecutionData {
	return errorItem(itemIndex, {
		code: null,
		title: 'Refused before sending',
		message: error.message,
		description: error.description ?? null,
		retryable: false,
		outcome: 'not_sent',
		fbtrace_id: null,
	});
}

/** Dry Run: the request that would have been sent. */
export function dryRunItem(send: PreparedSend, credentials: CloudCredentials): INodeExecutionData {
	return {
		json: {
			dryRun: true,
			...summary(send),
			request: { method: 'POST', url: graphUrl(credentials, `${send.senderId}/messages`), body: send.body },
		},
		pairedItem: { item: send.itemIndex },
	};
}

/** A deferred item: the input as it came (so a Wait node can loop it back here) with when to send it and why. */
export function deferredItem(input: INodeExecutionData, send: PreparedSend): INodeExecutionData {
	const deferral = send.deferred!;
	return {
		json: {
			...input.json,
			sendAt: deferral.sendAt,
			sendAtLocal: deferral.sendAtLocal,
			deferred: {
				reason: `Inside the recipient's quiet hours (${deferral.quietHours} in ${send.recipientTime?.zone ?? 'their time zone'})`,
				...summary(send),
			},
		},
		...(input.binary ? { binary: input.binary } : {}),
		pairedItem: { item: send.itemIndex },
	};
}

/** The output item of a dispatched send: sent, a duplicate of an earlier send, failed, or not attempted. */
export function outcomeItem(outcome: SendOutcome): INodeExecutionData {
	const itemIndex = outcome.send.itemIndex;
	switch (outcome.status) {
		case 'sent':
			return { json: sentJson(outcome), pairedItem: { item: itemIndex } };
		case 'duplicate':
			return {
				json: {
					messageId: outcome.messageId,
					duplicate: true,
					sentAt: outcome.sentAt,
					idempotencyKey: outcome.send.idempotencyKey ?? null,
					...summary(outcome.send),
				},
				pairedItem: { item: itemIndex },
			};
		case 'failed':
			return errorItem(itemIndex, outcome.failure, summary(outcome.send), { attempts: outcome.attempts });
		case 'skipped':
			return errorItem(
				itemIndex,
				{
					code: null,
					title: 'Not attempted',
					message: 'Sending stopped after an earlier failure',
					retryable: true,
					outcome: 'not_sent',
				},
				summary(outcome.send),
			);
	}
}

function sentJson(outcome: Extract<SendOutcome, { status: 'sent' }>): IDataObject {
	return {
		messageId: outcome.messageId,
		waId: outcome.waId ?? null,
		messageStatus: outcome.messageStatus ?? null,
		acceptedAt: outcome.acceptedAt,
		attempts: outcome.attempts,
		messageType: outcome.messageType,
		...(outcome.fallback ? { fallback: outcome.fallback } : {}),
		...(outcome.idempotencyWarning ? { idempotencyWarning: outcome.idempotencyWarning } : {}),
		...(outcome.send.idempotencyKey ? { duplicate: false, idempotencyKey: outcome.send.idempotencyKey } : {}),
		...summary(outcome.send),
	};
}
