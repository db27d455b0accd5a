/** Send Notification 1.1: reading the customer's country, language and local time from each item's parameters. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { chooseLanguage, parseLocale, type LanguageChoice, type Locale } from '../../shared/domain/locale';
import {
	formatDateTimeFor,
	isValidTimeZone,
	parseClockTime,
	resolveTimeZone,
	type ClockTime,
	type ResolvedTimeZone,
} from '../../shared/domain/localTime';
import { countriesOfNumber, numberingPlanOf, type NumberingPlan } from '../../shared/domain/numberingPlans';
import type { DefaultCountry } from '../../shared/domain/recipient';
import type { MessageTemplate, SlotValue } from '../../shared/domain/templates';
import { itemRefusal } from '../../shared/n8n/errors';

/** Refuses the item's input: what is wrong and how to fix it. */
export function refuse(ctx: IExecuteFunctions, itemIndex: number, problem: string, fix: string): never {
	throw itemRefusal(ctx.getNode(), itemIndex, problem, fix);
}

const isV11 = (ctx: IExecuteFunctions) => ctx.getNode().typeVersion >= 1.1;

/**
 * Default Country (per item, e.g. {{ $json.billing.country }}); empty on version 1. A code without numbering rules
 * does not stop a number written with + or 00 (an order from any country may carry one).
 */
export function readDefaultCountry(ctx: IExecuteFunctions, itemIndex: number): DefaultCountry {
	if (!isV11(ctx)) return {};
	const raw = ctx.getNodeParameter('defaultCountry', itemIndex, '') as unknown;
	if (raw === null || raw === undefined) return {};
	if (typeof raw !== 'string') {
		return {
			unusable: {
				problem: `Default Country is ${typeof raw === 'object' ? 'an object' : `a ${typeof raw}`}, not a country code`,
				fix: 'Map the field that holds the two-letter ISO country code, e.g. {{ $json.billing.country }}',
			},
		};
	}
	if (raw.trim() === '') return {};
	const plan = numberingPlanOf(raw);
	if (plan) return { plan };
	const looksLikeCode = /^[A-Za-z]{2}$/.test(raw.trim());
	return {
		unusable: looksLikeCode
			? {
					problem: `Default Country "${raw.trim()}" has no numbering rules in this node yet`,
					fix: 'Write this recipient’s number with + and the country code. The README lists the supported countries.',
				}
			: {
					problem: `Default Country "${raw}" is not a two-letter ISO 3166 country code`,
					fix: 'Use the ISO code, e.g. DE, BR, US, GB, IN (WooCommerce billing.country and Shopify country_code hold it)',
				},
	};
}

// ---- Template Language: Match Recipient -------------------------------------------------------------------

export type LanguageRequest = { mode: 'asSelected' } | { mode: 'matchRecipient'; text: string; locale?: Locale };

export function readLanguageRequest(ctx: IExecuteFunctions, itemIndex: number): LanguageRequest {
	if (!isV11(ctx)) return { mode: 'asSelected' };
	const mode = ctx.getNodeParameter('templateLanguage', itemIndex, 'asSelected') as string;
	if (mode !== 'matchRecipient') return { mode: 'asSelected' };
	const raw = ctx.getNodeParameter('recipientLanguage', itemIndex, '') as unknown;
	const text = typeof raw === 'string' ? raw.trim() : raw === null || raw === undefined ? '' : String(raw);
	if (!text) return { mode: 'matchRecipient', text };
	const locale = parseLocale(text);
	if (!locale) {
		refuse(
			ctx,
			itemIndex,
			`Recipient Language "${text}" is not a language code`,
			'Use a locale like pt-BR, pt_BR or de (Shopify: customer_locale), or leave it empty for the template’s language',
		);
	}
	return { mode: 'matchRecipient', text, locale };
}

/** Picks the translation among the approved ones of the template's name (one lookup per execution, see prepare). */
export function pickTranslation(
	request: Extract<LanguageRequest, { mode: 'matchRecipient' }>,
	selected: MessageTemplate,
	translations: readonly MessageTemplate[],
): { template: MessageTemplate; choice: LanguageChoice } {
	const approved = translations.filter((t) => String(t.status).toUpperCase() === 'APPROVED');
	const choice = chooseLanguage(
		request.locale,
		request.text,
		approved.map((t) => t.language),
		selected.language,
	);
	const template = approved.find((t) => t.language === choice.language) ?? selected;
	return { template, choice };
}

// ---- Recipient's local time -------------------------------------------------------------------------------

