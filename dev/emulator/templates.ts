/**
 * Message templates: the seed list, creation checks, the emulated review, and the validation of a template send
 * against the stored template (the 132xxx errors).
 */
import {
	GraphError,
	errInvalidParameter,
	errRequiredParamMissing,
	errParamValueInvalid,
	errTemplateParamCount,
	errTemplateParamFormat,
	graphError,
} from './graphErrors';
import type { Json } from '../json';

/* ------------------------------------------------------------------ types */

export interface TemplateButton {
	type: string; // QUICK_REPLY | URL | PHONE_NUMBER | OTP | COPY_CODE | FLOW | CATALOG …
	text?: string;
	url?: string;
	phone_number?: string;
	otp_type?: string;
	example?: string[];
	[k: string]: unknown;
}

export interface TemplateComponent {
	type: string; // HEADER | BODY | FOOTER | BUTTONS
	format?: string; // TEXT | IMAGE | VIDEO | DOCUMENT | LOCATION (HEADER only)
	text?: string;
	example?: Record<string, unknown>;
	buttons?: TemplateButton[];
	[k: string]: unknown;
}

export interface QualityScore {
	score: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN' | string;
	date?: number;
}

/** A template as seeded (GET shape). `id` and `status` are filled in when missing. */
export interface SeedTemplate {
	id?: string;
	name: string;
	language: string;
	category: string;
	status?: string;
	parameter_format?: 'POSITIONAL' | 'NAMED' | string;
	components: TemplateComponent[];
	sub_category?: string;
	previous_category?: string;
	correct_category?: string;
	quality_score?: QualityScore;
	rejected_reason?: string;
	message_send_ttl_seconds?: number;
}

export interface StoredTemplate extends SeedTemplate {
	id: string;
	status: string;
	parameter_format: string;
	rejected_reason: string;
}

/* ------------------------------------------------------------ placeholders */

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export function placeholders(text: string | undefined): string[] {
	if (!text) return [];
	const out: string[] = [];
	for (const m of text.matchAll(PLACEHOLDER)) out.push(m[1]);
	return out;
}

/* ----------------------------------------------------------- seed templates */

const GREEN: QualityScore = { score: 'GREEN' };

function body(text: string, example?: string[] | Array<{ param_name: string; example: string }>): TemplateComponent {
	const c: TemplateComponent = { type: 'BODY', text };
	if (example && example.length) {
		c.example =
			typeof example[0] === 'string' ? { body_text: [example as string[]] } : { body_text_named_params: example };
	}
	return c;
}

function approvedUtility(
	id: string,
	name: string,
	components: TemplateComponent[],
	extra: Partial<SeedTemplate> = {},
): SeedTemplate {
	return {
		id,
		name,
		language: 'en_US',
		category: 'UTILITY',
		status: 'APPROVED',
		parameter_format: 'POSITIONAL',
		components,
		quality_score: { ...GREEN },
		rejected_reason: 'NONE',
		...extra,
	};
}

/**
 * The templates a fresh emulator holds. Ids are numeric strings (16 digits, below 2^53 so the integer
 * `message_template_id` of webhooks is exact).
 */
