import {
	DEFAULT_PRICING_RULES,
	DEFAULT_RATE_CARD,
	estimateCost,
	pricingRulesAt,
	marketOf,
	parseRateCardOverride,
	type RateCard,
} from '../../nodes/shared/domain/pricing';

describe('DEFAULT_RATE_CARD', () => {
	it('is the Oct-2026 card with its markets and country map', () => {
		expect(Object.keys(DEFAULT_RATE_CARD.markets)).toHaveLength(47);
		expect(Object.keys(DEFAULT_RATE_CARD.countries)).toHaveLength(141);
		expect(DEFAULT_RATE_CARD.markets.Germany).toEqual({
			marketing: 0.1365,
			utility: 0.055,
			authentication: 0.055,
			authentication_international: null,
		});
		expect(DEFAULT_RATE_CARD.countries.JM).toEqual({
			market: 'Rest of Latin America',
			calling_code: '1',
			network_prefixes: ['658', '876'],
		});
		expect(DEFAULT_RATE_CARD.effective).toBe('2026-10-01');
		expect(DEFAULT_RATE_CARD.currency).toBe('USD');
		expect(DEFAULT_RATE_CARD.source).toMatch(/October 1, 2026/);
	});

	it('passes its own validation', () => {
		expect(parseRateCardOverride(DEFAULT_RATE_CARD)).toEqual({ card: DEFAULT_RATE_CARD });
	});
});

describe('marketOf', () => {
	it.each([
		['+4915112345678', 'Germany', 'DE'],
		['+447911123456', 'United Kingdom', 'GB'],
		['+351912345678', 'Rest of Western Europe', 'PT'],
		['+5511912345678', 'Brazil', 'BR'],
		['+2348012345678', 'Nigeria', 'NG'],
		['+27821234567', 'South Africa', 'ZA'],
		['+85291234567', 'Hong Kong', 'HK'],
		['+971501234567', 'United Arab Emirates', 'AE'],
		['+18095551234', 'Rest of Latin America', 'DO'],
		['+18295551234', 'Rest of Latin America', 'DO'],
		['+18765551234', 'Rest of Latin America', 'JM'],
		['+17875551234', 'Rest of Latin America', 'PR'],
		['+79161234567', 'Russia', 'RU'],
		['+77012345678', 'Kazakhstan', 'KZ'],
		['+76012345678', 'Kazakhstan', 'KZ'],
		['+37251234567', 'Other', undefined],
		['+82101234567', 'Other', undefined],
		['+12425551234', 'Other', 'BS'],
		['+13405551234', 'Other', 'VI'],
	])('%s → %s (%s)', (e164, market, country) => {
		expect(marketOf(e164)).toEqual(country ? { market, country } : { market });
	});

	it('knows +1 is North America for US and Canada without guessing the country', () => {
		expect(marketOf('+16505551234')).toEqual({ market: 'North America' });
		expect(marketOf('+14165551234')).toEqual({ market: 'North America' });
	});

	it('accepts loosely formatted input', () => {
		expect(marketOf('0049 151 1234 5678')).toEqual({ market: 'Germany', country: 'DE' });
	});

	it.each([['not a phone'], [''], ['+0123456789'], ['0151 1234567']])('returns undefined for %j', (input) => {
		expect(marketOf(input)).toBeUndefined();
	});

	it('does not fall back to Other when the card has no Other market', () => {
		const card: RateCard = {
			...DEFAULT_RATE_CARD,
			markets: { Germany: { utility: 0.05 } },
			countries: { DE: { market: 'Germany', calling_code: '49' } },
		};
		expect(marketOf('+37251234567', card)).toBeUndefined();
		expect(marketOf('+4915112345678', card)).toEqual({ market: 'Germany', country: 'DE' });
	});

	it('gives up when countries share a code and markets differ without any hint', () => {
		const card: RateCard = {
			...DEFAULT_RATE_CARD,
			markets: { A: { utility: 1 }, B: { utility: 2 } },
			countries: { XA: { market: 'A', calling_code: '44' }, XB: { market: 'B', calling_code: '44' } },
		};
		expect(marketOf('+447911123456', card)).toBeUndefined();
	});
});

