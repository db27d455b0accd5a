/**
 * Text check for content that WhatsApp does not allow in notifications (promotion, upselling,
 * re-engagement, review/share requests, generic surveys, cold-call openers).
 *
 * The phrase table is data. Matching is case- and accent-insensitive and only on whole words,
 * so "sale" never matches "wholesale" or "salesforce". Weak single words ("offer", "sale",
 * "coupon", "discount") only appear inside multi-word phrases, because utility texts use them
 * innocently ("we could not offer delivery", "your discounted invoice", Brazilian "cupom fiscal").
 * Media-only and "recurring content" rules cannot be checked on text and are not covered.
 *
 * Pattern syntax: words separated by spaces (a space also matches '-'); a trailing '*' on a word
 * allows any continuation of that word; '#' stands for a number (e.g. "# % off" matches "20% off").
 */

export type ContentLanguage = 'en' | 'pt' | 'es' | 'de';

export interface ContentRule {
	id: string;
	description: string;
	patterns: Readonly<Record<ContentLanguage, readonly string[]>>;
}

export interface ContentFinding {
	rule: string;
	ruleDescription: string;
	/** The text as written in the input, accents and case preserved. */
	phrase: string;
	/** 'en' | 'pt' | 'es' | 'de', or several joined by ',' when the phrase is shared (e.g. 'pt,es'). */
	language: string;
}

