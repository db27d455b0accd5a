/**
 * The consent ledger's rows in n8n Data Tables, as plain data: the documented columns, the filters the ledger sends
 * (n8n's data-table filter format), and the mapping between rows and consent events, states and service windows.
 * The I/O around them (the public API client, the ConsentLedger) lives in nodes/shared/io/ledger.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	ALL_UTILITY,
	CONSENT_ACTIONS,
	compareEvents,
	isConsentPurpose,
	orderingSecond,
	pickState,
	stateFromEvent,
	toIso,
	type ConsentAction,
	type ConsentEvent,
	type ConsentPurpose,
	type ContactConsentState,
} from './consent';
import { SERVICE_WINDOW_MS } from './window';

export const WINDOW_PURPOSE = 'serviceWindow';
/** State rows that tie two ids of one person together (a webhook carried both): consent read under either sees both. */
export const LINK_PURPOSE = 'identityLink';
/** The state row holding the fingerprint of the Contact Key Secret the ledger's rows are keyed with. */
export const KEY_CHECK_PURPOSE = 'ledgerKeyCheck';
/** State rows that are no consent purpose. */
const NON_CONSENT_PURPOSES: ReadonlySet<string> = new Set([WINDOW_PURPOSE, LINK_PURPOSE, KEY_CHECK_PURPOSE]);

export type ColumnType = 'string' | 'number' | 'boolean' | 'date';
export interface ColumnSpec {
	name: string;
	type: ColumnType;
	description: string;
}

/** Documented columns (README "Check Consent and the consent ledger"). */
export const EVENT_COLUMNS: readonly ColumnSpec[] = [
	{ name: 'eventId', type: 'string', description: 'Random id of the event (UUID)' },
	{
		name: 'contactKey',
		type: 'string',
		description: 'HMAC-SHA256 of the contact id with the credential’s Contact Key Secret',
	},
	{
		name: 'contactId',
		type: 'string',
		description: 'E.164 phone number or business-scoped user id; empty on an erasure tombstone',
	},
	{ name: 'contactKind', type: 'string', description: 'phone or userId' },
	{ name: 'purpose', type: 'string', description: 'A notification type (e.g. shippingStatus) or allUtility' },
	{ name: 'action', type: 'string', description: 'optIn, optOut or erase' },
	{ name: 'source', type: 'string', description: 'Where it happened: checkout form, WhatsApp reply, import, …' },
	{ name: 'proofWording', type: 'string', description: 'The exact wording the person agreed to' },
	{ name: 'proofVersion', type: 'string', description: 'Version of that wording or form' },
	{ name: 'proofReference', type: 'string', description: 'Page URL, order number or WhatsApp message id' },
	{ name: 'capturedAt', type: 'date', description: 'When the person acted' },
	{ name: 'recordedAt', type: 'date', description: 'When the ledger stored the event' },
	{ name: 'workflowId', type: 'string', description: 'Workflow that recorded it' },
	{ name: 'executionId', type: 'string', description: 'Execution that recorded it' },
];

export const STATE_COLUMNS: readonly ColumnSpec[] = [
	{ name: 'contactKey', type: 'string', description: 'As in the events table' },
	{ name: 'contactId', type: 'string', description: 'As in the events table; empty after erasure' },
	{
		name: 'purpose',
		type: 'string',
		description: 'A notification type, allUtility, or serviceWindow for the window row',
	},
	{ name: 'consent', type: 'string', description: 'granted, withdrawn or erased' },
	{ name: 'since', type: 'date', description: 'capturedAt of the event the state comes from' },
	{ name: 'source', type: 'string', description: 'Source of that event' },
	{ name: 'lastEventId', type: 'string', description: 'eventId of that event' },
	{ name: 'lastEventAt', type: 'date', description: 'Ordering key: state only moves to newer events' },
	{ name: 'lastInboundAt', type: 'date', description: 'serviceWindow row: last message received from the contact' },
	{ name: 'windowExpiresAt', type: 'date', description: 'serviceWindow row: lastInboundAt + 24 h' },
	// n8n 2.41's data-table filters compare date columns wrongly on SQLite (lt/lte always match, gt/gte never);
	// numbers compare correctly, so the move-forward conditions use these millisecond twins.
	{
		name: 'lastEventAtMs',
		type: 'number',
		description:
			'lastEventAt in Unix milliseconds, consent rows rounded down to the second (ordering key of the conditional updates)',
	},
	{ name: 'lastInboundAtMs', type: 'number', description: 'lastInboundAt in Unix milliseconds (serviceWindow row)' },
	{
		name: 'linkedKey',
		type: 'string',
		description:
			'identityLink row: contactKey of another id of the same person (phone number ↔ business-scoped user id)',
	},
];

