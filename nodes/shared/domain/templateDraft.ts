/**
 * Offline check of a WhatsApp template draft before it is submitted to Meta's review.
 *
 * The draft has the shape of Meta's `POST /{waba-id}/message_templates` body (name, language, category,
 * parameter_format, components with examples), so the same object is checked and then submitted.
 * `errors` are what Meta rejects (or what would make the template unusable as a notification: promotional
 * content is approved as MARKETING since April 2025, and Send Notification refuses MARKETING templates);
 * `warnings` are risks. Every finding names its rule, the text it is about and how to fix it.
 *
 * Limits are Meta's: name ≤ 512 lower-case letters, digits and '_'; header text ≤ 60 characters with at most
 * one variable; body ≤ 1,024; footer ≤ 60 without variables; ≤ 10 buttons, ≤ 2 URL, ≤ 1 phone number,
 * ≤ 1 copy code, button text ≤ 25, quick replies grouped together; utility time-to-live 30–43,200 s.
 * Everything here is linear in the size of the draft.
 */
import { upperCode } from './guards';
import { CONTENT_RULES, checkContent, type ContentFinding } from './contentPolicy';
import { getNotificationType, normaliseCategory, type NotificationTypeValue } from './notificationTypes';
import {
	placeholdersIn,
	BODY_TEXT_MAX,
	HEADER_TEXT_MAX,
	type TemplateButtonDef,
	type TemplateComponentDef,
} from './templates';
import { URL_BUTTON_MAX } from './variableChecks';

export const TEMPLATE_NAME_MAX = 512;
export const FOOTER_TEXT_MAX = 60;
export const BUTTON_TEXT_MAX = 25;
export const BUTTONS_MAX = 10;
export const URL_BUTTONS_MAX = 2;
export const PHONE_BUTTONS_MAX = 1;
export const COPY_CODE_BUTTONS_MAX = 1;
export const PHONE_NUMBER_MAX = 20;
export const UTILITY_TTL_MIN_SECONDS = 30;
export const UTILITY_TTL_MAX_SECONDS = 43200;

/** A draft's components and buttons have the shape of the template model Send Notification reads. */
export type DraftButton = TemplateButtonDef;
export type DraftComponent = TemplateComponentDef;

/** Meta's create body. */
export interface TemplateDraft {
	name: string;
	language: string;
	category?: string;
	parameter_format?: string;
	message_send_ttl_seconds?: number;
	components: DraftComponent[];
}

export type DraftRule =
	| 'name'
	| 'language'
	| 'category'
	| 'structure'
	| 'headerLength'
	| 'headerFormatting'
	| 'headerVariables'
	| 'bodyLength'
	| 'footer'
	| 'buttons'
	| 'buttonText'
	| 'buttonUrl'
	| 'variableSyntax'
	| 'variableFormat'
	| 'variableSequence'
	| 'variablePosition'
	| 'adjacentVariables'
	| 'variableDensity'
	| 'floatingVariable'
	| 'examples'
	| 'formatting'
	| 'contentPolicy'
	| 'marketingRisk'
	| 'notificationTypeFit'
	| 'specificity'
	| 'ttl';

export interface DraftFinding {
	rule: DraftRule;
	/** The text (or part) the finding is about, as written in the draft. */
	text: string;
	problem: string;
	fix: string;
}

export interface MarketingRisk {
	level: 'low' | 'medium' | 'high';
	/** 0–100: a weighted count of the signals below, capped. */
	score: number;
	phrases: Array<{ phrase: string; reason: string }>;
}

export interface DraftCheckResult {
	ok: boolean;
	errors: DraftFinding[];
	warnings: DraftFinding[];
	marketingRisk: MarketingRisk;
	variables: { format: 'POSITIONAL' | 'NAMED' | 'NONE'; header: string[]; body: string[] };
}

export interface DraftCheckOptions {
	notificationType?: NotificationTypeValue | '';
}

/* ----------------------------------------------------------------------------------------------- helpers */

function clip(text: string, max = 80): string {
	const single = text.replace(/\s+/g, ' ').trim();
	return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}

/** The finding of a text over Meta's length limit; `shown` is what the finding quotes (the clipped text by default). */
function tooLong(rule: DraftRule, subject: string, text: string, max: number, shown = clip(text)): DraftFinding {
	return {
		rule,
		text: shown,
		problem: `${subject} is ${text.length} characters long; Meta allows ${max}.`,
		fix: `Shorten it by ${text.length - max} character(s).`,
	};
}

const isPositional = (name: string): boolean => /^\d+$/.test(name);
const NAMED_PARAM = /^[a-z][a-z0-9_]*$/;

/** Anything that looks like a variable but is not `{{name}}`: `{1}`, `{{1}`, `{{ }}`, `{{First Name}}`, `{{#}}`. */
function malformedPlaceholders(text: string): string[] {
	const bad: string[] = [];
	// Well-formed placeholders are removed first, so what is left of '{' / '}' is malformed.
	const rest = text.replace(/\{\{\s*[A-Za-z0-9_]+\s*\}\}/g, ' ');
	for (const match of rest.matchAll(/\{{1,2}[^{}\n]{0,40}\}{0,2}|\}\}/g)) {
		const piece = match[0];
		// A lone '{' or '}' in prose with no digit/letter inside is rare but legal; only brace pairs count.
		if (/^\{[^{}]*$/.test(piece) && !/\d/.test(piece)) continue;
		bad.push(piece);
	}
	return bad;
}

/** Placeholders with surrounding whitespace inside the braces (`{{ 1 }}`) are accepted by Meta's editor but not by the API. */
function spacedPlaceholders(text: string): string[] {
	return [...text.matchAll(/\{\{\s+[A-Za-z0-9_]+\s*\}\}|\{\{[A-Za-z0-9_]+\s+\}\}/g)].map((m) => m[0]);
}

