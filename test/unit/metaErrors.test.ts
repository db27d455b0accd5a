import {
	META_ERRORS,
	NO_RETRY,
	PAIR_LIMIT_BACKOFF_CAP_MS,
	WRONG_ACCOUNT_FIX,
	accountReadFix,
	connectionRetryDelayMs,
	isExpiredCursorCode,
	isRetryableRead,
	isWrongAccountCode,
	isRateLimitCode,
	isTransientServerCode,
	lookupMetaError,
	outcomeOfErrorAnswer,
	parseGraphError,
	retryDelayMs,
} from '../../nodes/shared/domain/metaErrors';

/** FACTS §6, plus Graph's own throttling codes 17 (user), 32 (page) and 613 (custom) from Meta's rate-limiting page. */
const FACTS_CODES = [
	0, 1, 2, 3, 4, 10, 17, 32, 100, 190, 200, 368, 613, 80007, 130429, 130472, 131000, 131008, 131009, 131016, 131021,
	131026, 131031, 131042, 131047, 131048, 131049, 131050, 131051, 131052, 131053, 131056, 131057, 131059, 131061,
	131062, 131063, 132000, 132001, 132005, 132007, 132012, 132015, 132016, 133004, 133010, 135000,
];
const RATE_LIMITS = [4, 17, 32, 613, 80007, 130429];
const RETRYABLE = [...RATE_LIMITS, 131056, 131000, 131016, 1, 2, 133004, 131057];

describe('META_ERRORS table', () => {
	it('covers every code from FACTS §6 and nothing unexpected', () => {
		expect(
			Object.keys(META_ERRORS)
				.map(Number)
				.sort((a, b) => a - b),
		).toEqual([...FACTS_CODES].sort((a, b) => a - b));
	});

	it.each(FACTS_CODES)('%i has a complete entry', (code) => {
		const info = lookupMetaError(code);
		expect(info.code).toBe(code);
		expect(info.title).not.toBe('Unknown error');
		expect(info.meaning.length).toBeGreaterThan(10);
		expect(info.userMessage.length).toBeGreaterThan(10);
		expect(['retry', 'retry-later', 'no-retry']).toContain(info.retry);
	});

	it('marks exactly the agreed codes as automatically retryable', () => {
		const retryable = FACTS_CODES.filter((code) => lookupMetaError(code).retryable).sort((a, b) => a - b);
		expect(retryable).toEqual([...RETRYABLE].sort((a, b) => a - b));
	});

	it('never marks a no-retry code retryable', () => {
		for (const code of FACTS_CODES) {
			const info = lookupMetaError(code);
			if (info.retryable) expect(info.retry).toBe('retry');
		}
	});

	it.each([
		[131047, 'no-retry', /template/],
		[131049, 'retry-later', /24 hours/],
		[131048, 'retry-later', /volume/i],
		[132015, 'retry-later', /APPROVED/],
		[132016, 'no-retry', /new template/],
		[131050, 'no-retry', /opt-out/],
		[190, 'no-retry', /token/],
		[131056, 'retry', /6 seconds/],
	])('%i → %s with useful advice', (code, retry, advice) => {
		const info = lookupMetaError(code);
		expect(info.retry).toBe(retry);
		expect(info.userMessage).toMatch(advice);
	});

	it('uses Meta titles, not the mislabelled 132015', () => {
		expect(lookupMetaError(132015).title).toBe('Template is paused');
		expect(lookupMetaError(132016).title).toBe('Template is disabled');
	});
});

describe('lookupMetaError', () => {
	it.each([200, 250, 299])('maps the permission range %i and keeps the code', (code) => {
		const info = lookupMetaError(code);
		expect(info.code).toBe(code);
		expect(info.title).toBe('API Permission');
		expect(info.retryable).toBe(false);
	});

	it.each([199, 300, 999999, 1.5])('gives a generic entry for unknown code %p', (code) => {
		const info = lookupMetaError(code);
		expect(info.title).toBe('Unknown error');
		expect(info.code).toBe(code);
		expect(info.retryable).toBe(false);
		expect(info.meaning).toContain(String(code));
	});

	it('handles an undefined code', () => {
		const info = lookupMetaError(undefined);
		expect(info.title).toBe('Unknown error');
		expect(info.retry).toBe('no-retry');
		expect(info.meaning).toMatch(/without a code/);
	});
});