export const DEFAULT_TEMPLATES: SeedTemplate[] = [
	approvedUtility('1000000000000001', 'shipping_update', [
		body('Hi {{1}}, your order {{2}} has shipped and will arrive on {{3}}.', ['Maria', 'A-10023', 'June 12']),
		{ type: 'FOOTER', text: 'Emulated Shop' },
		{
			type: 'BUTTONS',
			buttons: [
				{
					type: 'URL',
					text: 'Track order',
					url: 'https://shop.example.com/track/{{1}}',
					example: ['https://shop.example.com/track/A-10023'],
				},
			],
		},
	]),
	approvedUtility(
		'1000000000000002',
		'shipping_update',
		[
			body('Olá {{1}}, seu pedido {{2}} foi enviado e chegará em {{3}}.', ['Maria', 'A-10023', '12 de junho']),
			{ type: 'FOOTER', text: 'Emulated Shop' },
			{
				type: 'BUTTONS',
				buttons: [
					{
						type: 'URL',
						text: 'Rastrear pedido',
						url: 'https://shop.example.com/track/{{1}}',
						example: ['https://shop.example.com/track/A-10023'],
					},
				],
			},
		],
		{ language: 'pt_BR' },
	),
	approvedUtility(
		'1000000000000003',
		'order_confirmation',
		[
			body('Thank you, {{first_name}}! Your order number is {{order_number}}.', [
				{ param_name: 'first_name', example: 'Pablo' },
				{ param_name: 'order_number', example: '860198-230332' },
			]),
		],
		{ parameter_format: 'NAMED' },
	),
	approvedUtility('1000000000000004', 'appointment_reminder', [
		{ type: 'HEADER', format: 'TEXT', text: 'Appointment on {{1}}', example: { header_text: ['June 12'] } },
		body('Hi {{1}}, this is a reminder of your appointment at {{2}}. Reply to confirm or reschedule.', [
			'Maria',
			'10:30',
		]),
		{
			type: 'BUTTONS',
			buttons: [
				{ type: 'QUICK_REPLY', text: 'Confirm' },
				{ type: 'QUICK_REPLY', text: 'Reschedule' },
			],
		},
	]),
	approvedUtility('1000000000000005', 'invoice_available', [
		{
			type: 'HEADER',
			format: 'DOCUMENT',
			example: { header_handle: ['https://scontent.whatsapp.net/emulated/invoice.pdf'] },
		},
		body('Hi {{1}}, your invoice {{2}} for {{3}} is available. Find the PDF attached.', [
			'Maria',
			'INV-2025-001',
			'$120.00',
		]),
	]),
	approvedUtility('1000000000000006', 'payment_due', [
		body('Your payment of {{1}} is due on {{2}}.', ['$49.90', 'July 1, 2025']),
	]),
	approvedUtility('1000000000000007', 'reservation_update', [
		body('Hi {{1}}, your reservation {{2}} for {{3}} is confirmed.', ['Maria', 'R-4471', 'June 12 at 8 pm']),
	]),
	approvedUtility('1000000000000008', 'travel_update', [
		body('Your flight {{1}} now departs at {{2}} from gate {{3}}.', ['EM123', '14:05', 'B12']),
	]),
	approvedUtility('1000000000000009', 'ticket_update', [
		{
			type: 'HEADER',
			format: 'IMAGE',
			example: { header_handle: ['https://scontent.whatsapp.net/emulated/ticket.png'] },
		},
		body('Hi {{1}}, here is your ticket for {{2}}. Show it at the entrance.', ['Maria', 'the concert']),
	]),
	approvedUtility('1000000000000010', 'alert_update', [
		body('Alert: {{1}}. For details contact us.', ['Unusual sign-in detected on your account']),
	]),
	approvedUtility('1000000000000011', 'account_update', [
		body('Hi {{1}}, your account was updated: {{2}}.', ['Maria', 'email address changed']),
	]),
	approvedUtility('1000000000000012', 'support_followup', [
		body('Hi {{1}}, we have an update on your support request {{2}}. Reply to continue the conversation.', [
			'Maria',
			'#5521',
		]),
	]),
	approvedUtility('1000000000000013', 'hello_world', [
		{ type: 'HEADER', format: 'TEXT', text: 'Hello World' },
		body(
			'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
		),
		{ type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
	]),
	approvedUtility(
		'1000000000000014',
		'summer_sale',
		[
			{ type: 'HEADER', format: 'TEXT', text: 'Summer Sale' },
			body('Hi {{1}}, our summer sale is on! Use code {{2}} for 20% off.', ['Maria', 'SUMMER20']),
			{ type: 'FOOTER', text: 'Not interested? Tap Stop promotions' },
			{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }] },
		],
		{ category: 'MARKETING' },
	),
	approvedUtility(
		'1000000000000015',
		'login_code',
		[
			{
				type: 'BODY',
				text: '*{{1}}* is your verification code. For your security, do not share this code.',
				add_security_recommendation: true,
				example: { body_text: [['123456']] },
			},
			{ type: 'FOOTER', text: 'This code expires in 10 minutes.', code_expiration_minutes: 10 },
			{ type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Copy code' }] },
		],
		{ category: 'AUTHENTICATION' },
	),
	approvedUtility('1000000000000016', 'paused_update', [body('Hi {{1}}, your update: {{2}}.', ['Maria', 'x'])], {
		status: 'PAUSED',
		quality_score: { score: 'RED' },
	}),
	approvedUtility('1000000000000017', 'disabled_update', [body('Hi {{1}}, your update: {{2}}.', ['Maria', 'x'])], {
		status: 'DISABLED',
		quality_score: { score: 'RED' },
	}),
	approvedUtility(
		'1000000000000018',
		'pending_update',
		[body('Hi {{1}}, your request {{2}} is in progress.', ['Maria', 'x'])],
		{
			status: 'PENDING',
			quality_score: { score: 'UNKNOWN' },
		},
	),
	approvedUtility('1000000000000019', 'rejected_update', [body('Hi {{1}}, get 50% off today only!', ['Maria'])], {
		status: 'REJECTED',
		rejected_reason: 'PROMOTIONAL',
		quality_score: { score: 'UNKNOWN' },
	}),
	approvedUtility(
		'1000000000000020',
		'order_followup',
		[body('Hi {{1}}, how was your order {{2}}? We think you will love our new arrivals.', ['Maria', 'A-10023'])],
		{ correct_category: 'MARKETING' },
	),
];

