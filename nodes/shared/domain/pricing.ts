/**
 * Per-message pricing (since 2025-07-01): a delivered message costs the rate of its category in
 * the recipient's market, and the market is found from the recipient's country calling code.
 * Countries Meta does not list are billed as "Other". Which messages are free (service messages,
 * utility templates inside the customer-service window, free entry points) depends on when the
 * message is sent: pricingRules.json holds those rules with their effective dates and sources.
 * We never invent a number: a missing rate or an unplaceable number gives `amount: 'unknown'`
 * with a note saying why.
 *
 * The bundled card (rateCard.json) is list prices only: volume tiers lower utility and
 * authentication rates, and authentication-international rates are missing from it.
 */

import rateCardJson from './rateCard.json';
import pricingRulesJson from './pricingRules.json';
import { normaliseCategory } from './notificationTypes';
import { normalisePhone } from './phone';
import { isRecord } from './guards';

export interface RateCard {
	source: string;
	effective: string;
	currency: string;
	markets: Record<string, Record<string, number | null>>;
	countries: Record<string, { market: string; calling_code: string; network_prefixes?: string[] }>;
}

/** One pricing rule: which messages it covers, and whether they are free or billed (at which rate column). */
export interface PricingRule {
	when: { category?: string; insideServiceWindow?: boolean; insideFreeEntryPoint?: boolean };
	price: 'free' | 'rate';
	/** Rate-card columns to try in order; default the message's own category. */
	rateOf?: string[];
	why: string;
}

export interface PricingRuleSet {
	/** First day (UTC) the rules apply; they apply until the next set's date. */
	effective: string;
	summary: string;
	sources: string[];
	confidence: string;
	rules: PricingRule[];
}

export interface PricingRules {
	ruleSets: PricingRuleSet[];
}

export const DEFAULT_RATE_CARD: RateCard = rateCardJson;
export const DEFAULT_PRICING_RULES = pricingRulesJson as PricingRules;

export interface CostEstimate {
	category: string;
	market: string | 'unknown';
	country?: string;
	currency: string;
	amount: number | 'unknown';
	billable: boolean;
	rateCardEffective: string;
	/** The pricing rule set applied (its effective date); absent when none was in force. */
	rulesEffective?: string;
	note?: string;
}

export interface EstimateOptions {
	insideServiceWindow?: boolean;
	/** A 72-hour free entry point (click-to-WhatsApp ad) is running for this contact. */
	insideFreeEntryPoint?: boolean;
	/** When the message is sent (epoch ms, ISO text or Date); default now. */
	sentAt?: number | string | Date;
	rules?: PricingRules;
}

const OTHER_MARKET = 'Other';

/**
 * NANP (+1) area codes that belong to countries and territories other than the US and Canada.
 * Meta prices +1 by country; the ones it does not list (everything here except DO, JM, PR,
 * which the rate card carries as network prefixes) fall to "Other". Whether Meta bills the US
 * territories (AS, GU, MP, VI) as the US is not documented; we follow the "not listed → Other" rule.
 */
const NANP_AREA_CODES_OUTSIDE_US_CA: Readonly<Record<string, string>> = {
	'242': 'BS',
	'246': 'BB',
	'264': 'AI',
	'268': 'AG',
	'284': 'VG',
	'340': 'VI',
	'345': 'KY',
	'441': 'BM',
	'473': 'GD',
	'649': 'TC',
	'658': 'JM',
	'664': 'MS',
	'670': 'MP',
	'671': 'GU',
	'684': 'AS',
	'721': 'SX',
	'758': 'LC',
	'767': 'DM',
	'784': 'VC',
	'787': 'PR',
	'809': 'DO',
	'829': 'DO',
	'849': 'DO',
	'868': 'TT',
	'869': 'KN',
	'876': 'JM',
	'939': 'PR',
};

