import { callingCodeOf, normalisePhone, type PhoneResult } from '../../nodes/shared/domain/phone';

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

// Issue 12 item 8: a number without '+' or '00' is only read as international when the field is declared to hold
// WhatsApp IDs (Meta's wa_id: digits with country code, never formatted).
describe('normalisePhone — national numbers are never read as foreign', () => {
	it.each([
		// Brazil, Porto Alegre mobile: read as international it became +51 (Peru).
		['(51) 98765-4321'],
		// China mobile: read as international it became +1 501 (US, Arkansas).
		['150 1234 5678'],
		['150-1234-5678'],
		// UK mobile written nationally without the trunk 0.
		['7911 123 456'],
		['+'.slice(1) + '49 151 1234 5678'],
	])('refuses the formatted number %j in every reading', (input) => {
		for (const bareDigits of [undefined, 'refuse', 'whatsAppId', 'whatsAppIdFrom11Digits'] as const) {
			const result = normalisePhone(input, bareDigits ? { bareDigits } : undefined);
			expect(result.ok).toBe(false);
			if (!result.ok) {
				expect(result.reason).toMatch(/no '\+' or '00'/);
				expect(result.reason).toMatch(/\+ and the country code/);
				expect(result.problem).toBe('noCountryCode');
			}
		}
	});

	it.each([['5551987654321'], ['8615012345678'], ['4915112345678'], ['4512345678'], [4915112345678]])(
		'with bareDigits "refuse" refuses the bare digit string %j and says how to fix it',
		(input) => {
			const result = normalisePhone(input, { bareDigits: 'refuse' });
			expect(result.ok).toBe(false);
			if (!result.ok) {
				expect(result.problem).toBe('noCountryCode');
				expect(result.reason).toMatch(/no '\+' or '00'/);
				expect(result.reason).toMatch(/WhatsApp ID/);
			}
		},
	);

	it('still accepts + and 00 with bareDigits "refuse"', () => {
		expect(normalisePhone('+55 (51) 98765-4321', { bareDigits: 'refuse' })).toEqual({
			ok: true,
			e164: '+5551987654321',
			callingCode: '55',
		});
		expect(normalisePhone('0086 150 1234 5678', { bareDigits: 'refuse' })).toEqual({
			ok: true,
			e164: '+8615012345678',
			callingCode: '86',
		});
	});

	it.each([
		['4512345678', '+4512345678', '45'], // Denmark, 8-digit national number
		['4791234567', '+4791234567', '47'], // Norway
		['6591234567', '+6591234567', '65'], // Singapore
		['3546112345', '+3546112345', '354'], // Iceland, 7-digit national number
		['37251234567', '+37251234567', '372'], // Estonia
		['5551987654321', '+5551987654321', '55'], // Brazil
		['8615012345678', '+8615012345678', '86'], // China
		['16505551234', '+16505551234', '1'],
		[4512345678, '+4512345678', '45'],
	])('with bareDigits "whatsAppId" reads %j as the WhatsApp ID %s', (input, e164, callingCode) => {
		expect(normalisePhone(input, { bareDigits: 'whatsAppId' })).toEqual({
			ok: true,
			e164,
			callingCode,
			assumedInternational: true,
		});
	});

	it.each([
		['4512345', /at least 8/],
		['0151 12345678', /national number/],
		['015112345678', /national number/],
		['9991234567', /known country calling code/],
		['1650555123', /North American/],
	])('with bareDigits "whatsAppId" still refuses %j', (input, reason) => {
		const result = normalisePhone(input, { bareDigits: 'whatsAppId' });
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toMatch(reason);
	});

	it('keeps the version-1 reading by default: an unformatted digit string of 11 or more digits only', () => {
		expect(normalisePhone('4915112345678')).toMatchObject({
			ok: true,
			e164: '+4915112345678',
			assumedInternational: true,
		});
		expect(normalisePhone('4915112345678', { bareDigits: 'whatsAppIdFrom11Digits' })).toMatchObject({
			ok: true,
			e164: '+4915112345678',
		});
		const short = normalisePhone('4512345678');
		expect(short.ok).toBe(false);
		if (!short.ok) {
			expect(short.reason).toMatch(/too short to be sure/);
			expect(short.problem).toBe('noCountryCode');
		}
	});
});
