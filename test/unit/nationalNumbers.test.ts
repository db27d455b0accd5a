import { normalisePhone } from '../../nodes/shared/domain/phone';
import {
	NUMBERING_PLANS,
	countriesOfNumber,
	matchRange,
	numberingPlanOf,
} from '../../nodes/shared/domain/numberingPlans';

function inCountry(input: string | number, country: string, bareDigits: 'refuse' | 'whatsAppId' = 'refuse') {
	const plan = numberingPlanOf(country);
	if (!plan) throw new Error(`no plan for ${country}`);
	return normalisePhone(input, { bareDigits, defaultCountry: plan });
}

describe('Default Country — national numbers as shops and calendars send them', () => {
	it.each([
		// the examples of issue 15
		['0151 2345678', 'DE', '+491512345678', 'mobile'],
		['(51) 98765-4321', 'BR', '+5551987654321', 'mobile'],
		['(415) 555-0123', 'US', '+14155550123', 'any'],
		['07700 900123', 'GB', '+447700900123', 'mobile'],
		['098765 43210', 'IN', '+919876543210', 'mobile'],
		// trunk prefixes and their absence
		['0176 12345678', 'DE', '+4917612345678', 'mobile'],
		['030 1234567', 'DE', '+49301234567', 'fixed'],
		['(0151) 2345678', 'DE', '+491512345678', 'mobile'],
		['0151/2345678', 'DE', '+491512345678', 'mobile'],
		['1512345678', 'DE', '+491512345678', 'mobile'], // spreadsheet dropped the 0
		['4915112345678', 'DE', '+4915112345678', 'mobile'], // country code without +
		['1-415-555-0123', 'US', '+14155550123', 'any'],
		['415.555.0123', 'US', '+14155550123', 'any'],
		['(604) 555-0199', 'CA', '+16045550199', 'any'],
		['0 51 98765-4321', 'BR', '+5551987654321', 'mobile'],
		['0 21 51 98765-4321', 'BR', '+5551987654321', 'mobile'], // trunk + carrier code 21
		['(11) 3456-7890', 'BR', '+551134567890', 'fixed'],
		['55 51 98765-4321', 'BR', '+5551987654321', 'mobile'],
		['8 (912) 345-67-89', 'RU', '+79123456789', 'mobile'],
		['8 800 123-45-67', 'RU', '+78001234567', 'fixed'],
		['8 701 234 5678', 'KZ', '+77012345678', 'any'],
		['06 12 34 56 78', 'FR', '+33612345678', 'mobile'],
		['01 23 45 67 89', 'FR', '+33123456789', 'fixed'],
		['06 1234 5678', 'IT', '+390612345678', 'fixed'], // Italy keeps the 0
		['347 123 4567', 'IT', '+393471234567', 'mobile'],
		['612 34 56 78', 'ES', '+34612345678', 'mobile'],
		['06 12345678', 'NL', '+31612345678', 'mobile'],
		['0470 12 34 56', 'BE', '+32470123456', 'mobile'],
		['0664 1234567', 'AT', '+436641234567', 'mobile'],
		['079 123 45 67', 'CH', '+41791234567', 'mobile'],
		['912 345 678', 'PT', '+351912345678', 'mobile'],
		['087 123 4567', 'IE', '+353871234567', 'mobile'],
		['070-123 45 67', 'SE', '+46701234567', 'mobile'],
		['20 12 34 56', 'DK', '+4520123456', 'any'],
		['412 34 567', 'NO', '+4741234567', 'any'],
		['040 1234567', 'FI', '+358401234567', 'mobile'],
		['512 345 678', 'PL', '+48512345678', 'any'],
		['601 123 456', 'CZ', '+420601123456', 'mobile'],
		['0905 123 456', 'SK', '+421905123456', 'mobile'],
		['06 20 123 4567', 'HU', '+36201234567', 'mobile'],
		['0722 123 456', 'RO', '+40722123456', 'mobile'],
		['0888 123 456', 'BG', '+359888123456', 'mobile'],
		['691 234 5678', 'GR', '+306912345678', 'mobile'],
		['091 234 5678', 'HR', '+385912345678', 'mobile'],
		['031 234 567', 'SI', '+38631234567', 'any'],
		['5123 4567', 'EE', '+37251234567', 'mobile'],
		['2123 4567', 'LV', '+37121234567', 'mobile'],
		['8 612 34567', 'LT', '+37061234567', 'mobile'],
		['9912 3456', 'CY', '+35799123456', 'mobile'],
		['7912 3456', 'MT', '+35679123456', 'mobile'],
		['621 123 456', 'LU', '+352621123456', 'mobile'],
		['0812-3456-7890', 'ID', '+6281234567890', 'mobile'],
		['55 1234 5678', 'MX', '+525512345678', 'any'],
		['044 55 1234 5678', 'MX', '+525512345678', 'any'], // pre-2019 mobile prefix
		['0532 123 45 67', 'TR', '+905321234567', 'mobile'],
		['0300 1234567', 'PK', '+923001234567', 'mobile'],
		['0803 123 4567', 'NG', '+2348031234567', 'mobile'],
		['010 1234 5678', 'EG', '+201012345678', 'mobile'],
		['011 2345-6789', 'AR', '+541123456789', 'fixed'],
		['300 123 4567', 'CO', '+573001234567', 'mobile'],
		['050 123 4567', 'SA', '+966501234567', 'mobile'],
		['0917 123 4567', 'PH', '+639171234567', 'mobile'],
		['082 123 4567', 'ZA', '+27821234567', 'mobile'],
		['0712 345678', 'KE', '+254712345678', 'mobile'],
		['012-345 6789', 'MY', '+60123456789', 'mobile'],
		['081 234 5678', 'TH', '+66812345678', 'mobile'],
		['091 234 56 78', 'VN', '+84912345678', 'mobile'],
		['01712-345678', 'BD', '+8801712345678', 'mobile'],
		['987 654 321', 'PE', '+51987654321', 'mobile'],
		['9 8765 4321', 'CL', '+56987654321', 'mobile'],
		['0412-1234567', 'VE', '+584121234567', 'mobile'],
		['099 123 4567', 'EC', '+593991234567', 'mobile'],
		['050 123 4567', 'UA', '+380501234567', 'any'],
		['0770 123 4567', 'IQ', '+9647701234567', 'mobile'],
		['0612-345678', 'MA', '+212612345678', 'mobile'],
		['0551 23 45 67', 'DZ', '+213551234567', 'mobile'],
		['024 123 4567', 'GH', '+233241234567', 'any'],
		['0712 345 678', 'TZ', '+255712345678', 'mobile'],
		['050 123 4567', 'AE', '+971501234567', 'mobile'],
		['050-123-4567', 'IL', '+972501234567', 'mobile'],
		['9123 4567', 'SG', '+6591234567', 'mobile'],
		['9123 4567', 'HK', '+85291234567', 'any'],
		['0412 345 678', 'AU', '+61412345678', 'mobile'],
		['138 0013 8000', 'CN', '+8613800138000', 'mobile'],
		['090-1234-5678', 'JP', '+819012345678', 'mobile'],
		['010-1234-5678', 'KR', '+821012345678', 'mobile'],
		['9841 234567', 'NP', '+9779841234567', 'mobile'],
		['071 234 5678', 'LK', '+94712345678', 'any'],
	])('%j in %s → %s', (input, country, e164, kind) => {
		expect(inCountry(input, country)).toEqual({
			ok: true,
			e164,
			callingCode: numberingPlanOf(country)!.callingCode,
			national: { country, kind },
		});
	});

	it('accepts country codes in any case and English country names', () => {
		expect(inCountry('0151 2345678', 'de')).toMatchObject({ e164: '+491512345678' });
		expect(inCountry('0151 2345678', ' Germany ')).toMatchObject({ e164: '+491512345678' });
		expect(numberingPlanOf('XX')).toBeUndefined();
	});

	it('leaves numbers written with + or 00 as they are, whatever the Default Country', () => {
		expect(inCountry('+44 7700 900123', 'DE')).toEqual({ ok: true, e164: '+447700900123', callingCode: '44' });
		expect(inCountry('0044 7700 900123', 'BR')).toEqual({ ok: true, e164: '+447700900123', callingCode: '44' });
	});

	it('reads an integer (a spreadsheet column) as a national number', () => {
		expect(inCountry(15112345678, 'DE')).toMatchObject({ ok: true, e164: '+4915112345678' });
	});

	it('keeps digit-only strings as WhatsApp IDs when Recipient Format says so, and places formatted ones', () => {
		expect(inCountry('4915112345678', 'BR', 'whatsAppId')).toMatchObject({
			ok: true,
			e164: '+4915112345678',
			assumedInternational: true,
		});
		expect(inCountry('(51) 98765-4321', 'BR', 'whatsAppId')).toMatchObject({ ok: true, e164: '+5551987654321' });
	});
});