describe('estimateCost', () => {
	it('prices a utility template to Germany at the list rate', () => {
		expect(estimateCost('+4915112345678', 'UTILITY')).toMatchObject({
			category: 'utility',
			market: 'Germany',
			country: 'DE',
			currency: 'USD',
			amount: 0.055,
			billable: true,
			rateCardEffective: '2026-10-01',
		});
	});

	it.each([
		['+4915112345678', 'marketing', 0.1365],
		['+16505551234', 'utility', 0.0034],
		['+18095551234', 'utility', 0.0113],
		['+37251234567', 'utility', 0.0077],
		['+919812345678', 'authentication', 0.0014],
		['+4915112345678', 'ACCOUNT_UPDATE', 0.055],
		['+4915112345678', 'otp', 0.055],
	])('%s %s → %p', (e164, category, amount) => {
		expect(estimateCost(e164, category).amount).toBe(amount);
	});

	it('still charges marketing inside the service window', () => {
		expect(estimateCost('+4915112345678', 'marketing', undefined, { insideServiceWindow: true })).toMatchObject({
			amount: 0.1365,
			billable: true,
		});
	});

	it('never invents a rate that the card does not have', () => {
		const estimate = estimateCost('+4915112345678', 'authentication_international');
		expect(estimate.amount).toBe('unknown');
		expect(estimate.note).toMatch(/no authentication_international rate for Germany/);
	});

	it('reports unknown for an unplaceable number', () => {
		const estimate = estimateCost('garbage', 'utility');
		expect(estimate).toMatchObject({ market: 'unknown', amount: 'unknown', billable: true });
		expect(estimate.note).toMatch(/could not be determined/);
	});

	it('reports unknown for an unknown category', () => {
		const estimate = estimateCost('+4915112345678', 'premium');
		expect(estimate).toMatchObject({ category: 'premium', amount: 'unknown', market: 'Germany' });
		expect(estimate.note).toMatch(/not a WhatsApp pricing category/);
	});

	it('notes the Kazakhstan/Russia uncertainty and the Other fallback', () => {
		expect(estimateCost('+77012345678', 'utility').note).toMatch(/Kazakhstan/);
		expect(estimateCost('+37251234567', 'utility').note).toMatch(/Other/);
	});

	it('notes that authentication may be charged at the international rate', () => {
		expect(estimateCost('+919812345678', 'authentication').note).toMatch(/authentication-international/);
	});

	it('uses the card passed in', () => {
		const { card } = parseRateCardOverride({
			effective: '2027-01-01',
			currency: 'EUR',
			markets: { Germany: { utility: 0.05, marketing: null } },
			countries: { DE: { market: 'Germany', calling_code: '49' } },
		});
		expect(card).toBeDefined();
		expect(estimateCost('+4915112345678', 'utility', card)).toMatchObject({
			amount: 0.05,
			currency: 'EUR',
			rateCardEffective: '2027-01-01',
		});
		expect(estimateCost('+4915112345678', 'marketing', card).amount).toBe('unknown');
		expect(estimateCost('+37251234567', 'utility', card).market).toBe('unknown');
	});
});

