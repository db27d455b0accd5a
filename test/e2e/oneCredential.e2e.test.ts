/**
 * One credential per node, in real n8n: version 2 of Send Notification and of the Session Window Trigger use only the
 * WhatsApp Cloud API credential (the consent ledger in its Consent Ledger section); saved version-1 workflows with both
 * credentials still run. Each secret reaches only its own API: the ledger's n8n address is a recording proxy in front
 * of n8n, and the emulator records every Graph request with its headers.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Emulator } from '../../dev/emulator';
import { control } from '../../dev/emulator/testkit';
import {
	CHECK_NODE_TYPE,
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	OPT_IN_WORDING as WORDING,
	TRIGGER_NAME,
	TRIGGER_NODE_TYPE,
	activateTriggerWorkflow,
	checkConsentNode,
	cloudCredentialData,
	contactSequence,
	createLedgerCredential,
	executionError,
	messagePosts,
	removeWorkflows,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	startEmulatorWithCredential,
	testCredentialInEditor,
	triggerItemsWhere,
	type SavedCredential,
} from './context';

type Json = Record<string, any>;

const SECRET = 'e2e-one-credential-secret-0123456789';

interface SeenRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
}

/** Forwards everything to n8n and remembers each request's headers: what the ledger sends to "n8n's API". */
async function recordingProxy(
	target: string,
): Promise<{ url: string; seen: SeenRequest[]; close: () => Promise<void> }> {
	const seen: SeenRequest[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
			const headers = { ...req.headers } as Record<string, string>;
			delete headers.host;
			delete headers['content-length'];
			const body = chunks.length && req.method !== 'GET' ? Buffer.concat(chunks) : undefined;
			fetch(`${target}${req.url}`, { method: req.method, headers, body })
				.then(async (answer) => {
					res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
					res.end(Buffer.from(await answer.arrayBuffer()));
				})
				.catch((error: Error) => {
					res.writeHead(502);
					res.end(error.message);
				});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://localhost:${port}`,
		seen,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe('one credential per node (real n8n)', () => {
	const n8n = sharedN8n();
	const prefix = `e2e1c_${randomBytes(3).toString('hex')}`;
	let emulator: Emulator;
	let proxy: Awaited<ReturnType<typeof recordingProxy>>;
	/** Version 2: the cloud credential with its Consent Ledger section on. */
	let single: SavedCredential;
	/** Version 1: the cloud credential without the section and the separate ledger credential, the same ledger. */
	let cloudOnly: SavedCredential;
	let ledgerOnly: SavedCredential;
	const newContact = contactSequence('3161235', 2);

	const ledgerSection = (overrides: Json = {}) => ({
		consentLedger: true,
		n8nBaseUrl: proxy.url,
		n8nApiKey: n8n.apiKey,
		contactKeySecret: SECRET,
		projectId: '',
		tablePrefix: prefix,
		...overrides,
	});

	beforeAll(async () => {
		({ emulator, credential: cloudOnly } = await startEmulatorWithCredential(n8n, 'cloud only', {
			latencyMs: 0,
			statusDelayMs: 50,
			webhookRetryBaseMs: 100,
		}));
		proxy = await recordingProxy(n8n.url);
		single = await n8n.createCredential(
			CLOUD_CREDENTIAL_TYPE,
			`one credential ${prefix}`,
			cloudCredentialData(emulator, ledgerSection()),
		);
		ledgerOnly = await createLedgerCredential(n8n, `ledger only ${prefix}`, prefix, SECRET, { baseUrl: proxy.url });
	});
	afterAll(async () => {
		await emulator.close();
		await proxy.close();
	});

	const accepted = (phone: string) =>
		emulator.state.messages.filter((m) => `+${m.to.replace('+', '')}` === phone).length;

	/** Check Consent 1.1 with the one credential (its default). */
	const consentNode = (parameters: Json, credential = single) => ({
		type: CHECK_NODE_TYPE,
		typeVersion: 1.1,
		credentials: { [CLOUD_CREDENTIAL_TYPE]: credential },
		parameters: { contact: '={{ $json.phone }}', ...parameters },
	});
	async function record(phone: string, operation: 'recordOptIn' | 'recordOptOut') {
		const run = await runOnce(
			n8n,
			consentNode({
				operation,
				purpose: 'shippingStatus',
				source: 'checkout form',
				proofWording: WORDING,
				proofVersion: 'v3',
			}),
			[{ phone }],
		);
		expect(executionError(run.execution)).toBeUndefined();
	}
	async function check(phone: string): Promise<Json> {
		const run = await runOnce(n8n, consentNode({ operation: 'check', purpose: 'shippingStatus' }), [{ phone }]);
		expect(executionError(run.execution)).toBeUndefined();
		return (run.body as Json[])[0].consent;
	}

	/** Send Notification of this version on these credentials, the consent ledger on. */
	const sendNode = (typeVersion: number, credentials: Record<string, SavedCredential>, options: Json = {}) =>
		shippingUpdateNode(
			credentials,
			{ body_1: 'Sam', body_2: '={{ $json.order }}', body_3: 'Monday', button_0_url: '={{ $json.order }}' },
			{ useConsentLedger: true, options: { pairSpacingSeconds: 0, ...options } },
			{ typeVersion },
		);

	it('a saved version-1 workflow with both credentials still sends with the ledger', async () => {
		const [a, b] = [newContact(), newContact()];
		// Recorded through the ledger-only credential (Check Consent version 1): the same ledger as the one credential.
		const optIn = await runOnce(
			n8n,
			checkConsentNode(ledgerOnly, {
				operation: 'recordOptIn',
				purpose: 'shippingStatus',
				source: 'checkout form',
				proofWording: WORDING,
			}),
			[{ phone: a.phone }],
		);
		expect(executionError(optIn.execution)).toBeUndefined();
		const v1 = sendNode(1, { [CLOUD_CREDENTIAL_TYPE]: cloudOnly, [LEDGER_CREDENTIAL_TYPE]: ledgerOnly });
		const run = await runOnce(n8n, v1, [
			{ phone: a.phone, order: 'SO-1' },
			{ phone: b.phone, order: 'SO-2' },
		]);
		expect(executionError(run.execution)).toBeUndefined();
		const [sent, skipped] = run.body as Json[];
		expect(sent).toMatchObject({ messageId: expect.stringMatching(/^wamid\./), consent: { granted: true } });
		expect(skipped).toMatchObject({ skipped: 'no consent' });
		expect([accepted(a.phone), accepted(b.phone)]).toEqual([1, 0]);
	});

	it('version 2 with one credential sends, skips an opted-out contact and claims idempotency keys', async () => {
		const [a, b] = [newContact(), newContact()];
		await record(a.phone, 'recordOptIn');
		await record(b.phone, 'recordOptIn');
		await record(b.phone, 'recordOptOut');
		// runOnce makes a new workflow each time, so the key is named (a derived key includes the workflow).
		const v2 = sendNode(
			2,
			{ [CLOUD_CREDENTIAL_TYPE]: single },
			{ idempotencyKey: `={{ $json.order }}-${prefix}-shipped` },
		);
		const items = [
			{ phone: a.phone, order: 'SO-11' },
			{ phone: b.phone, order: 'SO-12' },
		];
		const first = await runOnce(n8n, v2, items);
		expect(executionError(first.execution)).toBeUndefined();
		expect(first.body as Json[]).toMatchObject([
			{ messageId: expect.stringMatching(/^wamid\./), duplicate: false },
			{ skipped: 'no consent', consent: { granted: false, reason: 'optedOut' } },
		]);
		// The same run again: the idempotency key claimed in the ledger stops a second message.
		const again = await runOnce(n8n, v2, items);
		expect((again.body as Json[])[0]).toMatchObject({
			duplicate: true,
			messageId: (first.body as Json[])[0].messageId,
		});
		expect([accepted(a.phone), accepted(b.phone)]).toEqual([1, 0]);
		const tables = await n8n.api<{ data: Json[] }>(
			'GET',
			`/data-tables?filter=${encodeURIComponent(JSON.stringify({ name: `${prefix}_send_keys` }))}`,
		);
		expect(tables.data).toHaveLength(1);
	});

	it('version 2 with the credential’s Consent Ledger off stops before sending and says how to turn it on', async () => {
		const { phone } = newContact();
		const v2 = sendNode(2, { [CLOUD_CREDENTIAL_TYPE]: cloudOnly });
		const run = await runOnce(n8n, v2, [{ phone, order: 'SO-21' }]);
		const error = executionError(run.execution);
		expect(error?.message).toMatch(/^Turn on Consent Ledger in the WhatsApp Cloud API credential/);
		expect(error?.description).toMatch(/fill in the n8n Base URL, n8n API Key and Contact Key Secret/);
		expect(accepted(phone)).toBe(0);
	});

	it('refuses a credential whose Contact Key Secret differs from the ledger’s, before sending', async () => {
		const { phone } = newContact();
		const other = await n8n.createCredential(
			CLOUD_CREDENTIAL_TYPE,
			`other secret ${prefix}`,
			cloudCredentialData(emulator, ledgerSection({ contactKeySecret: 'another-secret-0123456789abcdef' })),
		);
		const v2 = sendNode(2, { [CLOUD_CREDENTIAL_TYPE]: other });
		const run = await runOnce(n8n, v2, [{ phone, order: 'SO-31' }]);
		const error = executionError(run.execution);
		expect(error?.message).toMatch(/Contact Key Secret of the "WhatsApp Cloud API" credential is not the one/);
		expect(error?.description).toMatch(/Copy the Contact Key Secret/);
		expect(accepted(phone)).toBe(0);
	});

	it('the version-2 trigger with one credential records a STOP that Check Consent honours', async () => {
		const { waId, phone } = newContact();
		await record(phone, 'recordOptIn');
		const { workflowId } = await activateTriggerWorkflow(
			n8n,
			emulator,
			'e2e one-credential trigger',
			(webhookId) => ({
				name: TRIGGER_NAME,
				type: TRIGGER_NODE_TYPE,
				typeVersion: 2,
				webhookId,
				credentials: { [CLOUD_CREDENTIAL_TYPE]: single },
				parameters: {
					registration: 'automatic',
					events: ['messageReceived', 'window', 'consent'],
					recordInLedger: true,
					options: {},
				},
			}),
			{ waitForRegistration: true },
		);
		try {
			const sent = await control(emulator, 'POST', 'inbound', { from: `+${waId}`, name: 'Ana', text: 'STOP' });
			expect(sent.status).toBe(200);
			const isOptOut = (j: Json) => j.event === 'optOutRequest';
			const optOut = (await triggerItemsWhere(n8n, workflowId, isOptOut, 40_000))?.find(isOptOut);
			expect(optOut?.ledger).toMatchObject({ recorded: true, action: 'optOut', contact: phone });
			expect(await check(phone)).toMatchObject({ granted: false, reason: 'optedOut', source: 'WhatsApp reply' });
		} finally {
			await removeWorkflows(n8n, [workflowId]);
		}
	});

	it('the credential test passes with the section on and refuses overlapping addresses', async () => {
		expect(
			await testCredentialInEditor(n8n, CLOUD_CREDENTIAL_TYPE, cloudCredentialData(emulator, ledgerSection())),
		).toMatchObject({ status: 'OK' });
		const overlapping = await testCredentialInEditor(
			n8n,
			CLOUD_CREDENTIAL_TYPE,
			cloudCredentialData(emulator, ledgerSection({ n8nBaseUrl: emulator.url })),
		);
		expect(overlapping.status).toBe('Error');
		expect(overlapping.message).toMatch(/overlap/);
	});

	it('the Meta token never reached n8n’s API and the n8n API key never reached the Graph API', () => {
		const token = emulator.options.accessToken;
		// Everything above went through both: the ledger through the proxy, the sends and registrations to the emulator.
		expect(proxy.seen.length).toBeGreaterThan(10);
		expect(emulator.state.requests.length).toBeGreaterThan(5);
		for (const request of proxy.seen) {
			expect(request.headers['x-n8n-api-key']).toBe(n8n.apiKey);
			expect(JSON.stringify(request.headers)).not.toContain(token);
			expect(request.url.startsWith('/api/v1/')).toBe(true);
		}
		for (const request of emulator.state.requests.filter((r) => !r.path.startsWith('/_emulator'))) {
			expect(JSON.stringify(request.headers)).not.toContain(n8n.apiKey);
			expect(Object.keys(request.headers).map((h) => h.toLowerCase())).not.toContain('x-n8n-api-key');
		}
		const sends = messagePosts(emulator);
		expect(sends.length).toBeGreaterThan(0);
		for (const send of sends) expect(send.headers.authorization).toBe(`Bearer ${token}`);
	});
});