// ---------------------------------------------------------------------------------------------------------------
// Rows and filters (n8n's public data-table API)

export type Row = IDataObject & { id?: number };

export interface FilterCondition {
	columnName: string;
	condition: 'eq' | 'neq' | 'like' | 'ilike' | 'gt' | 'gte' | 'lt' | 'lte' | 'isEmpty' | 'isNotEmpty';
	value: string | number | boolean | null;
}
export interface RowFilter {
	type?: 'and' | 'or';
	filters: FilterCondition[];
}

export const eq = (columnName: string, value: string | number | boolean): FilterCondition => ({
	columnName,
	condition: 'eq',
	value,
});

/** Rows whose `column` is any of `values` (one condition: 'and', which n8n reads the same). */
export function anyOf(column: string, values: readonly string[]): RowFilter {
	return { type: values.length > 1 ? 'or' : 'and', filters: values.map((value) => eq(column, value)) };
}

const COMPARISONS: Partial<Record<FilterCondition['condition'], (a: number, b: number) => boolean>> = {
	lt: (a, b) => a < b,
	lte: (a, b) => a <= b,
	gt: (a, b) => a > b,
	gte: (a, b) => a >= b,
};

/**
 * Whether n8n would select this row with this filter: the eq / neq / lt / lte / gt / gte conditions the ledger writes.
 * Any other condition counts as a match, so a caller that re-runs an update when a row matches errs towards the update.
 */
export function rowMatches(row: Row, filter: RowFilter): boolean {
	const holds = (c: FilterCondition): boolean => {
		const cell = row[c.columnName];
		if (c.condition === 'eq') return cell === c.value;
		if (c.condition === 'neq') return cell !== c.value;
		const compare = COMPARISONS[c.condition];
		if (!compare) return true;
		const a = Number(cell);
		return cell !== null && cell !== undefined && cell !== '' && !Number.isNaN(a) && compare(a, Number(c.value));
	};
	return filter.type === 'or' ? filter.filters.some(holds) : filter.filters.every(holds);
}