/** The zone of the recipient's country when it keeps one civil time, or why not. */
function countryZoneOf(recipient: RecipientCountry): {
	countryZone?: { zone: string; country: string };
	noCountryZoneBecause?: string;
} {
	const plans = recipient.country
		? [numberingPlanOf(recipient.country)].filter((p): p is NumberingPlan => p !== undefined)
		: recipient.e164 && recipient.callingCode
			? countriesOfNumber(recipient.e164, recipient.callingCode)
			: [];
	if (plans.length === 0) {
		return {
			noCountryZoneBecause: recipient.country
				? `No time zone known for ${recipient.country}`
				: 'The number’s country is not in the numbering table',
		};
	}
	if (plans.length > 1)
		return { noCountryZoneBecause: `+${plans[0].callingCode} is shared by ${plans.map((p) => p.country).join(', ')}` };
	const plan = plans[0];
	return plan.timeZone
		? { countryZone: { zone: plan.timeZone, country: plan.country } }
		: { noCountryZoneBecause: `${plan.name} has several time zones` };
}

export interface RecipientCountry {
	/** ISO code when known directly (Default Country placed the number, or a BSUID's prefix). */
	country?: string;
	e164?: string;
	callingCode?: string;
}

function readZoneParameter(ctx: IExecuteFunctions, itemIndex: number, value: unknown, label: string): string {
	const zone = typeof value === 'string' ? value.trim() : '';
	if (value !== undefined && value !== null && typeof value !== 'string') {
		refuse(
			ctx,
			itemIndex,
			`${label} is not text`,
			'Use an IANA time zone name, e.g. Europe/Lisbon or America/Sao_Paulo',
		);
	}
	if (zone && !isValidTimeZone(zone)) {
		refuse(
			ctx,
			itemIndex,
			`${label} "${zone}" is not an IANA time zone`,
			'Use a name like Europe/Lisbon, America/Sao_Paulo or Asia/Kolkata (not an abbreviation like CET or an offset like +01:00)',
		);
	}
	return zone;
}

/** The recipient's time zone and why (version 1.1), or undefined on version 1. */
export function readRecipientZone(
	ctx: IExecuteFunctions,
	itemIndex: number,
	recipient: RecipientCountry,
): ResolvedTimeZone | undefined {
	if (!isV11(ctx)) return undefined;
	const itemZone = readZoneParameter(
		ctx,
		itemIndex,
		ctx.getNodeParameter('recipientTimeZone', itemIndex, ''),
		'Recipient Time Zone',
	);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const nodeDefault = readZoneParameter(ctx, itemIndex, options.defaultTimeZone ?? '', 'Default Time Zone');
	return resolveTimeZone({
		itemZone,
		nodeDefault,
		workflowZone: ctx.getTimezone(),
		...(itemZone ? {} : countryZoneOf(recipient)),
	});
}

export interface QuietHours {
	start: ClockTime;
	end: ClockTime;
	label: string;
}

/** Quiet Hours for this item's notification type; undefined when off, on version 1, or the type is exempt. */
export function readQuietHours(
	ctx: IExecuteFunctions,
	itemIndex: number,
	notificationType: string,
): QuietHours | undefined {
	if (!isV11(ctx) || ctx.getNodeParameter('quietHours', itemIndex, false) !== true) return undefined;
	const exempt = ctx.getNodeParameter('quietHoursExemptTypes', itemIndex, []) as string[];
	const clock = (name: string, label: string, fallback: string) => {
		const text = String(ctx.getNodeParameter(name, itemIndex, fallback) ?? '');
		const parsed = parseClockTime(text);
		if (!parsed)
			refuse(ctx, itemIndex, `${label} "${text}" is not a time of day`, 'Use the 24-hour clock, e.g. 21:00 or 08:00');
		return { text: text.trim(), parsed };
	};
	const start = clock('quietHoursStart', 'Quiet From', '21:00');
	const end = clock('quietHoursEnd', 'Quiet Until', '08:00');
	if (Array.isArray(exempt) && exempt.includes(notificationType)) return undefined;
	return { start: start.parsed, end: end.parsed, label: `${start.text}–${end.text}` };
}

export function isQuietHoursOn(ctx: IExecuteFunctions): boolean {
	return isV11(ctx) && ctx.getNodeParameter('quietHours', 0, false) === true;
}

// ---- date_time variables ----------------------------------------------------------------------------------

/**
 * A date_time variable whose value (or fallback_value) is an ISO timestamp gets, as Meta's fallback text, that
 * instant in the recipient's zone and language; other values pass unchanged.
 */
export function localiseDateTimes(
	values: Record<string, SlotValue>,
	zone: string,
	locale: string,
): Record<string, SlotValue> {
	const out: Record<string, SlotValue> = {};
	for (const [key, value] of Object.entries(values)) {
		if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'date_time') {
			const raw = value as { value?: unknown; fallback_value?: unknown };
			const source =
				typeof raw.value === 'string' ? raw.value : typeof raw.fallback_value === 'string' ? raw.fallback_value : '';
			const text = /^\d{4}-\d{2}-\d{2}/.test(source.trim()) ? formatDateTimeFor(source, zone, locale) : undefined;
			out[key] = text ? { type: 'date_time', fallback_value: text } : value;
			continue;
		}
		out[key] = value;
	}
	return out;
}
