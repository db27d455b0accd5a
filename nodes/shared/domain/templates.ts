/**
 * Template model: turns a template as returned by GET /message_templates into the list of
 * values a user must fill in (slots), and turns those values into the `components` of a send
 * request, checking Meta's parameter rules first so the user gets a clear message instead of
 * a 132000/132005/132007 error from the API.
 */
import {
	TEXT_VARIABLE_FIX,
	readHeaderMedia,
	richValueFromText,
	textVariableProblem,
	urlSuffixProblem,
} from './variableChecks';
import { isRecord, upperCode } from './guards';

export interface TemplateExample {
	header_text?: string[];
	header_text_named_params?: Array<{ param_name: string; example: string }>;
	header_handle?: string[];
	body_text?: string[][];
	body_text_named_params?: Array<{ param_name: string; example: string }>;
}

export interface TemplateButtonDef {
	type: string;
	text?: string;
	url?: string;
	phone_number?: string;
	example?: string[] | string;
	[extra: string]: unknown;
}

export interface TemplateComponentDef {
	type: string;
	format?: string;
	text?: string;
	example?: TemplateExample;
	buttons?: TemplateButtonDef[];
	[extra: string]: unknown;
}

export interface MessageTemplate {
	id: string;
	name: string;
	language: string;
	status: string;
	category: string;
	correct_category?: string | null;
	previous_category?: string | null;
	parameter_format?: string;
	components: TemplateComponentDef[];
	quality_score?: unknown;
	rejected_reason?: string;
}

/**
 * Meta's reasons for rejecting a template (`rejected_reason` of the template, `reason` of the
 * message_template_status_update webhook), from Meta's webhook reference
 * (developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_status_update),
 * each with what it means and what to change. NONE (or no value) is what Meta sends when it gives no reason.
 */
const REJECTION_REASONS: Readonly<Record<string, { meaning: string; advice: string }>> = {
	PROMOTIONAL: {
		meaning:
			'Meta found promotional content (offers, discounts, calls to buy) in a template that should carry a notification',
		advice:
			'Meta found promotional content. Remove offers, discounts and calls to buy, keep only the notification, and resubmit it as UTILITY (as MARKETING it could not be sent as a notification).',
	},
	INCORRECT_CATEGORY: {
		meaning: 'the content does not fit the category the template was submitted in',
		advice:
			'The content does not fit the category. Resubmit with the right category; one-time passwords must be AUTHENTICATION templates, notifications UTILITY without promotional wording.',
	},
	INVALID_FORMAT: {
		meaning: 'the template breaks a format rule',
		advice:
			'The template breaks a format rule (e.g. adjacent {{1}}{{2}} variables, a variable at the start or end, missing examples, too many variables for its length). Fix the text and resubmit.',
	},
	TAG_CONTENT_MISMATCH: {
		meaning: 'the category or language given does not match the content',
		advice: 'The category or language does not match the content. Fix the language or the category and resubmit.',
	},
	ABUSIVE_CONTENT: {
		meaning: 'Meta found content that violates its policies',
		advice: 'Meta found abusive content. Rewrite the template; repeated violations can restrict the account.',
	},
	SCAM: {
		meaning: 'Meta judged the template a possible scam',
		advice: 'Meta judged the template as a possible scam. Rewrite it with clear business identification and resubmit.',
	},
	CATEGORY_NOT_AVAILABLE: {
		meaning: 'the category is not available for this account (a reason Meta no longer uses)',
		advice: 'The category is not available for this account. Choose another category and resubmit.',
	},
	NONE: {
		meaning: 'Meta gave no reason',
		advice:
			'Read the rejection details in WhatsApp Manager (Account tools → Message templates), change the template accordingly and resubmit it, or request a review.',
	},
};

export interface Rejection {
	/** Meta's reason code as sent (NONE when Meta gave none). */
	reason: string;
	meaning: string;
	advice: string;
}

/** Meta's rejection reason of a template, what it means and what to change; unknown codes are named as they are. */
export function describeRejection(rawReason: unknown): Rejection {
	const reason = typeof rawReason === 'string' && rawReason.trim() !== '' ? rawReason.trim().toUpperCase() : 'NONE';
	const known = REJECTION_REASONS[reason];
	if (known) return { reason, ...known };
	return { reason, meaning: 'a reason this node does not know yet', advice: REJECTION_REASONS.NONE.advice };
}