describe('parseGraphError', () => {
	const envelope = {
		error: {
			message: '(#131047) Re-engagement message',
			type: 'OAuthException',
			code: 131047,
			error_subcode: 2494010,
			error_data: { messaging_product: 'whatsapp', details: 'More than 24 hours have passed.' },
			fbtrace_id: 'A1b2',
		},
	};

	it('reads the sync error envelope', () => {
		expect(parseGraphError(envelope)).toEqual(envelope.error);
	});

	it('reads the envelope from a JSON string', () => {
		expect(parseGraphError(JSON.stringify(envelope))).toEqual(envelope.error);
	});

	it('reads async status errors (errors[] with title)', () => {
		expect(
			parseGraphError({ errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'x' } }] }),
		).toEqual({ message: 'Message undeliverable', code: 131026, error_data: { details: 'x' } });
	});

	it('reads a bare error object', () => {
		expect(parseGraphError({ message: 'Invalid parameter', code: 100 })).toEqual({
			message: 'Invalid parameter',
			code: 100,
		});
	});

	it('recovers the code from the "(#code)" message prefix', () => {
		expect(parseGraphError({ error: { message: '(#130429) Rate limit hit' } })?.code).toBe(130429);
	});

	it('accepts numeric strings for codes', () => {
		expect(parseGraphError({ error: { message: 'x', code: '131056', error_subcode: '33' } })).toEqual({
			message: 'x',
			code: 131056,
			error_subcode: 33,
		});
	});

	it('drops fields of the wrong type', () => {
		expect(parseGraphError({ error: { message: 'x', code: 4, type: 7, fbtrace_id: {}, error_data: 'nope' } })).toEqual({
			message: 'x',
			code: 4,
		});
	});

	it.each([
		[undefined],
		[null],
		[''],
		['not json'],
		['[]'],
		[42],
		[{}],
		[{ error: 'boom' }],
		[{ data: [] }],
		[[envelope]],
	])('returns undefined for %p', (body) => {
		expect(parseGraphError(body)).toBeUndefined();
	});
});

describe('retryDelayMs', () => {
	it('backs off 4^attempt seconds for the pair rate limit, capped at 60 s', () => {
		expect([0, 1, 2, 3, 4].map((attempt) => retryDelayMs(131056, attempt))).toEqual([1000, 4000, 16000, 60000, 60000]);
		expect(PAIR_LIMIT_BACKOFF_CAP_MS).toBe(60_000);
	});

	it('keeps the whole 131056 wait at Max Retries 10 under 8 minutes (4^n alone would be 4.1 days)', () => {
		const total = Array.from({ length: 10 }, (_, attempt) => retryDelayMs(131056, attempt)).reduce((a, b) => a + b, 0);
		expect(total).toBe(1000 + 4000 + 16000 + 7 * 60000);
		expect(retryDelayMs(131056, 1e6)).toBe(60000);
	});

	it('waits 1, 2, 4 … s after no answer, at most 30 s', () => {
		expect([0, 1, 2, 3, 4, 5, 9, 50].map(connectionRetryDelayMs)).toEqual([
			1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
		]);
	});

	it.each(RATE_LIMITS)('doubles from 1 s capped at 30 s for rate limit %i', (code) => {
		expect([0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => retryDelayMs(code, attempt))).toEqual([
			1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
		]);
	});

	it.each([1, 2, 131000, 131016, 133004])('uses 1, 2, 4 s for server error %i', (code) => {
		expect([0, 1, 2, 3].map((attempt) => retryDelayMs(code, attempt))).toEqual([1000, 2000, 4000, 4000]);
	});

	it('waits about a minute for maintenance mode', () => {
		expect(retryDelayMs(131057, 0)).toBe(60000);
	});

	it('returns NO_RETRY for every code that is not automatically retryable', () => {
		expect(NO_RETRY).toBe(-1);
		for (const code of FACTS_CODES.filter((c) => !RETRYABLE.includes(c))) {
			expect(retryDelayMs(code, 0)).toBe(NO_RETRY);
		}
		expect(retryDelayMs(424242, 0)).toBe(NO_RETRY);
	});

	it('has a positive delay for every retryable code', () => {
		for (const code of RETRYABLE) {
			expect(retryDelayMs(code, 0)).toBeGreaterThan(0);
		}
	});

	it('treats negative or fractional attempts as sensible numbers', () => {
		expect(retryDelayMs(131056, -3)).toBe(1000);
		expect(retryDelayMs(130429, 1.7)).toBe(2000);
		expect(retryDelayMs(130429, Number.NaN)).toBe(1000);
	});
});

