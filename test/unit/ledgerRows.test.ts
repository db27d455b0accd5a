/** The ledger's rows as plain data (domain/ledgerRows.ts): row ↔ event/state/window mapping, filters, the advance plan. */
import type { ConsentEvent } from '../../nodes/shared/domain/consent';
import {
	EVENT_COLUMNS,
	LINK_PURPOSE,
	STATE_COLUMNS,
	WINDOW_PURPOSE,
	anyOf,
	consentStatesOf,
	eq,
	erasedEventsFilters,
	eventFromRow,
	eventsFromRows,
	identityOf,
	linkRow,
	olderStateFilter,
	planStateAdvance,
	rowMatches,
	rowOfEvent,
	stateRowOfEvent,
	windowRowOf,
	type Row,
} from '../../nodes/shared/domain/ledgerRows';

const event = (
	contactKey: string,
	purpose: string,
	action: ConsentEvent['action'],
	capturedAt: string,
	extra: Partial<ConsentEvent> = {},
): ConsentEvent => ({
	eventId: `e-${contactKey}-${purpose}-${capturedAt}`,
	contactKey,
	contactId: '+4915123456701',
	purpose: purpose as ConsentEvent['purpose'],
	action,
	source: 'checkout form',
	proofWording: 'Send me order updates on WhatsApp',
	proofVersion: 'v1',
	proofReference: 'SO-1',
	capturedAt,
	recordedAt: capturedAt,
	workflowId: 'w1',
	executionId: 'x1',
	...extra,
});

describe('consent events as rows', () => {
	it('an event and its row map back and forth, with the documented columns only', () => {
		const recorded = { ...event('k1', 'shippingStatus', 'optIn', '2026-11-25T10:00:00.000Z'), contactKind: 'phone' };
		const row = rowOfEvent(recorded);
		expect(Object.keys(row)).toEqual(EVENT_COLUMNS.map((c) => c.name));
		const { contactKind: _kind, ...back } = recorded;
		expect(eventFromRow(row)).toEqual(back);
	});

	it('fails closed: an opt-in of an unknown purpose is dropped, an unknown action withdraws every purpose', () => {
		expect(eventFromRow({ action: 'optIn', purpose: 'marketing', capturedAt: '2026-11-25T10:00:00Z' })).toBeUndefined();
		expect(eventFromRow({ action: 'optIn', purpose: 'shippingStatus', capturedAt: 'not a time' })).toBeUndefined();
		expect(
			eventFromRow({ action: 'pause', purpose: 'shippingStatus', capturedAt: '2026-11-25T10:00:00Z' }),
		).toMatchObject({ action: 'optOut', purpose: 'allUtility' });
		expect(eventFromRow({ action: 'optOut', purpose: 'marketing', capturedAt: '2026-11-25T10:00:00Z' })).toMatchObject({
			action: 'optOut',
			purpose: 'allUtility',
		});
	});

	it('reads rows oldest first, empty cells as empty text', () => {
		const rows: Row[] = [
			{ eventId: 'b', action: 'optOut', purpose: 'allUtility', capturedAt: '2026-11-25T11:00:00Z', source: null },
			{ eventId: 'a', action: 'optIn', purpose: 'allUtility', capturedAt: '2026-11-25T10:00:00Z' },
		];
		const events = eventsFromRows(rows);
		expect(events.map((e) => e.eventId)).toEqual(['a', 'b']);
		expect(events[1].source).toBe('');
	});

	it('the erasure filters: the contact’s other events, and its tombstones but the kept one', () => {
		const { events, olderTombstones } = erasedEventsFilters('k1', 'tomb-2');
		expect(events.filters).toEqual([
			{ columnName: 'contactKey', condition: 'eq', value: 'k1' },
			{ columnName: 'action', condition: 'neq', value: 'erase' },
		]);
		expect(olderTombstones.filters).toContainEqual({ columnName: 'eventId', condition: 'neq', value: 'tomb-2' });
		expect(olderTombstones.type).toBe('and');
	});

	it('anyOf reads one value with "and", several with "or"', () => {
		expect(anyOf('contactKey', ['k1'])).toEqual({
			type: 'and',
			filters: [{ columnName: 'contactKey', condition: 'eq', value: 'k1' }],
		});
		expect(anyOf('contactKey', ['k1', 'k2']).type).toBe('or');
	});
});