/**
 * Countries that share a calling code without network prefixes in the card. Kazakhstan's
 * national plan uses +7 6xx / +7 7xx; how Meta itself separates KZ from RU is not documented.
 */
const NATIONAL_PREFIX_HINTS: Readonly<Record<string, readonly string[]>> = {
	KZ: ['6', '7'],
};

function otherMarket(card: RateCard, country?: string): { market: string; country?: string } | undefined {
	if (!card.markets[OTHER_MARKET]) return undefined;
	return country ? { market: OTHER_MARKET, country } : { market: OTHER_MARKET };
}

/**
 * A business-scoped user id (BSUID, e.g. US.13491208655302741918) has no number but starts with the user's ISO
 * country: that country's market. Anything else is read as a phone number (see marketOf).
 */
export function marketOfContact(
	contact: string,
	card: RateCard = DEFAULT_RATE_CARD,
): { market: string; country?: string } | undefined {
	const bsuidCountry = /^([A-Z]{2})\.[A-Za-z0-9.]+$/.exec(String(contact ?? '').trim());
	if (!bsuidCountry) return marketOf(contact, card);
	const entry = card.countries[bsuidCountry[1]];
	return entry ? { market: entry.market, country: bsuidCountry[1] } : otherMarket(card, bsuidCountry[1]);
}

type CountryEntry = [iso: string, entry: RateCard['countries'][string]];

/** A card's countries by calling code, in the card's order; built once per card (a send reads it per item). */
const callingCodeIndexes = new WeakMap<RateCard, { byCode: Map<string, CountryEntry[]>; longest: number }>();

function callingCodeIndex(card: RateCard): { byCode: Map<string, CountryEntry[]>; longest: number } {
	const known = callingCodeIndexes.get(card);
	if (known) return known;
	const byCode = new Map<string, CountryEntry[]>();
	for (const [iso, entry] of Object.entries(card.countries)) {
		const code = entry.calling_code;
		if (code) byCode.set(code, [...(byCode.get(code) ?? []), [iso, entry]]);
	}
	const index = { byCode, longest: Math.max(0, ...[...byCode.keys()].map((code) => code.length)) };
	callingCodeIndexes.set(card, index);
	return index;
}

export function marketOf(
	e164: string,
	card: RateCard = DEFAULT_RATE_CARD,
): { market: string; country?: string } | undefined {
	const phone = normalisePhone(e164);
	if (!phone.ok) return undefined;
	const digits = phone.e164.slice(1);

	// The longest calling code the number starts with; several countries may share it (+1, +7, +44 …).
	const index = callingCodeIndex(card);
	let bestLength = 0;
	let candidates: CountryEntry[] = [];
	for (let length = Math.min(index.longest, digits.length); length > 0 && bestLength === 0; length--) {
		const found = index.byCode.get(digits.slice(0, length));
		if (found) [bestLength, candidates] = [length, found];
	}
	if (candidates.length === 0) return otherMarket(card);

	const national = digits.slice(bestLength);
	const byPrefix = candidates.find(
		([, entry]) =>
			Array.isArray(entry.network_prefixes) && entry.network_prefixes.some((prefix) => national.startsWith(prefix)),
	);
	if (byPrefix) return { market: byPrefix[1].market, country: byPrefix[0] };

	if (phone.callingCode === '1') {
		const territory = NANP_AREA_CODES_OUTSIDE_US_CA[national.slice(0, 3)];
		if (territory) {
			const listed = card.countries[territory];
			return listed && listed.calling_code === '1' && !listed.network_prefixes
				? { market: listed.market, country: territory }
				: otherMarket(card, territory);
		}
	}

	let general = candidates.filter(
		([, entry]) => !Array.isArray(entry.network_prefixes) || entry.network_prefixes.length === 0,
	);
	if (general.length > 1) {
		const hinted = general.find(([iso]) => NATIONAL_PREFIX_HINTS[iso]?.some((prefix) => national.startsWith(prefix)));
		if (hinted) return { market: hinted[1].market, country: hinted[0] };
		general = general.filter(([iso]) => !NATIONAL_PREFIX_HINTS[iso]);
	}
	if (general.length === 1) return { market: general[0][1].market, country: general[0][0] };
	if (general.length > 1) {
		const markets = new Set(general.map(([, entry]) => entry.market));
		// Same market (US/CA both "North America"): the market is certain even if the country is not.
		return markets.size === 1 ? { market: general[0][1].market } : undefined;
	}
	return otherMarket(card);
}