export function cloneSeed(t: SeedTemplate, id: string): StoredTemplate {
	return {
		...t,
		id: t.id ?? id,
		status: (t.status ?? 'APPROVED').toUpperCase(),
		category: t.category.toUpperCase(),
		parameter_format: (t.parameter_format ?? 'POSITIONAL').toUpperCase(),
		rejected_reason: t.rejected_reason ?? 'NONE',
		components: JSON.parse(JSON.stringify(t.components)) as TemplateComponent[],
		quality_score: t.quality_score ? { ...t.quality_score } : undefined,
	};
}

/* -------------------------------------------------------------- creation */

export const CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];
const NAME_RE = /^[a-z0-9_]{1,512}$/;

/** Meta's time-to-live ranges per category (templates/time-to-live); -1 = the 30-day default for UTILITY/AUTHENTICATION. */
export const TTL_RANGES: Readonly<Record<string, [number, number]>> = {
	AUTHENTICATION: [30, 900],
	UTILITY: [30, 43200],
	MARKETING: [43200, 2592000],
};

/** Checks `message_send_ttl_seconds` of a create or edit; undefined when absent. */
export function validateTtl(raw: unknown, category: string): number | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	const ttl = Number(raw);
	const [min, max] = TTL_RANGES[category] ?? TTL_RANGES.UTILITY;
	const allowsDefault = category !== 'MARKETING' && ttl === -1;
	if (!Number.isInteger(ttl) || (!allowsDefault && (ttl < min || ttl > max))) {
		throw errInvalidParameter(
			`Param message_send_ttl_seconds must be between ${min} and ${max} seconds for ${category} templates - got "${String(raw)}".`,
			{ subcode: 2388299, userTitle: 'Invalid time-to-live' },
		);
	}
	return ttl;
}