function words(text: string): number {
	return text
		.replace(/\{\{[^{}]*\}\}/g, ' ')
		.split(/\s+/)
		.filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

/* ----------------------------------------------------------------------------------------------- languages */

/** Meta's supported template languages (Supported languages page). */
export const TEMPLATE_LANGUAGES: ReadonlySet<string> = new Set(
	(
		'af sq ar ar_EG ar_AE ar_LB ar_MA ar_QA az be_BY bn bn_IN bg ca zh_CN zh_HK zh_TW hr cs da prs_AF nl nl_BE en en_GB en_US ' +
		'en_AE en_AU en_CA en_GH en_IE en_IN en_JM en_MY en_NZ en_QA en_SG en_UG en_ZA et fil fi fr fr_BE fr_CA fr_CH fr_CI fr_MA ' +
		'ka de de_AT de_CH el gu ha he hi hu id ga it ja kn kk rw_RW ko ky_KG lo lv lt mk ms ml mr nb ps_AF fa pl pt_BR pt_PT pa ' +
		'ro ru sr si_LK sk sl es es_AR es_CL es_CO es_CR es_DO es_EC es_HN es_MX es_PA es_PE es_ES es_UY sw sv ta te th tr uk ur uz vi zu'
	).split(' '),
);

function checkLanguage(language: unknown, errors: DraftFinding[], warnings: DraftFinding[]): void {
	const code = typeof language === 'string' ? language.trim() : '';
	if (code === '') {
		errors.push({
			rule: 'language',
			text: '',
			problem: 'The draft has no language code.',
			fix: 'Set the language, e.g. en_US, pt_BR, es or de.',
		});
		return;
	}
	if (TEMPLATE_LANGUAGES.has(code)) return;
	const normalised = code
		.replace('-', '_')
		.replace(/^([A-Za-z]+)(?:_([A-Za-z]+))?$/, (_all, lang: string, region?: string) =>
			region ? `${lang.toLowerCase()}_${region.toUpperCase()}` : lang.toLowerCase(),
		);
	if (TEMPLATE_LANGUAGES.has(normalised)) {
		errors.push({
			rule: 'language',
			text: code,
			problem: `"${code}" is not written the way Meta expects a template language code.`,
			fix: `Use "${normalised}".`,
		});
		return;
	}
	const base = normalised.split('_')[0];
	const variants = [...TEMPLATE_LANGUAGES].filter((known) => known === base || known.startsWith(`${base}_`));
	if (variants.length > 0) {
		errors.push({
			rule: 'language',
			text: code,
			problem: `Meta has no template language "${code}".`,
			fix: `Use one of: ${variants.join(', ')}.`,
		});
		return;
	}
	warnings.push({
		rule: 'language',
		text: code,
		problem: `"${code}" is not in the list of template languages this node knows; Meta may refuse it.`,
		fix: "Check the code against Meta's supported languages (e.g. en_US, pt_BR, es, de).",
	});
}

/* ----------------------------------------------------------------------------------------------- variables */

interface VariableUse {
	where: 'header' | 'body';
	names: string[];
	text: string;
}

function checkVariables(
	uses: VariableUse[],
	declaredFormat: string,
	errors: DraftFinding[],
): 'POSITIONAL' | 'NAMED' | 'NONE' {
	const all = uses.flatMap((use) => use.names);
	const positional = all.filter(isPositional);
	const named = all.filter((name) => !isPositional(name));
	if (positional.length > 0 && named.length > 0) {
		errors.push({
			rule: 'variableFormat',
			text: [...new Set(all)].map((name) => `{{${name}}}`).join(' '),
			problem: 'The draft mixes numbered variables ({{1}}) and named variables ({{first_name}}).',
			fix: 'Use one style in the whole template: all numbered or all named.',
		});
	}
	const format = named.length > 0 ? 'NAMED' : positional.length > 0 ? 'POSITIONAL' : 'NONE';
	const declared = upperCode(declaredFormat);
	if (declared === 'POSITIONAL' && named.length > 0) {
		errors.push({
			rule: 'variableFormat',
			text: named.map((name) => `{{${name}}}`).join(' '),
			problem: 'parameter_format is POSITIONAL but the text uses named variables.',
			fix: 'Set parameter_format to NAMED, or number the variables {{1}}, {{2}}, …',
		});
	} else if (declared === 'NAMED' && positional.length > 0) {
		errors.push({
			rule: 'variableFormat',
			text: positional.map((name) => `{{${name}}}`).join(' '),
			problem: 'parameter_format is NAMED but the text uses numbered variables.',
			fix: 'Give the variables names such as {{order_number}}, or set parameter_format to POSITIONAL.',
		});
	}
	for (const name of new Set(named)) {
		if (!NAMED_PARAM.test(name)) {
			errors.push({
				rule: 'variableSyntax',
				text: `{{${name}}}`,
				problem: `The variable name "${name}" is not allowed: names are lower-case letters, digits and underscores, starting with a letter.`,
				fix: `Rename it, e.g. {{${name.toLowerCase().replace(/^[^a-z]+/, '') || 'value'}}}.`,
			});
		}
	}
	for (const use of uses) {
		const numbers = [...new Set(use.names.filter(isPositional))].map(Number);
		if (numbers.length === 0) continue;
		const sorted = [...numbers].sort((a, b) => a - b);
		const expected = sorted.map((_n, index) => index + 1);
		const inOrder = numbers.every((n, index) => n === index + 1);
		if (sorted.join() !== expected.join() || !inOrder) {
			errors.push({
				rule: 'variableSequence',
				text: numbers.map((n) => `{{${n}}}`).join(' '),
				problem: `The ${use.where} variables must be numbered {{1}}, {{2}}, … in order of appearance, without gaps; found ${numbers.map((n) => `{{${n}}}`).join(', ')}.`,
				fix: `Renumber them ${expected.map((n) => `{{${n}}}`).join(', ')}.`,
			});
		}
	}
	return format;
}

function checkBodyVariablePlacement(
	body: string,
	names: string[],
	errors: DraftFinding[],
	warnings: DraftFinding[],
): void {
	if (names.length === 0) return;
	const trimmed = body.trim();
	if (/^\{\{[^{}]+\}\}/.test(trimmed)) {
		errors.push({
			rule: 'variablePosition',
			text: clip(trimmed, 40),
			problem: 'The body starts with a variable; Meta rejects templates that begin or end with a variable.',
			fix: 'Start with fixed text, e.g. "Hello {{1}}, …" or "Order {{1}} …".',
		});
	}
	if (/\{\{[^{}]+\}\}$/.test(trimmed)) {
		errors.push({
			rule: 'variablePosition',
			text: clip(trimmed.slice(-40), 40),
			problem: 'The body ends with a variable; Meta rejects templates that begin or end with a variable.',
			fix: 'End with fixed text after the last variable, e.g. "… on {{3}}. Thank you."',
		});
	} else if (/\{\{[^{}]+\}\}[\s.!?,;:)]*$/.test(trimmed)) {
		warnings.push({
			rule: 'variablePosition',
			text: clip(trimmed.slice(-40), 40),
			problem: 'Only punctuation follows the last variable; reviewers may read this as ending with a variable.',
			fix: 'Add a few words after the last variable.',
		});
	}
	for (const match of body.matchAll(/\{\{[^{}]+\}\}\s*\{\{[^{}]+\}\}/g)) {
		errors.push({
			rule: 'adjacentVariables',
			text: match[0],
			problem: 'Two variables stand side by side with nothing but space between them (Meta: INVALID_FORMAT).',
			fix: 'Put words or punctuation between them, e.g. "{{1}} on {{2}}".',
		});
	}
	const count = names.length;
	const total = words(body) + count;
	// Meta: "too many variable parameters relative to the message length". Published measurement (Syniverse):
	// words + variables must be at least 3 × variables + 1.
	if (total < 3 * count + 1) {
		errors.push({
			rule: 'variableDensity',
			text: clip(body),
			problem: `The body has ${count} variable(s) but only ${total - count} word(s) of fixed text; Meta rejects templates with too many variables for their length.`,
			fix: `Add fixed text (at least ${3 * count + 1 - total} more word(s)) or use fewer variables.`,
		});
	}
	for (const line of body.split('\n')) {
		if (/^\s*(?:\{\{[^{}]+\}\}\s*)+$/.test(line) && body.trim() !== line.trim()) {
			warnings.push({
				rule: 'floatingVariable',
				text: line.trim(),
				problem:
					'A line holds only a variable; reviewers reject such "floating" parameters because anything could be sent there.',
				fix: 'Give the line a label, e.g. "Tracking number: {{2}}".',
			});
		}
	}
}

