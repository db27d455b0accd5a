/**
 * Consent policy: who may receive which notification type, decided from the consent ledger's events.
 *
 * Plain functions, no n8n runtime calls. The ledger (ledger.ts) stores events; this module validates what
 * is recorded and folds events into a decision:
 *  - a purpose is one notification type (e.g. 'shippingStatus') or 'allUtility' (every notification type);
 *  - events are ordered by when the person acted (capturedAt); the newest relevant event decides;
 *  - within the same second a withdrawal beats an opt-in (opt-out always wins over an older or simultaneous opt-in;
 *    seconds, because Meta's timestamps have no milliseconds);
 *  - 'erase' (GDPR right to erasure) acts as an opt-out of everything recorded before it;
 *  - an optional maximum age refuses opt-ins older than N calendar months.
 * Meta: opt-in must name the business and say what the person will receive; opt-outs given anywhere must be
 * honoured. GDPR: consent must be demonstrable (who, when, how, what wording, which purpose). Not legal advice.
 */
import { NOTIFICATION_TYPES, type NotificationTypeValue } from './notificationTypes';
import { normalisePhone } from './phone';

export const ALL_UTILITY = 'allUtility';
export type ConsentPurpose = NotificationTypeValue | typeof ALL_UTILITY;
export type ConsentAction = 'optIn' | 'optOut' | 'erase';

export const CONSENT_ACTIONS: readonly ConsentAction[] = ['optIn', 'optOut', 'erase'];

export const PURPOSE_OPTIONS: ReadonlyArray<{ name: string; value: ConsentPurpose; description: string }> = [
	{
		name: 'All Utility Notifications',
		value: ALL_UTILITY,
		description: 'Every one of the ten notification types (an opt-in or opt-out given for all of them)',
	},
	...NOTIFICATION_TYPES.map((type) => ({ name: type.name, value: type.value, description: type.description })),
];

const PURPOSES: ReadonlySet<string> = new Set([ALL_UTILITY, ...NOTIFICATION_TYPES.map((t) => t.value)]);

