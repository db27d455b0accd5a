import {
	ConcurrencyGate,
	DEFAULT_MESSAGES_PER_SECOND,
	MAX_MESSAGES_PER_SECOND,
	RollingWindow,
	runPacingFromOptions,
	SendScheduler,
} from '../../nodes/shared/domain/pacing';

describe('SendScheduler', () => {
	it('spaces send starts by 1000/mps globally', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 10, pairSpacingMs: 6000 });
		const starts = ['a', 'b', 'c', 'd'].map((recipient) => scheduler.reserve(recipient, 0));
		expect(starts).toEqual([0, 100, 200, 300]);
	});

	it('never returns a time before now', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 10, pairSpacingMs: 6000 });
		expect(scheduler.reserve('a', 5000)).toBe(5000);
		expect(scheduler.reserve('b', 9000)).toBe(9000);
		expect(scheduler.reserve('c', 9000)).toBe(9100);
	});

	it('spaces sends to the same recipient by pairSpacingMs', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 80, pairSpacingMs: 6000 });
		expect(scheduler.reserve('a', 0)).toBe(0);
		expect(scheduler.reserve('a', 0)).toBe(6000);
		expect(scheduler.reserve('a', 100)).toBe(12000);
	});

	it('does not let a blocked recipient hold back others', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 10, pairSpacingMs: 6000 });
		expect(scheduler.reserve('a', 0)).toBe(0);
		expect(scheduler.reserve('a', 0)).toBe(6000);
		expect(scheduler.reserve('b', 0)).toBe(100);
		expect(scheduler.reserve('c', 0)).toBe(200);
	});

	it('fills a gap left before a later reservation only if it keeps global spacing on both sides', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 10, pairSpacingMs: 1000 });
		expect(scheduler.reserve('a', 0)).toBe(0);
		expect(scheduler.reserve('a', 0)).toBe(1000); // pair-blocked
		const others = ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].map((recipient) =>
			scheduler.reserve(recipient, 0),
		);
		// 100..900 fit in the gap; 1000 is taken, so the tenth other recipient goes to 1100.
		expect(others).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1100]);
	});

	it('keeps every pair of starts at least the global spacing apart (property check)', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 20, pairSpacingMs: 6000 });
		const recipients = ['a', 'b', 'c', 'a', 'a', 'd', 'b', 'e', 'a', 'f', 'c', 'c'];
		const starts: Array<{ recipient: string; at: number }> = [];
		let now = 0;
		for (const recipient of recipients) {
			now += 7;
			starts.push({ recipient, at: scheduler.reserve(recipient, now) });
		}
		const times = starts.map((start) => start.at).sort((x, y) => x - y);
		for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(50 - 1e-9);
		for (const recipient of new Set(recipients)) {
			const own = starts.filter((start) => start.recipient === recipient).map((start) => start.at);
			for (let i = 1; i < own.length; i++) expect(own[i] - own[i - 1]).toBeGreaterThanOrEqual(6000);
		}
	});

	it('forgets old reservations once time has passed', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 1, pairSpacingMs: 6000 });
		expect(scheduler.reserve('a', 0)).toBe(0);
		expect(scheduler.reserve('a', 10_000)).toBe(10_000);
		expect(scheduler.reserve('b', 10_500)).toBe(11_000);
	});

	it('falls back to 1 mps for invalid settings instead of sending unpaced', () => {
		for (const messagesPerSecond of [0, -5, Number.NaN]) {
			const scheduler = new SendScheduler({ messagesPerSecond, pairSpacingMs: -1 });
			expect(scheduler.reserve('a', 0)).toBe(0);
			expect(scheduler.reserve('b', 0)).toBe(1000);
			expect(scheduler.reserve('a', 0)).toBe(2000);
		}
	});

	it('supports fractional spacing (80 mps = 12.5 ms)', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 80, pairSpacingMs: 6000 });
		expect([1, 2, 3].map((n) => scheduler.reserve(`r${n}`, 0))).toEqual([0, 12.5, 25]);
	});
});

describe('RollingWindow', () => {
	it('allows `limit` starts per window, then waits for the oldest to leave it', () => {
		const window = new RollingWindow(3, 1000);
		for (const at of [0, 10, 20]) {
			expect(window.nextAllowed(at)).toBe(at);
			window.record(at);
		}
		expect(window.nextAllowed(30)).toBe(1000);
		window.record(1000);
		expect(window.nextAllowed(1001)).toBe(1010);
	});

	it('widens after a throughput error, up to a quarter more', () => {
		const window = new RollingWindow(2, 1000);
		window.record(0);
		window.record(5);
		window.widen(20);
		expect(window.nextAllowed(6)).toBe(1020);
		for (let i = 0; i < 50; i++) window.widen(20);
		expect(window.currentWindowMs).toBe(1250);
	});
});