/* ----------------------------------------------------------------------------------------------- examples */

function checkExamples(
	component: DraftComponent,
	where: 'header' | 'body',
	names: string[],
	errors: DraftFinding[],
): void {
	const unique = [...new Set(names)];
	if (unique.length === 0) return;
	const example = component.example ?? {};
	const named = unique.some((name) => !isPositional(name));
	const label = where === 'header' ? 'header' : 'body';
	const values: Array<{ name: string; value: unknown }> = [];
	if (named) {
		const list = where === 'header' ? example.header_text_named_params : example.body_text_named_params;
		const key = where === 'header' ? 'header_text_named_params' : 'body_text_named_params';
		for (const name of unique) {
			const entry = Array.isArray(list) ? list.find((item) => item?.param_name === name) : undefined;
			values.push({ name, value: entry?.example });
		}
		if (Array.isArray(list)) {
			for (const entry of list) {
				if (!unique.includes(String(entry?.param_name))) {
					errors.push({
						rule: 'examples',
						text: String(entry?.param_name),
						problem: `The ${label} example names "${String(entry?.param_name)}", which is not a variable of the ${label}.`,
						fix: `Remove it from ${key}, or use it in the text.`,
					});
				}
			}
		}
	} else {
		const row = where === 'header' ? example.header_text : example.body_text?.[0];
		for (const name of unique) values.push({ name, value: Array.isArray(row) ? row[Number(name) - 1] : undefined });
		if (Array.isArray(row) && row.length > unique.length) {
			errors.push({
				rule: 'examples',
				text: row.join(', '),
				problem: `The ${label} has ${unique.length} variable(s) but ${row.length} example values.`,
				fix: `Give exactly ${unique.length} example value(s), one per variable in order.`,
			});
		}
	}
	for (const { name, value } of values) {
		if (typeof value !== 'string' || value.trim() === '') {
			errors.push({
				rule: 'examples',
				text: `{{${name}}}`,
				problem: `The ${label} variable {{${name}}} has no example value; Meta needs one for every variable to review the template.`,
				fix: `Add a realistic example for {{${name}}} (e.g. a name, an order number or a date).`,
			});
		} else if (/[\n\t]| {5,}/.test(value) || /\{\{|\}\}/.test(value)) {
			errors.push({
				rule: 'examples',
				text: clip(value, 40),
				problem: `The example for {{${name}}} contains a line break, a tab, more than four spaces or braces, which Meta does not allow in variable values.`,
				fix: 'Use a single line of plain text as the example.',
			});
		}
	}
}

/* ----------------------------------------------------------------------------------------------- components */

const EMOJI = /\p{Extended_Pictographic}/u;
const WA_FORMATTING = /(^|\s)([*_~])[^*_~\n]+\2(?=\s|$|[.,!?])/;

function checkHeader(header: DraftComponent, errors: DraftFinding[]): string[] {
	const format = upperCode(header.format) || 'TEXT';
	if (format === 'TEXT') {
		const text = typeof header.text === 'string' ? header.text : '';
		if (text.trim() === '') {
			errors.push({
				rule: 'structure',
				text: '',
				problem: 'The text header is empty.',
				fix: 'Write a header text or remove the header.',
			});
			return [];
		}
		if (text.length > HEADER_TEXT_MAX) errors.push(tooLong('headerLength', 'The header', text, HEADER_TEXT_MAX));
		if (/[\r\n]/.test(text) || EMOJI.test(text) || /[*~]/.test(text) || WA_FORMATTING.test(text)) {
			errors.push({
				rule: 'headerFormatting',
				text: clip(text),
				problem:
					'The header contains a line break, an emoji or formatting characters (* _ ~), which Meta does not allow in headers.',
				fix: 'Use one line of plain text in the header; emojis and formatting are allowed in the body.',
			});
		}
		const names = placeholdersIn(text);
		if (names.length > 1) {
			errors.push({
				rule: 'headerVariables',
				text: clip(text),
				problem: `The header has ${names.length} variables; Meta allows one.`,
				fix: 'Keep one variable in the header and move the others to the body.',
			});
		}
		return placeholdersInOrder(text);
	}
	if (['IMAGE', 'VIDEO', 'DOCUMENT'].includes(format)) {
		const handle = header.example?.header_handle;
		if (!Array.isArray(handle) || typeof handle[0] !== 'string' || handle[0].trim() === '') {
			errors.push({
				rule: 'examples',
				text: format,
				problem: `The ${format.toLowerCase()} header has no example (example.header_handle); Meta needs a sample file to review it.`,
				fix: "Upload a sample with Meta's Resumable Upload API and put the handle (4::…) in example.header_handle.",
			});
		}
		return [];
	}
	if (format === 'LOCATION') return [];
	errors.push({
		rule: 'structure',
		text: format,
		problem: `"${format}" is not a header format.`,
		fix: 'Use TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION.',
	});
	return [];
}

/** Every placeholder occurrence (not distinct), in order: needed for the sequence and adjacency rules. */
function placeholdersInOrder(text: string): string[] {
	return [...text.matchAll(/\{\{([A-Za-z0-9_]+)\}\}/g)].map((match) => match[1]);
}