describe('Default Country — wrong numbers are refused with the reason', () => {
	it.each([
		[
			'0151 234567',
			'DE',
			/not a valid Germany \(DE\) number: after the 0 it has 9 digits.*mobile: 10–11 digits starting 15, 16, 17/,
		],
		['07700 90012', 'GB', /after the 0 it has 9 digits.*UK mobile numbers have 11 digits/],
		['(415) 555-012', 'US', /it has 9 digits.*10 digits/],
		['(115) 555-0123', 'US', /North American numbers have 10 digits/], // area codes never start with 1
		['(51) 8765-4321', 'BR', /9 added in 2016/], // old 8-digit mobile
		['98765 4321', 'IN', /Indian numbers have 10 digits/],
		['09876 54321 00', 'IN', /after the 0 it has 11 digits/],
		['06 12 34 56 7', 'FR', /after the 0 it has 8 digits/],
		['011 15-2345-6789', 'AR', /without the local 15/],
		['', 'DE', /empty/],
	])('%j in %s', (input, country, reason) => {
		const result = inCountry(input, country);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.reason).toMatch(reason);
	});

	it('still refuses national numbers when no Default Country is given', () => {
		expect(normalisePhone('0151 2345678', { bareDigits: 'refuse' })).toMatchObject({ ok: false });
		expect(normalisePhone('(415) 555-0123', { bareDigits: 'refuse' })).toMatchObject({
			ok: false,
			problem: 'noCountryCode',
		});
	});
});

