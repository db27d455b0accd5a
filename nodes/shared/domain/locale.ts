/**
 * Picking the translation of a template for a customer's locale. Shops and CRMs send locales in many shapes
 * (`pt-BR` from Shopify, `pt_BR` from WordPress, `de`, `en-GB,en;q=0.9` from a browser); Meta names template
 * languages `pt_BR`, `de`, `en_US`, `fil` … The fallback chain: the exact language and region, else the same
 * language in any region (a region-less translation first), else the node's default language.
 */

export interface Locale {
	language: string;
	region?: string;
}

/** Old or alternative ISO 639 codes people still send, mapped to the codes Meta uses. */
const LANGUAGE_ALIASES: Readonly<Record<string, string>> = { iw: 'he', in: 'id', no: 'nb', tl: 'fil', ji: 'yi' };

/** Reads a locale like pt-BR, pt_BR, PT_br, de, zh-Hant-TW, en-GB;q=0.9; undefined when it is not one. */
export function parseLocale(value: string): Locale | undefined {
	const first = value.split(',')[0].split(';')[0].trim();
	if (first.length === 0 || first.length > 35) return undefined;
	const parts = first.split(/[-_]/);
	const language = parts[0].toLowerCase();
	if (!/^[a-z]{2,3}$/.test(language)) return undefined;
	let region: string | undefined;
	for (const part of parts.slice(1)) {
		if (/^[A-Za-z]{2}$/.test(part) || /^\d{3}$/.test(part)) {
			region = part.toUpperCase();
			break;
		}
		if (!/^[A-Za-z0-9]{4,8}$/.test(part)) return undefined;
	}
	return { language: LANGUAGE_ALIASES[language] ?? language, ...(region ? { region } : {}) };
}

export type LanguageMatch = 'exact' | 'sameLanguage' | 'default';

export interface LanguageChoice {
	/** The Meta language code to send. */
	language: string;
	match: LanguageMatch;
	reason: string;
}

/**
 * The best of `available` (Meta language codes of approved translations) for `requested`, else `defaultLanguage`.
 * `requested` must have been parsed (see parseLocale); undefined means the item gave no language.
 */
export function chooseLanguage(
	requested: Locale | undefined,
	requestedText: string,
	available: readonly string[],
	defaultLanguage: string,
): LanguageChoice {
	if (!requested) {
		return {
			language: defaultLanguage,
			match: 'default',
			reason: 'No recipient language given: the template’s default language',
		};
	}
	const parsed = available
		.map((code) => ({ code, locale: parseLocale(code) }))
		.filter((entry): entry is { code: string; locale: Locale } => entry.locale !== undefined);
	const exact = parsed.find((e) => e.locale.language === requested.language && e.locale.region === requested.region);
	if (exact) return { language: exact.code, match: 'exact', reason: `Approved translation for "${requestedText}"` };
	const sameLanguage = parsed
		.filter((e) => e.locale.language === requested.language)
		.sort(
			(a, b) =>
				Number(a.locale.region !== undefined) - Number(b.locale.region !== undefined) ||
				Number(a.code !== defaultLanguage) - Number(b.code !== defaultLanguage) ||
				a.code.localeCompare(b.code),
		);
	if (sameLanguage.length > 0) {
		const chosen = sameLanguage[0].code;
		return {
			language: chosen,
			match: 'sameLanguage',
			reason: requested.region
				? `No approved translation for "${requestedText}": same language, ${chosen}`
				: `Approved translation in ${requested.language}: ${chosen}`,
		};
	}
	return {
		language: defaultLanguage,
		match: 'default',
		reason: `No approved translation in ${requested.language} (approved: ${available.join(', ') || 'none'}): the template’s default language`,
	};
}
