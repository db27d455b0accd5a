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
 * Contact ids come from Meta, so they are taken as Meta means them: a wa_id is international digits without '+'
 * (Denmark 4512345678, Faroe 298123456, Falklands 50051234), never a national number. Consent events are recorded
 * under every id the webhook carries.
 *
 * A ledger failure never loses the event: it is logged and the event items carry
 * `ledger: { recorded: false, error, fix }`.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import {
	ALL_UTILITY,
	PURPOSE_OPTIONS,
	compareEvents,
	decideConsent,
	normaliseContact,
	type ConsentEvent as LedgerEvent,
	type MetaContactId,
	type ConsentEventInput,
	type ConsentPurpose,
} from '../shared/domain/consent';
import { ConsentLedger, LedgerError, attempt, type RecordResult, type ServiceWindowRecord } from '../shared/io/ledger';
import { peopleOfKeys } from '../shared/io/ledgerBatch';
import { ledgerCredentialOf } from './ledgerCredential';
import { toEpochMs } from '../shared/domain/window';
import { redactForLog, type ConsentEvent, type MessageReceivedEvent, type WebhookContact, type WebhookEvent } from '../shared/domain/webhooks';

export const LEDGER_SOURCE = 'WhatsApp reply';
export const MARKETING_OPT_OUT_SOURCE = 'WhatsApp marketing opt-out (error 131050)';

export type OptInKeywordPolicy = 'resume' | 'resumeOrInvitation' | 'ignore';
export type MarketingOptOutPolicy = 'ignore' | 'optOutAllUtility';

export interface TriggerLedgerPolicy {
	optInKeywords: OptInKeywordPolicy;
	/** Used by 'resumeOrInvitation' when there is nothing to resume: the text that invited the keyword. */
	invitationWording: string;
	marketingOptOut: MarketingOptOutPolicy;
}

/** What one event's `ledger` field says. */
export type LedgerNote = IDataObject & { recorded: boolean };

/** Messages that do not open the service window (as in shared/webhooks.ts). */
const NO_WINDOW_TYPES = new Set(['system']);

/** The ids of the contact as Meta gave them, wa_id first: what consent events are recorded under. */
export function contactIdsOf(contact: WebhookContact): MetaContactId[] {
	const ids: MetaContactId[] = [];
	if (contact.waId) ids.push({ waId: contact.waId });
	if (contact.userId) ids.push({ userId: contact.userId });
	return ids;
}

/** The id the ledger keys the contact's window on: the phone-based wa_id, else the business-scoped user id. */
export function primaryIdOf(contact: WebhookContact): MetaContactId | undefined {
	return contactIdsOf(contact)[0];
}

/** A printable, canonical form of the contact's primary id (+4512345678, or the BSUID). */
export function contactIdOf(contact: WebhookContact): string {
	const primary = primaryIdOf(contact);
	if (!primary) return contact.key;
	const normalised = normaliseContact(primary);
	return normalised.ok ? normalised.id : contact.key;
}

const NO_CONTACT_ID: LedgerNote = {
	recorded: false,
	error: 'The webhook names neither a wa_id nor a business-scoped user id for this contact, so nothing was recorded.',
	fix: 'Look at the raw webhook in the execution: Meta sends contacts[].wa_id and/or user_id with every message.',
};

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

const RESUME_PREFIX = /^Replied ".*?" on WhatsApp to (?:resume|accept): /;

/** The wording recorded for a keyword opt-in; an earlier resumption's prefix is not repeated. */
export function keywordOptInWording(text: string, kind: 'resume' | 'accept', wording: string): string {
	let original = wording.trim();
	while (RESUME_PREFIX.test(original)) original = original.replace(RESUME_PREFIX, '');
	return `Replied ${JSON.stringify(text)} on WhatsApp to ${kind}: ${original}`;
}

/**
 * What a keyword opt-in brings back: the consent the contact had just before their latest withdrawal. If all utility
 * notifications were granted then, that one opt-in; otherwise each notification type that was granted (so an older
 * opt-out of one type stays in force). Each comes with the opt-in event that granted it (its wording is the proof).
 * Nothing when the latest withdrawal is an erasure (a new, full opt-in is needed) or when nothing was withdrawn.
 */
