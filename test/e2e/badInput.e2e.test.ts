/**
 * Bad input corpus (issue 8) in real n8n: every case of badInputCorpus.ts against the four nodes and the two
 * credentials. Each must give a clear error (the message names what is wrong, the description how to fix it),
 * send nothing to Meta, write nothing to the consent ledger, start no execution from a refused webhook call,
 * and leave n8n serving: after the corpus a normal send still goes out.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

import { startEmulator, type Emulator } from '../../dev/emulator';
import {
	CORPUS,
	WORDING,
	type BadInputCase,
	type CloudVariant,
	type ConsentCase,
	type CredentialCase,
	type ErrorExpectation,
	type LedgerVariant,
	type PollCase,
	type SendCase,
	type TriggerCase,
} from './badInputCorpus';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	POLL_NODE_TYPE,
	SHIPPING_UPDATE_FROM_ITEM,
	TRIGGER_NODE_TYPE,
	checkConsentNode,
	cloudCredentialData,
	contactSequence,
	dataTablesNamed,
	executionError,
	ledgerCredentialData,
	messagePosts,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	sleep,
	testCredentialInEditor,
	type SavedCredential,
} from './context';
import { freePort, loginCookie, restRequest } from '../../dev/n8n/n8n';
import { EXPIRED_TOKEN_ERROR, startGraphStub, type GraphStub } from './support/graphStub';

type Json = Record<string, any>;

const SECRET = 'e2e-bad-input-contact-key-secret-0123';

interface Result {
	id: string;
	node: string;
	label: string;
	got: string;
}

describe('Bad input corpus in real n8n', () => {
	const n8n = sharedN8n();
	const prefix = `e2ebad_${randomBytes(3).toString('hex')}`;
	let emulator: Emulator;
	let expiredStub: GraphStub;
	let closedPort: number;
	const cloudCreds = new Map<CloudVariant, SavedCredential>();
	const cloudData = new Map<CloudVariant, Json>();
	const ledgerCreds = new Map<LedgerVariant, SavedCredential>();
	const ledgerData = new Map<LedgerVariant, Json>();
	const trigger = { id: '', path: '', url: '' };
	const results: Result[] = [];
	const nextContact = contactSequence('4915127', 3);
	const newPhone = () => nextContact().phone;

	async function createApiKey(label: string, wanted: string[]): Promise<string> {
		const cookie = await loginCookie(n8n.url);
		const available = ((await restRequest(n8n.url, cookie, 'GET', '/rest/api-keys/scopes')) as { data: string[] }).data;
		const scopes = wanted.filter((s) => available.includes(s));
		expect(scopes.length).toBeGreaterThan(0);
		const created = (await restRequest(n8n.url, cookie, 'POST', '/rest/api-keys', {
			label: `${label}-${randomBytes(3).toString('hex')}`,
			scopes,
			expiresAt: null,
		})) as { data: { rawApiKey: string } };
		return created.data.rawApiKey;
	}

	async function tableRows(name: string): Promise<number> {
		const tables = await dataTablesNamed(n8n, name);
		if (tables.length === 0) return 0;
		let count = 0;
		let cursor: string | undefined;
		do {
			const qs = new URLSearchParams({ limit: '250' });
			if (cursor) qs.set('cursor', cursor);
			const page = await n8n.api<{ data: Json[]; nextCursor?: string | null }>(
				'GET',
				`/data-tables/${tables[0].id}/rows?${qs}`,
			);
			count += page.data.length;
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return count;
	}
	const ledgerRowCounts = async () => ({
		events: await tableRows(`${prefix}_consent_events`),
		state: await tableRows(`${prefix}_contact_state`),
	});

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0, latencyMs: 0, statusWebhooks: false });
		expiredStub = await startGraphStub(401, EXPIRED_TOKEN_ERROR);
		closedPort = await freePort();

		const cloudVariants: Record<CloudVariant, Json> = {
			ok: cloudCredentialData(emulator),
			wrongToken: cloudCredentialData(emulator, { accessToken: 'not-the-token' }),
			wrongAccount: cloudCredentialData(emulator, { businessAccountId: '999999999999' }),
			expiredToken: cloudCredentialData(emulator, { baseUrl: expiredStub.url }),
			closedPort: cloudCredentialData(emulator, { baseUrl: `http://127.0.0.1:${closedPort}` }),
			notGraph: cloudCredentialData(emulator, { baseUrl: n8n.url }),
		};
		for (const [variant, data] of Object.entries(cloudVariants) as Array<[CloudVariant, Json]>) {
			cloudData.set(variant, data);
			cloudCreds.set(
				variant,
				await n8n.createCredential(CLOUD_CREDENTIAL_TYPE, `bad input cloud ${variant} ${emulator.port}`, data),
			);
		}

		const good = ledgerCredentialData(n8n, prefix, SECRET);
		const noScopes = await createApiKey('e2e-no-datatable', ['workflow:read', 'workflow:list']);
		const readOnly = await createApiKey('e2e-read-only', [
			'dataTable:list',
			'dataTable:read',
			'dataTableColumn:read',
			'dataTableRow:read',
		]);
		const ledgerVariants: Record<LedgerVariant, Json> = {
			ok: good,
			unreachable: { ...good, baseUrl: `http://127.0.0.1:${closedPort}` },
			wrongKey: { ...good, apiKey: 'not-a-key' },
			noDataTableScopes: { ...good, apiKey: noScopes },
			readOnlyScopes: { ...good, apiKey: readOnly },
			shortSecret: { ...good, contactKeySecret: 'short' },
			wrongPath: { ...good, baseUrl: `${n8n.url}/nothing-here` },
		};
		for (const [variant, data] of Object.entries(ledgerVariants) as Array<[LedgerVariant, Json]>) {
			ledgerData.set(variant, data);
			ledgerCreds.set(
				variant,
				await n8n.createCredential(LEDGER_CREDENTIAL_TYPE, `bad input ledger ${variant} ${prefix}`, data),
			);
		}

		// The ledger tables exist (one genuine opt-in), so refusals can be checked against a known row count.
		const seeded = await runOnce(n8n, consentNode({ operation: 'recordOptIn' }, 'ok'), [{ phone: newPhone() }]);
		expect(executionError(seeded.execution)).toBeUndefined();
		// One contact's state row, and the ledger's key-check row (a fingerprint of the Contact Key Secret).
		expect(await ledgerRowCounts()).toEqual({ events: 1, state: 2 });

		// One Session Window Trigger for every webhook case: manual registration, every event, ledger recording on.
		const webhookId = randomUUID();
		trigger.path = `${webhookId}/webhook`;
		trigger.url = `${n8n.url}/webhook/${trigger.path}`;
		trigger.id = await n8n.createWorkflow(
			`e2e bad input trigger ${webhookId}`,
			[
				{
					name: 'Trigger',
					type: TRIGGER_NODE_TYPE,
					typeVersion: 1,
					webhookId,
					credentials: {
						[CLOUD_CREDENTIAL_TYPE]: cloudCreds.get('ok')!,
						[LEDGER_CREDENTIAL_TYPE]: ledgerCreds.get('ok')!,
					},
					parameters: {
						registration: 'manual',
						events: ['messageReceived', 'window', 'statusUpdate', 'consent', 'templateUpdate', 'otherUpdate'],
						recordInLedger: true,
						optInKeywords: 'resume',
						options: {},
					},
				},
			],
			{},
		);
		await n8n.activate(trigger.id);
		await n8n.waitForWebhook(trigger.path);
	});

	afterAll(async () => {
		console.log(
			`Bad input corpus: ${CORPUS.length} cases, ${results.length} run\n` +
				results
					.map(
						(r) => `${r.id.padEnd(4)} ${r.node.padEnd(16)} ${r.label.slice(0, 58).padEnd(58)} → ${r.got.slice(0, 150)}`,
					)
					.join('\n'),
		);
		if (trigger.id) {
			await n8n.deactivate(trigger.id).catch(() => undefined);
			await n8n.deleteWorkflow(trigger.id).catch(() => undefined);
		}
		await expiredStub?.close();
		await emulator?.close();
	});

	const consentNode = (params: Json, ledger: LedgerVariant) =>
		checkConsentNode(ledgerCreds.get(ledger)!, {
			purpose: 'shippingStatus',
			source: 'checkout form',
			proofWording: WORDING,
			proofVersion: 'checkout-v3',
			proofReference: 'SO-1',
			capturedAt: '',
			...params,
		});

	function sendNode(c: SendCase) {
		const credentials: Record<string, SavedCredential> = { [CLOUD_CREDENTIAL_TYPE]: cloudCreds.get(c.cloud ?? 'ok')! };
		if (c.ledger) credentials[LEDGER_CREDENTIAL_TYPE] = ledgerCreds.get(c.ledger)!;
		return shippingUpdateNode(credentials, SHIPPING_UPDATE_FROM_ITEM, {
			...(c.ledger ? { useConsentLedger: true } : {}),
			...c.params,
		});
	}

	function expectClearError(error: Json | undefined, expected: ErrorExpectation, c: BadInputCase) {
		expect(error).toBeDefined();
		const message = String(error?.message ?? '');
		const description = String(error?.description ?? '');
		results.push({ id: c.id, node: c.node, label: c.label, got: `${message} || ${description}` });
		expect(message).toMatch(expected.message);
		if (expected.fix) {
			expect(description.trim()).not.toBe('');
			expect(description).toMatch(expected.fix);
		}
		// No crash: never a bare JavaScript error surfacing to the user.
		expect(`${message} ${description}`).not.toMatch(
			/Cannot read propert|is not a function|undefined is not|\[object Object\]|<!DOCTYPE|<html/i,
		);
	}

	async function runSend(c: SendCase) {
		const postsBefore = messagePosts(emulator).length;
		const rowsBefore = await ledgerRowCounts();
		const item = { phone: newPhone(), name: 'Ann', order: 'SO-1001', eta: 'Friday, 27 November', ...c.item };
		if (c.publishRefused) {
			const refused = await runOnce(n8n, sendNode(c), [item]).then(
				() => 'published',
				(e: Error) => e.message,
			);
			results.push({ id: c.id, node: c.node, label: c.label, got: refused });
			expect(refused).toMatch(c.publishRefused);
			expect(messagePosts(emulator).length).toBe(postsBefore);
			return;
		}
		const run = await runOnce(n8n, sendNode(c), [item]);
		expect(run.status).toBeGreaterThanOrEqual(400);
		expectClearError(executionError(run.execution), c.expect, c);
		expect(messagePosts(emulator).length).toBe(postsBefore);
		expect(await ledgerRowCounts()).toEqual(rowsBefore);
	}

	async function runConsent(c: ConsentCase) {
		const rowsBefore = await ledgerRowCounts();
		if (c.publishRefused) {
			const refused = await runOnce(n8n, consentNode(c.params, c.ledger ?? 'ok'), [
				{ phone: newPhone(), ...c.item },
			]).then(
				() => 'published',
				(e: Error) => e.message,
			);
			results.push({ id: c.id, node: c.node, label: c.label, got: refused });
			expect(refused).toMatch(c.publishRefused);
			expect(await ledgerRowCounts()).toEqual(rowsBefore);
			return;
		}
		const run = await runOnce(n8n, consentNode(c.params, c.ledger ?? 'ok'), [{ phone: newPhone(), ...c.item }]);
		expect(run.status).toBeGreaterThanOrEqual(400);
		expectClearError(executionError(run.execution), c.expect, c);
		expect(await ledgerRowCounts()).toEqual(rowsBefore);
	}

	async function finishedTriggerExecutions(): Promise<number> {
		return (await n8n.executions(trigger.id, false)).length;
	}

	async function runTrigger(c: TriggerCase) {
		const rowsBefore = await ledgerRowCounts();
		const before = await finishedTriggerExecutions();
		const env = {
			wabaId: emulator.options.wabaId,
			phoneNumberId: emulator.options.phoneNumbers[0].id,
			unique: randomBytes(6).toString('hex'),
			now: Date.now(),
		};
		const raw = c.body(env);
		const sign = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
		const headers: Record<string, string> = { 'content-type': c.contentType ?? 'application/json' };
		if (c.signature === 'valid') headers['x-hub-signature-256'] = sign(raw, emulator.options.appSecret);
		if (c.signature === 'wrongSecret') headers['x-hub-signature-256'] = sign(raw, 'not-the-app-secret');
		if (c.signature === 'notSha256')
			headers['x-hub-signature-256'] =
				`sha1=${createHmac('sha1', emulator.options.appSecret).update(raw).digest('hex')}`;
		if (c.signature === 'otherBody') headers['x-hub-signature-256'] = sign(`${raw} `, emulator.options.appSecret);
		const call = async () => {
			const res =
				c.method === 'GET'
					? await fetch(`${trigger.url}?${c.query?.('e2e-verify-token') ?? ''}`)
					: await fetch(trigger.url, { method: 'POST', headers, body: raw });
			return { status: res.status, text: await res.text() };
		};
		const first = await call();
		results.push({ id: c.id, node: c.node, label: c.label, got: `HTTP ${first.status} ${first.text.slice(0, 140)}` });
		expect(first.status).toBe(c.expect.status);
		if (c.expect.text) expect(first.text).toMatch(c.expect.text);
		// A refused handshake never echoes the challenge.
		if (c.method === 'GET') expect(first.text.trim()).not.toBe('42');
		if (c.replay) {
			await sleep(300);
			const again = await call();
			expect(again.status).toBe(200);
		}
		// Give n8n the time to start an execution it should not start.
		let after = before;
		for (let i = 0; i < 10; i++) {
			await sleep(200);
			after = await finishedTriggerExecutions();
			if (after > before + c.expect.executions) break;
		}
		if (c.expect.executions > 0) {
			for (let i = 0; i < 50 && after < before + c.expect.executions; i++) {
				await sleep(200);
				after = await finishedTriggerExecutions();
			}
			await sleep(800);
			after = await finishedTriggerExecutions();
		}
		expect(after - before).toBe(c.expect.executions);
		expect(await ledgerRowCounts()).toEqual(rowsBefore);
		// The webhook stays healthy.
		expect((await fetch(`${n8n.url}/healthz`)).status).toBe(200);
	}

	/** n8n 2.41 runs poll() at activation and records a failure in the workflow's publication status. */
	async function activationError(workflowId: string): Promise<string | undefined> {
		const cookie = await loginCookie(n8n.url);
		const deadline = Date.now() + 60_000;
		while (Date.now() < deadline) {
			const res = (await restRequest(n8n.url, cookie, 'GET', `/rest/workflows/${workflowId}/publication-status`).catch(
				() => undefined,
			)) as Json | undefined;
			const triggers: Json[] = res?.data?.triggers ?? [];
			const failed = triggers.find((t) => typeof t.errorMessage === 'string' && t.errorMessage);
			if (failed) return failed.errorMessage;
			const old = (await restRequest(n8n.url, cookie, 'GET', `/rest/active-workflows/error/${workflowId}`).catch(
				() => undefined,
			)) as Json | undefined;
			if (typeof old?.data === 'string' && old.data) return old.data;
			await sleep(200);
		}
		return undefined;
	}

	async function runPoll(c: PollCase) {
		const id = await n8n.createWorkflow(
			`e2e bad input poll ${c.id} ${Date.now()}`,
			[
				{
					name: 'Template Poll',
					type: POLL_NODE_TYPE,
					typeVersion: 1,
					credentials: { [CLOUD_CREDENTIAL_TYPE]: cloudCreds.get(c.cloud)! },
					parameters: {
						pollTimes: { item: [{ mode: 'custom', cronExpression: '0 0 0 1 1 *' }] },
						options: { firstPoll: 'summary' },
					},
				},
			],
			{},
		);
		try {
			let message: string | undefined;
			try {
				await n8n.activate(id);
				message = await activationError(id);
			} catch (error) {
				message = (error as Error).message;
			}
			expectClearError({ message: message ?? '(no error reported)' }, c.expect, c);
		} finally {
			await n8n.deactivate(id).catch(() => undefined);
			await n8n.deleteWorkflow(id).catch(() => undefined);
		}
	}

	async function runCredential(c: CredentialCase) {
		const type = c.node === 'cloudCredential' ? CLOUD_CREDENTIAL_TYPE : LEDGER_CREDENTIAL_TYPE;
		const data =
			c.node === 'cloudCredential'
				? cloudData.get(c.variant as CloudVariant)
				: ledgerData.get(c.variant as LedgerVariant);
		const result = await testCredentialInEditor(n8n, type, { allowedHttpRequestDomains: 'all', ...data });
		results.push({ id: c.id, node: c.node, label: c.label, got: `${result.status}: ${result.message}` });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(c.expect.message);
	}

	it('the corpus has at least 40 cases across the four nodes and the two credentials', () => {
		expect(CORPUS.length).toBeGreaterThanOrEqual(40);
		expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
		const nodes = new Set(CORPUS.map((c) => c.node));
		expect([...nodes].sort()).toEqual(['cloudCredential', 'consent', 'ledgerCredential', 'poll', 'send', 'trigger']);
	});

	const runCase = async (c: BadInputCase) => {
		switch (c.node) {
			case 'send':
				return await runSend(c);
			case 'consent':
				return await runConsent(c);
			case 'trigger':
				return await runTrigger(c);
			case 'poll':
				return await runPoll(c);
			default:
				return await runCredential(c);
		}
	};
	const named = (c: BadInputCase) => [`${c.id} ${c.node}: ${c.label}`, c] as const;
	it.each(CORPUS.filter((c) => !c.knownIssue).map(named))('%s', async (_name, c) => await runCase(c), 90_000);
	// Known defects of the package, reported to the lead: these fail today; when one is fixed, jest reports it
	// ("passed but was expected to fail") and its knownIssue mark must go.
	it.failing.each(CORPUS.filter((c) => c.knownIssue).map(named))(
		'known issue: %s',
		async (_name, c) => await runCase(c),
		90_000,
	);

	it('n8n keeps serving after the corpus: a normal send and a consent check still work', async () => {
		expect((await fetch(`${n8n.url}/healthz`)).status).toBe(200);
		const before = emulator.state.messages.length;
		const sent = await runOnce(
			n8n,
			sendNode({ node: 'send', id: 'OK', label: 'normal send', expect: { message: /./ } }),
			[{ phone: newPhone(), name: 'Ann', order: 'SO-1001', eta: 'Friday, 27 November' }],
		);
		expect(sent.status).toBe(200);
		expect((sent.body as Json[])[0].messageId).toMatch(/^wamid\./);
		expect(emulator.state.messages.length).toBe(before + 1);
		const checked = await runOnce(n8n, consentNode({ operation: 'check' }, 'ok'), [{ phone: newPhone() }]);
		expect(checked.status).toBe(200);
		expect((checked.body as Json[])[0].consent).toMatchObject({ granted: false, reason: 'noRecord' });
	});
});
