/**
 * The package's own data-table client (nodes/shared/ledger.ts) over a real n8n's public API, outside a workflow:
 * a stand-in for the node context whose httpRequestWithAuthentication is a plain fetch with the API key. Lets tests
 * and scripts drive the ledger and the send-key store with a fake clock against n8n's real data tables.
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { DataTablesClient, readLedgerSettings } from '../../nodes/shared/io/ledger';

export async function ledgerClientOverApi(
	n8n: { url: string; apiKey: string },
	tablePrefix: string,
	contactKeySecret: string,
): Promise<DataTablesClient> {
	const ctx = {
		getCredentials: async () => ({
			baseUrl: n8n.url,
			apiKey: n8n.apiKey,
			contactKeySecret,
			tablePrefix,
			projectId: '',
		}),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, req: IHttpRequestOptions) => {
				const url = new URL(String(req.url));
				for (const [name, value] of Object.entries(req.qs ?? {})) url.searchParams.set(name, String(value));
				const res = await fetch(url, {
					method: req.method ?? 'GET',
					headers: { 'X-N8N-API-KEY': n8n.apiKey, 'content-type': 'application/json' },
					body: req.body === undefined ? undefined : JSON.stringify(req.body),
				});
				const text = await res.text();
				let body: unknown = text;
				try {
					body = text ? JSON.parse(text) : undefined;
				} catch {
					// not JSON: kept as text
				}
				return { statusCode: res.status, body };
			},
		},
	} as unknown as IExecuteFunctions;
	return new DataTablesClient(ctx, await readLedgerSettings(ctx));
}