/** Checks a POST /message_templates body; returns the template to store (status PENDING) or throws GraphError. */
export function validateCreate(body: Record<string, unknown>): Omit<StoredTemplate, 'id'> {
	const name = body.name;
	if (typeof name !== 'string' || !name) throw errInvalidParameter('The parameter name is required.', {});
	if (!NAME_RE.test(name)) {
		throw errInvalidParameter('Template name can only contain lowercase alphanumeric characters and underscores.', {
			subcode: 2388042,
			userTitle: 'Invalid template name',
			userMsg: 'Template name can only contain lowercase alphanumeric characters and underscores ( _ ).',
		});
	}
	const language = body.language;
	if (typeof language !== 'string' || !language) throw errInvalidParameter('The parameter language is required.');
	const category = typeof body.category === 'string' ? body.category.toUpperCase() : '';
	if (!CATEGORIES.includes(category)) {
		throw errInvalidParameter(
			`Param category must be one of {${CATEGORIES.join(', ')}} - got "${String(body.category)}".`,
		);
	}
	const pf = (typeof body.parameter_format === 'string' ? body.parameter_format : 'POSITIONAL').toUpperCase();
	if (pf !== 'POSITIONAL' && pf !== 'NAMED') {
		throw errInvalidParameter(
			`Param parameter_format must be one of {POSITIONAL, NAMED} - got "${String(body.parameter_format)}".`,
		);
	}
	let components = body.components;
	if (typeof components === 'string') {
		try {
			components = JSON.parse(components);
		} catch {
			/* handled below */
		}
	}
	if (!Array.isArray(components) || components.length === 0)
		throw errInvalidParameter('The parameter components is required.');
	const comps: TemplateComponent[] = (components as TemplateComponent[]).map((c) => ({
		...c,
		type: String(c?.type ?? '').toUpperCase(),
		...(c?.format ? { format: String(c.format).toUpperCase() } : {}),
		...(Array.isArray(c?.buttons)
			? { buttons: c.buttons.map((b) => ({ ...b, type: String(b?.type ?? '').toUpperCase() })) }
			: {}),
	}));
	const bodies = comps.filter((c) => c.type === 'BODY');
	if (bodies.length !== 1) throw errInvalidParameter('A template must have exactly one BODY component.');
	if (category !== 'AUTHENTICATION' && (typeof bodies[0].text !== 'string' || !bodies[0].text)) {
		throw errInvalidParameter('The BODY component requires text.');
	}
	for (const c of comps) {
		const ph = placeholders(c.text).concat(...(c.buttons ?? []).map((b) => placeholders(b.url)));
		for (const p of ph) {
			const ok = pf === 'NAMED' ? /^[a-z_][a-z0-9_]*$/.test(p) : /^[1-9][0-9]*$/.test(p);
			if (!ok) {
				throw errInvalidParameter(
					`Invalid parameter {{${p}}} in ${c.type}: ${pf === 'NAMED' ? 'named parameters must be lowercase letters and underscores' : 'positional parameters must be {{1}}, {{2}}, …'}.`,
					{ subcode: 2388043, userTitle: 'Variable parameters are not valid' },
				);
			}
		}
		if (pf === 'POSITIONAL') {
			const nums = placeholders(c.text).map(Number);
			nums.forEach((n, i) => {
				if (n !== i + 1) {
					throw errInvalidParameter(`Positional parameters in ${c.type} must be sequential starting at {{1}}.`, {
						subcode: 2388043,
						userTitle: 'Variable parameters are not valid',
					});
				}
			});
		}
	}
	const ttl = validateTtl(body.message_send_ttl_seconds, category);
	return {
		name,
		language,
		category,
		status: 'PENDING',
		...(ttl !== undefined ? { message_send_ttl_seconds: ttl } : {}),
		parameter_format: pf,
		components: comps,
		rejected_reason: 'NONE',
		quality_score: { score: 'UNKNOWN' },
		...(typeof body.sub_category === 'string' ? { sub_category: body.sub_category } : {}),
	};
}

export function duplicateLanguageError(language: string): GraphError {
	return errInvalidParameter(`There is already ${language} content for this template.`, {
		subcode: 2388024,
		userTitle: 'Content in This Language Already Exists',
		userMsg: `There is already ${language} content for this template. You can create a new template and try again.`,
	});
}

/* ---------------------------------------------------------------- review */

/** Words that make a UTILITY template read promotional (→ approved as MARKETING, Meta's April 2025 rule). */
export const PROMOTIONAL_WORDS = /\b(discounts?|sales?|promos?|promotions?|promotional|offers?|coupons?)\b|%\s*off\b/i;

