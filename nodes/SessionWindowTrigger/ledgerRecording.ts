/**
 * The Session Window Trigger's writes to the consent ledger (optional: "Record in Consent Ledger" + the ledger of the
 * WhatsApp Cloud API credential, version 2, or of the "WhatsApp Notifications Ledger API" credential, 1/1.1). Runs inside the webhook handler, after the signature check and
 * the duplicate filter, before the execution starts: a forged or duplicate call never reaches this code.
 *
 * What is recorded (whatever the "Events" selection; compliance does not depend on what starts the workflow):
 *  - an opt-out keyword or button ("STOP") → opt-out of allUtility, source "WhatsApp reply", proof = the message
 *    text and its wamid;
 *  - an opt-in keyword ("START") → by default a *resumption*: the purposes the contact had opted into before their
 *    latest opt-out are granted again, with the earlier wording quoted in the proof. A bare "START" from someone
 *    who never opted in (or whose data was erased) records nothing, unless an invitation wording is configured;
 *  - a failed status with 131050 (the user stopped MARKETING messages from the business) → nothing by default,
 *    because it does not withdraw consent to utility notifications (Meta still delivers those); optionally an
 *    opt-out of allUtility for businesses that read it strictly;
 *  - each contact's newest inbound message time (recordInbound), so Send Notification knows the 24 h window;
 *  - when a message carries both the phone-based wa_id and the business-scoped user id (BSUID), a link between the
 *    two, so that consent read under either id sees the events of both.
 *
 * What each event plans (ids, resumption, policy) is decided in shared/domain/webhookConsent.ts; this file only reads
 * the contact's history and writes.
 *
 * A ledger failure never loses the event: it is logged and the event items carry
 * `ledger: { recorded: false, error, fix }`.
 */
import type { IWebhookFunctions, LogMetadata } from 'n8n-workflow';

import type { MetaContactId } from '../shared/domain/consent';
import {
	redactForLog,
	type ConsentRequestEvent,
	type MessageReceivedEvent,
	type WebhookContact,
	type WebhookEvent,
	type WindowEvent,
} from '../shared/domain/webhooks';
import {
	contactIdOf,
	identityPairs,
	inboundTimes,
	isConsentRequest,
	noContactIdNote,
	planConsent,
	primaryIdOf,
	type LedgerNote,
	type TriggerLedgerPolicy,
} from '../shared/domain/webhookConsent';
import { toEpochMs } from '../shared/domain/window';
import { ConsentLedger, LedgerError, attempt, type RecordResult, type ServiceWindowRecord } from '../shared/io/ledger';
import { peopleOfKeys } from '../shared/io/ledger/ledgerBatch';
import { ledgerCredentialOf } from './ledgerCredential';

/** The contact as logs may carry it: the ledger's keyed hash (never the number), when the id is usable. */
function contactKeyForLog(ledger: ConsentLedger, contact: WebhookContact | string): string | undefined {
	try {
		return ledger.contactKey(typeof contact === 'string' ? contact : contactIdOf(contact)).key;
	} catch {
		return undefined;
	}
}

function failure(error: LedgerError): LedgerNote {
	return { recorded: false, error: error.message, fix: error.fix };
}

function noteOf(result: RecordResult): LedgerNote {
	if (result.recorded.length === 0) {
		const refused = result.refused[0];
		return {
			recorded: false,
			error: refused ? `Not recorded: ${refused.reason}` : 'Not recorded',
			fix: refused?.fix ?? '',
		};
	}
	const first = result.recorded[0];
	return {
		recorded: true,
		action: first.action,
		purposes: [...new Set(result.recorded.map((e) => e.purpose))],
		eventIds: result.recorded.map((e) => e.eventId),
		contact: first.contactId,
		...(result.recorded.some((e) => e.contactId !== first.contactId)
			? { contacts: [...new Set(result.recorded.map((e) => e.contactId))] }
			: {}),
		source: first.source,
		capturedAt: first.capturedAt,
	};
}

/** The events whose `ledger` field tells what became of the contact's inbound time. */
function carriesInboundTime(event: WebhookEvent): event is MessageReceivedEvent | WindowEvent {
	return event.event === 'messageReceived' || event.event === 'windowOpened' || event.event === 'windowRenewed';
}

/** One delivery's recording: the open ledger, where to log, and the notes so far. */
interface Recording {
	ctx: IWebhookFunctions;
	ledger: ConsentLedger;
	log: LogMetadata;
	notes: Map<WebhookEvent, LedgerNote>;
}

/**
 * Records what the events mean for the ledger and returns, per event, what its `ledger` field should say (only
 * for events that led to a write: consent requests, received messages and window events).
 */
export async function recordInLedger(
	ctx: IWebhookFunctions,
	events: readonly WebhookEvent[],
	policy: TriggerLedgerPolicy,
	now: number,
): Promise<Map<WebhookEvent, LedgerNote>> {
	const notes = new Map<WebhookEvent, LedgerNote>();
	const requests = events.filter(isConsentRequest);
	const inbound = inboundTimes(events);
	if (requests.length === 0 && inbound.size === 0) return notes;

	const log: LogMetadata = { workflowId: ctx.getWorkflow().id, node: ctx.getNode().name };
	const opened = await attempt(
		async () =>
			await ConsentLedger.open(
				ctx,
				{ workflowId: String(ctx.getWorkflow().id ?? ''), executionId: '' },
				ledgerCredentialOf(ctx.getNode().typeVersion),
			),
	);
	if (!opened.ok) {
		ctx.logger.error(
			`WhatsApp trigger: the consent ledger could not be opened, nothing recorded: ${redactForLog(opened.error.message, { quoted: true })}`,
			log,
		);
		for (const event of events)
			if (isConsentRequest(event) || carriesInboundTime(event)) notes.set(event, failure(opened.error));
		return notes;
	}
	const recording: Recording = { ctx, ledger: opened.value, log, notes };
	// Links first: the consent events below then see the history of both ids.
	await linkIdentities(recording, events);
	// One at a time and in order: a "STOP" then "START" in one delivery must see each other.
	for (const request of requests) await recordRequest(recording, request, policy, now);
	await recordInboundTimes(recording, events, inbound);
	return notes;
}