/** What to change about a template Meta rejected with `reason`. */
export function rejectionAdvice(reason: string): string {
	return describeRejection(reason).advice;
}

export type SlotKind = 'headerText' | 'headerMedia' | 'bodyText' | 'buttonUrl' | 'buttonQuickReply' | 'buttonCopyCode';

export interface TemplateSlot {
	key: string;
	kind: SlotKind;
	label: string;
	example?: string;
	required: boolean;
	paramName?: string;
	position?: number;
	buttonIndex?: number;
	mediaFormat?: 'IMAGE' | 'VIDEO' | 'DOCUMENT';
}

export type SlotValue =
	| string
	| number
	| { type: 'currency'; fallback_value: string; code: string; amount_1000: number }
	| { type: 'date_time'; fallback_value: string }
	| null
	| undefined;

export interface ValidationIssue {
	slot?: string;
	problem: string;
	fix: string;
}

export interface BuiltTemplate {
	components: Array<Record<string, unknown>>;
	renderedText: string;
	issues: ValidationIssue[];
}

/** Meta limits for template variables and rendered text. */
export const HEADER_TEXT_MAX = 60;
export const BODY_TEXT_MAX = 1024;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const MEDIA_FORMATS: ReadonlySet<string> = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);

/** Distinct placeholder names in order of first appearance. */
export function placeholdersIn(text: string | undefined): string[] {
	if (typeof text !== 'string') return [];
	const names: string[] = [];
	for (const match of text.matchAll(PLACEHOLDER)) {
		if (!names.includes(match[1])) names.push(match[1]);
	}
	return names;
}

function isPositionalName(name: string): boolean {
	return /^\d+$/.test(name);
}

function findComponent(t: MessageTemplate, type: string): TemplateComponentDef | undefined {
	return (Array.isArray(t.components) ? t.components : []).find((component) => upperCode(component?.type) === type);
}

export function templateParameterFormat(t: MessageTemplate): 'NAMED' | 'POSITIONAL' {
	const explicit = upperCode(t.parameter_format);
	if (explicit === 'NAMED' || explicit === 'POSITIONAL') return explicit;
	const texts = [findComponent(t, 'HEADER')?.text, findComponent(t, 'BODY')?.text];
	const names = texts.flatMap((text) => placeholdersIn(text));
	return names.some((name) => !isPositionalName(name)) ? 'NAMED' : 'POSITIONAL';
}

function exampleSuffix(example: string | undefined): string {
	return example ? ` (e.g. ${example})` : '';
}

function namedExample(
	list: Array<{ param_name: string; example: string }> | undefined,
	name: string,
): string | undefined {
	const found = Array.isArray(list) ? list.find((entry) => entry?.param_name === name) : undefined;
	return typeof found?.example === 'string' ? found.example : undefined;
}

function textSlots(
	text: string | undefined,
	section: 'header' | 'body',
	examplesPositional: string[] | undefined,
	examplesNamed: Array<{ param_name: string; example: string }> | undefined,
): TemplateSlot[] {
	const names = placeholdersIn(text);
	const positional = names.filter(isPositionalName).sort((a, b) => Number(a) - Number(b));
	const named = names.filter((name) => !isPositionalName(name));
	const sectionLabel = section === 'header' ? 'Header' : 'Body';
	const kind: SlotKind = section === 'header' ? 'headerText' : 'bodyText';
	const slots: TemplateSlot[] = [];
	for (const name of positional) {
		const position = Number(name);
		const example = Array.isArray(examplesPositional) ? examplesPositional[position - 1] : undefined;
		slots.push({
			key: `${section}_${position}`,
			kind,
			label: `${sectionLabel} {{${position}}}${exampleSuffix(example)}`,
			...(typeof example === 'string' ? { example } : {}),
			required: true,
			position,
		});
	}
	for (const name of named) {
		const example = namedExample(examplesNamed, name);
		slots.push({
			key: `${section}_${name}`,
			kind,
			label: `${sectionLabel} {{${name}}}${exampleSuffix(example)}`,
			...(example !== undefined ? { example } : {}),
			required: true,
			paramName: name,
		});
	}
	return slots;
}