export interface ReviewOutcome {
	status: 'APPROVED' | 'REJECTED';
	category: string;
	previousCategory?: string;
	reason: string;
	rejectionInfo?: { reason: string; recommendation: string };
	/** Approved as submitted, but Meta will move it to this category later (impending, then completed). */
	recategoriseTo?: string;
}

/** One-time-code wording: belongs in an AUTHENTICATION template (Meta: REJECTED, INCORRECT_CATEGORY). */
export const OTP_WORDS = /\b(verification code|one[- ]time (?:password|passcode|code)|otp|login code)\b/i;
/** Content WhatsApp does not allow as a notification at all: cold calls, referral and rating requests (REJECTED, PROMOTIONAL). */
export const NOT_ALLOWED_WORDS = /\b(good time to talk|can we (?:talk|speak) now|refer a friend|rate us)\b/i;
/** Softer marketing wording: approved as UTILITY, then re-categorised by Meta's periodic re-check. */
export const SOFT_MARKETING_WORDS =
	/\b(new arrivals|you might also like|recommended for you|check out our|learn more|did you know)\b/i;
/** Common English words; several of them in a template tagged with another language = TAG_CONTENT_MISMATCH. */
const ENGLISH_WORDS = /\b(your|the|and|has|have|will|is|you|been|with)\b/gi;

function rejected(t: StoredTemplate, reason: string, why: string, recommendation: string): ReviewOutcome {
	return { status: 'REJECTED', category: t.category, reason, rejectionInfo: { reason: why, recommendation } };
}

/**
 * The emulated review (documented rules, in order):
 * 1. any text with two placeholders next to each other (`{{1}}{{2}}`, only whitespace between) → REJECTED, reason INVALID_FORMAT
 *    (with `rejection_info`);
 * 2. a body that starts or ends with a placeholder (nothing after it, not even punctuation) → REJECTED, INVALID_FORMAT;
 * 3. an AUTHENTICATION template with a media header or a URL button → REJECTED, reason INVALID_FORMAT;
 * 4. a UTILITY or MARKETING template with one-time-code wording → REJECTED, INCORRECT_CATEGORY;
 * 5. a template tagged with a non-English language whose body has three or more common English words → REJECTED,
 *    TAG_CONTENT_MISMATCH;
 * 6. a UTILITY template with cold-call, referral or rating wording → REJECTED, PROMOTIONAL;
 * 7. a UTILITY template whose text reads promotional (discount, % off, sale, promo, offer, coupon) → APPROVED as MARKETING
 *    (previous_category UTILITY; Meta's April 2025 rule);
 * 8. a UTILITY template with softer marketing wording (new arrivals, learn more, …) → APPROVED as UTILITY, then after
 *    `recategoriseDelayMs` an impending template_category_update (correct_category MARKETING) and after another
 *    `recategoriseDelayMs` the completed one (category MARKETING);
 * 9. otherwise APPROVED with the submitted category.
 * Only INVALID_FORMAT carries `rejection_info` in Meta's webhook; the emulator keeps that.
 */