describe('consent state rows', () => {
	it('an event’s state row carries the whole-second ordering key of the conditional updates', () => {
		const row = stateRowOfEvent(event('k1', 'shippingStatus', 'optIn', '2026-11-25T10:00:00.900Z'));
		expect(row).toMatchObject({
			contactKey: 'k1',
			purpose: 'shippingStatus',
			consent: 'granted',
			lastEventAtMs: Date.parse('2026-11-25T10:00:00Z'),
		});
		expect(Object.keys(row).every((name) => STATE_COLUMNS.some((c) => c.name === name))).toBe(true);
	});

	it('an opt-in moves only older rows forward, a withdrawal also one of the same second', () => {
		const at = '2026-11-25T10:00:00.000Z';
		expect(olderStateFilter(event('k1', 'allUtility', 'optIn', at)).filters[2]).toEqual({
			columnName: 'lastEventAtMs',
			condition: 'lt',
			value: Date.parse(at),
		});
		expect(olderStateFilter(event('k1', 'allUtility', 'optOut', at)).filters[2]).toEqual({
			columnName: 'lastEventAtMs',
			condition: 'lte',
			value: Date.parse(at),
		});
	});

	it('plans one bulk insert for new (contact, purpose) pairs with one event, updates for the rest, in order', () => {
		const first = event('k1', 'allUtility', 'optIn', '2026-11-25T10:00:00Z');
		const twiceA = event('k2', 'allUtility', 'optIn', '2026-11-25T10:00:00Z');
		const twiceB = event('k2', 'allUtility', 'optOut', '2026-11-25T11:00:00Z');
		const known = event('k3', 'shippingStatus', 'optIn', '2026-11-25T10:00:00Z');
		const otherPurpose = event('k3', 'allUtility', 'optIn', '2026-11-25T10:00:00Z');
		const stateRows = new Map<string, Row[]>([['k3', [{ contactKey: 'k3', purpose: 'shippingStatus' }]]]);
		const plan = planStateAdvance([first, twiceA, known, twiceB, otherPurpose], stateRows);
		expect(plan.insert).toEqual([first, otherPurpose]);
		expect(plan.update).toEqual([twiceA, known, twiceB]);
	});

	it('a contact’s consent states: one per purpose (the newest of duplicates), window, link and key-check rows left out', () => {
		const states = consentStatesOf([
			{ contactKey: 'k1', purpose: 'allUtility', consent: 'granted', lastEventAt: '2026-11-25T10:00:00Z' },
			{ contactKey: 'k1', purpose: 'allUtility', consent: 'withdrawn', lastEventAt: '2026-11-25T11:00:00Z' },
			{ contactKey: 'k1', purpose: WINDOW_PURPOSE, lastInboundAt: '2026-11-25T11:00:00Z' },
			{ contactKey: 'k1', purpose: LINK_PURPOSE, linkedKey: 'k2' },
			{ contactKey: 'x', purpose: 'ledgerKeyCheck' },
		]);
		expect(states).toEqual([expect.objectContaining({ purpose: 'allUtility', consent: 'withdrawn' })]);
	});
});

