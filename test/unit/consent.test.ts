import {
	ALL_UTILITY,
	PURPOSE_OPTIONS,
	compareEvents,
	decideConsent,
	erasureTombstone,
	eventApplies,
	monthsBefore,
	normaliseContact,
	pickState,
	validateConsentEvent,
	type ConsentAction,
	type ConsentEvent,
	type ConsentPurpose,
	type ContactConsentState,
} from '../../nodes/shared/domain/consent';

const NOW = Date.parse('2026-11-25T12:00:00.000Z');
let seq = 0;
function event(
	action: ConsentAction,
	purpose: ConsentPurpose,
	capturedAt: string,
	extra: Partial<ConsentEvent> = {},
): ConsentEvent {
	seq++;
	return {
		eventId: `e${seq}`,
		contactKey: 'k',
		contactId: '+4915123456001',
		purpose,
		action,
		source: 'checkout form',
		proofWording: 'Send me order updates from Example Shop on WhatsApp',
		proofVersion: 'v1',
		proofReference: 'SO-1',
		capturedAt,
		recordedAt: capturedAt,
		workflowId: 'w',
		executionId: '1',
		...extra,
	};
}

const optIn = {
	contact: '+49 151 2345 6001',
	purpose: 'shippingStatus',
	action: 'optIn' as const,
	source: 'checkout form',
	proofWording: 'Send me order and delivery updates from Example Shop on WhatsApp',
	proofVersion: 'checkout-v3',
};

describe('purposes and contacts', () => {
	it('offers all utility notifications plus the ten notification types', () => {
		expect(PURPOSE_OPTIONS.map((p) => p.value)).toContain(ALL_UTILITY);
		expect(PURPOSE_OPTIONS).toHaveLength(11);
	});

	it('normalises phone numbers to E.164 and accepts business-scoped user ids', () => {
		expect(normaliseContact('+49 (0)151 2345 6001')).toEqual({ ok: true, kind: 'phone', id: '+4915123456001' });
		expect(normaliseContact('US.13491208655302741918')).toEqual({
			ok: true,
			kind: 'userId',
			id: 'US.13491208655302741918',
		});
		const bad = normaliseContact('0151 2345');
		expect(bad.ok).toBe(false);
	});
});

describe('validateConsentEvent', () => {
	it('accepts a provable opt-in and normalises it', () => {
		const result = validateConsentEvent({ ...optIn, capturedAt: '2026-11-25T10:00:00+01:00' }, NOW);
		expect(result).toMatchObject({
			ok: true,
			event: {
				contactId: '+4915123456001',
				purpose: 'shippingStatus',
				capturedAt: '2026-11-25T09:00:00.000Z',
				proofVersion: 'checkout-v3',
			},
		});
	});

	it('defaults capturedAt to now and purpose to all utility notifications', () => {
		const result = validateConsentEvent({ ...optIn, purpose: undefined, capturedAt: '' }, NOW);
		expect(result).toMatchObject({
			ok: true,
			event: { purpose: ALL_UTILITY, capturedAt: new Date(NOW).toISOString() },
		});
	});

	it.each([
		['no source', { source: '' }, /no source/],
		['a vague source', { source: 'unknown' }, /does not say where/],
		['no wording', { proofWording: '' }, /no proof wording/],
		['a checkbox value as wording', { proofWording: 'yes' }, /not the text/],
		['"true" as wording', { proofWording: 'true' }, /not the text/],
		['too short wording', { proofWording: 'WhatsApp updates' }, /not the text/],
		['an unreadable date', { capturedAt: 'yesterday-ish' }, /not a date/],
		['a future date', { capturedAt: '2026-12-25T00:00:00Z' }, /in the future/],
		['a national number', { contact: '0151 2345 6001' }, /contact is not usable/],
		['an unknown purpose', { purpose: 'newsletter' }, /not a consent purpose/],
	])('refuses an opt-in with %s', (_label, override, reason) => {
		const result = validateConsentEvent({ ...optIn, ...override }, NOW);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.reason).toMatch(reason);
			expect(result.fix.length).toBeGreaterThan(10);
		}
	});

	it('never refuses an opt-out for missing proof', () => {
		const result = validateConsentEvent({ contact: '+4915123456001', purpose: ALL_UTILITY, action: 'optOut' }, NOW);
		expect(result).toMatchObject({ ok: true, event: { action: 'optOut', source: 'not stated' } });
	});
});

