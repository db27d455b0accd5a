/**
 * What the Session Window Trigger's webhook events mean for the consent ledger, as plain functions: the ids a
 * contact is recorded under, the ledger events an opt-out or opt-in request plans (given the contact's history and
 * the trigger's policy), the newest inbound time per contact and the id pairs to link. The writes themselves are in
 * SessionWindowTrigger/ledgerRecording.ts.
 *
 * Contact ids come from Meta, so they are taken as Meta means them: a wa_id is international digits without '+'
 * (Denmark 4512345678, Faroe 298123456, Falklands 50051234), never a national number. Consent events are recorded
 * under every id the webhook carries.
 */
import {
	ALL_UTILITY,
	PURPOSE_OPTIONS,
	compareEvents,
	decideConsent,
	normaliseContact,
	type ConsentAction,
	type ConsentEvent,
	type ConsentEventInput,
	type ConsentPurpose,
	type MetaContactId,
} from './consent';
import { toEpochMs } from './window';
import { opensWindow, type ConsentRequestEvent, type WebhookContact, type WebhookEvent } from './webhooks';

export const LEDGER_SOURCE = 'WhatsApp reply';
export const MARKETING_OPT_OUT_SOURCE = 'WhatsApp marketing opt-out (error 131050)';

export type OptInKeywordPolicy = 'resume' | 'resumeOrInvitation' | 'ignore';
export type MarketingOptOutPolicy = 'ignore' | 'optOutAllUtility';

/** The trigger's "Opt-In Keywords", "Invitation Wording" and "Marketing Opt-Out (131050)" settings. */
export interface TriggerLedgerPolicy {
	optInKeywords: OptInKeywordPolicy;
	/** Used by 'resumeOrInvitation' when there is nothing to resume: the text that invited the keyword. */
	invitationWording: string;
	marketingOptOut: MarketingOptOutPolicy;
}

/** The policy from the trigger's parameters; anything unknown falls back to the default. */
export function readTriggerLedgerPolicy(parameters: Record<string, unknown>): TriggerLedgerPolicy {
	const optIn = String(parameters.optInKeywords ?? 'resume');
	return {
		optInKeywords: optIn === 'ignore' || optIn === 'resumeOrInvitation' ? optIn : 'resume',
		invitationWording: String(parameters.invitationWording ?? ''),
		marketingOptOut: parameters.marketingOptOut === 'optOutAllUtility' ? 'optOutAllUtility' : 'ignore',
	};
}

export type LedgerNoteValue = string | number | boolean | null | undefined | string[];

/** What one event's `ledger` field says. */
export interface LedgerNote {
	recorded: boolean;
	[field: string]: LedgerNoteValue;
}

/** The note for a contact the webhook gives no id for (a fresh copy each time: notes are handed out). */
export function noContactIdNote(): LedgerNote {
	return {
		recorded: false,
		error: 'The webhook names neither a wa_id nor a business-scoped user id for this contact, so nothing was recorded.',
		fix: 'Look at the raw webhook in the execution: Meta sends contacts[].wa_id and/or user_id with every message.',
	};
}

export function isConsentRequest(event: WebhookEvent): event is ConsentRequestEvent {
	return event.event === 'optOutRequest' || event.event === 'optInRequest';
}

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
export function resumableOptIns(
	events: readonly ConsentEvent[],
	now: number,
): Array<{ purpose: ConsentPurpose; from: ConsentEvent }> {
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
	const resumed: Array<{ purpose: ConsentPurpose; from: ConsentEvent }> = [];
	for (const { value } of PURPOSE_OPTIONS) {
		if (value === ALL_UTILITY) continue;
		const from = grantedBy(value);
		if (from) resumed.push({ purpose: value, from });
	}
	return resumed;
}

/** The ledger inputs to record, or (nothing to record) the note that says why. */
export type ConsentPlan = { inputs: ConsentEventInput[] } | { note: LedgerNote };

/** What every planned input of one request shares: the ids it is recorded under, its text, time and message. */
interface RequestFacts {
	ids: MetaContactId[];
	text: string;
	capturedAt?: string;
	messageId: string;
}