export function isConsentPurpose(value: unknown): value is ConsentPurpose {
	return typeof value === 'string' && PURPOSES.has(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Contacts: E.164 phone numbers or Meta business-scoped user ids (BSUID, e.g. 'US.13491208655302741918').

export type ContactKind = 'phone' | 'userId';
export type ContactResult = { ok: true; kind: ContactKind; id: string } | { ok: false; reason: string };

/**
 * A contact id exactly as Meta's webhooks give it, kept apart from numbers people type: a `wa_id` is always
 * international (country code first, no '+'), so a Danish 4512345678 is +45 12345678, never a national number.
 * A `userId` is the business-scoped user id. The trigger passes these; fields typed by people stay strings.
 */
export type MetaContactId = { waId: string } | { userId: string };

/** Meta's business-scoped user id: a country code, optional sub-scope (e.g. 'US.ENT.'), then letters/digits. */
const BSUID = /^[A-Z]{2}(\.[A-Z]{2,5})?\.[A-Za-z0-9]{6,64}$/;

/**
 * Digits of a wa_id: E.164 allows at most 15; the shortest numbers in use have 7 (e.g. Niue +683 and a
 * 4-digit number). No calling-code check: Meta has already registered the person, and an opt-out from a
 * number outside our calling-code list must still be recorded.
 */
const WA_ID = /^[1-9]\d{6,14}$/;

function isMetaContactId(input: unknown): input is MetaContactId {
	if (input === null || typeof input !== 'object') return false;
	const keys = Object.keys(input);
	return keys.length === 1 && (keys[0] === 'waId' || keys[0] === 'userId');
}

function normaliseMetaContact(input: MetaContactId): ContactResult {
	if ('waId' in input) {
		const digits = String(input.waId ?? '')
			.trim()
			.replace(/^\+/, '');
		if (WA_ID.test(digits)) return { ok: true, kind: 'phone', id: `+${digits}` };
		return {
			ok: false,
			reason: `"${String(input.waId)}" is not a WhatsApp id (wa_id): Meta sends 7 to 15 digits, country code first.`,
		};
	}
	const userId = String(input.userId ?? '').trim();
	if (BSUID.test(userId)) return { ok: true, kind: 'userId', id: userId };
	return { ok: false, reason: `"${userId}" is not a business-scoped user id (e.g. US.13491208655302741918).` };
}

/**
 * The canonical contact id the ledger keys on: E.164 for phone numbers, the BSUID as given otherwise. Accepts what
 * people type (a string) and, from Meta's webhooks, `{ waId }` / `{ userId }` (see MetaContactId).
 */
export function normaliseContact(input: unknown): ContactResult {
	if (isMetaContactId(input)) return normaliseMetaContact(input);
	if (typeof input === 'string' && BSUID.test(input.trim())) return { ok: true, kind: 'userId', id: input.trim() };
	const phone = normalisePhone(input);
	if (phone.ok) return { ok: true, kind: 'phone', id: phone.e164 };
	const bareDigits = typeof input === 'string' && WA_ID.test(input.trim());
	return {
		ok: false,
		reason: `${phone.reason} A business-scoped user id (e.g. US.13491208655302741918) is accepted too.${
			bareDigits
				? ` If this is a WhatsApp id (wa_id) from a webhook, it is international: put + in front of it (+${input.trim()}).`
				: ''
		}`,
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Events

/** What an event says about consent, before and after the ledger stores it. */
interface ConsentFacts {
	purpose: ConsentPurpose;
	action: ConsentAction;
	source: string;
	proofWording: string;
	proofVersion: string;
	proofReference: string;
	/** When the person gave or withdrew consent (ISO 8601). */
	capturedAt: string;
	workflowId: string;
	executionId: string;
}

export interface ConsentEvent extends ConsentFacts {
	eventId: string;
	contactKey: string;
	/** Empty on an erasure tombstone: the person's identifier is no longer kept. */
	contactId: string;
	/** When the ledger stored the event (ISO 8601). */
	recordedAt: string;
}

export interface ConsentEventInput {
	contact: unknown;
	purpose: unknown;
	action: ConsentAction;
	source?: unknown;
	proofWording?: unknown;
	proofVersion?: unknown;
	proofReference?: unknown;
	/** Defaults to now. Accepts ISO strings, epoch ms or s. */
	capturedAt?: unknown;
	workflowId?: string;
	executionId?: string;
}

/** A validated event without the ledger's key and ids. */
export interface ValidConsentEvent extends ConsentFacts {
	contactId: string;
	contactKind: ContactKind;
}

export type EventValidation = { ok: true; event: ValidConsentEvent } | { ok: false; reason: string; fix: string };

/** Words that say nothing about where or how consent was given. */
const VAGUE_SOURCES = new Set([
	'',
	'-',
	'n/a',
	'na',
	'none',
	'unknown',
	'other',
	'misc',
	'test',
	'x',
	'yes',
	'true',
	'default',
]);
/** Values a form field or import puts where the wording should be: they prove nothing. */
const VAGUE_WORDING = new Set([
	'yes',
	'y',
	'true',
	'1',
	'ok',
	'okay',
	'agree',
	'agreed',
	'i agree',
	'accepted',
	'accept',
	'checked',
	'on',
	'consent',
	'consented',
	'opt-in',
	'opt in',
	'optin',
	'opted in',
	'subscribed',
	'whatsapp',
	'n/a',
	'none',
	'unknown',
	'test',
]);
export const MIN_WORDING_LENGTH = 20;
/** Clock skew tolerated for capturedAt in the future. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

function text(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return '';
}

/** ISO string of a timestamp given as ISO text, Date, epoch ms or epoch s; undefined if unreadable. */
export function toIso(value: unknown): string | undefined {
	if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : undefined;
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value <= 0) return undefined;
		return new Date(value < 1e11 ? value * 1000 : value).toISOString();
	}
	if (typeof value === 'string') {
		const trimmed = value.trim();
		if (trimmed === '') return undefined;
		if (/^\d+(\.\d+)?$/.test(trimmed)) return toIso(Number(trimmed));
		const ms = Date.parse(trimmed);
		return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
	}
	return undefined;
}

type Refusal = Extract<EventValidation, { ok: false }>;

/**
 * Checks one event before it is recorded. Opt-ins must be provable: a specific source and the wording the
 * person saw. Opt-outs are never refused for missing proof (withdrawing must be as easy as giving consent);
 * they only need a contact and a purpose.
 */
export function validateConsentEvent(input: ConsentEventInput, now: number): EventValidation {
	const contact = normaliseContact(input.contact);
	if (!contact.ok)
		return {
			ok: false,
			reason: `The contact is not usable: ${contact.reason}`,
			fix: 'Map the customer’s WhatsApp number in international format or their business-scoped user id.',
		};
	const purpose = text(input.purpose) || ALL_UTILITY;
	if (!isConsentPurpose(purpose)) {
		return {
			ok: false,
			reason: `"${purpose}" is not a consent purpose.`,
			fix: `Use one of: ${[...PURPOSES].join(', ')}.`,
		};
	}
	if (!CONSENT_ACTIONS.includes(input.action)) {
		return {
			ok: false,
			reason: `"${String(input.action)}" is not a consent action.`,
			fix: 'Use optIn, optOut or erase.',
		};
	}
	const capturedAt = readCapturedAt(input.capturedAt, now);
	if (typeof capturedAt !== 'string') return capturedAt;
	const source = text(input.source);
	const proofWording = text(input.proofWording);
	if (input.action === 'optIn') {
		const vague = vagueProof(source, proofWording);
		if (vague) return vague;
	}
	return {
		ok: true,
		event: {
			contactId: contact.id,
			contactKind: contact.kind,
			purpose,
			action: input.action,
			source: source || (input.action === 'optIn' ? '' : 'not stated'),
			proofWording,
			proofVersion: text(input.proofVersion),
			proofReference: text(input.proofReference),
			capturedAt,
			workflowId: input.workflowId ?? '',
			executionId: input.executionId ?? '',
		},
	};
}

/** When the person acted, as ISO text: now when not given; a refusal when unreadable or in the future. */
function readCapturedAt(value: unknown, now: number): string | Refusal {
	if (value === undefined || value === null || value === '') return new Date(now).toISOString();
	const iso = toIso(value);
	if (!iso) {
		return {
			ok: false,
			reason: `"${text(value)}" is not a date and time.`,
			fix: 'Give when the person acted as an ISO 8601 date-time (e.g. 2026-11-25T10:15:00Z) or leave it empty for now.',
		};
	}
	if (Date.parse(iso) > now + FUTURE_TOLERANCE_MS) {
		return {
			ok: false,
			reason: `The consent was captured at ${iso}, which is in the future.`,
			fix: 'Map the moment the person ticked the box or replied, not a delivery or expiry date.',
		};
	}
	return iso;
}

/** An opt-in's proof that proves nothing (a vague source, a wording such as "yes"), refused with the fix. */
function vagueProof(source: string, proofWording: string): Refusal | undefined {
	if (VAGUE_SOURCES.has(source.toLowerCase())) {
		return {
			ok: false,
			reason: source ? `The source "${source}" does not say where the consent was given.` : 'The opt-in has no source.',
			fix: 'Say where the person opted in, e.g. "checkout form", "account settings page", "WhatsApp reply", "paper form in store".',
		};
	}
	if (VAGUE_WORDING.has(proofWording.toLowerCase().replace(/[.!]+$/, '')) || proofWording.length < MIN_WORDING_LENGTH) {
		return {
			ok: false,
			reason: proofWording
				? `The proof wording "${proofWording}" is not the text the person agreed to.`
				: 'The opt-in has no proof wording.',
			fix: `Record the exact sentence shown next to the checkbox or button (at least ${MIN_WORDING_LENGTH} characters), naming your business and what the person will receive, e.g. "Send me order and delivery updates from Example Shop on WhatsApp".`,
		};
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Folding events into a decision

export type ConsentReason = 'optedIn' | 'optedOut' | 'erased' | 'noRecord' | 'expired';

export interface ConsentDecision {
	granted: boolean;
	purpose: ConsentPurpose;
	reason: ConsentReason;
	/** When the deciding event was captured; undefined without a record. */
	since?: string;
	source?: string;
	proof?: { wording: string; version: string; reference: string };
	/** The purpose of the deciding event (may be 'allUtility' when checking one type). */
	decidedBy?: ConsentPurpose;
	eventId?: string;
}

export interface ConsentPolicyOptions {
	/** Refuse opt-ins captured more than this many calendar months ago (0 or undefined: no limit). */
	maxAgeMonths?: number;
}

const ACTION_RANK: Record<ConsentAction, number> = { optIn: 0, optOut: 1, erase: 2 };

/**
 * When a consent event counts as having happened, for ordering: capturedAt in whole seconds. Meta's timestamps have
 * no milliseconds, so a STOP sent just after a checkout opt-in (recorded to the millisecond) would otherwise look
 * older than it and lose; in the same second a withdrawal wins instead.
 */
export function orderingSecond(capturedAt: string): number {
	return Math.floor(Date.parse(capturedAt) / 1000);
}

/** Oldest first; within the same second a withdrawal sorts after (and so beats) an opt-in. */
export function compareEvents(a: Pick<ConsentEvent, 'capturedAt' | 'action' | 'recordedAt'>, b: typeof a): number {
	const at = orderingSecond(a.capturedAt) - orderingSecond(b.capturedAt);
	if (at !== 0 && Number.isFinite(at)) return at;
	const rank = ACTION_RANK[a.action] - ACTION_RANK[b.action];
	if (rank !== 0) return rank;
	return (Date.parse(a.recordedAt) || 0) - (Date.parse(b.recordedAt) || 0);
}

/**
 * Whether an event speaks about a purpose. Checking one type: events for that type or for all utility
 * notifications. Checking 'allUtility': events for all utility notifications, plus any withdrawal of any
 * single type (someone who left one type has not agreed to all of them). Erasure covers everything.
 */
export function eventApplies(event: Pick<ConsentEvent, 'purpose' | 'action'>, purpose: ConsentPurpose): boolean {
	if (event.action === 'erase') return true;
	if (event.purpose === purpose || event.purpose === ALL_UTILITY) return true;
	return purpose === ALL_UTILITY && event.action === 'optOut';
}

/** The date N calendar months before `now` (clamped to the month's last day). */
export function monthsBefore(now: number, months: number): number {
	const date = new Date(now);
	const day = date.getUTCDate();
	date.setUTCDate(1);
	date.setUTCMonth(date.getUTCMonth() - months);
	const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
	date.setUTCDate(Math.min(day, lastDay));
	return date.getTime();
}

export function decideConsent(
	events: ReadonlyArray<ConsentEvent>,
	purpose: ConsentPurpose,
	now: number,
	options: ConsentPolicyOptions = {},
): ConsentDecision {
	const relevant = events.filter((e) => eventApplies(e, purpose)).sort(compareEvents);
	const last = relevant[relevant.length - 1];
	if (!last) return { granted: false, purpose, reason: 'noRecord' };
	const base = {
		purpose,
		since: last.capturedAt,
		source: last.source,
		decidedBy: last.purpose,
		eventId: last.eventId,
	};
	if (last.action === 'erase') return { ...base, granted: false, reason: 'erased', source: 'erasure request' };
	if (last.action === 'optOut') {
		return { ...base, granted: false, reason: 'optedOut', proof: proofOf(last) };
	}
	const maxAge = options.maxAgeMonths ?? 0;
	if (maxAge > 0 && Date.parse(last.capturedAt) < monthsBefore(now, maxAge)) {
		return { ...base, granted: false, reason: 'expired', proof: proofOf(last) };
	}
	return { ...base, granted: true, reason: 'optedIn', proof: proofOf(last) };
}

function proofOf(event: ConsentEvent) {
	return { wording: event.proofWording, version: event.proofVersion, reference: event.proofReference };
}

export function describeDecision(decision: ConsentDecision, options: ConsentPolicyOptions = {}): string {
	switch (decision.reason) {
		case 'optedIn':
			return `Opted in on ${decision.since} via ${decision.source}`;
		case 'optedOut':
			return `Opted out on ${decision.since} (${decision.source}); an opt-out always wins over an older opt-in`;
		case 'erased':
			return `The contact's data was erased on ${decision.since}; a new opt-in is needed`;
		case 'expired':
			return `The opt-in of ${decision.since} is older than ${options.maxAgeMonths ?? 0} months; ask again`;
		default:
			return 'No opt-in recorded for this contact and purpose';
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Contact state: the derived current consent per purpose, kept in step with the events.

export type ConsentStateValue = 'granted' | 'withdrawn' | 'erased';

export interface ContactConsentState {
	contactKey: string;
	contactId: string;
	purpose: ConsentPurpose;
	consent: ConsentStateValue;
	since: string;
	source: string;
	lastEventId: string;
	/** capturedAt of the event the state comes from: writes only move it forward. */
	lastEventAt: string;
}

export function stateValueOf(action: ConsentAction): ConsentStateValue {
	return action === 'optIn' ? 'granted' : action === 'optOut' ? 'withdrawn' : 'erased';
}

/** The state row an event leads to on its own (the ledger applies it only if it is newer than the stored one). */
export function stateFromEvent(event: ConsentEvent): ContactConsentState {
	return {
		contactKey: event.contactKey,
		contactId: event.contactId,
		purpose: event.purpose,
		consent: stateValueOf(event.action),
		since: event.capturedAt,
		source: event.source,
		lastEventId: event.eventId,
		lastEventAt: event.capturedAt,
	};
}

/**
 * Of several state rows for the same contact and purpose (two writers may both have inserted one), the one
 * that counts: the newest lastEventAt (whole seconds, as compareEvents), a withdrawal on a tie.
 */
export function pickState(rows: ReadonlyArray<ContactConsentState>): ContactConsentState | undefined {
	const rank: Record<ConsentStateValue, number> = { granted: 0, withdrawn: 1, erased: 2 };
	let best: ContactConsentState | undefined;
	for (const row of rows) {
		if (!best) {
			best = row;
			continue;
		}
		const diff = orderingSecond(row.lastEventAt) - orderingSecond(best.lastEventAt);
		if (diff > 0 || (diff === 0 && rank[row.consent] > rank[best.consent])) best = row;
	}
	return best;
}

/**
 * What an erasure keeps: one tombstone event per contact with no identifier but the keyed hash, action
 * 'erase', purpose 'allUtility'. It makes every later check say "erased" until a new opt-in is recorded.
 */
export function erasureTombstone(
	contactKey: string,
	eventId: string,
	now: number,
	ids: { workflowId?: string; executionId?: string } = {},
): ConsentEvent {
	const at = new Date(now).toISOString();
	return {
		eventId,
		contactKey,
		contactId: '',
		purpose: ALL_UTILITY,
		action: 'erase',
		source: 'erasure request',
		proofWording: '',
		proofVersion: '',
		proofReference: '',
		capturedAt: at,
		recordedAt: at,
		workflowId: ids.workflowId ?? '',
		executionId: ids.executionId ?? '',
	};
}