describe('SendScheduler work grows linearly with the items (counted in slot probes, not timed)', () => {
	const scheduleAll = (count: number, recipientOf: (i: number) => string, spacing = 6100) => {
		const scheduler = new SendScheduler({ messagesPerSecond: 80, pairSpacingMs: spacing });
		const starts: number[] = [];
		for (let i = 0; i < count; i++) starts.push(scheduler.reserve(recipientOf(i), 0));
		return { scheduler, starts };
	};

	it.each([
		['50,000 different recipients', (i: number) => `r${i}`],
		['50,000 items to 10 recipients in turn', (i: number) => `r${i % 10}`],
		['50,000 items grouped by recipient (10 each)', (i: number) => `r${Math.floor(i / 10)}`],
	])('%s: at most 4 probes per reservation', (_label, recipientOf) => {
		const { scheduler, starts } = scheduleAll(50_000, recipientOf);
		expect(starts).toHaveLength(50_000);
		expect(scheduler.slotProbes).toBeLessThanOrEqual(4 * 50_000);
	});

	it('keeps both limits on a large grouped run', () => {
		const { starts } = scheduleAll(5_000, (i) => `r${Math.floor(i / 5)}`);
		const sorted = [...starts].sort((a, b) => a - b);
		for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(12.5 - 1e-9);
		for (let r = 0; r < 1000; r++) {
			const own = starts.slice(r * 5, r * 5 + 5);
			for (let i = 1; i < own.length; i++) expect(own[i] - own[i - 1]).toBeGreaterThanOrEqual(6100);
		}
	});

	it('a retry reserved far ahead does not push back or free the slots of earlier sends', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 10, pairSpacingMs: 0 });
		expect([0, 0, 0].map(() => scheduler.reserve('x', 0))).toEqual([0, 100, 200]);
		expect(scheduler.reserve('retry', 60_000)).toBe(60_000);
		// Another item's 1 s back-off still gets its slot at 1 s, and the taken slots stay taken.
		expect(scheduler.reserve('other', 1000)).toBe(1000);
		expect(scheduler.reserve('late', 50)).toBe(300);
	});

	it('uses the earliest free slot after a reservation far ahead', () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 10, pairSpacingMs: 60_000 });
		expect(scheduler.reserve('a', 0)).toBe(0);
		expect(scheduler.reserve('a', 0)).toBe(60_000);
		expect(scheduler.reserve('b', 0)).toBe(100);
		expect(scheduler.reserve('c', 59_950)).toBe(60_100);
	});
});

describe('ConcurrencyGate', () => {
	it('lets `limit` callers in and the next one when one leaves, in order', async () => {
		const gate = new ConcurrencyGate(2);
		const entered: number[] = [];
		await gate.enter();
		await gate.enter();
		const third = gate.enter().then(() => entered.push(3));
		const fourth = gate.enter().then(() => entered.push(4));
		await Promise.resolve();
		expect(entered).toEqual([]);
		gate.leave();
		await third;
		expect(entered).toEqual([3]);
		gate.leave();
		await fourth;
		expect(entered).toEqual([3, 4]);
	});
});

describe('runPacingFromOptions', () => {
	it('applies the defaults', () => {
		expect(runPacingFromOptions({})).toEqual({
			messagesPerSecond: DEFAULT_MESSAGES_PER_SECOND,
			pairSpacingMs: 6000,
			maxRetries: 3,
			retryUnknownOutcome: false,
			timeoutMs: 30_000,
		});
	});

	it('keeps every setting inside its bounds', () => {
		expect(
			runPacingFromOptions({ messagesPerSecond: 5000, pairSpacingSeconds: -1, maxRetries: -2, timeoutSeconds: 0 }),
		).toMatchObject({
			messagesPerSecond: MAX_MESSAGES_PER_SECOND,
			pairSpacingMs: 0,
			maxRetries: 0,
			timeoutMs: 1000,
		});
		expect(runPacingFromOptions({ messagesPerSecond: 0 }).messagesPerSecond).toBe(DEFAULT_MESSAGES_PER_SECOND);
		expect(runPacingFromOptions({ messagesPerSecond: 0.5, retryUnknownOutcome: true })).toMatchObject({
			messagesPerSecond: 1,
			retryUnknownOutcome: true,
		});
	});
});