describe('decideConsent', () => {
	it('has no record without events', () => {
		expect(decideConsent([], 'shippingStatus', NOW)).toEqual({
			granted: false,
			purpose: 'shippingStatus',
			reason: 'noRecord',
		});
	});

	it('grants after an opt-in for the type or for all utility notifications, with proof', () => {
		const specific = decideConsent(
			[event('optIn', 'shippingStatus', '2026-11-01T00:00:00.000Z')],
			'shippingStatus',
			NOW,
		);
		expect(specific).toMatchObject({
			granted: true,
			reason: 'optedIn',
			since: '2026-11-01T00:00:00.000Z',
			source: 'checkout form',
		});
		expect(specific.proof).toEqual({
			wording: 'Send me order updates from Example Shop on WhatsApp',
			version: 'v1',
			reference: 'SO-1',
		});
		const general = decideConsent([event('optIn', ALL_UTILITY, '2026-11-01T00:00:00.000Z')], 'paymentRequest', NOW);
		expect(general).toMatchObject({ granted: true, decidedBy: ALL_UTILITY });
	});

	it('does not let an opt-in for one type grant another', () => {
		const decision = decideConsent(
			[event('optIn', 'shippingStatus', '2026-11-01T00:00:00.000Z')],
			'paymentRequest',
			NOW,
		);
		expect(decision).toMatchObject({ granted: false, reason: 'noRecord' });
	});

	it('lets an opt-out win over an older opt-in, in whatever order they were recorded', () => {
		const events = [
			event('optOut', ALL_UTILITY, '2026-11-10T00:00:00.000Z'),
			event('optIn', 'shippingStatus', '2026-11-01T00:00:00.000Z'),
		];
		expect(decideConsent(events, 'shippingStatus', NOW)).toMatchObject({
			granted: false,
			reason: 'optedOut',
			since: '2026-11-10T00:00:00.000Z',
		});
	});

	it('lets an opt-out win over an opt-in of the same instant', () => {
		const at = '2026-11-10T00:00:00.000Z';
		const events = [event('optOut', 'shippingStatus', at), event('optIn', 'shippingStatus', at)];
		expect(decideConsent(events, 'shippingStatus', NOW)).toMatchObject({ granted: false, reason: 'optedOut' });
	});

	it('lets a STOP from WhatsApp (whole seconds) win over a checkout opt-in a few milliseconds into the same second', () => {
		const events = [
			event('optIn', ALL_UTILITY, '2026-11-10T09:30:05.700Z'),
			event('optOut', ALL_UTILITY, '2026-11-10T09:30:05.000Z'),
		];
		expect(decideConsent(events, 'shippingStatus', NOW)).toMatchObject({ granted: false, reason: 'optedOut' });
		// A second later the opt-in is a new act and wins.
		const later = [
			event('optOut', ALL_UTILITY, '2026-11-10T09:30:05.000Z'),
			event('optIn', ALL_UTILITY, '2026-11-10T09:30:06.000Z'),
		];
		expect(decideConsent(later, 'shippingStatus', NOW).granted).toBe(true);
	});

	it('lets a newer opt-in (a new affirmative act) restore consent', () => {
		const events = [
			event('optOut', ALL_UTILITY, '2026-11-10T00:00:00.000Z'),
			event('optIn', 'shippingStatus', '2026-11-20T00:00:00.000Z'),
		];
		expect(decideConsent(events, 'shippingStatus', NOW).granted).toBe(true);
		expect(decideConsent(events, 'paymentRequest', NOW).granted).toBe(false);
	});

	it('keeps an opt-out of one type from affecting others, but not from "all utility"', () => {
		const events = [
			event('optIn', ALL_UTILITY, '2026-11-01T00:00:00.000Z'),
			event('optOut', 'alertUpdate', '2026-11-05T00:00:00.000Z'),
		];
		expect(decideConsent(events, 'shippingStatus', NOW).granted).toBe(true);
		expect(decideConsent(events, 'alertUpdate', NOW).granted).toBe(false);
		expect(decideConsent(events, ALL_UTILITY, NOW)).toMatchObject({
			granted: false,
			reason: 'optedOut',
			decidedBy: 'alertUpdate',
		});
	});

	it('expires opt-ins older than N calendar months, never opt-outs', () => {
		const events = [event('optIn', 'shippingStatus', '2026-05-24T00:00:00.000Z')];
		expect(decideConsent(events, 'shippingStatus', NOW, { maxAgeMonths: 6 })).toMatchObject({
			granted: false,
			reason: 'expired',
		});
		expect(decideConsent(events, 'shippingStatus', NOW, { maxAgeMonths: 7 }).granted).toBe(true);
		expect(decideConsent(events, 'shippingStatus', NOW, { maxAgeMonths: 0 }).granted).toBe(true);
	});

	it('answers "erased" after an erasure until a new opt-in', () => {
		const tombstone = erasureTombstone('k', 'x', Date.parse('2026-11-15T00:00:00.000Z'));
		expect(tombstone).toMatchObject({ contactId: '', action: 'erase', purpose: ALL_UTILITY, proofWording: '' });
		const events = [event('optIn', ALL_UTILITY, '2026-11-01T00:00:00.000Z'), tombstone];
		expect(decideConsent(events, 'shippingStatus', NOW)).toMatchObject({ granted: false, reason: 'erased' });
		expect(decideConsent([tombstone], 'shippingStatus', NOW).reason).toBe('erased');
		const after = [...events, event('optIn', 'shippingStatus', '2026-11-20T00:00:00.000Z')];
		expect(decideConsent(after, 'shippingStatus', NOW).granted).toBe(true);
	});
});