export function reviewTemplate(t: StoredTemplate): ReviewOutcome {
	const texts = t.components.flatMap((c) => [
		c.text ?? '',
		...(c.buttons ?? []).map((b) => `${b.text ?? ''} ${b.url ?? ''}`),
	]);
	const bodyText = (t.components.find((c) => c.type === 'BODY')?.text ?? '').trim();
	if (texts.some((s) => /\}\}\s*\{\{/.test(s))) {
		return rejected(
			t,
			'INVALID_FORMAT',
			'Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them.',
			'Separate parameters with descriptive text and ensure each parameter is clearly contextualized.',
		);
	}
	if (/^\{\{[^{}]+\}\}/.test(bodyText) || /\{\{[^{}]+\}\}$/.test(bodyText)) {
		return rejected(
			t,
			'INVALID_FORMAT',
			'Your template starts or ends with a parameter.',
			'Add text before the first parameter and after the last one.',
		);
	}
	if (
		t.category === 'AUTHENTICATION' &&
		t.components.some(
			(c) =>
				(c.type === 'HEADER' && c.format && c.format !== 'TEXT') || (c.buttons ?? []).some((b) => b.type === 'URL'),
		)
	) {
		return rejected(
			t,
			'INVALID_FORMAT',
			'Authentication templates cannot contain URLs or media.',
			'Use the authentication template format with a one-time password button.',
		);
	}
	if (t.category !== 'AUTHENTICATION' && texts.some((s) => OTP_WORDS.test(s))) {
		return { status: 'REJECTED', category: t.category, reason: 'INCORRECT_CATEGORY' };
	}
	if (!/^en/i.test(t.language) && (bodyText.match(ENGLISH_WORDS) ?? []).length >= 3) {
		return { status: 'REJECTED', category: t.category, reason: 'TAG_CONTENT_MISMATCH' };
	}
	if (t.category === 'UTILITY' && texts.some((s) => NOT_ALLOWED_WORDS.test(s))) {
		return { status: 'REJECTED', category: t.category, reason: 'PROMOTIONAL' };
	}
	if (t.category === 'UTILITY' && texts.some((s) => PROMOTIONAL_WORDS.test(s))) {
		return { status: 'APPROVED', category: 'MARKETING', previousCategory: 'UTILITY', reason: 'NONE' };
	}
	if (t.category === 'UTILITY' && texts.some((s) => SOFT_MARKETING_WORDS.test(s))) {
		return { status: 'APPROVED', category: t.category, reason: 'NONE', recategoriseTo: 'MARKETING' };
	}
	return { status: 'APPROVED', category: t.category, reason: 'NONE' };
}

/* ------------------------------------------------------ send validation */

const BAD_TEXT = /[\n\t]| {5,}/;

function paramKind(p: Json): string {
	return typeof p?.type === 'string' ? p.type.toLowerCase() : 'unknown';
}

function checkBodyParam(where: string, p: Json): void {
	const kind = paramKind(p);
	if (kind === 'text') {
		if (typeof p.text !== 'string' || p.text.length === 0) {
			throw errRequiredParamMissing(`${where}: Parameter of type text is missing text value`);
		}
		if (BAD_TEXT.test(p.text)) {
			throw errInvalidParameter(
				`${where}: Param text cannot have new-line/tab characters or more than 4 consecutive spaces`,
			);
		}
	} else if (kind === 'currency') {
		const c = p.currency;
		if (!c || typeof c.fallback_value !== 'string' || typeof c.code !== 'string' || typeof c.amount_1000 !== 'number') {
			throw errRequiredParamMissing(`${where}: currency requires fallback_value, code and amount_1000`);
		}
	} else if (kind === 'date_time') {
		if (!p.date_time || typeof p.date_time.fallback_value !== 'string') {
			throw errRequiredParamMissing(`${where}: date_time requires fallback_value`);
		}
	} else {
		throw errParamValueInvalid(`${where}: Param type must be one of {text, currency, date_time} - got "${kind}"`);
	}
}

/** Positional or named text parameters of a HEADER/BODY component. */
function checkTextParams(where: string, expected: string[], named: boolean, given: Json[]): void {
	const hasNames = given.some((p) => typeof p?.parameter_name === 'string');
	const allNames = given.every((p) => typeof p?.parameter_name === 'string');
	if (given.length > 0 && named && !allNames) {
		throw errTemplateParamFormat(`${where}: template uses named parameters; every parameter needs parameter_name`);
	}
	if (given.length > 0 && !named && hasNames) {
		throw errTemplateParamFormat(`${where}: template uses positional parameters; parameter_name is not allowed`);
	}
	if (given.length !== expected.length) {
		throw errTemplateParamCount(
			`${where}: number of localizable_params (${given.length}) does not match the expected number of params (${expected.length})`,
		);
	}
	if (named) {
		const want = new Set(expected);
		for (const p of given) {
			if (!want.has(p.parameter_name)) {
				throw errTemplateParamCount(
					`${where}: parameter name (${String(p.parameter_name)}) does not match the expected params (${expected.join(', ')})`,
				);
			}
			want.delete(p.parameter_name);
		}
	}
	for (const p of given) checkBodyParam(where, p);
}