function firstExample(example: string[] | string | undefined): string | undefined {
	if (typeof example === 'string') return example;
	return Array.isArray(example) && typeof example[0] === 'string' ? example[0] : undefined;
}

/** The fixed part of a URL button's link, before its {{1}}. */
function urlButtonFixedPart(t: MessageTemplate, buttonIndex: number | undefined): string {
	const buttons = findComponent(t, 'BUTTONS')?.buttons;
	const url = Array.isArray(buttons) && buttonIndex !== undefined ? buttons[buttonIndex]?.url : undefined;
	return typeof url === 'string' ? url.split('{{')[0] : '';
}

/**
 * The resource mapper hands every value over as text; a currency / date_time object may come as JSON text or,
 * from an expression, as the object itself.
 */
export function slotValuesFromMapper(raw: unknown): Record<string, SlotValue> {
	const values: Record<string, SlotValue> = {};
	if (!raw || typeof raw !== 'object') return values;
	for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
		const rich = typeof value === 'string' ? richValueFromText(value) : undefined;
		values[key] = (rich ?? value) as SlotValue;
	}
	return values;
}

/** Meta's URL-button example is the full URL; the user only supplies the part after the static prefix. */
function urlSuffixExample(url: string, example: string | undefined): string | undefined {
	if (example === undefined) return undefined;
	const staticPrefix = url.split('{{')[0];
	return staticPrefix && example.startsWith(staticPrefix) ? example.slice(staticPrefix.length) : example;
}

/** The values a user must (or may) fill in for a template: header, body variables, then buttons. */
export function describeTemplateSlots(t: MessageTemplate): TemplateSlot[] {
	const slots: TemplateSlot[] = [];
	const header = findComponent(t, 'HEADER');
	if (header) slots.push(...headerSlots(header));
	const body = findComponent(t, 'BODY');
	if (body) {
		slots.push(...textSlots(body.text, 'body', body.example?.body_text?.[0], body.example?.body_text_named_params));
	}
	const buttons = findComponent(t, 'BUTTONS')?.buttons;
	(Array.isArray(buttons) ? buttons : []).forEach((button, buttonIndex) => {
		const slot = buttonSlot(button, buttonIndex);
		if (slot) slots.push(slot);
	});
	return slots;
}

/** A text header's variables, or the one media slot of an image, video or document header. */
function headerSlots(header: TemplateComponentDef): TemplateSlot[] {
	const format = upperCode(header.format) || 'TEXT';
	if (format === 'TEXT') {
		return textSlots(header.text, 'header', header.example?.header_text, header.example?.header_text_named_params);
	}
	if (!MEDIA_FORMATS.has(format)) return [];
	const mediaFormat = format as 'IMAGE' | 'VIDEO' | 'DOCUMENT';
	return [
		{
			key: 'header_media',
			kind: 'headerMedia',
			label: `Header ${mediaFormat.toLowerCase()} (public https URL or Meta media ID)`,
			required: true,
			mediaFormat,
		},
	];
}

/** The slot of a button that takes a value: a URL with a variable, a quick reply's payload, a code to copy. */
function buttonSlot(button: TemplateButtonDef, buttonIndex: number): TemplateSlot | undefined {
	const buttonType = upperCode(button?.type);
	const buttonName = typeof button?.text === 'string' && button.text ? `"${button.text}"` : `${buttonIndex + 1}`;
	if (buttonType === 'URL' && typeof button.url === 'string' && placeholdersIn(button.url).length > 0) {
		const example = urlSuffixExample(button.url, firstExample(button.example));
		return {
			key: `button_${buttonIndex}_url`,
			kind: 'buttonUrl',
			label: `Button ${buttonName} URL suffix${exampleSuffix(example)}`,
			...(example !== undefined ? { example } : {}),
			required: true,
			buttonIndex,
		};
	}
	if (buttonType === 'QUICK_REPLY') {
		return {
			key: `button_${buttonIndex}_payload`,
			kind: 'buttonQuickReply',
			label: `Button ${buttonName} reply payload (optional)`,
			required: false,
			buttonIndex,
		};
	}
	if (buttonType === 'COPY_CODE') {
		const example = firstExample(button.example);
		return {
			key: `button_${buttonIndex}_code`,
			kind: 'buttonCopyCode',
			label: `Button ${buttonName} code to copy${exampleSuffix(example)}`,
			...(example !== undefined ? { example } : {}),
			required: true,
			buttonIndex,
		};
	}
	return undefined;
}