describe('parseRateCardOverride', () => {
	const valid = {
		source: 'My BSP card',
		effective: '2027-01-01',
		currency: 'EUR',
		markets: { Germany: { Utility: 0.05, marketing: 0.12 }, Other: { utility: 0.01 } },
		countries: {
			DE: { market: 'Germany', calling_code: '49' },
			DO: { market: 'Other', calling_code: '1', network_prefixes: ['809'] },
		},
	};

	it('accepts an object and a JSON string, lower-casing categories', () => {
		const fromObject = parseRateCardOverride(valid);
		expect(fromObject.problem).toBeUndefined();
		expect(fromObject.card?.markets.Germany).toEqual({ utility: 0.05, marketing: 0.12 });
		expect(fromObject.card?.countries.DO.network_prefixes).toEqual(['809']);
		expect(parseRateCardOverride(JSON.stringify(valid))).toEqual(fromObject);
	});

	it('defaults the source', () => {
		const { source, ...withoutSource } = valid;
		expect(source).toBeTruthy();
		expect(parseRateCardOverride(withoutSource).card?.source).toBe('User-supplied rate card');
	});

	it.each([
		['', /empty/],
		['{not json', /not valid JSON/],
		['[]', /JSON object/],
		[42, /JSON object/],
		[{ ...valid, effective: '1 Jan 2027' }, /effective/],
		[{ ...valid, effective: '2027-13-45' }, /effective/],
		[{ ...valid, currency: 'euro' }, /currency/],
		[{ ...valid, source: 5 }, /source/],
		[{ ...valid, markets: {} }, /markets/],
		[{ ...valid, markets: { Germany: 0.05 } }, /markets\["Germany"\]/],
		[{ ...valid, markets: { Germany: { utility: -1 } } }, /non-negative/],
		[{ ...valid, markets: { Germany: { utility: '0.05' } } }, /non-negative/],
		[{ ...valid, countries: [] }, /countries/],
		[{ ...valid, countries: { de: { market: 'Germany', calling_code: '49' } } }, /two-letter/],
		[{ ...valid, countries: { DE: { market: 'Deutschland', calling_code: '49' } } }, /not one of the markets/],
		[{ ...valid, countries: { DE: { market: 'Germany', calling_code: 49 } } }, /calling_code/],
		[{ ...valid, countries: { DE: { market: 'Germany', calling_code: '+49' } } }, /calling_code/],
		[
			{ ...valid, countries: { DE: { market: 'Germany', calling_code: '49', network_prefixes: [151] } } },
			/network_prefixes/,
		],
	])('refuses %j', (input, problem) => {
		const result = parseRateCardOverride(input);
		expect(result.card).toBeUndefined();
		expect(result.problem).toMatch(problem);
	});

	it('reports several problems at once, capped', () => {
		const result = parseRateCardOverride({ effective: 1, currency: 2, markets: 3, countries: 4, source: 5 });
		expect(result.problem).toMatch(/effective.*currency/);
		const many = parseRateCardOverride({
			...valid,
			markets: { A: { a: -1, b: -1, c: -1, d: -1, e: -1, f: -1, g: -1 } },
			countries: {},
		});
		expect(many.problem).toMatch(/and 2 more/);
	});
});