function categoryKey(category: string): string | undefined {
	if (typeof category !== 'string') return undefined;
	const lower = category.trim().toLowerCase();
	if (lower === 'service' || lower === 'authentication_international') return lower;
	const normalised = normaliseCategory(category);
	return normalised === 'UNKNOWN' ? undefined : normalised.toLowerCase();
}

function instantOf(sentAt: EstimateOptions['sentAt']): number {
	if (sentAt === undefined) return Date.now();
	if (sentAt instanceof Date) return sentAt.getTime();
	return typeof sentAt === 'number' ? sentAt : Date.parse(sentAt);
}

function startOfDayUtc(isoDate: string): number {
	return Date.parse(`${isoDate}T00:00:00Z`);
}

/** The rule set in force at an instant: the latest one whose effective date has begun (UTC). */
export function pricingRulesAt(
	sentAt: EstimateOptions['sentAt'],
	rules: PricingRules = DEFAULT_PRICING_RULES,
): PricingRuleSet | undefined {
	const at = instantOf(sentAt);
	if (!Number.isFinite(at)) return undefined;
	let inForce: PricingRuleSet | undefined;
	for (const set of rules.ruleSets) {
		if (startOfDayUtc(set.effective) <= at && (!inForce || set.effective > inForce.effective)) inForce = set;
	}
	return inForce;
}

function ruleFor(set: PricingRuleSet, category: string, opts: EstimateOptions): PricingRule | undefined {
	return set.rules.find(
		({ when }) =>
			(when.category === undefined || when.category === category) &&
			(when.insideServiceWindow === undefined || when.insideServiceWindow === (opts.insideServiceWindow === true)) &&
			(when.insideFreeEntryPoint === undefined || when.insideFreeEntryPoint === (opts.insideFreeEntryPoint === true)),
	);
}

/** Meta changes rates only on 1 January, April, July and October: the first such day after the card's date. */
function nextPossibleRateChange(effective: string): { iso: string; at: number } | undefined {
	const match = /^(\d{4})-(\d{2})-\d{2}$/.exec(effective);
	if (!match) return undefined;
	let year = Number(match[1]);
	let month = (Math.floor((Number(match[2]) - 1) / 3) + 1) * 3 + 1;
	if (month > 12) {
		month -= 12;
		year += 1;
	}
	const iso = `${year}-${String(month).padStart(2, '0')}-01`;
	return { iso, at: startOfDayUtc(iso) };
}

function cardDateNote(card: RateCard, at: number): string | undefined {
	if (at < startOfDayUtc(card.effective)) {
		return `The rate card is effective from ${card.effective}, after this send; the rates in force then may differ.`;
	}
	const next = nextPossibleRateChange(card.effective);
	if (next && at >= next.at) {
		return `The rate card is effective from ${card.effective}; Meta may have changed rates on ${next.iso} or later, so check for a newer rate card.`;
	}
	return undefined;
}

