/**
 * The one module that talks to Meta's Graph API: every request goes through n8n's
 * httpRequestWithAuthentication with the "WhatsApp Cloud API" credential.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { errorClues } from './errorClues';
import { parseGraphError, type GraphError } from '../domain/metaErrors';

export const CLOUD_CREDENTIAL_TYPE = 'whatsAppCloudApi';

export type GraphContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IPollFunctions
	| IHookFunctions
	| IWebhookFunctions;

export interface CloudCredentials {
	businessAccountId: string;
	phoneNumberId: string;
	graphApiVersion: string;
	baseUrl: string;
	appSecret: string;
	webhookVerifyToken: string;
}

export async function getCloudCredentials(ctx: GraphContext): Promise<CloudCredentials> {
	const raw = await ctx.getCredentials(CLOUD_CREDENTIAL_TYPE);
	const text = (key: string, fallback = '') => String(raw[key] ?? fallback).trim();
	return {
		businessAccountId: text('businessAccountId'),
		phoneNumberId: text('phoneNumberId'),
		graphApiVersion: text('graphApiVersion', 'v24.0').replace(/^\/+|\/+$/g, ''),
		baseUrl: text('baseUrl', 'https://graph.facebook.com').replace(/\/+$/, ''),
		appSecret: text('appSecret'),
		webhookVerifyToken: text('webhookVerifyToken'),
	};
}

export function graphUrl(credentials: CloudCredentials, path: string): string {
	return `${credentials.baseUrl}/${credentials.graphApiVersion}/${path.replace(/^\/+/, '')}`;
}

export interface GraphRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	timeoutMs?: number;
}

export interface GraphResponse<T> {
	statusCode: number;
	/** The parsed body of a 2xx answer. */
	data?: T;
	/** Meta's error envelope of a non-2xx answer (a synthetic one when the body is not Graph-shaped). */
	error?: GraphError;
	/** Meta's x-fb-trace-id style header, when present. */
	traceId?: string;
}

/** Why no HTTP answer came back; decides whether a message may have been accepted. */
export type NetworkFailureKind = 'refused' | 'reset' | 'timeout' | 'dns' | 'other';

export class GraphNetworkError extends Error {
	constructor(
		readonly kind: NetworkFailureKind,
		message: string,
		readonly original: unknown,
		/** The low-level codes and messages (ECONNREFUSED …), for the description. */
		readonly details = '',
	) {
		super(message);
		this.name = 'GraphNetworkError';
	}

	/** Only a refused or unresolvable connection proves the request never reached Meta. */
	get certainlyNotSent(): boolean {
		return this.kind === 'refused' || this.kind === 'dns';
	}
}

export function classifyNetworkError(error: unknown): GraphNetworkError {
	const clues = errorClues(error);
	let kind: NetworkFailureKind = 'other';
	if (/ECONNREFUSED|refused the connection/i.test(clues)) kind = 'refused';
	else if (/ENOTFOUND|EAI_AGAIN/i.test(clues)) kind = 'dns';
	else if (/ETIMEDOUT|ECONNABORTED|timeout|timed out/i.test(clues)) kind = 'timeout';
	else if (/ECONNRESET|socket hang up|EPIPE|aborted/i.test(clues)) kind = 'reset';
	const messages: Record<NetworkFailureKind, string> = {
		refused: 'The connection to the Graph API was refused; nothing was sent',
		dns: 'The Graph API host name could not be resolved; nothing was sent',
		timeout: 'The Graph API did not answer in time; the request may or may not have been processed',
		reset:
			'The connection to the Graph API was cut before an answer arrived; the request may or may not have been processed',
		other: 'The Graph API request failed without an answer',
	};
	// n8n swaps an error message that contains a code like ECONNREFUSED for its own generic text, so the codes go
	// into `details`, not the message.
	return new GraphNetworkError(kind, messages[kind], error, clues.slice(0, 300));
}

/**
 * One Graph API call. Never throws for HTTP errors (they come back as data, with Meta's error envelope);
 * throws GraphNetworkError when no answer arrived.
 */
