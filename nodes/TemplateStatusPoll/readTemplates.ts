/**
 * Reads the account's whole template list for one poll, through the one template reader: the largest page size,
 * every page by its cursor, one retry of a page after a transient failure, and an error (never a shorter list)
 * when a page stays missing.
 */
import type { IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	isExpiredCursorCode,
	isRateLimitCode,
	isRetryableRead,
	isWrongAccountCode,
	lookupMetaError,
	WRONG_ACCOUNT_FIX,
	type GraphError,
} from '../shared/domain/metaErrors';
import { toTemplateState, type TemplateRead, type TemplateState } from '../shared/domain/templateDiff';
import { listTemplates, MAX_TEMPLATE_PAGE_SIZE, TEMPLATE_FIELDS } from '../shared/io/templates';
import { GraphNetworkError, type AllPages, type CloudCredentials } from '../shared/io/transport';
import { graphApiError } from '../shared/n8n/errors';

export const PAGE_SIZE = MAX_TEMPLATE_PAGE_SIZE;
/** 6,000 templates is Meta's cap per account; this bound only protects against a cursor loop. */
export const MAX_PAGES = 200;
export const RETRY_DELAY_MS = 1000;

export interface TemplateListRead extends TemplateRead {
	complete: true;
	pages: number;
	/** Requests made, retries included. */
	requests: number;
	retries: number;
	/** The raw objects of the first page, read with `firstPageOnly` (manual runs show them); empty for a full read. */
	firstPage: Array<Record<string, unknown>>;
}

type RawPages = AllPages<Record<string, unknown>>;

const RATE_LIMIT_FIX =
	"Meta's rate limit for the template list (200 requests per hour per app and account) was reached: poll less often. The next poll will try again.";
const KEEP_SNAPSHOT = 'The previous snapshot is kept; the next poll reads the list again.';

/** The fix for a refused list read: the poll's own budget for rate limits, the table's advice for the rest. */
function pollFix(error: GraphError, statusCode: number): string {
	if (isRateLimitCode(error.code) || statusCode === 429) return RATE_LIMIT_FIX;
	if (isWrongAccountCode(error.code)) return WRONG_ACCOUNT_FIX;
	if (error.code === undefined && statusCode === 401) return lookupMetaError(190).userMessage;
	const info = lookupMetaError(error.code);
	return info.retryable || error.code === undefined ? KEEP_SNAPSHOT : `${info.userMessage} ${KEEP_SNAPSHOT}`;
}

function fail(ctx: IPollFunctions, error: GraphError, statusCode: number, pages: number): never {
	const where = pages > 0 ? ` (page ${pages + 1}; ${pages} page(s) had been read, so nothing was compared)` : '';
	throw graphApiError(ctx.getNode(), error, statusCode, `reading the template list${where}`, {
		description: pollFix(error, statusCode),
	});
}

/** Every page (or the first only), each failed page asked for once more when a retry can help. */
async function readPages(
	ctx: IPollFunctions,
	credentials: CloudCredentials,
	firstPageOnly: boolean,
	retryDelayMs: number,
) {
	try {
		return await listTemplates<Record<string, unknown>>(
			ctx,
			credentials,
			{ fields: TEMPLATE_FIELDS.state, pageSize: PAGE_SIZE },
			{
				maxPages: firstPageOnly ? 1 : MAX_PAGES,
				retryDelayMs,
				retryPageOnce: (failure) =>
					failure instanceof GraphNetworkError || isRetryableRead(failure.statusCode, failure.error?.code),
			},
		);
	} catch (error) {
		const message = error instanceof GraphNetworkError ? error.message : String(error);
		throw new NodeOperationError(ctx.getNode(), `Could not read the template list: ${message}`, {
			description:
				'The Graph API did not answer, twice. The previous snapshot is kept (no template is reported as deleted); the next poll reads the list again. Check the Base URL of the credential.',
		});
	}
}

/** A read that stopped before the last page is an error: a partial list would look like deleted templates. */
function refuseIncomplete(ctx: IPollFunctions, read: RawPages): void {
	if (read.incomplete === 'no-cursor') {
		throw new NodeOperationError(ctx.getNode(), 'The template list has a next page but no cursor to reach it', {
			description:
				'Nothing was compared (a partial list would look like deleted templates). The next poll tries again.',
		});
	}
	if (read.incomplete === 'max-pages') {
		throw new NodeOperationError(ctx.getNode(), `The template list has more than ${MAX_PAGES} pages`, {
			description: 'Nothing was compared. Meta caps an account at 6,000 templates, so the paging is probably looping.',
		});
	}
}

/**
 * Reads every template. `firstPageOnly` (manual runs) stops after one page and then reports `complete: true`
 * for that page only — never pass such a read to the diff.
 */
export async function readTemplateList(
	ctx: IPollFunctions,
	credentials: CloudCredentials,
	opts: { firstPageOnly?: boolean; retryDelayMs?: number } = {},
): Promise<TemplateListRead> {
	const firstPageOnly = opts.firstPageOnly === true;
	const retryDelayMs = opts.retryDelayMs ?? RETRY_DELAY_MS;
	let read = await readPages(ctx, credentials, firstPageOnly, retryDelayMs);
	let { requests, retries } = read;
	if (isExpiredCursorCode(read.error?.code)) {
		// v24+: the cursor expired; read the whole list again once.
		read = await readPages(ctx, credentials, firstPageOnly, retryDelayMs);
		requests += read.requests;
		retries += read.retries;
	}
	// A page that failed, or a 2xx without a body (the reader then gives its status code and no error).
	if (read.error || read.statusCode !== undefined) {
		fail(ctx, read.error ?? { message: 'The Graph API answered without a body' }, read.statusCode ?? 0, read.pages);
	}
	if (!firstPageOnly) refuseIncomplete(ctx, read);
	const templates: TemplateState[] = [];
	for (const raw of read.items) {
		const state = toTemplateState(raw);
		if (state) templates.push(state);
	}
	return {
		complete: true,
		templates,
		pages: read.pages,
		requests,
		retries,
		firstPage: firstPageOnly ? read.items : [],
	};
}