describe('helpers', () => {
	it('monthsBefore clamps to the end of shorter months', () => {
		expect(new Date(monthsBefore(Date.parse('2026-03-31T08:00:00.000Z'), 1)).toISOString()).toBe(
			'2026-02-28T08:00:00.000Z',
		);
		expect(new Date(monthsBefore(Date.parse('2026-11-25T12:00:00.000Z'), 12)).toISOString()).toBe(
			'2025-11-25T12:00:00.000Z',
		);
	});

	it('orders withdrawals after opt-ins of the same instant', () => {
		const at = '2026-11-10T00:00:00.000Z';
		expect(compareEvents(event('optIn', ALL_UTILITY, at), event('optOut', ALL_UTILITY, at))).toBeLessThan(0);
		expect(compareEvents(event('erase', ALL_UTILITY, at), event('optOut', ALL_UTILITY, at))).toBeGreaterThan(0);
	});

	it('eventApplies: specific, general, and withdrawals for the all-utility check', () => {
		expect(eventApplies({ purpose: 'shippingStatus', action: 'optIn' }, 'shippingStatus')).toBe(true);
		expect(eventApplies({ purpose: ALL_UTILITY, action: 'optIn' }, 'shippingStatus')).toBe(true);
		expect(eventApplies({ purpose: 'paymentRequest', action: 'optIn' }, 'shippingStatus')).toBe(false);
		expect(eventApplies({ purpose: 'paymentRequest', action: 'optIn' }, ALL_UTILITY)).toBe(false);
		expect(eventApplies({ purpose: 'paymentRequest', action: 'optOut' }, ALL_UTILITY)).toBe(true);
	});
});

describe('state rows', () => {
	it('pickState resolves duplicate rows: newest wins, withdrawal on a tie', () => {
		const row = (consent: ContactConsentState['consent'], at: string): ContactConsentState => ({
			contactKey: 'k',
			contactId: '',
			purpose: ALL_UTILITY,
			consent,
			since: at,
			source: '',
			lastEventId: '',
			lastEventAt: at,
		});
		expect(pickState([row('granted', '2026-11-02T00:00:00Z'), row('withdrawn', '2026-11-01T00:00:00Z')])?.consent).toBe(
			'granted',
		);
		expect(pickState([row('granted', '2026-11-02T00:00:00Z'), row('withdrawn', '2026-11-02T00:00:00Z')])?.consent).toBe(
			'withdrawn',
		);
		expect(pickState([])).toBeUndefined();
	});
});