function checkFooter(footer: DraftComponent, errors: DraftFinding[]): void {
	const text = typeof footer.text === 'string' ? footer.text : '';
	if (text.trim() === '') {
		errors.push({
			rule: 'footer',
			text: '',
			problem: 'The footer is empty.',
			fix: 'Write a footer text or remove the footer.',
		});
		return;
	}
	if (text.length > FOOTER_TEXT_MAX) errors.push(tooLong('footer', 'The footer', text, FOOTER_TEXT_MAX));
	if (/\{\{|\}\}/.test(text)) {
		errors.push({
			rule: 'footer',
			text: clip(text),
			problem: 'The footer contains a variable; footers are fixed text.',
			fix: 'Move the variable to the body.',
		});
	}
	if (/[\r\n]/.test(text)) {
		errors.push({
			rule: 'footer',
			text: clip(text),
			problem: 'The footer contains a line break.',
			fix: 'Write the footer on one line.',
		});
	}
}

function checkButtons(buttons: DraftButton[], category: string, errors: DraftFinding[]): void {
	if (buttons.length === 0) {
		errors.push({
			rule: 'buttons',
			text: '',
			problem: 'The BUTTONS component has no buttons.',
			fix: 'Add a button or remove the component.',
		});
		return;
	}
	if (buttons.length > BUTTONS_MAX) {
		errors.push({
			rule: 'buttons',
			text: `${buttons.length} buttons`,
			problem: `The draft has ${buttons.length} buttons; Meta allows ${BUTTONS_MAX}.`,
			fix: `Remove ${buttons.length - BUTTONS_MAX}.`,
		});
	}
	const count = (type: string) => buttons.filter((button) => upperCode(button?.type) === type).length;
	const limits: Array<[string, number, string]> = [
		['URL', URL_BUTTONS_MAX, 'URL'],
		['PHONE_NUMBER', PHONE_BUTTONS_MAX, 'phone number'],
		['COPY_CODE', COPY_CODE_BUTTONS_MAX, 'copy code'],
	];
	for (const [type, max, label] of limits) {
		if (count(type) > max) {
			errors.push({
				rule: 'buttons',
				text: `${count(type)} ${label} buttons`,
				problem: `Meta allows ${max} ${label} button(s) per template; the draft has ${count(type)}.`,
				fix: `Keep ${max}.`,
			});
		}
	}
	if (count('OTP') > 0 && category !== 'AUTHENTICATION') {
		errors.push({
			rule: 'buttons',
			text: 'OTP',
			problem: 'One-time-password buttons are only allowed in AUTHENTICATION templates.',
			fix: 'Remove the OTP button; notifications are UTILITY templates.',
		});
	}
	// Quick replies and the other buttons must form two groups (either order): at most one switch between them.
	let switches = 0;
	for (let i = 1; i < buttons.length; i++) {
		if ((upperCode(buttons[i - 1]?.type) === 'QUICK_REPLY') !== (upperCode(buttons[i]?.type) === 'QUICK_REPLY'))
			switches++;
	}
	if (switches > 1) {
		errors.push({
			rule: 'buttons',
			text: buttons.map((button) => upperCode(button?.type)).join(', '),
			problem: 'Quick-reply buttons and the other buttons are interleaved; Meta requires them in two groups.',
			fix: 'Put all quick-reply buttons together, before or after the other buttons.',
		});
	}
	const known = new Set([
		'QUICK_REPLY',
		'URL',
		'PHONE_NUMBER',
		'COPY_CODE',
		'OTP',
		'FLOW',
		'CATALOG',
		'MPM',
		'VOICE_CALL',
		'SPM',
	]);
	buttons.forEach((button, index) => {
		const type = upperCode(button?.type);
		const label = `Button ${index + 1}`;
		if (!known.has(type)) {
			errors.push({
				rule: 'buttons',
				text: String(button?.type ?? ''),
				problem: `${label} has the unknown type "${String(button?.type ?? '')}".`,
				fix: 'Use QUICK_REPLY, URL, PHONE_NUMBER or COPY_CODE.',
			});
		}
		const text = typeof button?.text === 'string' ? button.text : '';
		if (type !== 'OTP' && text.trim() === '') {
			errors.push({
				rule: 'buttonText',
				text: '',
				problem: `${label} has no text.`,
				fix: 'Give every button a label of up to 25 characters.',
			});
		} else if (text.length > BUTTON_TEXT_MAX) {
			errors.push(tooLong('buttonText', `${label} text`, text, BUTTON_TEXT_MAX, text));
		}
		if (/\{\{|\}\}/.test(text)) {
			errors.push({
				rule: 'buttonText',
				text,
				problem: `${label} text contains a variable; button labels are fixed.`,
				fix: 'Use fixed text for the label.',
			});
		}
		if (type === 'URL') checkUrlButton(button, label, errors);
		if (type === 'PHONE_NUMBER') {
			const phone = typeof button.phone_number === 'string' ? button.phone_number : String(button.phone_number ?? '');
			if (!/^\+?\d{6,20}$/.test(phone.replace(/[\s-]/g, '')) || phone.length > PHONE_NUMBER_MAX) {
				errors.push({
					rule: 'buttons',
					text: phone,
					problem: `${label} has the phone number "${phone}", which is not an international number of up to ${PHONE_NUMBER_MAX} characters.`,
					fix: 'Write the number with country code, e.g. 15550051310.',
				});
			}
		}
	});
}

