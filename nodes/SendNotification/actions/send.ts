/** Send Notification's execute(): prepare every item, then send the valid ones paced, then answer in input order. */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { LedgerError, type LedgerCredentialType } from '../../shared/io/ledger';
import { SendKeyStore } from '../../shared/io/sendKeys';
import { parseRateCardOverride, type RateCard } from '../../shared/domain/pricing';
import { GraphNetworkError, getCloudCredentials, graphUrl } from '../../shared/io/transport';
import {
	DEFAULT_MESSAGES_PER_SECOND,
	DEFAULT_PAIR_SPACING_SECONDS,
	MAX_MESSAGES_PER_SECOND,
} from '../description';
import { isQuietHoursOn } from './customerData';
import { openLedger } from '../../shared/n8n/ledger';
import { dispatchSends, failureJson, type SendOutcome } from './dispatch';
import { prefetchLedger, prepareSend, type PrepareContext, type PreparedSend, type SkippedSend } from './prepare';
import type { TemplateLookup } from './templateSource';

function summary(send: PreparedSend): IDataObject {
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

function readRateCard(ctx: IExecuteFunctions): RateCard | undefined {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const raw = options.rateCard;
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
	const parsed = parseRateCardOverride(raw);
	if (!parsed.card) {
		throw new NodeOperationError(ctx.getNode(), `The Rate Card option is not usable: ${parsed.problem}`, {
			description: 'Fix the JSON or clear the option to use the bundled Meta rate card',
		});
	}
	return parsed.card;
}

/** Send Notification's run; `ledgerCredential`: where the consent ledger's settings come from (by node version). */
export async function sendNotifications(this: IExecuteFunctions, ledgerCredential: LedgerCredentialType): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const credentials = await getCloudCredentials(this);
	const continueOnFail = this.continueOnFail();
	const useLedger = items.length > 0 && this.getNodeParameter('useConsentLedger', 0, false) === true;
	const firstOptions = (items.length ? this.getNodeParameter('options', 0, {}) : {}) as IDataObject;
	const idempotencyWindowHours = Math.max(0, Number(firstOptions.idempotencyWindowHours ?? 24));
	const workflowId = String(this.getWorkflow().id ?? '');
	const context: PrepareContext = {
		credentials,
		rateCard: readRateCard(this),
		templateCache: new Map<string, Promise<TemplateLookup>>(),
		ledger: useLedger ? await openLedger(this, ledgerCredential) : undefined,
		skipWithoutConsent: useLedger && this.getNodeParameter('skipWithoutConsent', 0, true) === true,
		messageMode: useLedger && this.getNodeParameter('messageMode', 0, 'template') === 'auto' ? 'auto' : 'template',
		now: () => Date.now(),
		idempotent: useLedger && idempotencyWindowHours > 0,
		workflowId,
	};
	const keyStore =
		context.ledger && context.idempotent
			? new SendKeyStore(
					context.ledger.client,
					{ workflowId, executionId: String(this.getExecutionId() ?? '') },
					idempotencyWindowHours * 3600 * 1000,
				)
			: undefined;

	// Pacing is a property of the whole run, so it is read once, from the first item.
	const options = firstOptions;
	const messagesPerSecond = Math.min(
		MAX_MESSAGES_PER_SECOND,
		Math.max(1, Number(options.messagesPerSecond ?? DEFAULT_MESSAGES_PER_SECOND) || DEFAULT_MESSAGES_PER_SECOND),
	);
	const pairSpacingSeconds = Math.max(0, Number(options.pairSpacingSeconds ?? DEFAULT_PAIR_SPACING_SECONDS));
	const dryRun = options.dryRun === true;

	const results: INodeExecutionData[] = new Array(items.length);
	const prepared: PreparedSend[] = [];
	// A failed batched read is not fatal here: each item then reads on its own and reports its own error.
	await prefetchLedger(this, items.length, context).catch(() => undefined);
	for (let i = 0; i < items.length; i++) {
		try {
			const outcome: PreparedSend | SkippedSend = await prepareSend.call(this, i, context);
			if ('skipped' in outcome) results[i] = { json: outcome.skipped, pairedItem: { item: i } };
			else prepared.push(outcome);
		} catch (caught) {
			// Refusals are NodeOperationErrors already (kept as they are); anything else gets the item index.
			const error =
				caught instanceof LedgerError
					? new NodeOperationError(this.getNode(), caught.message, { itemIndex: i, description: caught.fix })
					: caught instanceof GraphNetworkError
						? new NodeOperationError(this.getNode(), `${caught.message} while reading the template`, {
								itemIndex: i,
								description: `Nothing was sent. Check the Base URL (${credentials.baseUrl}) and Graph API version in the WhatsApp Cloud API credential, and that the server is reachable from n8n. Details: ${caught.details}`,
							})
						: new NodeOperationError(this.getNode(), caught as Error, { itemIndex: i });
			if (!continueOnFail) throw error;
			const message = error.message;
			const description = error.description ?? undefined;
			results[i] = {
				json: {
					error: {
						code: null,
						title: 'Refused before sending',
						message,
						description: description ?? null,
						retryable: false,
						outcome: 'not_sent',
						fbtrace_id: null,
					},
				},
				pairedItem: { item: i },
			};
		}
	}

	// Quiet Hours: items inside the recipient's night leave by the Deferred output, as they came in plus sendAt.
	const quietHoursOn = items.length > 0 && isQuietHoursOn(this);
	const deferred: INodeExecutionData[] = [];
	const due: PreparedSend[] = [];
	for (const send of prepared) {
		if (send.deferred && quietHoursOn) deferred.push(deferredItem(items[send.itemIndex], send));
		else due.push(send);
	}
	// Only the due items go on to Dry Run / dispatch below.
	prepared.splice(0, prepared.length, ...due);
	const answer = (sentOrRefused: INodeExecutionData[]): INodeExecutionData[][] => {
		const main = sentOrRefused.filter((item) => item !== undefined);
		return quietHoursOn ? [main, deferred] : [main];
	};

	if (dryRun) {
		for (const send of prepared) {
			results[send.itemIndex] = {
				json: {
					dryRun: true,
					...summary(send),
					request: { method: 'POST', url: graphUrl(credentials, `${send.senderId}/messages`), body: send.body },
				},
				pairedItem: { item: send.itemIndex },
			};
		}
		return answer(results);
	}

	const outcomes: SendOutcome[] = await dispatchSends(this, credentials, prepared, {
		messagesPerSecond,
		pairSpacingMs: pairSpacingSeconds * 1000,
		maxRetries: Math.max(0, Number(options.maxRetries ?? 3)),
		retryUnknownOutcome: options.retryUnknownOutcome === true,
		timeoutMs: Math.max(1, Number(options.timeoutSeconds ?? 30)) * 1000,
		stopOnFirstFailure: !continueOnFail,
		keyStore,
	});

	if (!continueOnFail) {
		const failed = outcomes.find((o) => o.status === 'failed');
		if (failed && failed.status === 'failed') {
			const sent = outcomes.filter((o) => o.status === 'sent').length;
			const skipped = outcomes.filter((o) => o.status === 'skipped').length;
			const progress = ` (${sent} message(s) of this run were sent, ${skipped} not attempted)`;
			const { failure, send } = failed;
			if (failure.graphError) {
				throw new NodeApiError(this.getNode(), failure.graphError as unknown as JsonObject, {
					message: `${failure.title}: ${failure.message}`,
					description: `${failure.description}${progress}`,
					httpCode: failure.httpCode ? String(failure.httpCode) : undefined,
					itemIndex: send.itemIndex,
				});
			}
			throw new NodeOperationError(this.getNode(), `${failure.title}: ${failure.message}`, {
				description: `${failure.description}${progress}`,
				itemIndex: send.itemIndex,
			});
		}
	}

	for (const outcome of outcomes) {
		const i = outcome.send.itemIndex;
		if (outcome.status === 'sent') {
			results[i] = {
				json: {
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
				},
				pairedItem: { item: i },
			};
		} else if (outcome.status === 'duplicate') {
			results[i] = {
				json: {
					messageId: outcome.messageId,
					duplicate: true,
					sentAt: outcome.sentAt,
					idempotencyKey: outcome.send.idempotencyKey ?? null,
					...summary(outcome.send),
				},
				pairedItem: { item: i },
			};
		} else if (outcome.status === 'failed') {
			results[i] = {
				json: { error: { ...failureJson(outcome.failure), attempts: outcome.attempts }, ...summary(outcome.send) },
				pairedItem: { item: i },
			};
		} else {
			results[i] = {
				json: {
					error: {
						code: null,
						title: 'Not attempted',
						message: 'Sending stopped after an earlier failure',
						retryable: true,
						outcome: 'not_sent',
					},
					...summary(outcome.send),
				},
				pairedItem: { item: i },
			};
		}
	}
	return answer(results);
}

/** A deferred item: the input as it came (so a Wait node can loop it back here) with when to send it and why. */
function deferredItem(input: INodeExecutionData, send: PreparedSend): INodeExecutionData {
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