/** A cell as text: '' for an empty cell. */
export function cellText(value: unknown): string {
	return value === undefined || value === null ? '' : String(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Consent events

export interface RecordedEvent extends ConsentEvent {
	contactKind: string;
}

/**
 * A stored row as a consent event, failing closed: only a known purpose with a known action can grant. A row this
 * version cannot read (a purpose or action it does not know, typed by hand or written by a newer version) never
 * counts as consent: an opt-in of an unknown purpose is left out, and any other unknown row withdraws every
 * purpose (an unknown action counts as an opt-out of all utility notifications).
 */
export function eventFromRow(row: Row): ConsentEvent | undefined {
	const purpose = cellText(row.purpose);
	const action = cellText(row.action);
	const knownAction = (CONSENT_ACTIONS as readonly string[]).includes(action);
	const knownPurpose = isConsentPurpose(purpose);
	if (action === 'optIn' && !knownPurpose) return undefined;
	const capturedAt = toIso(row.capturedAt);
	if (action === 'optIn' && !capturedAt) return undefined;
	return {
		eventId: cellText(row.eventId),
		contactKey: cellText(row.contactKey),
		contactId: cellText(row.contactId),
		purpose: knownAction && knownPurpose ? purpose : ALL_UTILITY,
		action: knownAction ? (action as ConsentAction) : 'optOut',
		source: cellText(row.source),
		proofWording: cellText(row.proofWording),
		proofVersion: cellText(row.proofVersion),
		proofReference: cellText(row.proofReference),
		capturedAt: capturedAt ?? cellText(row.capturedAt),
		recordedAt: toIso(row.recordedAt) ?? cellText(row.recordedAt),
		workflowId: cellText(row.workflowId),
		executionId: cellText(row.executionId),
	};
}

/** The events of stored rows, oldest first; rows that cannot grant are dropped (see eventFromRow). */
export function eventsFromRows(rows: readonly Row[]): ConsentEvent[] {
	return rows
		.map(eventFromRow)
		.filter((e): e is ConsentEvent => e !== undefined)
		.sort(compareEvents);
}

/** The events-table row of an event: the documented columns, nothing else. */
export function rowOfEvent(event: RecordedEvent): Row {
	return {
		eventId: event.eventId,
		contactKey: event.contactKey,
		contactId: event.contactId,
		contactKind: event.contactKind,
		purpose: event.purpose,
		action: event.action,
		source: event.source,
		proofWording: event.proofWording,
		proofVersion: event.proofVersion,
		proofReference: event.proofReference,
		capturedAt: event.capturedAt,
		recordedAt: event.recordedAt,
		workflowId: event.workflowId,
		executionId: event.executionId,
	};
}

/** The erasure tombstone's filters: the contact's other events, and its older tombstones (the newest one is kept). */
export function erasedEventsFilters(
	contactKey: string,
	keptTombstoneId: string,
): { events: RowFilter; olderTombstones: RowFilter } {
	return {
		events: {
			type: 'and',
			filters: [eq('contactKey', contactKey), { columnName: 'action', condition: 'neq', value: 'erase' }],
		},
		olderTombstones: {
			type: 'and',
			filters: [
				eq('contactKey', contactKey),
				eq('action', 'erase'),
				{ columnName: 'eventId', condition: 'neq', value: keptTombstoneId },
			],
		},
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Consent state rows

export function stateFromRow(row: Row): ContactConsentState {
	return {
		contactKey: cellText(row.contactKey),
		contactId: cellText(row.contactId),
		purpose: cellText(row.purpose) as ConsentPurpose,
		consent: (cellText(row.consent) || 'withdrawn') as ContactConsentState['consent'],
		since: toIso(row.since) ?? '',
		source: cellText(row.source),
		lastEventId: cellText(row.lastEventId),
		lastEventAt: toIso(row.lastEventAt) ?? '',
	};
}

/** A contact's consent states (one per purpose), duplicates resolved (pickState); window and link rows left out. */
export function consentStatesOf(rows: readonly Row[]): ContactConsentState[] {
	const byPurpose = new Map<string, ContactConsentState[]>();
	for (const row of rows.filter((r) => !NON_CONSENT_PURPOSES.has(cellText(r.purpose)))) {
		const state = stateFromRow(row);
		byPurpose.set(state.purpose, [...(byPurpose.get(state.purpose) ?? []), state]);
	}
	return [...byPurpose.values()]
		.map((group) => pickState(group))
		.filter((s): s is ContactConsentState => s !== undefined);
}

/** The state row an event moves its (contact, purpose) to, with the ordering key of the conditional updates. */
export function stateRowOfEvent(event: ConsentEvent): Row {
	// The same whole-second ordering as compareEvents, so the state row agrees with the decision.
	return { ...stateFromEvent(event), lastEventAtMs: orderingSecond(event.capturedAt) * 1000 };
}

/** The (contact, purpose) state rows an event may move forward: older ones (a withdrawal: also of the same instant). */
export function olderStateFilter(event: ConsentEvent): RowFilter {
	return {
		type: 'and',
		filters: [
			eq('contactKey', event.contactKey),
			eq('purpose', event.purpose),
			{
				columnName: 'lastEventAtMs',
				condition: event.action === 'optIn' ? 'lt' : 'lte',
				value: orderingSecond(event.capturedAt) * 1000,
			},
		],
	};
}

/**
 * How a batch moves its state rows: a (contact, purpose) with no row yet and one event in the batch gets its row in
 * one bulk insert (the usual import or checkout batch); every other event moves its row forward one conditional
 * update at a time, in order. `stateRows` are the current state rows by contactKey.
 */
export function planStateAdvance(
	events: readonly ConsentEvent[],
	stateRows: ReadonlyMap<string, readonly Row[]>,
): { insert: ConsentEvent[]; update: ConsentEvent[] } {
	const pairOf = (event: ConsentEvent) => `${event.contactKey}|${event.purpose}`;
	const perPair = new Map<string, number>();
	for (const event of events) perPair.set(pairOf(event), (perPair.get(pairOf(event)) ?? 0) + 1);
	const hasRow = (event: ConsentEvent) =>
		(stateRows.get(event.contactKey) ?? []).some((row) => cellText(row.purpose) === event.purpose);
	const insert = events.filter((event) => perPair.get(pairOf(event)) === 1 && !hasRow(event));
	const inserted = new Set(insert);
	return { insert, update: events.filter((event) => !inserted.has(event)) };
}

// ---------------------------------------------------------------------------------------------------------------
// Identity links and service windows

/** This key and the keys its identityLink rows point at (a phone number and its business-scoped user id), once each. */
export function identityOf(key: string, stateRows: readonly Row[]): string[] {
	const linked = stateRows
		.filter((row) => cellText(row.purpose) === LINK_PURPOSE)
		.map((row) => cellText(row.linkedKey))
		.filter((k) => k !== '' && k !== key);
	return [key, ...new Set(linked)];
}

/** The identityLink row from one id of a person to another. */
export function linkRow(from: { key: string; id: string }, toKey: string, at: string): Row {
	return {
		contactKey: from.key,
		contactId: from.id,
		purpose: LINK_PURPOSE,
		linkedKey: toKey,
		since: at,
		lastEventAt: at,
		lastEventAtMs: Date.parse(at),
	};
}

export interface ServiceWindowRecord {
	lastInboundAt?: string;
	windowExpiresAt?: string;
}

/** Of a contact's state rows, the serviceWindow row with the newest inbound time. */
export function newestWindow(rows: readonly Row[]): ServiceWindowRecord {
	let best: ServiceWindowRecord = {};
	for (const row of rows) {
		if (cellText(row.purpose) !== WINDOW_PURPOSE) continue;
		const at = toIso(row.lastInboundAt);
		if (at && (!best.lastInboundAt || at > best.lastInboundAt))
			best = { lastInboundAt: at, windowExpiresAt: toIso(row.windowExpiresAt) };
	}
	return best;
}

/** The serviceWindow row of a message received at `lastInboundAt` (ISO), and the filter of the older rows it replaces. */
export function windowRowOf(
	contact: { key: string; id: string },
	lastInboundAt: string,
): { row: Row; olderFilter: RowFilter; window: ServiceWindowRecord } {
	const inboundMs = Date.parse(lastInboundAt);
	const windowExpiresAt = new Date(inboundMs + SERVICE_WINDOW_MS).toISOString();
	return {
		row: {
			contactKey: contact.key,
			contactId: contact.id,
			purpose: WINDOW_PURPOSE,
			lastInboundAt,
			windowExpiresAt,
			lastEventAt: lastInboundAt,
			lastInboundAtMs: inboundMs,
			lastEventAtMs: inboundMs,
		},
		olderFilter: {
			type: 'and',
			filters: [
				eq('contactKey', contact.key),
				eq('purpose', WINDOW_PURPOSE),
				{ columnName: 'lastInboundAtMs', condition: 'lt', value: inboundMs },
			],
		},
		window: { lastInboundAt, windowExpiresAt },
	};
}