export function resumableOptIns(events: readonly LedgerEvent[], now: number): Array<{ purpose: ConsentPurpose; from: LedgerEvent }> {
	const sorted = [...events].sort(compareEvents);
	let cut = -1;
	sorted.forEach((event, index) => {
		if (event.action !== 'optIn') cut = index;
	});
	if (cut < 0 || sorted[cut].action === 'erase') return [];
	const before = sorted.slice(0, cut);
	const grantedBy = (purpose: ConsentPurpose) => {
		const decision = decideConsent(before, purpose, now);
		return decision.granted ? before.find((e) => e.eventId === decision.eventId) : undefined;
	};
	const all = grantedBy(ALL_UTILITY);
	if (all) return [{ purpose: ALL_UTILITY, from: all }];
	const resumed: Array<{ purpose: ConsentPurpose; from: LedgerEvent }> = [];
	for (const { value } of PURPOSE_OPTIONS) {
		if (value === ALL_UTILITY) continue;
		const from = grantedBy(value);
		if (from) resumed.push({ purpose: value, from });
	}
	return resumed;
}

/**
 * Plans the ledger inputs for one opt-in / opt-out request, given the contact's history (the events of all its
 * linked ids): the same event for every id the webhook carries (wa_id and business-scoped user id).
 */
export function planConsent(
	event: ConsentEvent,
	history: readonly LedgerEvent[],
	policy: TriggerLedgerPolicy,
	now: number,
): { inputs: ConsentEventInput[] } | { note: LedgerNote } {
	const ids = contactIdsOf(event.contact);
	if (ids.length === 0) return { note: { ...NO_CONTACT_ID } };
	const forEveryId = (input: Omit<ConsentEventInput, 'contact'>): ConsentEventInput[] => ids.map((contact) => ({ contact, ...input }));
	const text = event.evidence ?? event.keyword ?? '';
	const capturedAt = event.occurredAt || undefined;
	const action = event.event === 'optOutRequest' ? 'optOut' : 'optIn';
	const already = history.filter((e) => e.proofReference === event.messageId && e.action === action);
	if (already.length > 0) {
		// A redelivery that the in-process duplicate memory no longer knows (restart, another process).
		return {
			note: { recorded: true, duplicate: true, action, purposes: [...new Set(already.map((e) => e.purpose))], eventIds: already.map((e) => e.eventId) },
		};
	}
	if (event.event === 'optOutRequest') {
		if (event.scope === 'marketing') {
			if (policy.marketingOptOut !== 'optOutAllUtility') {
				return {
					note: {
						recorded: false,
						reason: 'marketingOnly',
						message:
							'Error 131050: the person stopped marketing messages from the business. That does not withdraw consent to utility notifications (Meta still delivers them), so nothing was recorded. Set "Marketing Opt-Out (131050)" to record it as an opt-out.',
					},
				};
			}
			return {
				inputs: forEveryId({
					purpose: ALL_UTILITY,
					action: 'optOut',
					source: MARKETING_OPT_OUT_SOURCE,
					proofWording: text,
					proofReference: event.messageId,
					capturedAt,
				}),
			};
		}
		return {
			inputs: forEveryId({ purpose: ALL_UTILITY, action: 'optOut', source: LEDGER_SOURCE, proofWording: text, proofReference: event.messageId, capturedAt }),
		};
	}
	if (policy.optInKeywords === 'ignore') {
		return { note: { recorded: false, reason: 'optInKeywordsNotRecorded', message: 'Opt-in keywords are not recorded (Opt-In Keywords: Do Not Record).' } };
	}
	const resumed = resumableOptIns(history, now);
	if (resumed.length > 0) {
		return {
			inputs: resumed.flatMap(({ purpose, from: earlier }) =>
				forEveryId({
					purpose,
					action: 'optIn',
					source: LEDGER_SOURCE,
					proofWording: keywordOptInWording(text, 'resume', earlier.proofWording),
					proofVersion: earlier.proofVersion,
					proofReference: event.messageId,
					capturedAt,
				}),
			),
		};
	}
	if (policy.optInKeywords === 'resumeOrInvitation' && policy.invitationWording.trim() !== '') {
		return {
			inputs: forEveryId({
				purpose: ALL_UTILITY,
				action: 'optIn',
				source: LEDGER_SOURCE,
				proofWording: keywordOptInWording(text, 'accept', policy.invitationWording),
				proofVersion: 'keyword invitation',
				proofReference: event.messageId,
				capturedAt,
			}),
		};
	}
	return {
		note: {
			recorded: false,
			reason: 'nothingToResume',
			message:
				'An opt-in keyword only resumes an earlier opt-in, and this contact has no opt-in withdrawn by a later opt-out (or their data was erased). Record a provable opt-in with Check Consent, or set an invitation wording.',
		},
	};
}

