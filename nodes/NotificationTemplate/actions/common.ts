/** What the template operations share: the draft fields, reading a draft from an item, reading a template, Graph errors. */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { NOTIFICATION_TYPES, type NotificationTypeValue } from '../../shared/domain/notificationTypes';
import { rejectionAdvice } from '../../shared/domain/templateDiff';
import {
	buildTemplateDraft,
	checkTemplateDraft,
	type DraftCheckResult,
	type DraftFields,
	type TemplateDraft,
} from '../../shared/domain/templateDraft';
import { readTemplate } from '../../shared/io/templates';
import type { CloudCredentials, GraphResponse } from '../../shared/io/transport';
import { graphApiError } from '../../shared/n8n/errors';

/** The notification type the check measures the text against, and whether the draft comes as fields or as JSON. */
function draftSourceProperties(operations: string[]): INodeProperties[] {
	const show = { show: { operation: operations } };
	return [
		{
			displayName: 'Notification Type',
			name: 'notificationType',
			type: 'options',
			default: '',
			description: 'The notification the template is for; the check warns when the text does not fit it',
			options: [
				{ name: '— Not Set —', value: '' },
				...NOTIFICATION_TYPES.map((type) => ({ name: type.name, value: type.value, description: type.description })),
			],
			displayOptions: show,
		},
		{
			displayName: 'Define Draft By',
			name: 'draftSource',
			type: 'options',
			default: 'fields',
			options: [
				{ name: 'Fields', value: 'fields', description: 'Header, body, footer and buttons as separate fields' },
				{ name: 'JSON', value: 'json', description: "Meta's template JSON (name, language, components with examples)" },
			],
			displayOptions: show,
		},
		{
			displayName: 'Template JSON',
			name: 'draftJson',
			type: 'json',
			default:
				'{\n  "name": "order_shipped_v1",\n  "language": "en_US",\n  "category": "UTILITY",\n  "components": [\n    {\n      "type": "BODY",\n      "text": "Hi {{1}}, your order {{2}} has shipped and will arrive on {{3}}. Thank you.",\n      "example": { "body_text": [["Maria", "A-10023", "June 12"]] }\n    }\n  ]\n}',
			description: "The body of Meta's create-template request (POST message_templates)",
			displayOptions: { show: { operation: operations, draftSource: ['json'] } },
		},
	];
}

/** Name and language of a new template (an edit keeps those Meta has). */
function nameAndLanguageProperties(operations: string[]): INodeProperties[] {
	const showFields = { show: { operation: operations, draftSource: ['fields'] } };
	return [
		{
			displayName: 'Template Name',
			name: 'templateName',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'order_shipped_v1',
			description: 'Lower-case letters, digits and underscores, at most 512 characters',
			displayOptions: showFields,
		},
		{
			displayName: 'Language',
			name: 'language',
			type: 'string',
			default: 'en_US',
			required: true,
			placeholder: 'en_US',
			description: "Meta's language code of the text, e.g. en_US, pt_BR, es, de",
			displayOptions: showFields,
		},
	];
}

/** The header: none, a text with at most one variable, or a media sample. */
function headerProperties(operations: string[]): INodeProperties[] {
	const showFields = { show: { operation: operations, draftSource: ['fields'] } };
	return [
		{
			displayName: 'Header',
			name: 'headerFormat',
			type: 'options',
			default: 'NONE',
			options: [
				{ name: 'Document', value: 'DOCUMENT' },
				{ name: 'Image', value: 'IMAGE' },
				{ name: 'None', value: 'NONE' },
				{ name: 'Text', value: 'TEXT' },
				{ name: 'Video', value: 'VIDEO' },
			],
			displayOptions: showFields,
		},
		{
			displayName: 'Header Text',
			name: 'headerText',
			type: 'string',
			default: '',
			description: 'At most 60 characters and one variable; no emojis, line breaks or formatting',
			displayOptions: { show: { operation: operations, draftSource: ['fields'], headerFormat: ['TEXT'] } },
		},
		{
			displayName: 'Header Variable Example',
			name: 'headerExample',
			type: 'string',
			default: '',
			description: 'Example value of the header variable, for the review',
			displayOptions: { show: { operation: operations, draftSource: ['fields'], headerFormat: ['TEXT'] } },
		},
		{
			displayName: 'Header Sample File Handle',
			name: 'headerMediaHandle',
			type: 'string',
			default: '',
			placeholder: '4::aW1hZ2UvanBn:…',
			description: "Handle of a sample file uploaded with Meta's Resumable Upload API",
			displayOptions: {
				show: { operation: operations, draftSource: ['fields'], headerFormat: ['IMAGE', 'VIDEO', 'DOCUMENT'] },
			},
		},
	];
}