async function linkIdentities({ ctx, ledger, log }: Recording, events: readonly WebhookEvent[]): Promise<void> {
	for (const [waId, userId] of identityPairs(events)) {
		const linked = await attempt(async () => await ledger.linkIdentities(waId, userId));
		if (!linked.ok)
			ctx.logger.error(
				`WhatsApp trigger: a wa_id and business-scoped user id of one contact were not linked in the consent ledger: ${redactForLog(linked.error.message, { quoted: true })}`,
				log,
			);
	}
}

/** One opt-out / opt-in request: the contact's history read, the plan written. */
async function recordRequest(
	{ ctx, ledger, log, notes }: Recording,
	event: ConsentRequestEvent,
	policy: TriggerLedgerPolicy,
	now: number,
): Promise<void> {
	const done = await attempt(async () => {
		const primary = primaryIdOf(event.contact);
		if (!primary) return noContactIdNote();
		const { events: history } = await ledger.history(primary);
		const plan = planConsent(event, history, policy, now);
		if ('note' in plan) return plan.note;
		const result = await ledger.recordEvents(plan.inputs);
		if (result.stateNotUpdated) {
			// Recorded: consent checks fold the events. Only the derived state row lags.
			ctx.logger.warn(
				`WhatsApp trigger: ${event.event} of message ${event.messageId} was recorded, but the contact's state row was not updated: ${redactForLog(result.stateNotUpdated.message, { quoted: true })}`,
				{ ...log, eventId: event.eventId },
			);
		}
		return noteOf(result);
	});
	if (done.ok) {
		notes.set(event, done.value);
		return;
	}
	ctx.logger.error(
		`WhatsApp trigger: ${event.event} of message ${event.messageId} was not recorded in the consent ledger: ${redactForLog(done.error.message, { quoted: true })}`,
		{
			...log,
			eventId: event.eventId,
			contactKey: contactKeyForLog(ledger, event.contact),
		},
	);
	notes.set(event, failure(done.error));
}

/** Each contact's newest inbound time, and its note on every event that carries it. */
async function recordInboundTimes(
	recording: Recording,
	events: readonly WebhookEvent[],
	inbound: ReturnType<typeof inboundTimes>,
): Promise<void> {
	const inboundNotes = new Map<string, LedgerNote>();
	const storedWindows = await windowsOfBatch(
		recording.ledger,
		[...inbound].map(([contact, { id }]) => [contact, id] as const),
	);
	for (const [contact, { id, at }] of inbound) {
		inboundNotes.set(contact, await recordInbound(recording, contact, id, at, storedWindows.get(contact)));
	}
	for (const event of events) {
		if (!carriesInboundTime(event)) continue;
		const note = inboundNotes.get(contactIdOf(event.contact));
		if (note) recording.notes.set(event, note);
	}
}

async function recordInbound(
	{ ctx, ledger, log }: Recording,
	contact: string,
	id: MetaContactId,
	at: string,
	storedWindow: ServiceWindowRecord | undefined,
): Promise<LedgerNote> {
	const done = await attempt(async () => {
		// Read first: the ledger's own "only move forward" condition compares date columns in the database, and
		// n8n's public data-table API does not compare dates reliably on SQLite; a late, older message must
		// not move the window back.
		const stored = storedWindow ?? (await ledger.serviceWindowOf(id));
		if (stored.lastInboundAt && (toEpochMs(stored.lastInboundAt) ?? 0) >= (toEpochMs(at) ?? 0))
			return { ...stored, unchanged: true };
		return { ...(await ledger.recordInbound(id, at)), unchanged: false };
	});
	if (done.ok) {
		return {
			recorded: true,
			lastInboundAt: done.value.lastInboundAt ?? null,
			windowExpiresAt: done.value.windowExpiresAt ?? null,
			...(done.value.unchanged ? { unchanged: true } : {}),
		};
	}
	ctx.logger.error(
		`WhatsApp trigger: the inbound time was not recorded in the consent ledger: ${redactForLog(done.error.message, { quoted: true })}`,
		{
			...log,
			contactKey: contactKeyForLog(ledger, contact),
		},
	);
	return failure(done.error);
}

/**
 * The stored windows of a webhook batch's contacts in one batched read (KEYS_PER_READ contacts per request) when
 * it carries several; empty when it carries one, or the read failed (each contact is then read on its own).
 */
async function windowsOfBatch(
	ledger: ConsentLedger,
	contacts: ReadonlyArray<readonly [string, unknown]>,
): Promise<Map<string, ServiceWindowRecord>> {
	const windows = new Map<string, ServiceWindowRecord>();
	if (contacts.length < 2) return windows;
	const keyOf = new Map<string, string>();
	for (const [contact, id] of contacts) {
		const key = attemptSync(() => ledger.contactKey(id).key);
		if (key) keyOf.set(contact, key);
	}
	const read = await attempt(async () => await peopleOfKeys(ledger, keyOf.values(), { events: false }));
	if (!read.ok) return windows;
	for (const [contact, key] of keyOf) {
		const person = read.value.get(key);
		if (person) windows.set(contact, person.window);
	}
	return windows;
}

function attemptSync<T>(fn: () => T): T | undefined {
	try {
		return fn();
	} catch {
		return undefined;
	}
}