export async function graphRequest<T = IDataObject>(
	ctx: GraphContext,
	credentials: CloudCredentials,
	request: GraphRequest,
): Promise<GraphResponse<T>> {
	const options: IHttpRequestOptions = {
		method: request.method,
		url: graphUrl(credentials, request.path),
		qs: request.qs,
		body: request.body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: request.timeoutMs ?? 30_000,
	};
	let response: { statusCode: number; body: unknown; headers?: Record<string, unknown> };
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CLOUD_CREDENTIAL_TYPE,
			options,
		)) as typeof response;
	} catch (error) {
		throw classifyNetworkError(error);
	}
	const traceHeader = response.headers?.['x-fb-trace-id'];
	const traceId = typeof traceHeader === 'string' ? traceHeader : undefined;
	if (response.statusCode >= 200 && response.statusCode < 300) {
		return { statusCode: response.statusCode, data: response.body as T, traceId };
	}
	const error = parseGraphError(response.body) ?? {
		message: `HTTP ${response.statusCode} from the Graph API: ${String(
			typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? ''),
		).slice(0, 300)}`,
	};
	return { statusCode: response.statusCode, error, traceId };
}

export interface GraphPage<T> {
	data: T[];
	paging?: { cursors?: { before?: string; after?: string }; next?: string };
}

export interface PagingOptions {
	/** At most this many pages (default 1,000); `incomplete: 'max-pages'` says when a next page was left unread. */
	maxPages?: number;
	/**
	 * Whether a page that failed is worth asking for once more: called with Meta's error answer, or with the
	 * GraphNetworkError when no answer came. A page is retried at most once; without this option, never.
	 */
	retryPageOnce?: (failure: GraphResponse<unknown> | GraphNetworkError) => boolean;
	/** The wait before that retry. */
	retryDelayMs?: number;
}

export interface AllPages<T> {
	items: T[];
	pages: number;
	/** Requests made, retries included. */
	requests: number;
	retries: number;
	/** Meta's error answer to the page that stopped the reading (after its retry, if any). */
	error?: GraphError;
	statusCode?: number;
	/**
	 * Why the reading stopped although a next page exists: Meta named a next page but gave no cursor to it, or
	 * `maxPages` was reached. Either way `items` is a shorter list than the account's.
	 */
	incomplete?: 'no-cursor' | 'max-pages';
}

/** One page, asked for once more when `retryPageOnce` says the failure is worth it; a second network failure is thrown. */
async function getPage<T>(
	ctx: GraphContext,
	credentials: CloudCredentials,
	request: GraphRequest,
	options: PagingOptions,
	counts: { requests: number; retries: number },
): Promise<GraphResponse<GraphPage<T>>> {
	for (let attempt = 0; ; attempt++) {
		counts.requests++;
		let failure: GraphResponse<GraphPage<T>> | GraphNetworkError;
		try {
			failure = await graphRequest<GraphPage<T>>(ctx, credentials, request);
			if (!failure.error && failure.data) return failure;
		} catch (error) {
			failure = error instanceof GraphNetworkError ? error : classifyNetworkError(error);
		}
		if (attempt > 0 || !options.retryPageOnce?.(failure)) {
			if (failure instanceof GraphNetworkError) throw failure;
			return failure;
		}
		counts.retries++;
		await sleep(options.retryDelayMs ?? 0);
	}
}

/**
 * Reads every page of a Graph edge by its `after` cursor. The cursor, not `paging.next`, is followed so that
 * the token only ever goes to the configured base URL.
 */
export async function graphGetAllPages<T>(
	ctx: GraphContext,
	credentials: CloudCredentials,
	path: string,
	qs: IDataObject,
	options: PagingOptions = {},
): Promise<AllPages<T>> {
	const items: T[] = [];
	const counts = { requests: 0, retries: 0 };
	const maxPages = options.maxPages ?? 1000;
	let after: string | undefined;
	let pages = 0;
	for (;;) {
		const request: GraphRequest = { method: 'GET', path, qs: after ? { ...qs, after } : qs };
		const page = await getPage<T>(ctx, credentials, request, options, counts);
		if (page.error || !page.data) return { items, pages, ...counts, error: page.error, statusCode: page.statusCode };
		pages++;
		items.push(...(Array.isArray(page.data.data) ? page.data.data : []));
		if (!page.data.paging?.next) return { items, pages, ...counts };
		after = page.data.paging.cursors?.after;
		if (!after) return { items, pages, ...counts, incomplete: 'no-cursor' };
		if (pages >= maxPages) return { items, pages, ...counts, incomplete: 'max-pages' };
	}
}