function checkUrlButton(button: DraftButton, label: string, errors: DraftFinding[]): void {
	const url = typeof button.url === 'string' ? button.url.trim() : '';
	if (!/^https?:\/\/[^\s/?#{}]+\.[^\s/?#{}]+/i.test(url)) {
		errors.push({
			rule: 'buttonUrl',
			text: url,
			problem: `${label} needs a web address starting with https:// and a fixed domain.`,
			fix: 'Write the full address, e.g. https://shop.example.com/orders/{{1}}.',
		});
		return;
	}
	if (url.length > URL_BUTTON_MAX) {
		errors.push({
			rule: 'buttonUrl',
			text: clip(url),
			problem: `${label} URL is ${url.length} characters long; Meta allows ${URL_BUTTON_MAX}.`,
			fix: 'Shorten the URL.',
		});
	}
	const names = placeholdersInOrder(url);
	if (names.length === 0) return;
	if (names.length > 1 || !/\{\{1\}\}$/.test(url)) {
		errors.push({
			rule: 'buttonUrl',
			text: url,
			problem: `${label}: a URL button may have one variable, {{1}}, and only at the end of the URL.`,
			fix: 'Move the variable to the end, e.g. https://shop.example.com/track/{{1}}.',
		});
	}
	const example = Array.isArray(button.example) ? button.example[0] : button.example;
	if (typeof example !== 'string' || example.trim() === '') {
		errors.push({
			rule: 'examples',
			text: url,
			problem: `${label} URL has a variable but no example.`,
			fix: 'Add the full example URL, e.g. ["https://shop.example.com/track/A-10023"].',
		});
	}
}

/* ----------------------------------------------------------------------------------------------- content */

/** Weaker promotional signals than the content policy: each adds to the MARKETING estimate only. */
const MARKETING_SIGNALS: ReadonlyArray<{ pattern: RegExp; reason: string; weight: number }> = [
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:offers?|deals?|sale|discount(?:s|ed)?|coupons?|vouchers?|promo(?:tion)?s?|savings?|cashback|bonus)(?![\p{L}\p{N}])/giu,
		reason: 'sales vocabulary',
		weight: 20,
	},
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:exclusive|limited|hurry|last chance|don'?t miss|only today|today only|ends (?:soon|today|tonight|sunday|midnight))(?![\p{L}\p{N}])/giu,
		reason: 'urgency or exclusivity',
		weight: 20,
	},
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:shop|buy|order now|book now|upgrade|subscribe now|download our app|try our|check out our|explore|discover)(?![\p{L}\p{N}])/giu,
		reason: 'a call to buy, explore or install',
		weight: 15,
	},
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:new (?:collection|arrivals?|products?|range|feature|menu|store|resort)|just launched|now available|coming soon)(?![\p{L}\p{N}])/giu,
		reason: 'product or business news',
		weight: 15,
	},
	{
		pattern: /(?<![\p{L}\p{N}])(?:free(?! of charge)|win|prize|gift|reward points?|earn points)(?![\p{L}\p{N}])/giu,
		reason: 'incentives',
		weight: 15,
	},
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:happy birthday|congratulations|welcome to|thank you for joining|thanks for joining|season'?s greetings|happy holidays|happy new year)(?![\p{L}\p{N}])/giu,
		reason: 'greetings or relationship building (Meta: marketing)',
		weight: 15,
	},
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:left (?:some )?items? in your (?:cart|basket)|your cart is waiting|complete your purchase|resume your application|renew (?:now|today)|still interested)(?![\p{L}\p{N}])/giu,
		reason: 'retargeting (Meta: marketing even if requested)',
		weight: 30,
	},
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:did you know|learn more|more details|join us|stay tuned|save the date|looking for an?|around the corner|newest|latest|just opened|exciting|more benefits|premium)(?![\p{L}\p{N}])/giu,
		reason: 'awareness or news about the business (Meta: marketing)',
		weight: 20,
	},
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:is now a good time|good time to talk|when are you free|tried (?:contacting|to contact|calling|to call) you|participat\w* in (?:a|our) survey|do you mind participating)(?![\p{L}\p{N}])/giu,
		reason: 'cold-call opener or generic survey (not allowed in notifications)',
		weight: 40,
	},
	{
		pattern:
			/(?<![\p{L}\p{N}])(?:desconto|oferta|promoç[aã]o|liquidaç[aã]o|descuento|oferta|rebaja|angebot|rabatt|gutschein|gratis|gr[aá]tis)(?![\p{L}\p{N}])/giu,
		reason: 'sales vocabulary',
		weight: 20,
	},
];

/** Words that tie a message to one customer's transaction (Meta: utility must be specific to the user). */
const TRANSACTION_WORDS =
	/(?<![\p{L}\p{N}])(?:orders?|shipment|shipped|delivery|delivered|tracking|parcel|package|invoice|receipt|payment|paid|refund|balance|statement|account|password|sign[- ]?in|log[- ]?in|appointment|booking|booked|reservation|ticket|flight|gate|boarding|check[- ]?in|subscription|policy|claim|request|case|support|opt[- ]?(?:in|out)|confirmed|cancell?ed|rescheduled|due|overdue|pedido|entrega|fatura|pagamento|reserva|consulta|conta|factura|pago|cita|cuenta|bestellung|lieferung|rechnung|zahlung|termin|buchung|konto)(?![\p{L}\p{N}])/iu;

function assessMarketingRisk(text: string, findings: ContentFinding[], hasVariables: boolean): MarketingRisk {
	const phrases: MarketingRisk['phrases'] = [];
	let score = 0;
	for (const finding of findings) {
		phrases.push({ phrase: finding.phrase, reason: finding.ruleDescription });
		score += 60;
	}
	for (const signal of MARKETING_SIGNALS) {
		for (const match of text.matchAll(signal.pattern)) {
			if (phrases.some((p) => p.phrase.toLowerCase().includes(match[0].toLowerCase()))) continue;
			phrases.push({ phrase: match[0], reason: signal.reason });
			score += signal.weight;
		}
	}
	if (!TRANSACTION_WORDS.test(text)) {
		phrases.push({
			phrase: '(no order, booking, account or payment mentioned)',
			reason: 'not tied to a specific transaction (Meta: utility must be specific to the user)',
		});
		score += hasVariables ? 25 : 35;
	}
	const exclamations = (text.match(/!/g) ?? []).length;
	if (exclamations >= 3) {
		phrases.push({ phrase: `${exclamations} exclamation marks`, reason: 'excited, promotional tone' });
		score += 10;
	}
	score = Math.min(100, score);
	return { level: score >= 50 ? 'high' : score >= 25 ? 'medium' : 'low', score, phrases };
}

/** Words that show the text matches the chosen notification type (en, pt, es, de). */
const TYPE_WORDS: Readonly<Record<NotificationTypeValue, RegExp>> = {
	accountUpdate:
		/account|profile|password|sign[- ]?in|log[- ]?in|security|settings|e-?mail|consent|opt[- ]?(?:in|out)|conta|cuenta|konto|passwort|perfil|contraseña|senha/iu,
	paymentRequest:
		/pay|payment|amount|due|invoice|bill|auction|checkout|pag|pago|importe|zahl|betrag|rechnung|fatura|boleto/iu,
	shippingStatus:
		/ship|deliver|track|parcel|package|courier|dispatch|order|envi|entrega|pedido|rastre|seguimiento|versand|lieferung|sendung|paket|bestellung/iu,
	invoiceFinanceUpdate:
		/invoice|bill|payment|statement|balance|transaction|receipt|due|overdue|fatura|factura|rechnung|zahlung|saldo|pagamento|pago|kontoauszug/iu,
	reservationUpdate: /reserv|booking|booked|hotel|table|stay|check[- ]?in|room|itinerar|venue|reserva|buchung|zimmer/iu,
	appointmentReminder:
		/appointment|visit|consultation|session|scheduled|reminder|booking|doctor|dentist|consulta|cita|agendamento|termin|besuch/iu,
	travelUpdate:
		/flight|gate|train|bus|boarding|depart|arriv|trip|journey|itinerar|voo|vuelo|embarque|flug|zug|abfahrt|reise/iu,
	ticketUpdate: /ticket|event|entry|entrance|venue|seat|admission|ingresso|entrada|boleto|eintritt|veranstaltung/iu,
	alertUpdate:
		/alert|outage|warning|urgent|important|incident|disruption|maintenance|recall|safety|aviso|alerta|warnung|störung|ausfall/iu,
	customerServiceResumption:
		/request|case|ticket|support|conversation|enquiry|inquiry|question|chat|solicita|atendimento|anfrage|gespräch|soporte|consulta/iu,
};