type CurrencyValue = Extract<SlotValue, { type: 'currency' }>;
type DateTimeValue = Extract<SlotValue, { type: 'date_time' }>;

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function substitute(text: string, valueByName: Map<string, string>): string {
	return text.replace(PLACEHOLDER, (whole, name: string) => valueByName.get(name) ?? whole);
}

/** What the slots of a template add up to while its components are built: parameters, substitutions, issues. */
interface ComponentParts {
	headerParams: Array<Record<string, unknown>>;
	bodyParams: Array<Record<string, unknown>>;
	buttonComponents: Array<Record<string, unknown>>;
	/** Placeholder name or position → the text it renders as, for the rendered text. */
	headerTextByName: Map<string, string>;
	bodyTextByName: Map<string, string>;
	issues: ValidationIssue[];
}

/**
 * The `components` of a send request from the values of a template's slots, the text the recipient will read, and
 * every problem Meta would refuse (checked here so the user gets the fix, not a 132000).
 */
export function buildTemplateComponents(t: MessageTemplate, values: Record<string, SlotValue>): BuiltTemplate {
	const slots = describeTemplateSlots(t);
	const suppliedValues: Record<string, unknown> = isRecord(values) ? values : {};
	const parts: ComponentParts = {
		headerParams: [],
		bodyParams: [],
		buttonComponents: [],
		headerTextByName: new Map(),
		bodyTextByName: new Map(),
		issues: unknownValueIssues(t, slots, suppliedValues),
	};
	const header = findComponent(t, 'HEADER');
	if (header && upperCode(header.format) === 'LOCATION') {
		parts.issues.push({
			problem: `Template "${t.name}" has a location header, which this node cannot fill in.`,
			fix: 'Use a template with a text, image, video or document header, or none.',
		});
	}
	const named = templateParameterFormat(t) === 'NAMED';
	for (const slot of slots) fillSlot(t, slot, suppliedValues[slot.key], named, parts);
	const components = assembleComponents(parts);
	const renderedText = renderTemplateText(t, slots, parts);
	return { components, renderedText, issues: parts.issues };
}

/** Values that match no slot of the template (a typo, or a variable of another template). */
function unknownValueIssues(
	t: MessageTemplate,
	slots: TemplateSlot[],
	suppliedValues: Record<string, unknown>,
): ValidationIssue[] {
	const slotKeys = new Set(slots.map((slot) => slot.key));
	return Object.keys(suppliedValues)
		.filter((key) => !slotKeys.has(key) && suppliedValues[key] !== undefined)
		.map((key) => ({
			slot: key,
			problem: `"${key}" does not match any variable of template "${t.name}".`,
			fix:
				slotKeys.size > 0
					? `Remove it, or use one of: ${[...slotKeys].join(', ')}.`
					: 'Remove it; this template has no variables.',
		}));
}