// Issue 12 item 9: Meta's pricing changed on 2026-10-01. The estimate follows the rules in force when the message is
// sent: free-form (service) messages and utility templates inside the open window are billed at the market's utility
// rate from then on; the 72-hour free entry point stays free.
describe('estimateCost across the 2026-10-01 pricing change', () => {
	const BEFORE = '2026-09-30T23:59:00Z';
	const AFTER = '2026-10-01T00:00:00Z';
	const germany = '+4915112345678';

	it.each([
		// [when, category, inside window, amount, billable, rules]
		[BEFORE, 'utility', true, 0, false, '2025-07-01'],
		[AFTER, 'utility', true, 0.055, true, '2026-10-01'],
		[BEFORE, 'utility', false, 0.055, true, '2025-07-01'],
		[AFTER, 'utility', false, 0.055, true, '2026-10-01'],
		[BEFORE, 'service', true, 0, false, '2025-07-01'],
		[AFTER, 'service', true, 0.055, true, '2026-10-01'],
		[BEFORE, 'marketing', true, 0.1365, true, '2025-07-01'],
		[AFTER, 'marketing', true, 0.1365, true, '2026-10-01'],
		[AFTER, 'authentication', true, 0.055, true, '2026-10-01'],
	])(
		'sent %s: %s (window open: %p) → %p',
		(sentAt, category, insideServiceWindow, amount, billable, rulesEffective) => {
			expect(estimateCost(germany, category, undefined, { sentAt, insideServiceWindow })).toMatchObject({
				amount,
				billable,
				rulesEffective,
				market: 'Germany',
			});
		},
	);

	it('bills a free-form message at the market’s utility rate from 2026-10-01, in every market', () => {
		for (const [e164, utility] of [
			['+919812345678', 0.0014],
			['+5511912345678', 0.0068],
			['+16505551234', 0.0034],
			['+37251234567', 0.0077],
		] as const) {
			const estimate = estimateCost(e164, 'service', undefined, { sentAt: AFTER, insideServiceWindow: true });
			expect(estimate).toMatchObject({ category: 'service', amount: utility, billable: true });
			expect(estimate.note).toMatch(/utility rate/);
		}
	});

	it('keeps the 72-hour free entry point free on both sides of the change, for every category', () => {
		for (const sentAt of [BEFORE, AFTER]) {
			for (const category of ['utility', 'marketing', 'authentication', 'service']) {
				const estimate = estimateCost(germany, category, undefined, {
					sentAt,
					insideServiceWindow: true,
					insideFreeEntryPoint: true,
				});
				expect(estimate).toMatchObject({ amount: 0, billable: false });
				expect(estimate.note).toMatch(/free entry point/);
			}
		}
	});

	it('says why a message is free or billed', () => {
		expect(estimateCost(germany, 'utility', undefined, { sentAt: BEFORE, insideServiceWindow: true }).note).toMatch(
			/free until 2026-09-30|window is free/,
		);
		expect(estimateCost(germany, 'utility', undefined, { sentAt: AFTER, insideServiceWindow: true }).note).toMatch(
			/no longer free/,
		);
	});

	it('uses the time of sending, not the time of the rate card', () => {
		jest.useFakeTimers().setSystemTime(new Date('2026-12-03T08:00:00Z'));
		try {
			expect(estimateCost(germany, 'service')).toMatchObject({
				amount: 0.055,
				billable: true,
				rulesEffective: '2026-10-01',
			});
		} finally {
			jest.useRealTimers();
		}
		expect(estimateCost(germany, 'service', undefined, { sentAt: Date.parse(BEFORE) }).amount).toBe(0);
		expect(estimateCost(germany, 'service', undefined, { sentAt: new Date(AFTER) }).amount).toBe(0.055);
	});

	it('says when the rate card is newer than the send, or old enough that Meta may have changed its rates', () => {
		expect(estimateCost(germany, 'utility', undefined, { sentAt: BEFORE }).note).toMatch(
			/rate card is effective from 2026-10-01, after/,
		);
		expect(estimateCost(germany, 'utility', undefined, { sentAt: AFTER }).note ?? '').not.toMatch(
			/rate card is effective/,
		);
		expect(estimateCost(germany, 'utility', undefined, { sentAt: '2027-01-01T00:00:00Z' }).note).toMatch(
			/newer rate card/,
		);
	});

	it('gives no number before per-message pricing (2025-07-01) or for an unreadable send time', () => {
		const old = estimateCost(germany, 'utility', undefined, { sentAt: '2025-06-30T23:59:59Z' });
		expect(old).toMatchObject({ amount: 'unknown', billable: true });
		expect(old.note).toMatch(/2025-07-01/);
		expect(estimateCost(germany, 'utility', undefined, { sentAt: 'yesterday' }).amount).toBe('unknown');
	});
});

describe('DEFAULT_PRICING_RULES', () => {
	it('is a list of rule sets in date order, each with its sources and well-formed rules', () => {
		const dates = DEFAULT_PRICING_RULES.ruleSets.map((set) => set.effective);
		expect(dates).toEqual(['2025-07-01', '2026-10-01']);
		for (const set of DEFAULT_PRICING_RULES.ruleSets) {
			expect(set.sources.length).toBeGreaterThan(0);
			for (const rule of set.rules) {
				expect(['free', 'rate']).toContain(rule.price);
				expect(rule.why.length).toBeGreaterThan(20);
			}
		}
	});

	it('finds the rule set in force at an instant (UTC)', () => {
		expect(pricingRulesAt('2026-09-30T23:59:59.999Z')?.effective).toBe('2025-07-01');
		expect(pricingRulesAt('2026-10-01T00:00:00.000Z')?.effective).toBe('2026-10-01');
		expect(pricingRulesAt('2025-06-30T23:59:59Z')).toBeUndefined();
	});
});