/** One-time-code wording: Meta rejects it outside AUTHENTICATION templates (INCORRECT_CATEGORY). */
const ONE_TIME_CODE =
	/(?<![\p{L}\p{N}])(?:verification code|one[- ]time (?:password|passcode|code|pin)|otp|login code|security code|c[oó]digo de (?:verifica[cç][aã]o|verificaci[oó]n|seguran[cç]a|acceso|acesso)|best[aä]tigungscode|einmalpasswort|verifizierungscode)(?![\p{L}\p{N}])/iu;

/** Very common words of the languages the package knows; used to spot text in another language than its tag. */
const FUNCTION_WORDS: Readonly<Record<'en' | 'pt' | 'es' | 'de', RegExp>> = {
	en: /(?<![\p{L}])(?:the|your|you|and|has|have|will|is|are|with|for|of|to|this|we)(?![\p{L}])/giu,
	pt: /(?<![\p{L}])(?:seu|sua|você|voce|não|nao|está|esta|foi|será|sera|com|para|obrigado|obrigada|pedido|olá|ola)(?![\p{L}])/giu,
	es: /(?<![\p{L}])(?:su|tu|usted|está|fue|será|con|para|gracias|pedido|hola|el|los|las|del)(?![\p{L}])/giu,
	de: /(?<![\p{L}])(?:ihr|ihre|ihren|sie|und|ist|wird|wurde|mit|für|fur|der|die|das|den|bestellung|hallo|vielen)(?![\p{L}])/giu,
};

const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
	en: 'English',
	pt: 'Portuguese',
	es: 'Spanish',
	de: 'German',
};

/** The known language whose common words clearly dominate `text`, when the tag says another one. */
function languageMismatch(text: string, tag: string): { tagged: string; looksLike: string } | undefined {
	const tagged = tag.toLowerCase().split(/[_-]/)[0];
	if (!(tagged in FUNCTION_WORDS)) return undefined;
	const counts = (Object.keys(FUNCTION_WORDS) as Array<keyof typeof FUNCTION_WORDS>).map((language) => ({
		language,
		count: (text.match(FUNCTION_WORDS[language]) ?? []).length,
	}));
	const own = counts.find((c) => c.language === tagged)?.count ?? 0;
	const best = counts.filter((c) => c.language !== tagged).sort((a, b) => b.count - a.count)[0];
	return best && best.count >= 3 && own === 0 ? { tagged, looksLike: best.language } : undefined;
}

/* ----------------------------------------------------------------------------------------------- main */

/** The name: lower-case letters, digits and underscores, with a suggestion when it is not. */
function checkName(name: string, errors: DraftFinding[]): void {
	if (name === '') {
		errors.push({
			rule: 'name',
			text: '',
			problem: 'The draft has no name.',
			fix: 'Name it in lower case with underscores, e.g. order_shipped_v1.',
		});
	} else if (!/^[a-z0-9_]+$/.test(name) || name.length > TEMPLATE_NAME_MAX) {
		const suggestion = name
			.toLowerCase()
			.normalize('NFD')
			.replace(/\p{M}/gu, '')
			.replace(/[^a-z0-9]+/g, '_')
			.replace(/^_+|_+$/g, '')
			.slice(0, TEMPLATE_NAME_MAX);
		errors.push({
			rule: 'name',
			text: name,
			problem: `The name "${clip(name, 60)}" is not allowed: Meta accepts lower-case letters, digits and underscores, at most ${TEMPLATE_NAME_MAX} characters.`,
			fix: `Use "${suggestion || 'my_notification'}".`,
		});
	}
}

/** The category must be UTILITY, and a UTILITY text may not carry one-time codes (Meta: INCORRECT_CATEGORY). */
function checkCategory(rawCategory: unknown, category: string, text: string, errors: DraftFinding[]): void {
	if (category !== 'UTILITY') {
		errors.push({
			rule: 'category',
			text: String(rawCategory ?? ''),
			problem: `Notifications are UTILITY templates; the draft says "${String(rawCategory ?? '')}".`,
			fix: 'Set the category to UTILITY (marketing and authentication templates cannot be sent by Send Notification).',
		});
	}
	const otp = category === 'UTILITY' ? ONE_TIME_CODE.exec(text) : null;
	if (otp) {
		errors.push({
			rule: 'category',
			text: otp[0],
			problem: `"${otp[0]}": one-time codes may only be sent with AUTHENTICATION templates; Meta rejects them in UTILITY templates (INCORRECT_CATEGORY).`,
			fix: "Create an AUTHENTICATION template from Meta's authentication format for codes; notifications cannot carry them.",
		});
	}
}

/** The text must be in the language of its tag (Meta: TAG_CONTENT_MISMATCH). */
function checkTextLanguage(language: unknown, text: string, errors: DraftFinding[]): void {
	const mismatch = typeof language === 'string' ? languageMismatch(text, language) : undefined;
	if (!mismatch) return;
	errors.push({
		rule: 'language',
		text: String(language),
		problem: `The template is tagged "${String(language)}" but its text reads like ${LANGUAGE_NAMES[mismatch.looksLike]}; Meta rejects templates whose language tag does not match the content (TAG_CONTENT_MISMATCH).`,
		fix: `Tag it with the language of the text (e.g. ${mismatch.looksLike === 'en' ? 'en_US' : mismatch.looksLike === 'pt' ? 'pt_BR' : mismatch.looksLike}), or translate the text.`,
	});
}

function checkTtl(ttl: TemplateDraft['message_send_ttl_seconds'] | null, errors: DraftFinding[]): void {
	if (
		ttl !== undefined &&
		ttl !== null &&
		!(Number.isInteger(ttl) && ttl >= UTILITY_TTL_MIN_SECONDS && ttl <= UTILITY_TTL_MAX_SECONDS)
	) {
		errors.push({
			rule: 'ttl',
			text: String(ttl),
			problem: `The time-to-live of a utility template must be a whole number of seconds from ${UTILITY_TTL_MIN_SECONDS} to ${UTILITY_TTL_MAX_SECONDS} (12 hours).`,
			fix: 'Choose e.g. 3600 for one hour, or leave it empty for Meta’s default (30 days).',
		});
	}
}