export const CONTENT_RULES: readonly ContentRule[] = [
	{
		id: 'sales',
		description: 'Sales pitches and upselling',
		patterns: {
			en: [
				'buy now',
				'shop now',
				'upgrade now',
				'upgrade today',
				'on sale',
				'big sale',
				'flash sale',
				'summer sale',
				'winter sale',
				'clearance sale',
				'sale ends',
				'black friday',
				'cyber monday',
				"don't miss out",
				'dont miss out',
				'limited time only',
				'while stocks last',
				'best price',
				'lowest price',
				'special price',
				'deal of the day',
				'hot deal',
				'add to your cart',
				'new collection',
				'treat yourself',
			],
			pt: [
				'compre agora',
				'compre ja',
				'garanta ja',
				'garanta o seu',
				'garanta a sua',
				'liquidacao total',
				'grande liquidacao',
				'queima de estoque',
				'ultimas unidades',
				'oferta imperdivel',
				'melhor preco',
				'preco especial',
				'por tempo limitado',
				'nova colecao',
				'aproveite a oferta',
				'aproveite o desconto',
				'aproveite a promocao',
			],
			es: [
				'compra ahora',
				'compra ya',
				'compralo ya',
				'no te lo pierdas',
				'no se lo pierda',
				'rebajas',
				'liquidacion total',
				'gran liquidacion',
				'ultimas unidades',
				'por tiempo limitado',
				'mejor precio',
				'precio especial',
				'nueva coleccion',
				'aprovecha la oferta',
				'aprovecha el descuento',
			],
			de: [
				'jetzt kaufen',
				'jetzt shoppen',
				'jetzt zugreifen',
				'jetzt upgraden',
				'nur fur kurze zeit',
				'solange der vorrat reicht',
				'schlussverkauf',
				'ausverkauf',
				'sale endet',
				'bestpreis',
				'tiefpreis',
				'neue kollektion',
				'gonn dir',
			],
		},
	},
	{
		id: 'discounts',
		description: 'Discounts, coupons and promotions',
		patterns: {
			en: [
				'# % off',
				'save # %',
				'save up to',
				'discount code',
				'promo code',
				'promotional code',
				'coupon code',
				'voucher code',
				'exclusive discount',
				'special discount',
				'get a discount',
				'# % discount',
				'discount of # %',
				'free shipping on your next',
				'free delivery on your next',
				'off your next order',
				'off your next purchase',
				'discount on your next',
				'half price',
				'buy one get one',
				'bogo',
				'cashback offer',
				'promotion ends',
			],
			pt: [
				'# % de desconto',
				'desconto de # %',
				'ate # % off',
				'cupom de desconto',
				'cupom promocional',
				'use o cupom',
				'codigo promocional',
				'codigo de desconto',
				'promocao',
				'promocoes',
				'frete gratis na sua proxima',
				'desconto exclusivo',
				'desconto especial',
			],
			es: [
				'# % de descuento',
				'descuento del # %',
				'hasta un # %',
				'codigo de descuento',
				'codigo promocional',
				'cupon de descuento',
				'usa el cupon',
				'promocion',
				'promociones',
				'envio gratis en tu proxima',
				'descuento exclusivo',
				'descuento especial',
				'descuento en tu proxima',
				'2x1',
			],
			de: [
				'# % rabatt',
				'rabattcode',
				'rabatt code',
				'rabattaktion',
				'gutscheincode',
				'gutschein code',
				'aktionscode',
				'exklusiver rabatt',
				'sonderrabatt',
				'versandkostenfrei bei ihrer nachsten',
				'gratis versand bei',
				'sonderaktion',
				'rabatt auf ihre nachste',
				'rabatt auf deine nachste',
				'rabatt bei ihrem nachsten',
				'rabatt bei deinem nachsten',
				'spare bis zu',
				'sparen sie bis zu',
			],
		},
	},
	{
		id: 'recommendations',
		description: 'Product recommendations and offers',
		patterns: {
			en: [
				'you might also like',
				'you may also like',
				'recommended for you',
				'picked for you',
				"we think you'll love",
				'we think you will love',
				'customers who bought',
				'based on your recent purchase',
				'check out our new',
				'our new products',
				'our latest products',
				'new arrivals',
				'special offer',
				'exclusive offer',
				'limited offer',
				'limited-time offer',
				'an offer for you',
				'our offers',
			],
			pt: [
				'voce tambem pode gostar',
				'recomendados para voce',
				'recomendado para voce',
				'selecionados para voce',
				'voce vai adorar',
				'confira nossos novos',
				'confira as novidades',
				'nossos novos produtos',
				'oferta especial',
				'ofertas especiais',
				'oferta exclusiva',
				'ofertas exclusivas',
				'oferta para voce',
				'nossas ofertas',
			],
			es: [
				'tambien te puede gustar',
				'te podria interesar',
				'te puede interesar',
				'recomendado para ti',
				'recomendados para ti',
				'seleccionados para ti',
				'te va a encantar',
				'te encantara',
				'descubre nuestros nuevos',
				'nuestros nuevos productos',
				'oferta especial',
				'ofertas especiales',
				'oferta exclusiva',
				'ofertas exclusivas',
				'oferta para ti',
				'nuestras ofertas',
			],
			de: [
				'das konnte ihnen auch gefallen',
				'das konnte dir auch gefallen',
				'empfehlungen fur sie',
				'empfehlungen fur dich',
				'fur sie ausgewahlt',
				'fur dich ausgewahlt',
				'unsere neuen produkte',
				'entdecken sie unsere neue*',
				'entdecke unsere neue*',
				'sonderangebot',
				'exklusives angebot',
				'besonderes angebot',
				'ein angebot fur sie',
				'ein angebot fur dich',
				'unsere angebote',
				'angebot des tages',
			],
		},
	},
	{
		id: 'reEngagement',
		description: 'Re-engaging inactive customers',
		patterns: {
			en: [
				'we miss you',
				'we missed you',
				"we've missed you",
				'we have missed you',
				'we want you back',
				"haven't seen you in a while",
				'welcome back offer',
				"it's been a while since",
				'come back and shop',
				'come back and save',
				'come back to shop',
				'time to come back',
			],
			pt: [
				'sentimos sua falta',
				'sentimos a sua falta',
				'estamos com saudade*',
				'volte para nos',
				'volte a comprar',
				'faz tempo que voce nao',
				'queremos voce de volta',
				'que tal voltar',
			],
			es: [
				'te echamos de menos',
				'le echamos de menos',
				'te extranamos',
				'vuelve con nosotros',
				'vuelve a comprar',
				'hace tiempo que no te',
				'queremos que vuelvas',
				'te queremos de vuelta',
			],
			de: [
				'wir vermissen dich',
				'wir vermissen sie',
				'komm zuruck',
				'kommen sie zuruck',
				'lange nicht gesehen',
				'schon lange nicht mehr bei uns',
				'wir wollen dich zuruck',
			],
		},
	},
	{
		id: 'reviewRequest',
		description: 'Requests to rate the app or write a review',
		patterns: {
			en: [
				'rate our app',
				'rate the app',
				'rate us',
				'review us',
				'leave a review',
				'leave us a review',
				'write a review',
				'give us # stars',
				'5 star review',
				'five star review',
				'app store review',
			],
			pt: [
				'avalie nosso app',
				'avalie nosso aplicativo',
				'avalie o app',
				'avalie o aplicativo',
				'avalie-nos',
				'deixe sua avaliacao',
				'deixe uma avaliacao',
				'deixe seu comentario na loja',
				'nos de # estrelas',
			],
			es: [
				'califica nuestra app',
				'califica la app',
				'valora nuestra app',
				'valora la app',
				'valoranos',
				'calificanos',
				'deja una resena',
				'deja tu resena',
				'escribe una resena',
				'danos # estrellas',
			],
			de: [
				'bewerte unsere app',
				'bewerten sie unsere app',
				'bewerte uns',
				'bewerten sie uns',
				'bewertung abgeben',
				'hinterlasse eine bewertung',
				'hinterlassen sie eine bewertung',
				'schreib eine bewertung',
				'gib uns # sterne',
				'geben sie uns # sterne',
			],
		},
	},
	{
		id: 'shareRequest',
		description: 'Requests to share the message or refer other customers',
		patterns: {
			en: [
				'share with your friends',
				'share it with your',
				'share this message with',
				'tell your friends',
				'refer a friend',
				'refer your friends',
				'invite your friends',
				'forward this message',
				'referral code',
				'referral link',
			],
			pt: [
				'compartilhe com seus amigos',
				'compartilhe com os seus amigos',
				'compartilhe esta mensagem',
				'indique um amigo',
				'indique amigos',
				'convide seus amigos',
				'encaminhe esta mensagem',
				'codigo de indicacao',
				'link de indicacao',
			],
			es: [
				'comparte con tus amigos',
				'comparte este mensaje',
				'invita a tus amigos',
				'recomienda a un amigo',
				'recomiendanos',
				'reenvia este mensaje',
				'codigo de referido',
				'enlace de referido',
			],
			de: [
				'teile es mit deinen freunden',
				'teilen sie es mit ihren freunden',
				'mit freunden teilen',
				'freunde werben',
				'freund werben',
				'empfehlen sie uns weiter',
				'empfiehl uns weiter',
				'leite diese nachricht weiter',
				'leiten sie diese nachricht weiter',
				'lade deine freunde ein',
				'empfehlungscode',
			],
		},
	},
	{
		id: 'survey',
		description: 'Generic product or marketing surveys (not tied to a specific order)',
		patterns: {
			en: [
				'take our survey',
				'take a short survey',
				'take a quick survey',
				'complete our survey',
				'participate in our survey',
				'join our survey',
				'market research',
				'product survey',
				'customer survey',
			],
			pt: [
				'responda nossa pesquisa',
				'responda a nossa pesquisa',
				'participe da nossa pesquisa',
				'participe de nossa pesquisa',
				'pesquisa de mercado',
				'pesquisa de produto',
				'responda ao questionario',
			],
			es: [
				'responde nuestra encuesta',
				'responde a nuestra encuesta',
				'participa en nuestra encuesta',
				'estudio de mercado',
				'encuesta de mercado',
				'encuesta de producto',
				'completa nuestra encuesta',
			],
			de: [
				'nehmen sie an unserer umfrage teil',
				'nimm an unserer umfrage teil',
				'an unserer umfrage teilnehmen',
				'marktforschung',
				'kundenumfrage',
				'produktumfrage',
			],
		},
	},
	{
		id: 'coldCall',
		description: 'Cold-call openers (e.g. "Thanks for your interest, can we talk now?")',
		patterns: {
			en: [
				'thanks for your interest',
				'thank you for your interest',
				'can we talk now',
				'can we talk today',
				'do you have a minute',
				'do you have a few minutes',
			],
			pt: [
				'agradecemos seu interesse',
				'agradecemos o seu interesse',
				'obrigado pelo seu interesse',
				'obrigada pelo seu interesse',
				'obrigado pelo interesse',
				'podemos conversar agora',
				'podemos conversar rapidamente',
				'tem um minuto',
			],
			es: [
				'gracias por tu interes',
				'gracias por su interes',
				'podemos hablar ahora',
				'tienes un minuto',
				'tiene un minuto',
			],
			de: [
				'danke fur ihr interesse',
				'danke fur dein interesse',
				'vielen dank fur ihr interesse',
				'vielen dank fur dein interesse',
				'konnen wir jetzt sprechen',
				'haben sie kurz zeit',
				'hast du kurz zeit',
			],
		},
	},
];