/** One slot's value: checked, then added to the header, body or buttons. */
function fillSlot(t: MessageTemplate, slot: TemplateSlot, raw: unknown, named: boolean, parts: ComponentParts): void {
	if (isEmpty(raw)) {
		if (slot.required) {
			parts.issues.push({
				slot: slot.key,
				problem: `${slot.label} has no value.`,
				fix: `Fill in ${slot.label}; every variable of the template needs a value.`,
			});
		}
		return;
	}
	const withName = (param: Record<string, unknown>): Record<string, unknown> =>
		named && slot.paramName ? { type: param.type, parameter_name: slot.paramName, ...param } : param;
	if (slot.kind === 'bodyText' && isRecord(raw) && (raw.type === 'currency' || raw.type === 'date_time')) {
		const param = richBodyParameter(slot, raw, parts.issues);
		if (param) {
			parts.bodyParams.push(withName(param.parameter));
			parts.bodyTextByName.set(slotName(slot), param.display);
		}
		return;
	}
	const text = slotText(slot, raw, parts.issues);
	if (text === undefined) return;
	switch (slot.kind) {
		case 'headerText':
		case 'bodyText':
			addTextParameter(slot, text, withName, parts);
			break;
		case 'headerMedia': {
			const mediaType = (slot.mediaFormat ?? 'IMAGE').toLowerCase();
			const media = readHeaderMedia(text, mediaType);
			if ('problem' in media)
				parts.issues.push({ slot: slot.key, problem: `${slot.label} ${media.problem}.`, fix: media.fix });
			else parts.headerParams.push({ type: mediaType, [mediaType]: media });
			break;
		}
		case 'buttonUrl': {
			const problem = urlSuffixProblem(text, urlButtonFixedPart(t, slot.buttonIndex));
			if (problem)
				parts.issues.push({ slot: slot.key, problem: `${slot.label} ${problem.problem}.`, fix: problem.fix });
			else parts.buttonComponents.push(buttonComponent(slot, 'url', { type: 'text', text }));
			break;
		}
		case 'buttonQuickReply':
			parts.buttonComponents.push(buttonComponent(slot, 'quick_reply', { type: 'payload', payload: text }));
			break;
		case 'buttonCopyCode':
			parts.buttonComponents.push(buttonComponent(slot, 'copy_code', { type: 'coupon_code', coupon_code: text }));
			break;
	}
}

/** The placeholder a text slot fills: its name (named templates) or its position. */
function slotName(slot: TemplateSlot): string {
	return slot.paramName ?? String(slot.position);
}

/** A slot value as text; undefined (with the issue) when it is neither text nor a finite number. */
function slotText(slot: TemplateSlot, raw: unknown, issues: ValidationIssue[]): string | undefined {
	if (typeof raw !== 'string' && typeof raw !== 'number') {
		issues.push({
			slot: slot.key,
			problem: `${slot.label} must be text or a number, not ${Array.isArray(raw) ? 'a list' : typeof raw}.`,
			fix:
				slot.kind === 'bodyText'
					? 'Pass text, a number, or a currency / date_time object.'
					: 'Pass text or a number (use an expression such as {{ $json.field }}).',
		});
		return undefined;
	}
	if (typeof raw === 'number' && !Number.isFinite(raw)) {
		issues.push({
			slot: slot.key,
			problem: `${slot.label} is not a finite number.`,
			fix: 'Pass a real number or text.',
		});
		return undefined;
	}
	return String(raw);
}

/** A header or body text variable: within Meta's length, without what WhatsApp refuses in variables. */
function addTextParameter(
	slot: TemplateSlot,
	text: string,
	withName: (param: Record<string, unknown>) => Record<string, unknown>,
	parts: ComponentParts,
): void {
	const isHeader = slot.kind === 'headerText';
	const limit = isHeader ? HEADER_TEXT_MAX : BODY_TEXT_MAX;
	if (text.length > limit) {
		parts.issues.push({
			slot: slot.key,
			problem: `${slot.label} is ${text.length} characters long; the whole ${isHeader ? 'header' : 'body'} may have at most ${limit}.`,
			fix: `Shorten the value to well under ${limit} characters.`,
		});
		return;
	}
	const problem = textVariableProblem(text);
	if (problem) {
		parts.issues.push({
			slot: slot.key,
			problem: `${slot.label} ${problem}, which WhatsApp does not allow in variables.`,
			fix: TEXT_VARIABLE_FIX,
		});
	}
	(isHeader ? parts.headerParams : parts.bodyParams).push(withName({ type: 'text', text }));
	(isHeader ? parts.headerTextByName : parts.bodyTextByName).set(slotName(slot), text);
}

function buttonComponent(
	slot: TemplateSlot,
	subType: string,
	parameter: Record<string, unknown>,
): Record<string, unknown> {
	return { type: 'button', sub_type: subType, index: String(slot.buttonIndex), parameters: [parameter] };
}

/** Header, body, then the buttons by index. Positional parameters must reach Meta in placeholder order; slots are already sorted. */
function assembleComponents(parts: ComponentParts): Array<Record<string, unknown>> {
	const components: Array<Record<string, unknown>> = [];
	if (parts.headerParams.length > 0) components.push({ type: 'header', parameters: parts.headerParams });
	if (parts.bodyParams.length > 0) components.push({ type: 'body', parameters: parts.bodyParams });
	parts.buttonComponents.sort((a, b) => Number(a.index) - Number(b.index));
	components.push(...parts.buttonComponents);
	return components;
}