interface DraftParts {
	header?: DraftComponent;
	body?: DraftComponent;
	bodyText: string;
	footer?: DraftComponent;
	buttonsComponent?: DraftComponent;
}

/** The structure: known component types, at most one of each, a body of allowed length. */
function checkStructure(components: DraftComponent[], errors: DraftFinding[]): DraftParts {
	const ofType = (type: string) => components.filter((component) => upperCode(component.type) === type);
	for (const component of components) {
		if (!['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(upperCode(component.type))) {
			errors.push({
				rule: 'structure',
				text: String(component.type ?? ''),
				problem: `"${String(component.type ?? '')}" is not a template component.`,
				fix: 'Use HEADER, BODY, FOOTER and BUTTONS.',
			});
		}
	}
	for (const type of ['HEADER', 'BODY', 'FOOTER', 'BUTTONS']) {
		if (ofType(type).length > 1) {
			errors.push({
				rule: 'structure',
				text: type,
				problem: `The draft has ${ofType(type).length} ${type} components; a template has at most one.`,
				fix: `Merge them into one ${type}.`,
			});
		}
	}
	const body = ofType('BODY')[0];
	const bodyText = typeof body?.text === 'string' ? body.text : '';
	if (!body || bodyText.trim() === '') {
		errors.push({
			rule: 'structure',
			text: '',
			problem: 'The draft has no body text.',
			fix: 'Write the message in the body.',
		});
	} else if (bodyText.length > BODY_TEXT_MAX) {
		errors.push(tooLong('bodyLength', 'The body', bodyText, BODY_TEXT_MAX));
	}
	return {
		header: ofType('HEADER')[0],
		body,
		bodyText,
		footer: ofType('FOOTER')[0],
		buttonsComponent: ofType('BUTTONS')[0],
	};
}

/** Variables written almost, but not quite, as {{1}} or {{name}}, in a text header and the body. */
function checkVariableSyntax(headerText: string, bodyText: string, errors: DraftFinding[]): void {
	for (const [where, text] of [
		['header', headerText],
		['body', bodyText],
	] as const) {
		for (const piece of malformedPlaceholders(text)) {
			errors.push({
				rule: 'variableSyntax',
				text: piece,
				problem: `"${piece}" in the ${where} looks like a variable but is not written {{1}} or {{name}} (Meta: mismatched curly braces or special characters).`,
				fix: 'Write variables with two braces on each side and only digits, or lower-case letters and underscores, inside: {{1}}, {{order_number}}.',
			});
		}
		for (const piece of spacedPlaceholders(text)) {
			errors.push({
				rule: 'variableSyntax',
				text: piece,
				problem: `"${piece}" has spaces inside the braces.`,
				fix: `Write ${piece.replace(/\s+/g, '')}.`,
			});
		}
	}
}

/** Layout the review frowns on: runs of empty lines, link shorteners. */
function checkFormatting(bodyText: string, buttons: DraftButton[], warnings: DraftFinding[]): void {
	if (/\n{3,}/.test(bodyText)) {
		warnings.push({
			rule: 'formatting',
			text: clip(bodyText),
			problem: 'The body has more than one empty line in a row.',
			fix: 'Keep at most one empty line between paragraphs.',
		});
	}
	if (
		/(?<![\p{L}\p{N}])(?:bit\.ly|tinyurl\.com|goo\.gl|t\.co|ow\.ly|is\.gd|cutt\.ly)\//iu.test(
			bodyText + buttons.map((b) => ` ${b?.url ?? ''}`).join(''),
		)
	) {
		warnings.push({
			rule: 'formatting',
			text: 'URL shortener',
			problem: 'The template uses a link shortener; Meta flags shortened links as possibly misleading.',
			fix: 'Use the full address of your own domain.',
		});
	}
}

/**
 * The wording of all the text: promotional content (an error), the risk of a MARKETING category, a text that is
 * the same for every customer, and a text that does not fit the chosen notification type (warnings).
 */
function checkWording(
	allText: string,
	bodyText: string | undefined,
	variableCount: number,
	notificationType: DraftCheckOptions['notificationType'],
	errors: DraftFinding[],
	warnings: DraftFinding[],
): MarketingRisk {
	const findings = checkContent(allText);
	for (const finding of findings) {
		errors.push({
			rule: 'contentPolicy',
			text: finding.phrase,
			problem: `"${finding.phrase}" is ${finding.ruleDescription.toLowerCase()}, which WhatsApp notifications may not contain; Meta approves such a template as MARKETING (or rejects it as PROMOTIONAL) and Send Notification cannot send it.`,
			fix: 'Remove the promotional sentence; keep only the information about the customer’s order, booking, account or payment.',
		});
	}
	const marketingRisk = assessMarketingRisk(allText, findings, variableCount > 0);
	if (findings.length === 0 && marketingRisk.level !== 'low') {
		warnings.push({
			rule: 'marketingRisk',
			text: marketingRisk.phrases.map((p) => p.phrase).join(', '),
			problem: `${marketingRisk.level === 'high' ? 'High' : 'Some'} risk that Meta categorises this template as MARKETING: ${marketingRisk.phrases.map((p) => `${p.reason} ("${p.phrase}")`).join('; ')}.`,
			fix: 'Refer to the customer’s specific order, booking, account or payment (with a variable such as the order number) and drop promotional wording.',
		});
	}
	if (variableCount === 0 && bodyText !== undefined) {
		warnings.push({
			rule: 'specificity',
			text: clip(bodyText, 60),
			problem:
				'The template has no variables, so every customer gets the same text; Meta expects utility messages to be specific to the customer (e.g. an order number).',
			fix: 'Add a variable for the order, booking or account the message is about.',
		});
	}
	const type = notificationType ? getNotificationType(notificationType) : undefined;
	if (type && allText !== '' && !TYPE_WORDS[type.value].test(allText)) {
		warnings.push({
			rule: 'notificationTypeFit',
			text: clip(bodyText ?? '', 60),
			problem: `The text does not read like a "${type.name}" notification (${type.description.toLowerCase()}).`,
			fix: `Say what the message is about in words a reviewer recognises, or choose the notification type that fits.`,
		});
	}
	return marketingRisk;
}