/** Lower-case, accents removed, 'ß' → 'ss', typographic apostrophes → "'". */
function foldChar(char: string): string {
	return char
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/ß/g, 'ss')
		.replace(/[\u2018\u2019\u02bc`´]/g, "'");
}

/**
 * foldChar of the characters seen: normalising every character of every message was the content check's largest
 * cost. Bounded (a text in any script has few distinct characters).
 */
const foldedChars = new Map<string, string>();
const FOLDED_CHARS_CAPACITY = 4096;

function foldCached(char: string): string {
	const known = foldedChars.get(char);
	if (known !== undefined) return known;
	const folded = foldChar(char);
	if (foldedChars.size < FOLDED_CHARS_CAPACITY) foldedChars.set(char, folded);
	return folded;
}

/** Folded text plus, for every folded character, the index of the original character it came from. */
function foldWithMap(text: string): { folded: string; origin: number[] } {
	const pieces: string[] = [];
	const origin: number[] = [];
	let index = 0;
	for (const char of text) {
		const piece = foldCached(char);
		for (let i = 0; i < piece.length; i++) origin.push(index);
		pieces.push(piece);
		index += char.length;
	}
	origin.push(index);
	return { folded: pieces.join(''), origin };
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const WORD_CHAR = '[\\p{L}\\p{N}]';
const NUMBER = '\\d+(?:[.,]\\d+)?';

interface CompiledPattern {
	rule: ContentRule;
	language: ContentLanguage;
	regex: RegExp;
	/** A piece of text every match contains: the regex only runs on texts that contain it. */
	requiredText: string;
}

function compilePattern(rule: ContentRule, language: ContentLanguage, pattern: string): CompiledPattern {
	const words = foldWithMap(pattern)
		.folded.trim()
		.split(/[\s-]+/);
	const stems: string[] = [];
	const parts = words.map((word) => {
		if (word === '#') return NUMBER;
		if (word === '%') return '%';
		const prefix = word.endsWith('*');
		const stem = prefix ? word.slice(0, -1) : word;
		stems.push(stem);
		return escapeRegExp(stem).replace(/'/g, "'?") + (prefix ? `${WORD_CHAR}*` : '');
	});
	let source = parts[0];
	for (let i = 1; i < parts.length; i++) {
		// "20%" and "20 %" are the same thing; elsewhere words are separated by space or hyphen.
		source += parts[i] === '%' ? '\\s?' : '[\\s\\-]+';
		source += parts[i];
	}
	// The apostrophe is optional in a match, so the required text is the longest piece between apostrophes.
	const requiredText = stems
		.flatMap((stem) => stem.split("'"))
		.reduce((longest, piece) => (piece.length > longest.length ? piece : longest), '');
	return { rule, language, regex: new RegExp(`(?<!${WORD_CHAR})${source}(?!${WORD_CHAR})`, 'gu'), requiredText };
}

const COMPILED_PATTERNS: readonly CompiledPattern[] = CONTENT_RULES.flatMap((rule) =>
	(Object.keys(rule.patterns) as ContentLanguage[]).flatMap((language) =>
		rule.patterns[language].map((pattern) => compilePattern(rule, language, pattern)),
	),
);

interface RawFinding extends ContentFinding {
	start: number;
	end: number;
}

/**
 * Every forbidden phrase found in `text`, in text order. A match inside a longer match of the
 * same rule is dropped; a phrase shared by several languages is reported once as e.g. "pt,es".
 */
export function checkContent(text: string): ContentFinding[] {
	if (typeof text !== 'string' || text.trim() === '') return [];
	const { folded, origin } = foldWithMap(text);
	const bySpan = new Map<string, RawFinding>();
	for (const { rule, language, regex, requiredText } of COMPILED_PATTERNS) {
		if (!folded.includes(requiredText)) continue;
		regex.lastIndex = 0;
		for (const match of folded.matchAll(regex)) {
			const start = origin[match.index ?? 0];
			const end = origin[(match.index ?? 0) + match[0].length];
			const spanKey = `${rule.id}:${start}:${end}`;
			const existing = bySpan.get(spanKey);
			if (existing) {
				if (!existing.language.split(',').includes(language)) existing.language += `,${language}`;
				continue;
			}
			bySpan.set(spanKey, {
				rule: rule.id,
				ruleDescription: rule.description,
				phrase: text.slice(start, end),
				language,
				start,
				end,
			});
		}
	}
	const kept = outermost([...bySpan.values()]);
	kept.sort((a, b) => a.start - b.start || b.end - a.end);
	return kept.map(({ rule, ruleDescription, phrase, language }) => ({ rule, ruleDescription, phrase, language }));
}

/**
 * The findings not inside another finding of the same rule. Sorted by rule, start, longest first, every finding that
 * contains another comes before it, so one pass with the furthest end per rule decides (n log n, not n²).
 */
function outermost(findings: RawFinding[]): RawFinding[] {
	const sorted = [...findings].sort(
		(a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || a.start - b.start || b.end - a.end,
	);
	const kept: RawFinding[] = [];
	let rule = '';
	let furthestEnd = -1;
	for (const finding of sorted) {
		if (finding.rule !== rule) [rule, furthestEnd] = [finding.rule, -1];
		if (finding.end > furthestEnd) kept.push(finding);
		furthestEnd = Math.max(furthestEnd, finding.end);
	}
	return kept;
}
