/**
 * Destination-aware authentication of the "WhatsApp Cloud API" credential, which may also hold the consent ledger's
 * n8n API key: each secret goes only to the address it belongs to. The Meta token only to URLs under the Graph Base
 * URL, the n8n API key only to URLs under `<n8n Base URL>/api/v1/`, nothing to any other address (an HTTP Request
 * node using this credential included). Pure: no n8n runtime calls.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';

/** The absolute URL a request goes to, combined as axios does (a `//host` URL is absolute too). */
export function requestTarget(options: IHttpRequestOptions): string | undefined {
	const url = String(options.url ?? (options as { uri?: unknown }).uri ?? '');
	if (/^[a-z][a-z\d+\-.]*:/i.test(url)) return url;
	const base = String(options.baseURL ?? '');
	if (url.startsWith('//')) {
		const scheme = /^([a-z][a-z\d+\-.]*:)/i.exec(base);
		return scheme ? `${scheme[1]}${url}` : undefined;
	}
	if (!base) return url || undefined;
	return url ? `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : base;
}

function parse(url: string): URL | undefined {
	try {
		return new URL(url);
	} catch {
		return undefined;
	}
}

/** The prefix every authenticated URL of a destination starts with: scheme, host, port and path, ending in '/'. */
function prefixOf(base: string, suffix: string, label: string): URL {
	const parsed = parse(`${base.trim().replace(/\/+$/, '')}/${suffix}`);
	if (
		!parsed ||
		!/^https?:$/.test(parsed.protocol) ||
		parsed.username ||
		parsed.password ||
		parsed.search ||
		parsed.hash
	) {
		throw new Error(
			`The ${label} "${base}" is not a usable http(s) address. Enter it without user name, query or #fragment.`,
		);
	}
	return parsed;
}

/**
 * True when `target` is under `prefix`: same scheme, host and port, no user info, and its (normalised) path starts
 * with the prefix's path. Encoded slashes, backslashes and dots are refused: a server might decode them into another
 * path than the one compared here.
 */
export function isUnder(target: string, prefix: URL): boolean {
	if (/%2f|%5c|%2e|\\/i.test(target.split(/[?#]/)[0])) return false;
	const url = parse(target);
	if (!url || url.username || url.password) return false;
	return url.protocol === prefix.protocol && url.host === prefix.host && url.pathname.startsWith(prefix.pathname);
}

export interface Destinations {
	graph: URL;
	/** Set only when the credential's Consent Ledger section is on. */
	n8nApi?: URL;
}

/** The two prefixes of a credential; throws when one contains the other (a secret could reach the wrong API). */
export function destinationsOf(credentials: ICredentialDataDecryptedObject): Destinations {
	const graph = prefixOf(String(credentials.baseUrl ?? '') || DEFAULT_GRAPH_BASE_URL, '', 'Graph API Base URL');
	if (credentials.consentLedger !== true) return { graph };
	const n8nBase = String(credentials.n8nBaseUrl ?? '')
		.replace(/\/+$/, '')
		.replace(/\/api\/v1$/, '');
	const n8nApi = prefixOf(n8nBase, 'api/v1/', 'n8n Base URL');
	if (isUnder(n8nApi.href, graph) || isUnder(graph.href, n8nApi)) {
		throw new Error(
			`The Graph API Base URL (${graph.href}) and the consent ledger's n8n API (${n8nApi.href}) overlap, so the Meta token could reach n8n or the n8n API key could reach Meta. Point them at different addresses (the Graph API is https://graph.facebook.com; n8n is usually http://localhost:5678).`,
		);
	}
	return { graph, n8nApi };
}

/** The credential's `authenticate`: adds the one secret that belongs to the request's destination, or none. */
export function authenticateByDestination(
	credentials: ICredentialDataDecryptedObject,
	options: IHttpRequestOptions,
): IHttpRequestOptions {
	const { graph, n8nApi } = destinationsOf(credentials);
	const target = requestTarget(options);
	if (!target) return options;
	if (isUnder(target, graph)) {
		return {
			...options,
			headers: { ...options.headers, Authorization: `Bearer ${String(credentials.accessToken ?? '')}` },
		};
	}
	if (n8nApi && isUnder(target, n8nApi)) {
		return { ...options, headers: { ...options.headers, 'X-N8N-API-KEY': String(credentials.n8nApiKey ?? '') } };
	}
	return options;
}