describe('identity links and service windows', () => {
	it('a key and the keys its link rows point at, once each, never itself', () => {
		const rows: Row[] = [
			linkRow({ key: 'k1', id: '+4915123456701' }, 'k2', '2026-11-25T10:00:00.000Z'),
			linkRow({ key: 'k1', id: '+4915123456701' }, 'k2', '2026-11-25T10:00:01.000Z'),
			{ contactKey: 'k1', purpose: LINK_PURPOSE, linkedKey: 'k1' },
			{ contactKey: 'k1', purpose: LINK_PURPOSE, linkedKey: '' },
			{ contactKey: 'k1', purpose: 'allUtility', linkedKey: 'k9' },
		];
		expect(identityOf('k1', rows)).toEqual(['k1', 'k2']);
		expect(rows[0]).toMatchObject({
			purpose: LINK_PURPOSE,
			linkedKey: 'k2',
			lastEventAtMs: Date.parse('2026-11-25T10:00:00.000Z'),
		});
	});

	it('the window row of an inbound message expires 24 hours later and replaces only older rows', () => {
		const at = '2026-11-25T10:00:00.000Z';
		const { row, olderFilter, window } = windowRowOf({ key: 'k1', id: '+4915123456701' }, at);
		expect(window).toEqual({ lastInboundAt: at, windowExpiresAt: '2026-11-26T10:00:00.000Z' });
		expect(row).toMatchObject({
			purpose: WINDOW_PURPOSE,
			lastInboundAtMs: Date.parse(at),
			lastEventAtMs: Date.parse(at),
			...window,
		});
		expect(olderFilter.filters).toContainEqual({
			columnName: 'lastInboundAtMs',
			condition: 'lt',
			value: Date.parse(at),
		});
	});
});

describe('rowMatches: the rows n8n would select with a filter the ledger writes', () => {
	const optOut = event('k1', 'shippingStatus', 'optOut', '2026-06-01T00:11:00Z');
	const stateAt = (at: string, purpose = 'shippingStatus'): Row => ({
		...stateRowOfEvent(event('k1', purpose, 'optIn', at)),
		id: 1,
	});

	it('an older state row of the pair matches, a newer one or another purpose does not', () => {
		expect(rowMatches(stateAt('2026-06-01T00:08:00Z'), olderStateFilter(optOut))).toBe(true);
		expect(rowMatches(stateAt('2026-06-01T00:12:00Z'), olderStateFilter(optOut))).toBe(false);
		expect(rowMatches(stateAt('2026-06-01T00:08:00Z', 'allUtility'), olderStateFilter(optOut))).toBe(false);
	});

	it('the same instant: a withdrawal replaces it (lte), an opt-in does not (lt)', () => {
		const same = stateAt('2026-06-01T00:11:00Z');
		expect(rowMatches(same, olderStateFilter(optOut))).toBe(true);
		expect(rowMatches(same, olderStateFilter({ ...optOut, action: 'optIn' }))).toBe(false);
	});

	it('a window row: older inbound times match; an empty or unreadable cell never counts as older', () => {
		const { row, olderFilter } = windowRowOf({ key: 'k1', id: '+4512345678' }, '2026-11-25T10:00:00.000Z');
		expect(rowMatches({ ...row, lastInboundAtMs: Date.parse('2026-11-25T09:00:00Z') }, olderFilter)).toBe(true);
		expect(rowMatches(row, olderFilter)).toBe(false);
		expect(rowMatches({ ...row, lastInboundAtMs: null }, olderFilter)).toBe(false);
		expect(rowMatches({ ...row, lastInboundAtMs: 'soon' }, olderFilter)).toBe(false);
		// Postgres may hand a number back as text.
		expect(rowMatches({ ...row, lastInboundAtMs: String(Date.parse('2026-11-25T09:00:00Z')) }, olderFilter)).toBe(true);
	});

	it("'or' needs one condition, 'and' (or none given) needs all; a condition it does not know counts as a match", () => {
		const row: Row = { a: 'x', b: 2 };
		expect(rowMatches(row, { type: 'or', filters: [eq('a', 'y'), eq('b', 2)] })).toBe(true);
		expect(rowMatches(row, { filters: [eq('a', 'y'), eq('b', 2)] })).toBe(false);
		expect(rowMatches(row, { filters: [{ columnName: 'a', condition: 'like', value: 'z%' }] })).toBe(true);
		expect(rowMatches(row, { filters: [{ columnName: 'b', condition: 'gte', value: 2 }] })).toBe(true);
		expect(rowMatches(row, { filters: [{ columnName: 'b', condition: 'gt', value: 2 }] })).toBe(false);
		expect(rowMatches(row, { filters: [{ columnName: 'a', condition: 'neq', value: 'x' }] })).toBe(false);
	});
});