/** What to know about a listed price: the rule that applies, how the market was told, list price vs. tiers, the card's date. */
function priceNotes(
	rule: ReturnType<typeof ruleFor>,
	location: { market: string; country?: string },
	key: string,
	card: RateCard,
	at: number,
): string[] {
	const notes: string[] = rule ? [rule.why] : [];
	if (location.country === 'KZ' || location.country === 'RU') {
		notes.push(
			'Meta does not document how it tells Kazakhstan from Russia on +7; +7 6xx/7xx is assumed to be Kazakhstan.',
		);
	}
	if (location.market === OTHER_MARKET) notes.push('The country is not listed by Meta, so it is billed as "Other".');
	if (key === 'authentication') {
		notes.push(
			'If your business is registered outside this market, Meta may charge an authentication-international rate instead.',
		);
	}
	if (key === 'utility' || key === 'authentication') notes.push('List price; monthly volume tiers can lower it.');
	const dateNote = cardDateNote(card, at);
	if (dateNote) notes.push(dateNote);
	return notes;
}

export function estimateCost(
	e164: string,
	category: string,
	card: RateCard = DEFAULT_RATE_CARD,
	opts: EstimateOptions = {},
): CostEstimate {
	const base = { currency: card.currency, rateCardEffective: card.effective };
	const key = categoryKey(category);
	const location = marketOfContact(e164, card);
	const where = location
		? { market: location.market, ...(location.country ? { country: location.country } : {}) }
		: { market: 'unknown' as const };

	if (!key) {
		return {
			category:
				String(category ?? '')
					.trim()
					.toLowerCase() || 'unknown',
			...where,
			...base,
			amount: 'unknown',
			billable: true,
			note: `"${String(category)}" is not a WhatsApp pricing category (utility, marketing, authentication).`,
		};
	}

	const at = instantOf(opts.sentAt);
	const ruleSet = pricingRulesAt(at, opts.rules);
	if (!ruleSet) {
		const first = (opts.rules ?? DEFAULT_PRICING_RULES).ruleSets.map((set) => set.effective).sort()[0];
		const problem = Number.isFinite(at)
			? `There are no pricing rules for a send at ${new Date(at).toISOString()}: the estimate covers per-message pricing from ${first}.`
			: `The send time "${String(opts.sentAt)}" is not a date, so the pricing rules in force are unknown.`;
		return { category: key, ...where, ...base, amount: 'unknown', billable: true, note: problem };
	}
	const priced = { category: key, ...where, ...base, rulesEffective: ruleSet.effective };
	const rule = ruleFor(ruleSet, key, opts);
	if (rule?.price === 'free') return { ...priced, amount: 0, billable: false, note: rule.why };

	if (!location) {
		return {
			...priced,
			amount: 'unknown',
			billable: true,
			note: `The market of "${String(e164)}" could not be determined from the rate card, so the price is unknown.`,
		};
	}

	const columns = rule?.rateOf?.length ? rule.rateOf : [key];
	const rates = card.markets[location.market] ?? {};
	const column = columns.find((name) => typeof rates[name] === 'number' && Number.isFinite(rates[name]));
	const notes = priceNotes(rule, location, key, card, at);

	if (!column) {
		notes.unshift(
			`The rate card (effective ${card.effective}) has no ${columns.join(' or ')} rate for ${location.market}.`,
		);
		return { ...priced, amount: 'unknown', billable: true, note: notes.join(' ') };
	}
	return {
		...priced,
		amount: rates[column] as number,
		billable: true,
		...(notes.length ? { note: notes.join(' ') } : {}),
	};
}

const MAX_REPORTED_PROBLEMS = 5;

/** The rate card's markets and their category rates; what is wrong goes to `problems`. */
function parseMarkets(raw: unknown, problems: string[]): RateCard['markets'] {
	const markets: RateCard['markets'] = {};
	if (!isRecord(raw) || Object.keys(raw).length === 0) {
		problems.push('"markets" must be an object of markets, e.g. {"Germany": {"utility": 0.055}}');
		return markets;
	}
	for (const [market, rates] of Object.entries(raw)) {
		if (!isRecord(rates)) {
			problems.push(`markets["${market}"] must be an object of category rates`);
			continue;
		}
		markets[market] = {};
		for (const [category, rate] of Object.entries(rates)) {
			if (rate === null || (typeof rate === 'number' && Number.isFinite(rate) && rate >= 0)) {
				markets[market][category.toLowerCase()] = rate;
			} else {
				problems.push(`markets["${market}"].${category} must be a non-negative number or null`);
			}
		}
	}
	return markets;
}