/** Checks a draft in Meta's create shape. Pure; never throws for bad input. */
export function checkTemplateDraft(draft: TemplateDraft, options: DraftCheckOptions = {}): DraftCheckResult {
	const errors: DraftFinding[] = [];
	const warnings: DraftFinding[] = [];
	const input = (draft && typeof draft === 'object' ? draft : {}) as Partial<TemplateDraft>;

	// Identity: name, language, category, time-to-live.
	checkName(typeof input.name === 'string' ? input.name : '', errors);
	checkLanguage(input.language, errors, warnings);
	const category = normaliseCategory(input.category ?? 'UTILITY');
	const componentText = (Array.isArray(input.components) ? input.components : [])
		.map((c) => (c && typeof c.text === 'string' ? c.text : ''))
		.join('\n');
	checkCategory(input.category, category, componentText, errors);
	checkTextLanguage(input.language, componentText, errors);
	checkTtl(input.message_send_ttl_seconds, errors);

	// Structure, then each component.
	const components = Array.isArray(input.components) ? input.components.filter((c) => c && typeof c === 'object') : [];
	const { header, body, bodyText, footer, buttonsComponent } = checkStructure(components, errors);
	const headerNames = header ? checkHeader(header, errors) : [];
	const bodyNames = placeholdersInOrder(bodyText);
	if (footer) checkFooter(footer, errors);
	const buttons = Array.isArray(buttonsComponent?.buttons) ? buttonsComponent.buttons : [];
	if (buttonsComponent) checkButtons(buttons, category, errors);

	// Variables: their syntax, one format, their place in the body, their examples.
	const textHeader = header && (upperCode(header.format) || 'TEXT') === 'TEXT' ? header : undefined;
	checkVariableSyntax(textHeader ? String(textHeader.text ?? '') : '', bodyText, errors);
	const format = checkVariables(
		[
			{ where: 'header', names: headerNames, text: String(header?.text ?? '') },
			{ where: 'body', names: bodyNames, text: bodyText },
		],
		String(input.parameter_format ?? ''),
		errors,
	);
	if (body) {
		checkBodyVariablePlacement(bodyText, bodyNames, errors, warnings);
		checkExamples(body, 'body', bodyNames, errors);
	}
	if (textHeader) checkExamples(textHeader, 'header', headerNames, errors);

	// Layout and wording.
	checkFormatting(bodyText, buttons, warnings);
	const allText = [header?.text, bodyText, footer?.text, ...buttons.map((button) => button?.text)]
		.filter((part): part is string => typeof part === 'string' && part !== '')
		.join('\n');
	const variableCount = bodyNames.length + headerNames.length;
	const marketingRisk = checkWording(
		allText,
		body ? bodyText : undefined,
		variableCount,
		options.notificationType,
		errors,
		warnings,
	);
	return {
		ok: errors.length === 0,
		errors,
		warnings,
		marketingRisk,
		variables: { format, header: [...new Set(headerNames)], body: [...new Set(bodyNames)] },
	};
}

/** The content-policy rule ids, for reports. */
export const CONTENT_POLICY_RULE_IDS: readonly string[] = CONTENT_RULES.map((rule) => rule.id);

/* ----------------------------------------------------------------------------------------------- form → draft */

export interface DraftFields {
	name: string;
	language: string;
	headerFormat?: 'NONE' | 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | string;
	headerText?: string;
	/** Example value of the header variable (a text header has at most one). */
	headerExample?: string;
	/** Handle of a sample file (4::…) for a media header. */
	headerMediaHandle?: string;
	body: string;
	/** One example per body variable: `variable` is `1`, `{{1}}`, `order_number` or `{{order_number}}`. */
	bodyExamples?: Array<{ variable: string; example: string }>;
	footer?: string;
	buttons?: Array<{ type: string; text: string; url?: string; urlExample?: string; phoneNumber?: string }>;
	messageSendTtlSeconds?: number;
}

const bareName = (variable: string): string => String(variable ?? '').replace(/[{}\s]/g, '');

/** Builds Meta's create body from the node's form fields; the result is what Check Draft checks and Submit sends. */
export function buildTemplateDraft(fields: DraftFields): TemplateDraft {
	const components: DraftComponent[] = [];
	const headerFormat = upperCode(fields.headerFormat) || 'NONE';
	const headerText = fields.headerText ?? '';
	const bodyText = fields.body ?? '';
	const named = [...placeholdersInOrder(headerText), ...placeholdersInOrder(bodyText)].some(
		(name) => !isPositional(name),
	);
	if (headerFormat === 'TEXT') {
		const header: DraftComponent = { type: 'HEADER', format: 'TEXT', text: headerText };
		const [variable] = placeholdersInOrder(headerText);
		if (variable !== undefined && fields.headerExample !== undefined && fields.headerExample !== '') {
			header.example = named
				? { header_text_named_params: [{ param_name: variable, example: fields.headerExample }] }
				: { header_text: [fields.headerExample] };
		}
		components.push(header);
	} else if (headerFormat !== 'NONE') {
		const header: DraftComponent = { type: 'HEADER', format: headerFormat };
		if (fields.headerMediaHandle) header.example = { header_handle: [fields.headerMediaHandle] };
		components.push(header);
	}
	const body: DraftComponent = { type: 'BODY', text: bodyText };
	const examples = new Map(
		(fields.bodyExamples ?? []).map((entry) => [bareName(entry.variable), String(entry.example ?? '')]),
	);
	const bodyNames = [...new Set(placeholdersInOrder(bodyText))];
	if (bodyNames.length > 0 && examples.size > 0) {
		body.example = named
			? {
					body_text_named_params: bodyNames
						.filter((name) => examples.has(name))
						.map((name) => ({ param_name: name, example: examples.get(name) as string })),
				}
			: { body_text: [[...bodyNames].sort((a, b) => Number(a) - Number(b)).map((name) => examples.get(name) ?? '')] };
	}
	components.push(body);
	if (fields.footer) components.push({ type: 'FOOTER', text: fields.footer });
	const buttons = (fields.buttons ?? []).map((button): DraftButton => {
		const type = upperCode(button.type);
		const out: DraftButton = { type, text: button.text };
		if (type === 'URL') {
			out.url = button.url ?? '';
			if (placeholdersInOrder(out.url).length > 0 && button.urlExample) out.example = [button.urlExample];
		}
		if (type === 'PHONE_NUMBER') out.phone_number = button.phoneNumber ?? '';
		return out;
	});
	if (buttons.length > 0) components.push({ type: 'BUTTONS', buttons });
	const draft: TemplateDraft = {
		name: fields.name,
		language: fields.language,
		category: 'UTILITY',
		parameter_format: named ? 'NAMED' : 'POSITIONAL',
		components,
	};
	if (fields.messageSendTtlSeconds !== undefined) draft.message_send_ttl_seconds = fields.messageSendTtlSeconds;
	return draft;
}