describe('numbering plan table', () => {
	const WHATSAPP_TOP_40_AND_EU = (
		'IN BR ID US MX RU TR PK NG EG IT ES AR CO SA PH ZA KE MY TH VN BD PE CL VE EC UA IQ MA DZ GH TZ NP AE IL ' +
		'GB FR DE NL BE LU AT PT IE DK SE FI PL CZ SK HU SI HR RO BG GR CY MT EE LV LT'
	).split(' ');

	it('covers the 40 biggest WhatsApp markets and every EU member', () => {
		const missing = WHATSAPP_TOP_40_AND_EU.filter((country) => !numberingPlanOf(country));
		expect(missing).toEqual([]);
	});

	it('has one row per country, consistent ranges and valid time zones', () => {
		const countries = NUMBERING_PLANS.map((p) => p.country);
		expect(new Set(countries).size).toBe(countries.length);
		for (const plan of NUMBERING_PLANS) {
			expect(plan.callingCode).toMatch(/^[1-9]\d{0,2}$/);
			expect(plan.ranges.length).toBeGreaterThan(0);
			for (const range of plan.ranges) {
				expect(range.lengths[0]).toBeLessThanOrEqual(range.lengths[1]);
				expect(range.lengths[1] + plan.callingCode.length).toBeLessThanOrEqual(15);
				for (const start of range.starts) expect(start).toMatch(/^[0-9xN]+$/);
			}
			if (plan.timeZone)
				expect(Intl.DateTimeFormat(undefined, { timeZone: plan.timeZone }).resolvedOptions().timeZone).toBeTruthy();
		}
	});

	it('places an E.164 number in its country where the calling code is shared', () => {
		expect(countriesOfNumber('+77012345678', '7').map((p) => p.country)).toEqual(['KZ']);
		expect(countriesOfNumber('+79123456789', '7').map((p) => p.country)).toEqual(['RU']);
		expect(countriesOfNumber('+14155550123', '1').map((p) => p.country)).toEqual(['US', 'CA']);
		expect(matchRange(numberingPlanOf('DE')!, '1512345678')?.kind).toBe('mobile');
	});
});