function noteOf(result: RecordResult): LedgerNote {
	if (result.recorded.length === 0) {
		const refused = result.refused[0];
		return { recorded: false, error: refused ? `Not recorded: ${refused.reason}` : 'Not recorded', fix: refused?.fix ?? '' };
	}
	const first = result.recorded[0];
	return {
		recorded: true,
		action: first.action,
		purposes: [...new Set(result.recorded.map((e) => e.purpose))],
		eventIds: result.recorded.map((e) => e.eventId),
		contact: first.contactId,
		...(result.recorded.some((e) => e.contactId !== first.contactId) ? { contacts: [...new Set(result.recorded.map((e) => e.contactId))] } : {}),
		source: first.source,
		capturedAt: first.capturedAt,
	};
}

/** The newest window-opening inbound time per contact in this delivery (keyed by contactIdOf), with its id. */
function inboundTimes(events: readonly WebhookEvent[]): Map<string, { id: MetaContactId; at: string }> {
	const newest = new Map<string, { id: MetaContactId; at: string }>();
	for (const event of events) {
		if (event.event !== 'messageReceived' || NO_WINDOW_TYPES.has((event as MessageReceivedEvent).type)) continue;
		const at = toEpochMs(event.occurredAt);
		const id = primaryIdOf(event.contact);
		if (at === undefined || !id) continue;
		const contact = contactIdOf(event.contact);
		const current = newest.get(contact);
		if (current === undefined || (toEpochMs(current.at) ?? 0) < at) newest.set(contact, { id, at: event.occurredAt });
	}
	return newest;
}

/** Pairs of ids (wa_id + business-scoped user id) that messages of this delivery carried together. */
export function identityPairs(events: readonly WebhookEvent[]): Array<[MetaContactId, MetaContactId]> {
	const pairs = new Map<string, [MetaContactId, MetaContactId]>();
	for (const event of events) {
		if (event.event !== 'messageReceived' && event.event !== 'optOutRequest' && event.event !== 'optInRequest') continue;
		const { waId, userId } = event.contact;
		if (waId && userId) pairs.set(`${waId}|${userId}`, [{ waId }, { userId }]);
	}
	return [...pairs.values()];
}