/** The text the recipient reads (header, body, footer), checked against Meta's limits once filled in. */
function renderTemplateText(t: MessageTemplate, slots: TemplateSlot[], parts: ComponentParts): string {
	const rendered: string[] = [];
	const header = findComponent(t, 'HEADER');
	if (header && (upperCode(header.format) || 'TEXT') === 'TEXT' && typeof header.text === 'string') {
		const renderedHeader = substitute(header.text, parts.headerTextByName);
		if (renderedHeader.length > HEADER_TEXT_MAX && parts.headerTextByName.size > 0) {
			parts.issues.push({
				slot: slots.find((slot) => slot.kind === 'headerText')?.key,
				problem: `The header would be ${renderedHeader.length} characters long; WhatsApp allows at most ${HEADER_TEXT_MAX}.`,
				fix: `Shorten the header variable so the whole header stays within ${HEADER_TEXT_MAX} characters.`,
			});
		}
		rendered.push(renderedHeader);
	}
	const body = findComponent(t, 'BODY');
	if (body && typeof body.text === 'string') {
		const renderedBody = substitute(body.text, parts.bodyTextByName);
		if (renderedBody.length > BODY_TEXT_MAX) {
			parts.issues.push({
				slot: slots.find((slot) => slot.kind === 'bodyText')?.key,
				problem: `The message body would be ${renderedBody.length} characters long; WhatsApp allows at most ${BODY_TEXT_MAX}.`,
				fix: `Shorten the body variables by at least ${renderedBody.length - BODY_TEXT_MAX} characters.`,
			});
		}
		rendered.push(renderedBody);
	}
	const footer = findComponent(t, 'FOOTER');
	if (footer && typeof footer.text === 'string' && footer.text !== '') rendered.push(footer.text);
	return rendered.join('\n\n');
}

function richBodyParameter(
	slot: TemplateSlot,
	raw: Record<string, unknown>,
	issues: ValidationIssue[],
): { parameter: Record<string, unknown>; display: string } | undefined {
	const fallback = raw.fallback_value;
	if (typeof fallback !== 'string' || fallback.trim() === '') {
		issues.push({
			slot: slot.key,
			problem: `${slot.label} is a ${String(raw.type)} value without a fallback_value.`,
			fix: 'Set fallback_value to the text WhatsApp should show, e.g. "€20.00" or "25 February 2027".',
		});
		return undefined;
	}
	const problem =
		fallback.length > BODY_TEXT_MAX ? `is ${fallback.length} characters long` : textVariableProblem(fallback);
	if (problem) {
		issues.push({
			slot: slot.key,
			problem: `${slot.label} fallback_value ${problem}, which WhatsApp does not allow in variables.`,
			fix: TEXT_VARIABLE_FIX,
		});
	}
	if (raw.type === 'date_time') {
		const value = raw as DateTimeValue;
		return { parameter: { type: 'date_time', date_time: { fallback_value: value.fallback_value } }, display: fallback };
	}
	const value = raw as CurrencyValue;
	let valid = true;
	if (typeof value.code !== 'string' || !/^[A-Z]{3}$/.test(value.code)) {
		valid = false;
		issues.push({
			slot: slot.key,
			problem: `${slot.label} has currency code "${String(value.code)}", which is not an ISO 4217 code.`,
			fix: 'Use a three-letter upper-case currency code such as EUR, USD or BRL.',
		});
	}
	if (typeof value.amount_1000 !== 'number' || !Number.isInteger(value.amount_1000)) {
		valid = false;
		issues.push({
			slot: slot.key,
			problem: `${slot.label} has amount_1000 "${String(value.amount_1000)}", which is not a whole number.`,
			fix: 'Set amount_1000 to the amount multiplied by 1000, e.g. 20.50 becomes 20500.',
		});
	}
	if (!valid) return undefined;
	return {
		parameter: {
			type: 'currency',
			currency: { fallback_value: value.fallback_value, code: value.code, amount_1000: value.amount_1000 },
		},
		display: fallback,
	};
}
