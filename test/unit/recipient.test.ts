import { numberingPlanOf } from '../../nodes/shared/domain/numberingPlans';
import { DEFAULT_COUNTRY_HINT, looksNational, readRecipient } from '../../nodes/shared/domain/recipient';

describe('readRecipient', () => {
	it('reads an international number into E.164 with its calling code', () => {
		expect(readRecipient('+49 151 2345 6789', 'refuse', {})).toEqual({
			ok: true,
			e164: '+4915123456789',
			isBsuid: false,
			country: undefined,
			callingCode: '49',
		});
	});

	it('places a national number with the Default Country and names the country', () => {
		const read = readRecipient('0151 2345 6789', 'refuse', { plan: numberingPlanOf('DE') });
		expect(read).toMatchObject({ ok: true, e164: '+4915123456789', country: 'DE', isBsuid: false });
	});

	it('refuses a national number without Default Country, with the Default Country hint (1.1)', () => {
		const read = readRecipient('0151 2345 6789', 'refuse', {});
		expect(read).toMatchObject({ ok: false, problem: 'Invalid recipient phone number "0151 2345 6789"' });
		expect(read.ok === false && read.fix.endsWith(DEFAULT_COUNTRY_HINT)).toBe(true);
	});

	it('says why an unusable Default Country cannot place a national number', () => {
		const read = readRecipient('0151 2345 6789', 'refuse', {
			unusable: { problem: 'Default Country "Germany" is not a code', fix: 'Use DE' },
		});
		expect(read).toEqual({
			ok: false,
			problem: 'Default Country "Germany" is not a code, so "0151 2345 6789" cannot be placed',
			fix: 'Use DE',
		});
	});

	it('points bare digits to Recipient Format: WhatsApp ID', () => {
		const read = readRecipient('4915123456789', 'refuse', {});
		expect(read.ok === false && read.fix).toMatch(/set Recipient Format to WhatsApp ID/);
		expect(readRecipient('4915123456789', 'whatsAppId', {})).toMatchObject({ ok: true, e164: '+4915123456789' });
	});

	it('keeps a business-scoped user id as it is, addressed as a BSUID with its country prefix', () => {
		const read = readRecipient('US.13491208655302741918', 'refuse', {});
		expect(read).toMatchObject({ ok: true, isBsuid: true, country: 'US', callingCode: '' });
	});

	it('knows a national number when it sees one', () => {
		expect(looksNational('0151 234')).toBe(true);
		expect(looksNational('tel: (030) 1234')).toBe(true);
		expect(looksNational('+49 151')).toBe(false);
		expect(looksNational('0049 151')).toBe(false);
	});
});