/** The same event for every id the webhook carries (wa_id and business-scoped user id). */
function forEveryId(
	request: RequestFacts,
	input: Omit<ConsentEventInput, 'contact' | 'proofReference' | 'capturedAt'>,
): ConsentEventInput[] {
	return request.ids.map((contact) => ({
		contact,
		...input,
		proofReference: request.messageId,
		capturedAt: request.capturedAt,
	}));
}

/**
 * Plans the ledger inputs for one opt-in / opt-out request, given the contact's history (the events of all its
 * linked ids): the same event for every id the webhook carries (wa_id and business-scoped user id).
 */
export function planConsent(
	event: ConsentRequestEvent,
	history: readonly ConsentEvent[],
	policy: TriggerLedgerPolicy,
	now: number,
): ConsentPlan {
	const ids = contactIdsOf(event.contact);
	if (ids.length === 0) return { note: noContactIdNote() };
	const action: ConsentAction = event.event === 'optOutRequest' ? 'optOut' : 'optIn';
	const already = history.filter((e) => e.proofReference === event.messageId && e.action === action);
	if (already.length > 0) {
		// A redelivery that the in-process duplicate memory no longer knows (restart, another process).
		return {
			note: {
				recorded: true,
				duplicate: true,
				action,
				purposes: [...new Set(already.map((e) => e.purpose))],
				eventIds: already.map((e) => e.eventId),
			},
		};
	}
	const request: RequestFacts = {
		ids,
		text: event.evidence ?? event.keyword ?? '',
		capturedAt: event.occurredAt || undefined,
		messageId: event.messageId,
	};
	return event.event === 'optOutRequest'
		? planOptOut(event, request, policy)
		: planOptIn(request, history, policy, now);
}

function planOptOut(event: ConsentRequestEvent, request: RequestFacts, policy: TriggerLedgerPolicy): ConsentPlan {
	if (event.scope !== 'marketing') {
		return {
			inputs: forEveryId(request, {
				purpose: ALL_UTILITY,
				action: 'optOut',
				source: LEDGER_SOURCE,
				proofWording: request.text,
			}),
		};
	}
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
		inputs: forEveryId(request, {
			purpose: ALL_UTILITY,
			action: 'optOut',
			source: MARKETING_OPT_OUT_SOURCE,
			proofWording: request.text,
		}),
	};
}

/** A keyword opt-in resumes what the latest opt-out withdrew, else (if configured) accepts the invitation. */
function planOptIn(
	request: RequestFacts,
	history: readonly ConsentEvent[],
	policy: TriggerLedgerPolicy,
	now: number,
): ConsentPlan {
	if (policy.optInKeywords === 'ignore') {
		return {
			note: {
				recorded: false,
				reason: 'optInKeywordsNotRecorded',
				message: 'Opt-in keywords are not recorded (Opt-In Keywords: Do Not Record).',
			},
		};
	}
	const resumed = resumableOptIns(history, now);
	if (resumed.length > 0) {
		return {
			inputs: resumed.flatMap(({ purpose, from: earlier }) =>
				forEveryId(request, {
					purpose,
					action: 'optIn',
					source: LEDGER_SOURCE,
					proofWording: keywordOptInWording(request.text, 'resume', earlier.proofWording),
					proofVersion: earlier.proofVersion,
				}),
			),
		};
	}
	if (policy.optInKeywords === 'resumeOrInvitation' && policy.invitationWording.trim() !== '') {
		return {
			inputs: forEveryId(request, {
				purpose: ALL_UTILITY,
				action: 'optIn',
				source: LEDGER_SOURCE,
				proofWording: keywordOptInWording(request.text, 'accept', policy.invitationWording),
				proofVersion: 'keyword invitation',
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

/** The newest window-opening inbound time per contact in this delivery (keyed by contactIdOf), with its id. */
export function inboundTimes(events: readonly WebhookEvent[]): Map<string, { id: MetaContactId; at: string }> {
	const newest = new Map<string, { id: MetaContactId; at: string }>();
	for (const event of events) {
		if (event.event !== 'messageReceived' || !opensWindow(event)) continue;
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
		if (event.event !== 'messageReceived' && !isConsentRequest(event)) continue;
		const { waId, userId } = event.contact;
		if (waId && userId) pairs.set(`${waId}|${userId}`, [{ waId }, { userId }]);
	}
	return [...pairs.values()];
}