/**
 * Validates `template.components` of a send against the stored template. Throws the GraphError Meta would return:
 * - parameter count per component ≠ placeholders → 132000;
 * - named template sent positionally, or vice versa → 132012;
 * - media header missing or of another type → 132012 ("header: Format mismatch, expected IMAGE, received UNKNOWN");
 * - media without id/link, text param without text, URL/OTP button without its parameter → 131008;
 * - body text with new-line/tab or more than 4 consecutive spaces → 100 Invalid parameter;
 * - a button component whose index has no dynamic button → 131009.
 */
export function validateTemplateSend(tpl: StoredTemplate, components: unknown): void {
	if (components !== undefined && !Array.isArray(components)) {
		throw errInvalidParameter("Param template['components'] must be an array.");
	}
	const given = (components ?? []) as Json[];
	const named = tpl.parameter_format === 'NAMED';
	const byType = (t: string) => given.filter((c) => String(c?.type ?? '').toLowerCase() === t);
	const params = (c: Json | undefined): Json[] => (Array.isArray(c?.parameters) ? c!.parameters : []);

	// HEADER
	const header = tpl.components.find((c) => c.type === 'HEADER');
	const gHeader = byType('header')[0];
	if (header && header.format && header.format !== 'TEXT' && header.format !== 'LOCATION') {
		const p = params(gHeader)[0];
		const kind = p ? paramKind(p) : 'unknown';
		if (kind !== header.format.toLowerCase()) {
			throw errTemplateParamFormat(
				`header: Format mismatch, expected ${header.format}, received ${kind.toUpperCase()}`,
			);
		}
		const media = p[kind];
		if (!media || (typeof media.id !== 'string' && typeof media.link !== 'string')) {
			throw errRequiredParamMissing(`header: ${kind} object requires 'id' or 'link'`);
		}
		if (params(gHeader).length !== 1) {
			throw errTemplateParamCount(
				`header: number of localizable_params (${params(gHeader).length}) does not match the expected number of params (1)`,
			);
		}
	} else if (header?.format === 'LOCATION') {
		const p = params(gHeader)[0];
		if (!p || paramKind(p) !== 'location') {
			throw errTemplateParamFormat(
				`header: Format mismatch, expected LOCATION, received ${p ? paramKind(p).toUpperCase() : 'UNKNOWN'}`,
			);
		}
	} else {
		checkTextParams('header', placeholders(header?.text), named, params(gHeader));
	}

	// BODY
	const tBody = tpl.components.find((c) => c.type === 'BODY');
	checkTextParams('body', placeholders(tBody?.text), named, params(byType('body')[0]));

	// BUTTONS
	const buttons = tpl.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
	const gButtons = byType('button');
	for (const gb of gButtons) {
		const idx = Number(gb.index);
		if (!Number.isInteger(idx) || idx < 0 || idx >= buttons.length) {
			throw errParamValueInvalid(`buttons: Button at index ${String(gb.index)} does not exist in the template`);
		}
	}
	buttons.forEach((b, i) => {
		const dynamicUrl = b.type === 'URL' && placeholders(b.url).length > 0;
		const otp = b.type === 'OTP' && b.otp_type !== 'ZERO_TAP';
		if (!dynamicUrl && !otp) return;
		const gb = gButtons.find((c) => Number(c.index) === i);
		if (!gb || params(gb).length === 0) {
			throw errRequiredParamMissing(`buttons: Button at index ${i} of type Url requires a parameter`);
		}
		if (params(gb).length !== 1) {
			throw errTemplateParamCount(
				`buttons: number of localizable_params (${params(gb).length}) does not match the expected number of params (1)`,
			);
		}
		const p = params(gb)[0];
		if (paramKind(p) !== 'text' || typeof p.text !== 'string' || !p.text) {
			throw errRequiredParamMissing(`buttons: Button at index ${i} of type Url requires a text parameter`);
		}
	});
}

/** Exported for the review rule tests and the status webhook. */
export function webhookLanguage(language: string): string {
	return language.replace('_', '-');
}

export { graphError };
