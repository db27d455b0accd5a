/**
 * The one reader of message templates: GET /{waba-id}/message_templates (a list, every page by its cursor) and
 * GET /{template-id} (one template). Every node reads templates here, and the fields it asks Meta for are named
 * once, below. Meta's answers come back as data (GraphError); the nodes turn them into their errors.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	graphGetAllPages,
	graphRequest,
	type AllPages,
	type CloudCredentials,
	type GraphContext,
	type GraphResponse,
	type PagingOptions,
} from './transport';

/** What a template is now: who it is, its review status, category and quality. Small, a few dozen bytes. */
const STATE_FIELDS = [
	'id',
	'name',
	'language',
	'status',
	'category',
	'correct_category',
	'previous_category',
	'quality_score',
	'rejected_reason',
];
/** What a template says: its components (most of its bytes), how its variables are named, its time-to-live. */
const CONTENT_FIELDS = ['parameter_format', 'components', 'message_send_ttl_seconds'];

export const TEMPLATE_FIELDS = {
	/** A whole template: for reading one template, or the few languages of one name (sending, Get, content checks). */
	all: [...STATE_FIELDS, ...CONTENT_FIELDS].join(','),
	/**
	 * Without the content: for reading an account's whole list (the status poll, the editor's lists), up to 6,000
	 * templates in one go, where the components would multiply the bytes many times over and nobody needs them.
	 */
	state: STATE_FIELDS.join(','),
} as const;

/**
 * The largest page Meta was seen to honour for this edge (it documents no maximum; it is also the emulator's cap).
 * Whatever Meta returns per page, every cursor is followed.
 */
export const MAX_TEMPLATE_PAGE_SIZE = 1000;
/** A name has one template per language, far fewer than this: one page. */
const NAMED_PAGE_SIZE = 250;

export interface TemplateListQuery {
	fields: string;
	/** Meta's name filter, which matches parts of names. */
	name?: string;
	/** Meta's status filter, e.g. APPROVED. */
	status?: string;
	/** Templates per page; MAX_TEMPLATE_PAGE_SIZE unless given. */
	pageSize?: number;
}

/** The account's templates that match `query`, every page (see graphGetAllPages for retries and incomplete reads). */
export async function listTemplates<T = IDataObject>(
	ctx: GraphContext,
	credentials: CloudCredentials,
	query: TemplateListQuery,
	paging: PagingOptions = {},
): Promise<AllPages<T>> {
	const qs: IDataObject = { fields: query.fields, limit: query.pageSize ?? MAX_TEMPLATE_PAGE_SIZE };
	if (query.name !== undefined) qs.name = query.name;
	if (query.status !== undefined) qs.status = query.status;
	return await graphGetAllPages<T>(ctx, credentials, `${credentials.businessAccountId}/message_templates`, qs, paging);
}

/** Every language of the template `name` (exactly that name: Meta's filter also matches longer names that contain it). */
export async function listTemplatesNamed<T extends { name?: unknown } = IDataObject>(
	ctx: GraphContext,
	credentials: CloudCredentials,
	name: string,
	fields: string = TEMPLATE_FIELDS.all,
): Promise<AllPages<T>> {
	const read = await listTemplates<T>(ctx, credentials, { fields, name, pageSize: NAMED_PAGE_SIZE });
	return { ...read, items: read.items.filter((template) => template.name === name) };
}

/** One template by its ID, as Meta has it now. */
export async function readTemplate<T = IDataObject>(
	ctx: GraphContext,
	credentials: CloudCredentials,
	id: string,
	fields: string = TEMPLATE_FIELDS.all,
): Promise<GraphResponse<T>> {
	return await graphRequest<T>(ctx, credentials, { method: 'GET', path: id, qs: { fields } });
}