describe('one table for every retry and outcome decision', () => {
	it('reads rate limits and transient server errors from the table', () => {
		expect(FACTS_CODES.filter(isRateLimitCode).sort((a, b) => a - b)).toEqual(
			[...RATE_LIMITS, 131056].sort((a, b) => a - b),
		);
		expect(FACTS_CODES.filter(isTransientServerCode).sort((a, b) => a - b)).toEqual([
			1, 2, 131000, 131016, 131057, 133004,
		]);
		expect(isRateLimitCode(undefined)).toBe(false);
		expect(isTransientServerCode(424242)).toBe(false);
	});

	it('gives every automatically retried code a retry class and no other code one', () => {
		for (const code of FACTS_CODES)
			expect(Boolean(lookupMetaError(code).retryClass)).toBe(lookupMetaError(code).retryable);
	});
});

describe('outcomeOfErrorAnswer: was the message sent?', () => {
	it.each([1, 131000])('an HTTP 5xx with code %i is unknown (Meta failed after the request was written)', (code) => {
		for (const status of [500, 502, 503]) expect(outcomeOfErrorAnswer(status, code)).toBe('unknown');
	});

	it.each([2, 131016, 133004, 131057, 4, 80007, 130429, 131056, 3, 100, 131047])(
		'an HTTP 5xx with code %i is not sent (refused before processing)',
		(code) => {
			expect(outcomeOfErrorAnswer(500, code)).toBe('not_sent');
		},
	);

	it.each([1, 131000, 100, 131026, 424242])(
		'an HTTP 4xx with code %i is not sent (Meta refused the request)',
		(code) => {
			expect(outcomeOfErrorAnswer(400, code)).toBe('not_sent');
		},
	);

	it('an answer without a Graph code (a proxy answered) or a 5xx with a code Meta has not documented is unknown', () => {
		expect(outcomeOfErrorAnswer(502, undefined)).toBe('unknown');
		expect(outcomeOfErrorAnswer(404, undefined)).toBe('unknown');
		expect(outcomeOfErrorAnswer(500, 424242)).toBe('unknown');
	});
});

describe('reading an account: retry and advice beside the table', () => {
	it('a read is retried after any 5xx or a transient code, never after a rate limit or a refusal', () => {
		expect(isRetryableRead(503, undefined)).toBe(true);
		expect(isRetryableRead(500, 100)).toBe(true);
		for (const code of [1, 2, 131000, 131016, 133004, 131057]) expect(isRetryableRead(400, code)).toBe(true);
		for (const code of [...RATE_LIMITS, 131056, 10, 100, 190, undefined])
			expect(isRetryableRead(400, code)).toBe(false);
	});

	it('100 and 803 on an account edge point at the account ID; other codes get the table advice', () => {
		expect(isWrongAccountCode(100)).toBe(true);
		expect(isWrongAccountCode(803)).toBe(true);
		expect(isWrongAccountCode(190)).toBe(false);
		expect(accountReadFix({ message: 'Unknown path', code: 803 })).toBe(WRONG_ACCOUNT_FIX);
		expect(accountReadFix({ message: 'Expired', code: 190 })).toBe(lookupMetaError(190).userMessage);
		expect(accountReadFix({ message: 'No code' })).toBe(lookupMetaError(undefined).userMessage);
	});

	it('131059 is the expired cursor', () => {
		expect(isExpiredCursorCode(131059)).toBe(true);
		expect(isExpiredCursorCode(100)).toBe(false);
		expect(lookupMetaError(131059).title).toMatch(/cursor/);
	});
});