export function readPolicy(options: IDataObject): TriggerLedgerPolicy {
	const optIn = String(options.optInKeywords ?? 'resume');
	return {
		optInKeywords: optIn === 'ignore' || optIn === 'resumeOrInvitation' ? optIn : 'resume',
		invitationWording: String(options.invitationWording ?? ''),
		marketingOptOut: options.marketingOptOut === 'optOutAllUtility' ? 'optOutAllUtility' : 'ignore',
	};
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
	const consentEvents = events.filter((e): e is ConsentEvent => e.event === 'optOutRequest' || e.event === 'optInRequest');
	const inbound = inboundTimes(events);
	if (consentEvents.length === 0 && inbound.size === 0) return notes;

	const log = { workflowId: ctx.getWorkflow().id, node: ctx.getNode().name };
	const opened = await attempt(
		async () => await ConsentLedger.open(ctx, { workflowId: String(ctx.getWorkflow().id ?? ''), executionId: '' }, ledgerCredentialOf(ctx.getNode().typeVersion)),
	);
	if (!opened.ok) {
		ctx.logger.error(`WhatsApp trigger: the consent ledger could not be opened, nothing recorded: ${redactForLog(opened.error.message, { quoted: true })}`, log);
		for (const event of events) {
			if (consentEvents.includes(event as ConsentEvent) || event.event === 'messageReceived' || event.event === 'windowOpened' || event.event === 'windowRenewed') {
				notes.set(event, failure(opened.error));
			}
		}
		return notes;
	}
	const ledger = opened.value;

	// Links first: the consent events below then see the history of both ids.
	for (const [waId, userId] of identityPairs(events)) {
		const linked = await attempt(async () => await ledger.linkIdentities(waId, userId));
		if (!linked.ok) ctx.logger.error(`WhatsApp trigger: a wa_id and business-scoped user id of one contact were not linked in the consent ledger: ${redactForLog(linked.error.message, { quoted: true })}`, log);
	}

	// One at a time and in order: a "STOP" then "START" in one delivery must see each other.
	for (const event of consentEvents) {
		const done = await attempt(async () => {
			const primary = primaryIdOf(event.contact);
			if (!primary) return { ...NO_CONTACT_ID };
			const { events: history } = await ledger.history(primary);
			const plan = planConsent(event, history, policy, now);
			if ('note' in plan) return plan.note;
			return noteOf(await ledger.recordEvents(plan.inputs));
		});
		if (done.ok) notes.set(event, done.value);
		else {
			ctx.logger.error(`WhatsApp trigger: ${event.event} of message ${event.messageId} was not recorded in the consent ledger: ${redactForLog(done.error.message, { quoted: true })}`, {
				...log,
				eventId: event.eventId,
				contactKey: contactKeyForLog(ledger, event.contact),
			});
			notes.set(event, failure(done.error));
		}
	}

	const inboundNotes = new Map<string, LedgerNote>();
	const storedWindows = await windowsOfBatch(ledger, [...inbound].map(([contact, { id }]) => [contact, id] as const));
	for (const [contact, { id, at }] of inbound) {
		const done = await attempt(async () => {
			// Read first: the ledger's own "only move forward" condition compares date columns in the database, and
			// n8n's public data-table API does not compare dates reliably on SQLite; a late, older message must
			// not move the window back.
			const stored = storedWindows.get(contact) ?? (await ledger.serviceWindowOf(id));
			if (stored.lastInboundAt && (toEpochMs(stored.lastInboundAt) ?? 0) >= (toEpochMs(at) ?? 0)) return { ...stored, unchanged: true };
			return { ...(await ledger.recordInbound(id, at)), unchanged: false };
		});
		if (done.ok) {
			inboundNotes.set(contact, {
				recorded: true,
				lastInboundAt: done.value.lastInboundAt ?? null,
				windowExpiresAt: done.value.windowExpiresAt ?? null,
				...(done.value.unchanged ? { unchanged: true } : {}),
			});
		}
		else {
			ctx.logger.error(`WhatsApp trigger: the inbound time was not recorded in the consent ledger: ${redactForLog(done.error.message, { quoted: true })}`, {
				...log,
				contactKey: contactKeyForLog(ledger, contact),
			});
			inboundNotes.set(contact, failure(done.error));
		}
	}
	for (const event of events) {
		if (event.event !== 'messageReceived' && event.event !== 'windowOpened' && event.event !== 'windowRenewed') continue;
		const note = inboundNotes.get(contactIdOf(event.contact));
		if (note) notes.set(event, note);
	}
	return notes;
}

/**
 * The stored windows of a webhook batch's contacts in one batched read (KEYS_PER_READ contacts per request) when
 * it carries several; empty when it carries one, or the read failed (each contact is then read on its own).
 */
async function windowsOfBatch(ledger: ConsentLedger, contacts: ReadonlyArray<readonly [string, unknown]>): Promise<Map<string, ServiceWindowRecord>> {
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
