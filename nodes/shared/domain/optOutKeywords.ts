/**
 * Opt-out and opt-in keywords as data (English, Portuguese, Spanish, German), and the rules that decide whether an
 * inbound text or button payload is such a request.
 *
 * Matching is deliberately strict: the WHOLE message, once normalised, must be a keyword (optionally with a
 * polite filler such as "please" or "bitte"). "STOP", "Stop!", "stop please" and "Parar." match; "don't stop my
 * order", "when does the shop stop selling…" or "cancel my 3 pm appointment" do not. Meta has no mandated
 * keyword; the package treats these as requests the workflow (and the consent ledger) must honour.
 */

export type KeywordIntent = 'optOut' | 'optIn';

export interface KeywordList {
	language: 'en' | 'pt' | 'es' | 'de';
	optOut: readonly string[];
	optIn: readonly string[];
}

export const DEFAULT_KEYWORDS: readonly KeywordList[] = [
	{
		language: 'en',
		optOut: [
			'stop',
			'stop all',
			'stopall',
			'unsubscribe',
			'cancel',
			'end',
			'quit',
			'opt out',
			'optout',
			'stop messages',
			'stop promotions',
			'stop notifications',
			'remove me',
			'no more messages',
		],
		optIn: ['start', 'unstop', 'subscribe', 'resubscribe', 'opt in', 'optin'],
	},
	{
		language: 'pt',
		optOut: [
			'parar',
			'pare',
			'sair',
			'cancelar',
			'descadastrar',
			'descadastre',
			'remover',
			'parar mensagens',
			'nao quero mais',
			'nao quero receber',
		],
		optIn: ['comecar', 'iniciar', 'voltar', 'assinar', 'quero receber'],
	},
	{
		language: 'es',
		optOut: [
			'baja',
			'darme de baja',
			'dar de baja',
			'parar',
			'cancelar',
			'detener',
			'alto',
			'no mas mensajes',
			'no quiero recibir',
		],
		optIn: ['alta', 'darme de alta', 'empezar', 'suscribir', 'suscribirme', 'comenzar'],
	},
	{
		language: 'de',
		optOut: ['stopp', 'abmelden', 'abbestellen', 'austragen', 'beenden', 'keine nachrichten', 'keine nachrichten mehr'],
		optIn: ['anmelden', 'starten', 'wieder anmelden'],
	},
];

/** The rules of matching, as data. */
export const MATCH_RULES = {
	/** The whole message must equal a keyword after normalisation (never a word inside a sentence). */
	wholeMessage: true,
	/** Words dropped before comparing, at the start or end of the message. */
	fillers: [
		'please',
		'pls',
		'plz',
		'thanks',
		'thank you',
		'por favor',
		'obrigado',
		'obrigada',
		'gracias',
		'bitte',
		'danke',
	],
	/** Longer texts are never a keyword request (keywords are short; a sentence is a conversation). */
	maxWords: 6,
	/** Button payloads like "STOP_PROMOTIONS" or "opt-out" are read with _ and - as spaces. */
	payloadSeparators: /[_\-.]+/g,
} as const;

/**
 * Lower case, accents removed (não → nao, ñ → n), punctuation, emoji and extra spaces dropped.
 * "¡BAJA!" → "baja", "  Stop. 🙏 " → "stop".
 */
export function normaliseKeywordText(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/ß/g, 'ss')
		.replace(/[^\p{L}\p{N}\s]+/gu, ' ')
		.replace(/\s+/g, ' ')
		.trim();
}

function stripFillers(text: string): string {
	let current = text;
	let changed = true;
	while (changed && current) {
		changed = false;
		for (const filler of MATCH_RULES.fillers) {
			if (current === filler) return '';
			if (current.startsWith(`${filler} `)) {
				current = current.slice(filler.length + 1);
				changed = true;
			} else if (current.endsWith(` ${filler}`)) {
				current = current.slice(0, -filler.length - 1);
				changed = true;
			}
		}
	}
	return current;
}

export interface KeywordMatch {
	intent: KeywordIntent;
	keyword: string;
	/** The language of the list the keyword came from; 'custom' for user-given keywords. */
	language: string;
}

export interface KeywordConfig {
	/** Use DEFAULT_KEYWORDS (default true). */
	useDefaults?: boolean;
	/** Extra opt-out keywords (any language, matched the same way). */
	extraOptOut?: readonly string[];
	/** Extra opt-in keywords. */
	extraOptIn?: readonly string[];
}

interface CompiledKeywords {
	byText: Map<string, KeywordMatch>;
}

/** Builds the lookup once (opt-out wins when a word is in both lists). */
export function compileKeywords(config: KeywordConfig = {}): CompiledKeywords {
	const byText = new Map<string, KeywordMatch>();
	const add = (raw: string, intent: KeywordIntent, language: string) => {
		const key = normaliseKeywordText(raw);
		if (!key) return;
		const existing = byText.get(key);
		if (existing && (existing.intent === 'optOut' || intent === 'optIn')) return;
		byText.set(key, { intent, keyword: key, language });
	};
	// Opt-out first, so that an overlap resolves to the safer reading.
	if (config.useDefaults !== false)
		for (const list of DEFAULT_KEYWORDS) for (const k of list.optOut) add(k, 'optOut', list.language);
	for (const k of config.extraOptOut ?? []) add(k, 'optOut', 'custom');
	if (config.useDefaults !== false)
		for (const list of DEFAULT_KEYWORDS) for (const k of list.optIn) add(k, 'optIn', list.language);
	for (const k of config.extraOptIn ?? []) add(k, 'optIn', 'custom');
	return { byText };
}

const DEFAULT_COMPILED = compileKeywords();

/** Splits a user-typed list: commas, semicolons or new lines. */
export function splitKeywordList(value: string | undefined | null): string[] {
	return String(value ?? '')
		.split(/[,;\n]+/)
		.map((s) => s.trim())
		.filter(Boolean);
}

/** Whether a text (a whole inbound message) is an opt-out or opt-in request. */
export function matchKeyword(
	text: string | undefined | null,
	compiled: CompiledKeywords = DEFAULT_COMPILED,
): KeywordMatch | undefined {
	if (typeof text !== 'string') return undefined;
	const normalised = normaliseKeywordText(text);
	if (!normalised || normalised.split(' ').length > MATCH_RULES.maxWords) return undefined;
	return compiled.byText.get(normalised) ?? compiled.byText.get(stripFillers(normalised));
}

/** The same for a quick-reply button or interactive reply payload/id ("STOP_PROMOTIONS", "opt-out"). */
export function matchPayload(
	payload: string | undefined | null,
	compiled: CompiledKeywords = DEFAULT_COMPILED,
): KeywordMatch | undefined {
	if (typeof payload !== 'string') return undefined;
	return matchKeyword(payload.replace(MATCH_RULES.payloadSeparators, ' '), compiled);
}
