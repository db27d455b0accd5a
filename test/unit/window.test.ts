import {
	FREE_ENTRY_POINT_WINDOW_MS,
	SERVICE_WINDOW_MS,
	serviceWindow,
	toEpochMs,
} from '../../nodes/shared/domain/window';

const HOUR = 3600 * 1000;
const inbound = Date.parse('2026-11-20T10:00:00.000Z');

describe('constants', () => {
	it('are 24 h and 72 h in ms', () => {
		expect(SERVICE_WINDOW_MS).toBe(86_400_000);
		expect(FREE_ENTRY_POINT_WINDOW_MS).toBe(259_200_000);
	});
});

describe('serviceWindow', () => {
	it('is open right after an inbound message with 24 h remaining', () => {
		expect(serviceWindow(inbound, inbound)).toEqual({
			open: true,
			opensAt: '2026-11-20T10:00:00.000Z',
			expiresAt: '2026-11-21T10:00:00.000Z',
			remainingMs: SERVICE_WINDOW_MS,
		});
	});

	it.each([
		[1, true, 23 * HOUR],
		[23.999, true, 0.001 * HOUR],
		[24, false, 0],
		[30, false, 0],
	])('after %p h open=%p remaining=%p', (hours, open, remaining) => {
		const state = serviceWindow(inbound, inbound + hours * HOUR);
		expect(state.open).toBe(open);
		expect(state.remainingMs).toBeCloseTo(remaining, 3);
		expect(state.expiresAt).toBe('2026-11-21T10:00:00.000Z');
	});

	it('closes exactly at 24 h (one ms before is still open)', () => {
		expect(serviceWindow(inbound, inbound + SERVICE_WINDOW_MS - 1)).toMatchObject({ open: true, remainingMs: 1 });
		expect(serviceWindow(inbound, inbound + SERVICE_WINDOW_MS).open).toBe(false);
	});

	it('accepts Date, ISO strings, webhook second strings and second numbers alike', () => {
		const now = inbound + HOUR;
		const expected = serviceWindow(inbound, now);
		expect(serviceWindow(new Date(inbound), now)).toEqual(expected);
		expect(serviceWindow('2026-11-20T10:00:00Z', now)).toEqual(expected);
		expect(serviceWindow('2026-11-20T11:00:00+01:00', now)).toEqual(expected);
		expect(serviceWindow(String(inbound / 1000), now)).toEqual(expected);
		expect(serviceWindow(inbound / 1000, now)).toEqual(expected);
	});

	it('treats an inbound time slightly in the future (clock skew) as open', () => {
		expect(serviceWindow(inbound + 5000, inbound).open).toBe(true);
	});

	it.each([['not a date'], [''], [Number.NaN], [new Date('invalid')], [-5]])(
		'reports %p as a problem, closed',
		(value) => {
			const state = serviceWindow(value as string, inbound);
			expect(state.open).toBe(false);
			expect(state.remainingMs).toBe(0);
			expect(state.problem).toMatch(/not a date/);
		},
	);

	it('has no free-entry-point fields without an ad referral', () => {
		const state = serviceWindow(inbound, inbound + HOUR, { firstReplyAt: inbound + HOUR });
		expect(state.freeEntryPointExpiresAt).toBeUndefined();
		expect(state.freeEntryPointOpen).toBeUndefined();
	});

	it('runs the 72 h free entry point from the first reply', () => {
		const reply = inbound + 2 * HOUR;
		const state = serviceWindow(inbound, inbound + 50 * HOUR, { fromAdReferral: true, firstReplyAt: reply });
		expect(state.open).toBe(false);
		expect(state.freeEntryPointExpiresAt).toBe(new Date(reply + FREE_ENTRY_POINT_WINDOW_MS).toISOString());
		expect(state.freeEntryPointOpen).toBe(true);
		expect(
			serviceWindow(inbound, reply + FREE_ENTRY_POINT_WINDOW_MS, { fromAdReferral: true, firstReplyAt: reply })
				.freeEntryPointOpen,
		).toBe(false);
	});

	it('gives no free entry point when the reply came after the 24 h window', () => {
		const state = serviceWindow(inbound, inbound + 30 * HOUR, {
			fromAdReferral: true,
			firstReplyAt: inbound + 25 * HOUR,
		});
		expect(state.freeEntryPointExpiresAt).toBeUndefined();
		expect(state.freeEntryPointOpen).toBe(false);
	});

	it('without a reply yet, says when a reply sent now would end', () => {
		const now = inbound + 3 * HOUR;
		const state = serviceWindow(inbound, now, { fromAdReferral: true });
		expect(state.freeEntryPointOpen).toBe(false);
		expect(state.freeEntryPointExpiresAt).toBe(new Date(now + FREE_ENTRY_POINT_WINDOW_MS).toISOString());
		expect(
			serviceWindow(inbound, inbound + 25 * HOUR, { fromAdReferral: true }).freeEntryPointExpiresAt,
		).toBeUndefined();
	});
});

describe('toEpochMs', () => {
	it.each([
		[1_700_000_000, 1_700_000_000_000],
		[1_700_000_000_000, 1_700_000_000_000],
		['1700000000', 1_700_000_000_000],
		[' 1700000000 ', 1_700_000_000_000],
		['2023-11-14T22:13:20Z', 1_700_000_000_000],
	])('%p → %p', (input, expected) => {
		expect(toEpochMs(input)).toBe(expected);
	});

	it.each([[undefined], [null], ['abc'], [Number.POSITIVE_INFINITY]])('%p → undefined', (input) => {
		expect(toEpochMs(input)).toBeUndefined();
	});
});