/** The body with its variable examples, and the footer. */
function bodyProperties(operations: string[]): INodeProperties[] {
	const showFields = { show: { operation: operations, draftSource: ['fields'] } };
	return [
		{
			displayName: 'Body',
			name: 'body',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			required: true,
			placeholder: 'Hi {{1}}, your order {{2}} has shipped and will arrive on {{3}}. Thank you.',
			description: 'Up to 1,024 characters. Variables: {{1}}, {{2}}, … or named {{order_number}}, never both.',
			displayOptions: showFields,
		},
		{
			displayName: 'Variable Examples',
			name: 'bodyExamples',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			placeholder: 'Add Example',
			description: 'One realistic example per body variable; Meta needs them to review the template',
			displayOptions: showFields,
			options: [
				{
					name: 'example',
					displayName: 'Example',
					values: [
						{
							displayName: 'Variable',
							name: 'variable',
							type: 'string',
							default: '',
							placeholder: '1 or order_number',
						},
						{ displayName: 'Example', name: 'example', type: 'string', default: '', placeholder: 'A-10023' },
					],
				},
			],
		},
		{
			displayName: 'Footer',
			name: 'footer',
			type: 'string',
			default: '',
			description: 'Optional fixed text of up to 60 characters',
			displayOptions: showFields,
		},
	];
}

/** Up to ten buttons: quick replies, links, a phone number. */
function buttonProperties(operations: string[]): INodeProperties[] {
	const showFields = { show: { operation: operations, draftSource: ['fields'] } };
	return [
		{
			displayName: 'Buttons',
			name: 'buttons',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			placeholder: 'Add Button',
			description: 'Up to 10: at most 2 URL and 1 phone number; quick replies together',
			displayOptions: showFields,
			options: [
				{
					name: 'button',
					displayName: 'Button',
					values: [
						{
							displayName: 'Phone Number',
							name: 'phoneNumber',
							type: 'string',
							default: '',
							placeholder: '15550051310',
							displayOptions: { show: { type: ['PHONE_NUMBER'] } },
						},
						{
							displayName: 'Text',
							name: 'text',
							type: 'string',
							default: '',
							description: 'Label, at most 25 characters',
						},
						{
							displayName: 'Type',
							name: 'type',
							type: 'options',
							default: 'QUICK_REPLY',
							options: [
								{ name: 'Phone Number', value: 'PHONE_NUMBER' },
								{ name: 'Quick Reply', value: 'QUICK_REPLY' },
								{ name: 'URL', value: 'URL' },
							],
						},
						{
							displayName: 'URL',
							name: 'url',
							type: 'string',
							default: '',
							placeholder: 'https://shop.example.com/track/{{1}}',
							displayOptions: { show: { type: ['URL'] } },
						},
						{
							displayName: 'URL Example',
							name: 'urlExample',
							type: 'string',
							default: '',
							placeholder: 'https://shop.example.com/track/A-10023',
							displayOptions: { show: { type: ['URL'] } },
						},
					],
				},
			],
		},
	];
}

/** Fields that describe a draft, shown for the operations in `operations`. */
export function draftProperties(operations: string[], withNameAndLanguage: boolean): INodeProperties[] {
	return [
		...draftSourceProperties(operations),
		...(withNameAndLanguage ? nameAndLanguageProperties(operations) : []),
		...headerProperties(operations),
		...bodyProperties(operations),
		...buttonProperties(operations),
	];
}

function parseJsonDraft(raw: unknown): TemplateDraft {
	const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
	if (!value || typeof value !== 'object' || Array.isArray(value))
		throw new Error('The template JSON must be an object');
	return value as TemplateDraft;
}

/** The draft of item `i` in Meta's create shape. */
export function readDraft(ctx: IExecuteFunctions, i: number): TemplateDraft {
	const source = ctx.getNodeParameter('draftSource', i, 'fields') as string;
	if (source === 'json') {
		try {
			return parseJsonDraft(ctx.getNodeParameter('draftJson', i));
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), `The Template JSON is not usable: ${(error as Error).message}`, {
				itemIndex: i,
				description: 'Give the JSON body of Meta\'s create-template request: {"name", "language", "components": [...]}',
			});
		}
	}
	const examples =
		(ctx.getNodeParameter('bodyExamples', i, {}) as { example?: Array<{ variable: string; example: string }> })
			.example ?? [];
	const buttons = (ctx.getNodeParameter('buttons', i, {}) as { button?: DraftFields['buttons'] }).button ?? [];
	return buildTemplateDraft({
		name: ctx.getNodeParameter('templateName', i, '') as string,
		language: ctx.getNodeParameter('language', i, '') as string,
		headerFormat: ctx.getNodeParameter('headerFormat', i, 'NONE') as string,
		headerText: ctx.getNodeParameter('headerText', i, '') as string,
		headerExample: ctx.getNodeParameter('headerExample', i, '') as string,
		headerMediaHandle: ctx.getNodeParameter('headerMediaHandle', i, '') as string,
		body: ctx.getNodeParameter('body', i, '') as string,
		bodyExamples: examples,
		footer: ctx.getNodeParameter('footer', i, '') as string,
		buttons,
	});
}

