/**
 * Reads the account's whole template list for one poll: the largest page size, every page by its cursor,
 * one retry of a page after a transient failure, and an error (never a shorter list) when a page stays missing.
 */
import type { IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { describeGraphError } from '../shared/domain/metaErrors';
import { isRateLimitCode, isTransientServerCode, type GraphError } from '../shared/domain/metaErrors';
import { toTemplateState, type TemplateRead, type TemplateState } from '../shared/domain/templateDiff';
import { GraphNetworkError, graphRequest, type CloudCredentials, type GraphPage } from '../shared/io/transport';

/** The fields the poll tracks (and shows in a manual run). */
export const POLL_FIELDS = 'id,name,language,status,category,correct_category,previous_category,quality_score,rejected_reason';
/**
 * Meta does not document a maximum `limit` for this edge; 1,000 is the largest page size that was seen to be
 * honoured (and the emulator's cap). Whatever Meta returns per page, every cursor is followed.
 */
export const PAGE_SIZE = 1000;
/** 6,000 templates is Meta's cap per account; this bound only protects against a cursor loop. */
export const MAX_PAGES = 200;
export const RETRY_DELAY_MS = 1000;

export interface TemplateListRead extends TemplateRead {
	complete: true;
	pages: number;
	/** Requests made, retries included. */
	requests: number;
	retries: number;
	/** The raw objects of the first page (manual runs show them). */
	firstPage: Array<Record<string, unknown>>;
}

/** A GET changes nothing, so any 5xx or a transient code from the error table is worth one more try. */
function isTransient(statusCode: number, error: GraphError | undefined): boolean {
	return statusCode >= 500 || isTransientServerCode(error?.code);
}

function hintFor(error: GraphError, statusCode: number): string {
	if (error.code === 190 || statusCode === 401) {
		return 'The access token in the "WhatsApp Cloud API" credential is invalid or expired: create a new (system-user) token and update the credential.';
	}
	if (error.code === 100 || error.code === 803) {
		return 'Check the WhatsApp Business Account ID in the credential: it must be the account (WABA) ID, not the phone number ID or the app ID, and the token must have whatsapp_business_management permission for it.';
	}
	if (isRateLimitCode(error.code) || statusCode === 429) {
		return "Meta's rate limit for the template list (200 requests per hour per app and account) was reached: poll less often. The next poll will try again.";
	}
	if (error.code === 10 || (error.code !== undefined && error.code >= 200 && error.code <= 299)) {
		return 'The token lacks the whatsapp_business_management permission for this account.';
	}
	return 'The previous snapshot is kept; the next poll reads the list again.';
}

function fail(ctx: IPollFunctions, error: GraphError, statusCode: number, pages: number): never {
	const where = pages > 0 ? ` (page ${pages + 1}; ${pages} page(s) had been read, so nothing was compared)` : '';
	throw new NodeApiError(ctx.getNode(), error as unknown as JsonObject, {
		message: describeGraphError(error, `reading the template list${where}`),
		description: hintFor(error, statusCode),
		httpCode: String(statusCode),
	});
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
	const templates: TemplateState[] = [];
	let firstPage: Array<Record<string, unknown>> = [];
	let after: string | undefined;
	let pages = 0;
	let requests = 0;
	let retries = 0;
	let restarted = false;
	const path = `${credentials.businessAccountId}/message_templates`;
	for (;;) {
		let retried = false;
		let page: Awaited<ReturnType<typeof graphRequest<GraphPage<Record<string, unknown>>>>>;
		for (;;) {
			requests++;
			try {
				page = await graphRequest<GraphPage<Record<string, unknown>>>(ctx, credentials, {
					method: 'GET',
					path,
					qs: after ? { fields: POLL_FIELDS, limit: PAGE_SIZE, after } : { fields: POLL_FIELDS, limit: PAGE_SIZE },
				});
			} catch (error) {
				if (!retried) {
					retried = true;
					retries++;
					await sleep(opts.retryDelayMs ?? RETRY_DELAY_MS);
					continue;
				}
				const message = error instanceof GraphNetworkError ? error.message : String(error);
				throw new NodeOperationError(ctx.getNode(), `Could not read the template list: ${message}`, {
					description:
						'The Graph API did not answer, twice. The previous snapshot is kept (no template is reported as deleted); the next poll reads the list again. Check the Base URL of the credential.',
				});
			}
			if (page.error && !retried && isTransient(page.statusCode, page.error)) {
				retried = true;
				retries++;
				await sleep(opts.retryDelayMs ?? RETRY_DELAY_MS);
				continue;
			}
			break;
		}
		if (page.error || !page.data) {
			if (page.error?.code === 131059 && !restarted) {
				// v24+: the cursor expired; read the whole list again once.
				restarted = true;
				templates.length = 0;
				after = undefined;
				pages = 0;
				continue;
			}
			fail(ctx, page.error ?? { message: 'The Graph API answered without a body' }, page.statusCode, pages);
		}
		pages++;
		const data = Array.isArray(page.data.data) ? page.data.data : [];
		if (pages === 1) firstPage = data;
		for (const raw of data) {
			const state = toTemplateState(raw);
			if (state) templates.push(state);
		}
		if (opts.firstPageOnly) break;
		const hasNext = Boolean(page.data.paging?.next);
		if (!hasNext) break;
		after = page.data.paging?.cursors?.after;
		if (!after) {
			throw new NodeOperationError(ctx.getNode(), 'The template list has a next page but no cursor to reach it', {
				description: 'Nothing was compared (a partial list would look like deleted templates). The next poll tries again.',
			});
		}
		if (pages >= MAX_PAGES) {
			throw new NodeOperationError(ctx.getNode(), `The template list has more than ${MAX_PAGES} pages`, {
				description: 'Nothing was compared. Meta caps an account at 6,000 templates, so the paging is probably looping.',
			});
		}
	}
	return { complete: true, templates, pages, requests, retries, firstPage };
}