/** The rate card's countries, each in one of `markets`; what is wrong goes to `problems`. */
function parseCountries(raw: unknown, markets: RateCard['markets'], problems: string[]): RateCard['countries'] {
	const countries: RateCard['countries'] = {};
	if (!isRecord(raw)) {
		problems.push('"countries" must be an object like {"DE": {"market": "Germany", "calling_code": "49"}}');
		return countries;
	}
	for (const [iso, entry] of Object.entries(raw)) {
		if (!/^[A-Z]{2}$/.test(iso)) problems.push(`countries key "${iso}" must be a two-letter ISO code`);
		if (!isRecord(entry)) {
			problems.push(`countries["${iso}"] must be an object with market and calling_code`);
			continue;
		}
		const { market, calling_code: callingCode, network_prefixes: prefixes } = entry;
		if (typeof market !== 'string' || !(market in markets)) {
			problems.push(`countries["${iso}"].market "${String(market)}" is not one of the markets`);
		}
		if (typeof callingCode !== 'string' || !/^[1-9]\d{0,2}$/.test(callingCode)) {
			problems.push(`countries["${iso}"].calling_code must be 1–3 digits as text, e.g. "49"`);
		}
		if (
			prefixes !== undefined &&
			(!Array.isArray(prefixes) || !prefixes.every((prefix) => typeof prefix === 'string' && /^\d{1,4}$/.test(prefix)))
		) {
			problems.push(`countries["${iso}"].network_prefixes must be a list of digit strings`);
		}
		countries[iso] = {
			market: String(market),
			calling_code: String(callingCode),
			...(Array.isArray(prefixes) ? { network_prefixes: prefixes.map(String) } : {}),
		};
	}
	return countries;
}

/** Validates a user-supplied rate card (JSON text or object) with the same shape as rateCard.json. */
export function parseRateCardOverride(json: unknown): { card?: RateCard; problem?: string } {
	let data: unknown = json;
	if (typeof data === 'string') {
		if (data.trim() === '')
			return { problem: 'The rate card is empty. Paste the JSON of a rate card or leave the option unset.' };
		try {
			data = JSON.parse(data);
		} catch (error) {
			return {
				problem: `The rate card is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
			};
		}
	}
	if (!isRecord(data)) {
		return { problem: 'The rate card must be a JSON object with effective, currency, markets and countries.' };
	}

	const problems: string[] = [];
	const effective = data.effective;
	if (
		typeof effective !== 'string' ||
		!/^\d{4}-\d{2}-\d{2}$/.test(effective) ||
		!Number.isFinite(Date.parse(effective))
	) {
		problems.push('"effective" must be a date like "2026-10-01"');
	}
	const currency = data.currency;
	if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
		problems.push('"currency" must be a three-letter code like "USD"');
	}
	if (data.source !== undefined && typeof data.source !== 'string') problems.push('"source" must be text');

	const markets = parseMarkets(data.markets, problems);
	const countries = parseCountries(data.countries, markets, problems);

	if (problems.length > 0) {
		const shown = problems.slice(0, MAX_REPORTED_PROBLEMS).join('; ');
		const more =
			problems.length > MAX_REPORTED_PROBLEMS ? ` (and ${problems.length - MAX_REPORTED_PROBLEMS} more)` : '';
		return { problem: `The rate card is invalid: ${shown}${more}.` };
	}
	return {
		card: {
			source: typeof data.source === 'string' ? data.source : 'User-supplied rate card',
			effective: effective as string,
			currency: currency as string,
			markets,
			countries,
		},
	};
}
