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

import { errorClues } from './errorClues';
import { parseGraphError, type GraphError } from '../domain/metaErrors';

export const CLOUD_CREDENTIAL_TYPE = 'whatsAppCloudApi';

export type GraphContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions | IHookFunctions | IWebhookFunctions;

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
		reset: 'The connection to the Graph API was cut before an answer arrived; the request may or may not have been processed',
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
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CLOUD_CREDENTIAL_TYPE, options)) as typeof response;
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

/**
 * Reads every page of a Graph edge by its `after` cursor. The cursor, not `paging.next`, is followed so that
 * the token only ever goes to the configured base URL.
 */
export async function graphGetAllPages<T>(
	ctx: GraphContext,
	credentials: CloudCredentials,
	path: string,
	qs: IDataObject,
	limits: { maxPages?: number } = {},
): Promise<{ items: T[]; pages: number; error?: GraphError; statusCode?: number }> {
	const items: T[] = [];
	let after: string | undefined;
	let pages = 0;
	const maxPages = limits.maxPages ?? 1000;
	do {
		const page = await graphRequest<GraphPage<T>>(ctx, credentials, {
			method: 'GET',
			path,
			qs: after ? { ...qs, after } : qs,
		});
		if (page.error || !page.data) return { items, pages, error: page.error, statusCode: page.statusCode };
		pages++;
		items.push(...(page.data.data ?? []));
		after = page.data.paging?.next ? page.data.paging.cursors?.after : undefined;
	} while (after && pages < maxPages);
	return { items, pages };
}
