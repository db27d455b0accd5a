import { callingCodeOf, normalisePhone, type PhoneResult } from '../../nodes/shared/phone';

function e164Of(result: PhoneResult): string | undefined {
	return result.ok ? result.e164 : undefined;
}

describe('normalisePhone — accepted', () => {
	it.each([
		['+4915112345678', '+4915112345678', '49'],
		['+49 151 1234 5678', '+4915112345678', '49'],
		['+49-151-1234-5678', '+4915112345678', '49'],
		['+49.151.1234.5678', '+4915112345678', '49'],
		['+49 (151) 1234 5678', '+4915112345678', '49'],
		['+49 (0)151 12345678', '+4915112345678', '49'],
		['0049 151 12345678', '+4915112345678', '49'],
		['  +1 (650) 555-1234  ', '+16505551234', '1'],
		['+55 11 91234-5678', '+5511912345678', '55'],
		['+351 912 345 678', '+351912345678', '351'],
		['+7 701 234 5678', '+77012345678', '7'],
		['+852 9123 4567', '+85291234567', '852'],
		['+971 50 123 4567', '+971501234567', '971'],
		['tel:+447911123456', '+447911123456', '44'],
		['+44\u00a07911\u00a0123456', '+447911123456', '44'],
	])('%j → %s', (input, e164, callingCode) => {
		const result = normalisePhone(input);
		expect(result).toEqual({ ok: true, e164, callingCode });
	});

	it('accepts a bare international digit string (webhook wa_id format) and marks it', () => {
		expect(normalisePhone('4915112345678')).toEqual({
			ok: true,
			e164: '+4915112345678',
			callingCode: '49',
			assumedInternational: true,
		});
		expect(normalisePhone('16505551234')).toMatchObject({ ok: true, e164: '+16505551234', assumedInternational: true });
	});

	it('accepts a safe integer number as a bare international number', () => {
		expect(e164Of(normalisePhone(4915112345678))).toBe('+4915112345678');
	});

	it('accepts the E.164 minimum and maximum lengths', () => {
		expect(e164Of(normalisePhone('+49123456'))).toBe('+49123456');
		expect(e164Of(normalisePhone('+491234567890123'))).toBe('+491234567890123');
	});
});

describe('normalisePhone — refused', () => {
	it.each([
		['', /empty/],
		['   ', /empty/],
		['+', /no digits/],
		['+49 151 CALL ME', /not digits/],
		['+49 151 1234 ext 5', /not digits/],
		['+49+15112345678', /single '\+'/],
		['0151 12345678', /national number/],
		['+0151 12345678', /0 right after/],
		['00 0151 12345678', /0 right after/],
		['+49 1234', /at least 8/],
		['+4912345678901234', /at most 15/],
		['6505551234', /too short to be sure/],
		['7911123456', /too short to be sure/],
		['+800 1234 5678', /known country calling code/],
		['+999 1234 5678', /known country calling code/],
		['+1 650 555 123', /North American/],
		['+1 150 555 1234', /North American/],
		['+1 650 555 12345', /North American/],
	])('%j', (input, reason) => {
		const result = normalisePhone(input);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.reason).toMatch(reason);
			// Every reason tells the user what to do, usually with an example.
			expect(result.reason.length).toBeGreaterThan(30);
		}
	});

	it.each([[undefined], [null], [{}], [['+4915112345678']], [true]])('non-string %j', (input) => {
		expect(normalisePhone(input).ok).toBe(false);
	});

	it.each([[1.5], [-4915112345678], [Number.NaN], [1e20]])('non-integer or unsafe number %p', (input) => {
		expect(normalisePhone(input).ok).toBe(false);
	});
});

describe('callingCodeOf', () => {
	it.each([
		['+16505551234', '1'],
		['+79161234567', '7'],
		['+4915112345678', '49'],
		['+351912345678', '351'],
		['+35312345678', '353'],
		['+380501234567', '380'],
		['+8613812345678', '86'],
		['+85291234567', '852'],
		['+97150123456', '971'],
		['+2348012345678', '234'],
		['4915112345678', '49'],
		['+21612345678', '216'],
	])('%s → %s', (e164, code) => {
		expect(callingCodeOf(e164)).toBe(code);
	});

	it.each([['+80012345678'], ['+999123456'], ['+0123'], ['abc'], [''], ['+']])('%j → undefined', (e164) => {
		expect(callingCodeOf(e164)).toBeUndefined();
	});
});