export function checkJson(result: DraftCheckResult): IDataObject {
	return {
		ok: result.ok,
		errors: result.errors as unknown as IDataObject[],
		warnings: result.warnings as unknown as IDataObject[],
		marketingRisk: result.marketingRisk as unknown as IDataObject,
		variables: result.variables as unknown as IDataObject,
	};
}

/**
 * Before a draft goes to Meta (Submit for Review, Edit): takes the Message Send TTL option into it, checks it for the
 * chosen notification type and refuses it unless clean. The check's result, for the output's warnings.
 */
export function checkBeforeReview(
	ctx: IExecuteFunctions,
	draft: TemplateDraft,
	options: IDataObject,
	what: string,
	i: number,
): DraftCheckResult {
	if (options.messageSendTtlSeconds !== undefined)
		draft.message_send_ttl_seconds = Number(options.messageSendTtlSeconds);
	const notificationType = ctx.getNodeParameter('notificationType', i, '') as NotificationTypeValue | '';
	const check = checkTemplateDraft(draft, { notificationType });
	refuseUnlessClean(ctx, check, options.allowWarnings === true, what, i);
	return check;
}

/** Refuses a draft with errors, and one with warnings unless the user allowed them. */
function refuseUnlessClean(
	ctx: IExecuteFunctions,
	result: DraftCheckResult,
	allowWarnings: boolean,
	what: string,
	i: number,
): void {
	const list = (findings: DraftCheckResult['errors']) =>
		findings.map((finding) => `• [${finding.rule}] ${finding.problem} Fix: ${finding.fix}`).join('\n');
	if (result.errors.length > 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The draft has ${result.errors.length} error(s) that Meta's review would reject; nothing was ${what}. First: ${result.errors[0].problem}`,
			{
				itemIndex: i,
				description: `${list(result.errors)}\nRun Check Draft to see every finding.`,
			},
		);
	}
	if (result.warnings.length > 0 && !allowWarnings) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The draft has ${result.warnings.length} warning(s); nothing was ${what}. First: ${result.warnings[0].problem}`,
			{
				itemIndex: i,
				description: `${list(result.warnings)}\nFix them, or turn on the option "Submit Despite Warnings".`,
			},
		);
	}
}

/** A Meta error answer as a NodeApiError with Meta's message, the code's advice, Meta's details and the item index. */
export function graphFailure(ctx: IExecuteFunctions, response: GraphResponse<unknown>, whileDoing: string, i: number) {
	return graphApiError(ctx.getNode(), response.error, response.statusCode, whileDoing, {
		itemIndex: i,
		description: response.error?.error_data?.details ?? undefined,
	});
}

/** A template by ID with `fields` (all by default), or Meta's error as the item's NodeApiError. */
export async function readTemplateOrFail(
	ctx: IExecuteFunctions,
	credentials: CloudCredentials,
	id: string,
	i: number,
	fields?: string,
): Promise<IDataObject> {
	const read = await readTemplate(ctx, credentials, id, fields);
	if (read.error || !read.data) throw graphFailure(ctx, read, `reading template ${id}`, i);
	return read.data;
}

/** A template as Meta returns it, plus what it means for Send Notification. */
export function describeTemplate(raw: IDataObject): IDataObject {
	const status = String(raw.status ?? '').toUpperCase();
	const category = String(raw.category ?? '').toUpperCase();
	const correct = typeof raw.correct_category === 'string' ? raw.correct_category.toUpperCase() : '';
	const quality =
		raw.quality_score && typeof raw.quality_score === 'object'
			? (raw.quality_score as IDataObject).score
			: raw.quality_score;
	const reason = typeof raw.rejected_reason === 'string' && raw.rejected_reason !== 'NONE' ? raw.rejected_reason : null;
	return {
		id: raw.id,
		name: raw.name,
		language: raw.language,
		status,
		category,
		correctCategory: correct || null,
		previousCategory: raw.previous_category ?? null,
		qualityScore: quality ?? null,
		rejectedReason: reason,
		rejectionAdvice: reason ? rejectionAdvice(reason) : null,
		usableBySendNotification:
			status === 'APPROVED' && category === 'UTILITY' && (correct === '' || correct === 'UTILITY'),
		parameterFormat: raw.parameter_format ?? null,
		messageSendTtlSeconds: raw.message_send_ttl_seconds ?? null,
		components: raw.components ?? null,
	};
}
