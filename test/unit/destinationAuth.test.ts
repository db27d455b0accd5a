import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { WhatsAppCloudApi } from '../../credentials/WhatsAppCloudApi.credentials';
import { authenticateByDestination, requestTarget } from '../../nodes/shared/io/destinationAuth';

const TOKEN = 'meta-token-EAAG';
const KEY = 'n8n-api-key-xyz';

const meta = { accessToken: TOKEN, baseUrl: 'https://graph.facebook.com' };
const withLedger = { ...meta, consentLedger: true, n8nBaseUrl: 'http://localhost:5678', n8nApiKey: KEY };

function headersFor(
	credentials: ICredentialDataDecryptedObject,
	options: IHttpRequestOptions,
): Record<string, unknown> {
	return (authenticateByDestination(credentials, options).headers ?? {}) as Record<string, unknown>;
}

/** Which secret a request to `url` carries: 'meta', 'n8n' or 'none'. */
function secretFor(url: string, credentials: ICredentialDataDecryptedObject = withLedger): string {
	const headers = headersFor(credentials, { url });
	if (headers.Authorization === `Bearer ${TOKEN}`) return headers['X-N8N-API-KEY'] ? 'both' : 'meta';
	if (headers['X-N8N-API-KEY'] === KEY) return 'n8n';
	return 'none';
}

describe('destination-aware authentication of the WhatsApp Cloud API credential', () => {
	it.each([
		['https://graph.facebook.com/v24.0/123/messages', 'meta'],
		['https://GRAPH.facebook.com:443/v24.0/123', 'meta'],
		['http://localhost:5678/api/v1/data-tables', 'n8n'],
		['http://localhost:5678/api/v1/data-tables/abc/rows?filter=x', 'n8n'],
	])('%s gets the %s secret', (url, expected) => {
		expect(secretFor(url)).toBe(expected);
	});

	it.each([
		// Prefix tricks: the Graph host as a label of another host, as user info, with another port or scheme.
		'https://graph.facebook.com.evil.example/v24.0/123',
		'https://graph.facebook.comevil.example/v24.0/123',
		'https://graph.facebook.com@evil.example/v24.0/123',
		'https://user:pass@graph.facebook.com/v24.0/123',
		'https://graph.facebook.com:8443/v24.0/123',
		'http://graph.facebook.com/v24.0/123',
		'https://evil.example/https://graph.facebook.com/v24.0',
		'https://evil.example/?u=https://graph.facebook.com/',
		// The n8n key: only the public API, not the editor's internal REST API or another port.
		'http://localhost:5678/rest/credentials',
		'http://localhost:5678/api/v1/../../rest/credentials',
		'http://localhost:5678/api/v1/%2e%2e/%2e%2e/rest/credentials',
		'http://localhost:5678/api/v1/..%2f..%2frest/credentials',
		'http://localhost:5678/api/v1\\..\\..\\rest',
		'http://localhost:5679/api/v1/data-tables',
		'http://localhost:5678/api/v10/data-tables',
		'http://localhost:5678/api/v1',
		'http://localhost:5678.evil.example/api/v1/data-tables',
		'http://evil.example/api/v1/data-tables',
		'not a url',
	])('%s gets no secret', (url) => {
		expect(secretFor(url)).toBe('none');
	});

	it('combines baseURL and url like axios, a //host url included', () => {
		expect(requestTarget({ baseURL: 'https://graph.facebook.com/v24.0/', url: '/123' })).toBe(
			'https://graph.facebook.com/v24.0/123',
		);
		expect(secretFor('https://graph.facebook.com/v24.0/123')).toBe('meta');
		expect(headersFor(withLedger, { baseURL: 'https://graph.facebook.com/v24.0', url: '//evil.example/x' })).toEqual(
			{},
		);
		expect(headersFor(withLedger, { baseURL: 'http://localhost:5678/api/v1', url: '/data-tables' })).toEqual({
			'X-N8N-API-KEY': KEY,
		});
		expect(headersFor(withLedger, { baseURL: 'http://localhost:5678/api/v1', url: 'http://evil.example/x' })).toEqual(
			{},
		);
	});

	it('never sends the n8n key while the Consent Ledger section is off', () => {
		expect(secretFor('http://localhost:5678/api/v1/data-tables', { ...withLedger, consentLedger: false })).toBe('none');
	});

	it('a Graph Base URL with a path (a proxy) covers only that path', () => {
		const proxied = { ...withLedger, baseUrl: 'https://proxy.example/meta/' };
		expect(secretFor('https://proxy.example/meta/v24.0/123', proxied)).toBe('meta');
		expect(secretFor('https://proxy.example/metadata', proxied)).toBe('none');
		expect(secretFor('https://proxy.example/other', proxied)).toBe('none');
	});

	it('an emulator and n8n on the same host but different ports each get their own secret', () => {
		const local = { ...withLedger, baseUrl: 'http://localhost:4010' };
		expect(secretFor('http://localhost:4010/v24.0/123/messages', local)).toBe('meta');
		expect(secretFor('http://localhost:5678/api/v1/data-tables', local)).toBe('n8n');
	});

	it.each([
		['the same address', 'http://localhost:5678', 'http://localhost:5678'],
		['n8n under the Graph Base URL', 'http://proxy.example', 'http://proxy.example/n8n'],
		['the Graph Base URL under n8n’s API', 'http://localhost:5678/api/v1/meta', 'http://localhost:5678'],
	])('refuses overlapping addresses: %s', (_name, baseUrl, n8nBaseUrl) => {
		expect(() => headersFor({ ...withLedger, baseUrl, n8nBaseUrl }, { url: `${baseUrl}/v24.0/1` })).toThrow(/overlap/);
	});

	it('refuses an n8n Base URL that is no http(s) address', () => {
		expect(() =>
			headersFor({ ...withLedger, n8nBaseUrl: 'ftp://x' }, { url: 'https://graph.facebook.com/v24.0/1' }),
		).toThrow(/not a usable/);
		expect(() =>
			headersFor(
				{ ...withLedger, n8nBaseUrl: 'http://u:p@localhost:5678' },
				{ url: 'https://graph.facebook.com/v24.0/1' },
			),
		).toThrow(/not a usable/);
	});

	it('keeps the headers the request already has', () => {
		expect(
			headersFor(meta, { url: 'https://graph.facebook.com/v24.0/1', headers: { Accept: 'application/json' } }),
		).toEqual({
			Accept: 'application/json',
			Authorization: `Bearer ${TOKEN}`,
		});
	});

	it('is the credential’s authenticate, and the credential test request goes to the Graph API', async () => {
		const credential = new WhatsAppCloudApi();
		expect(typeof credential.authenticate).toBe('function');
		const authenticate = credential.authenticate as (
			c: ICredentialDataDecryptedObject,
			o: IHttpRequestOptions,
		) => Promise<IHttpRequestOptions>;
		const tested = await authenticate.call(credential, withLedger, {
			baseURL: 'https://graph.facebook.com/v24.0',
			url: '/102290129340398',
		});
		expect(tested.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
		const names = credential.properties.map((p) => p.name);
		expect(names).toEqual(
			expect.arrayContaining([
				'consentLedger',
				'n8nBaseUrl',
				'n8nApiKey',
				'contactKeySecret',
				'projectId',
				'tablePrefix',
			]),
		);
		for (const p of credential.properties.filter((x) =>
			['n8nBaseUrl', 'n8nApiKey', 'contactKeySecret', 'projectId', 'tablePrefix'].includes(x.name),
		)) {
			expect(p.displayOptions).toEqual({ show: { consentLedger: [true] } });
		}
	});
});
