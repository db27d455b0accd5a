/**
 * Session Window Trigger inside a real n8n, fed by the emulator: callback registration through subscribed_apps
 * (with Meta's handshake), inbound messages, status webhooks with the correlation key, refused forged and
 * malformed calls, duplicates, raw-body signatures and removal on deactivation.
 */
import { randomUUID } from 'node:crypto';

import { signWebhook, type Emulator } from '../../dev/emulator';
import { control, graph } from '../../dev/emulator/testkit';
import {
	CLOUD_CREDENTIAL_TYPE,
	TRIGGER_NAME,
	TRIGGER_NODE_TYPE as TRIGGER_TYPE,
	activateTriggerWorkflow,
	activationError as activationErrorOf,
	cloudCredentialData,
	finishedExecutions,
	graphRequests,
	messagesWebhook,
	postWebhook,
	removeWorkflows,
	sharedN8n,
	sleep,
	startEmulatorWithCredential,
	triggerItems as itemsOf,
	waitForCallback,
	waitForNewExecutions,
	type SavedCredential,
} from './context';
import { loginCookie, restRequest } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

const VERIFY_TOKEN = 'e2e-verify-token';

describe('Session Window Trigger in real n8n', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;
	let credential: SavedCredential;
	let workflowId: string;
	let webhookPath: string;
	let callbackUrl: string;

	const sign = (raw: string | Buffer, secret = emulator.options.appSecret) => signWebhook(raw, secret);
	const executions = () => finishedExecutions(n8n, workflowId);
	/** Waits until `count` executions exist beyond `before`, then a little longer to catch extra ones. */
	const waitForExecutions = (before: number, count: number, settleMs = 600) =>
		waitForNewExecutions(n8n, workflowId, before, count, settleMs);

	async function post(raw: string, headers: Record<string, string> = {}) {
		const res = await fetch(callbackUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: raw,
		});
		return { status: res.status, text: await res.text() };
	}

	/** Posts like Meta's redelivery until it is accepted (at most 15 s); returns the last status. */
	async function postUntilAccepted(raw: string, secret: string): Promise<number> {
		const started = Date.now();
		let status = 0;
		while (status !== 200 && Date.now() - started < 15_000) {
			status = (await post(raw, { 'x-hub-signature-256': sign(raw, secret) })).status;
			if (status !== 200) await sleep(500);
		}
		return status;
	}

	beforeAll(async () => {
		({ emulator, credential } = await startEmulatorWithCredential(n8n, 'trigger emulator', {
			latencyMs: 0,
			statusDelayMs: 50,
			webhookRetryBaseMs: 100,
		}));
		let webhookId: string;
		({ workflowId, webhookId, callbackUrl } = await activateTriggerWorkflow(
			n8n,
			emulator,
			'e2e session window trigger',
			(id) => ({
				name: TRIGGER_NAME,
				type: TRIGGER_TYPE,
				typeVersion: 1.1,
				webhookId: id,
				credentials: { [CLOUD_CREDENTIAL_TYPE]: credential },
				parameters: {
					registration: 'automatic',
					events: ['messageReceived', 'window', 'statusUpdate', 'consent', 'templateUpdate', 'otherUpdate'],
					options: {},
				},
			}),
			{ waitForRegistration: true },
		));
		webhookPath = `${webhookId}/webhook`;
	});

	afterAll(async () => {
		await removeWorkflows(n8n, [workflowId]);
		await emulator.close();
	});

	it('registers its callback through subscribed_apps, after Meta’s handshake, on activation', async () => {
		const subs = await graph(emulator, 'GET', `${emulator.options.wabaId}/subscribed_apps`);
		expect(subs.status).toBe(200);
		expect(subs.body.data).toEqual([expect.objectContaining({ override_callback_uri: callbackUrl })]);
		expect(emulator.state.subscription).toMatchObject({
			override_callback_uri: callbackUrl,
			verify_token: VERIFY_TOKEN,
		});
		const posts = graphRequests(emulator, 'POST', '/subscribed_apps');
		expect(posts).toHaveLength(1);
		expect(posts[0].body).toMatchObject({ override_callback_uri: callbackUrl, verify_token: VERIFY_TOKEN });
	});

	it('answers the GET handshake only with the right verify token', async () => {
		const ok = await fetch(`${callbackUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=31337`);
		expect(ok.status).toBe(200);
		expect(await ok.text()).toBe('31337');
		const wrong = await fetch(`${callbackUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=31337`);
		expect(wrong.status).toBe(403);
		expect(await wrong.text()).not.toContain('31337');
	});

	it('turns an inbound message into Message Received + Window Opened', async () => {
		const before = (await executions()).length;
		const sent = await control(emulator, 'POST', 'inbound', {
			from: '+49 151 2345 7001',
			name: 'Ana',
			text: 'Hello there',
		});
		expect(sent.status).toBe(200);
		const [execution] = await waitForExecutions(before, 1);
		const items = itemsOf(execution);
		expect(items.map((i: Json) => i.event)).toEqual(['messageReceived', 'windowOpened']);
		expect(items[0]).toMatchObject({
			messageId: sent.body.wamid,
			type: 'text',
			text: 'Hello there',
			contact: { key: '4915123457001', waId: '4915123457001', name: 'Ana' },
			phoneNumberId: emulator.options.phoneNumbers[0].id,
			businessAccountId: emulator.options.wabaId,
		});
		expect(items[1]).toMatchObject({ contact: { waId: '4915123457001' }, open: true, fromAdReferral: false });
		expect(Date.parse(items[1].expiresAt) - Date.parse(items[1].openedAt)).toBe(24 * 3600 * 1000);
		expect(items[1].expiresAt).toBe(sent.body.windowExpiresAt.replace(/\.\d{3}Z$/, '.000Z'));
		const deliveries = emulator.state.deliveries.filter((d) => d.url === callbackUrl);
		expect(deliveries.every((d) => d.statusCode === 200)).toBe(true);
	});

	it('renews the window and reports a STOP as an opt-out request', async () => {
		// Meta's timestamps are whole seconds, and a message in the same second as the last one does not move the
		// window (no window event); wait for the next second so this one renews it.
		await sleep(1100);
		const before = (await executions()).length;
		await control(emulator, 'POST', 'inbound', { from: '+49 151 2345 7001', name: 'Ana', text: 'STOP' });
		const [execution] = await waitForExecutions(before, 1);
		expect(itemsOf(execution).map((i: Json) => i.event)).toEqual(['messageReceived', 'optOutRequest', 'windowRenewed']);
		expect(itemsOf(execution)[1]).toMatchObject({
			source: 'keyword',
			keyword: 'stop',
			scope: 'all',
			contact: { waId: '4915123457001' },
		});
	});

	it('reports the statuses of a template send with the correlation key', async () => {
		const before = (await executions()).length;
		const correlation = JSON.stringify({ key: 'SO-9001', execution: '4242', item: 3 });
		const res = await graph(emulator, 'POST', `${emulator.options.phoneNumbers[0].id}/messages`, {
			messaging_product: 'whatsapp',
			to: '+4915123457002',
			type: 'template',
			template: {
				name: 'order_confirmation',
				language: { code: 'en_US' },
				components: [
					{
						type: 'body',
						parameters: [
							{ type: 'text', parameter_name: 'first_name', text: 'Ben' },
							{ type: 'text', parameter_name: 'order_number', text: 'SO-9001' },
						],
					},
				],
			},
			biz_opaque_callback_data: correlation,
		});
		expect(res.status).toBe(200);
		const wamid = res.body.messages[0].id;
		const runs = await waitForExecutions(before, 2);
		const statuses = runs.flatMap(itemsOf).filter((i: Json) => i.event === 'statusUpdate');
		expect(statuses.map((s: Json) => s.status).sort()).toEqual(['delivered', 'sent']);
		for (const status of statuses) {
			expect(status).toMatchObject({
				messageId: wamid,
				contact: { waId: '4915123457002' },
				correlation: { raw: correlation, key: 'SO-9001', executionId: '4242', itemIndex: 3 },
				pricing: { category: 'utility', billable: true, pricingModel: 'PMP' },
			});
		}
	});

	it('refuses a forged or unsigned call with 401 and starts no execution', async () => {
		const before = (await executions()).length;
		const raw = JSON.stringify(
			(await control(emulator, 'POST', 'inbound', { from: '+4915123457003', text: 'x' })).body.payload,
		);
		await waitForExecutions(before, 1);
		const afterGenuine = (await executions()).length;
		// A different message id, so only the signature can stop it.
		const forgedBody = raw.replace(/wamid\.[A-Za-z0-9+/=_-]+/, 'wamid.FORGED1');
		expect((await post(forgedBody, { 'x-hub-signature-256': sign(forgedBody, 'not-the-app-secret') })).status).toBe(
			401,
		);
		expect((await post(forgedBody)).status).toBe(401);
		expect((await post(forgedBody, { 'x-hub-signature-256': sign(raw) })).status).toBe(401);
		await sleep(800);
		expect((await executions()).length).toBe(afterGenuine);
	});

	it('accepts a new App Secret within seconds after the credential is changed, and refuses the wrong one', async () => {
		const statusBody = (id: string) =>
			messagesWebhook(emulator, {
				messaging_product: 'whatsapp',
				metadata: { display_phone_number: '15550100100', phone_number_id: emulator.options.phoneNumbers[0].id },
				statuses: [
					{ id, status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '4915123457005' },
				],
			});
		const setAppSecret = (appSecret: string) =>
			n8n.api('PATCH', `/credentials/${credential.id}`, { data: { appSecret }, isPartialData: true });
		const before = (await executions()).length;
		// The trigger uses (and keeps) the emulator's App Secret.
		const warm = statusBody('wamid.ROTATE0');
		expect((await post(warm, { 'x-hub-signature-256': sign(warm) })).status).toBe(200);
		await setAppSecret('rotated-app-secret');
		try {
			// A mismatch re-reads the credential at most every 10 s (forged calls must not make n8n read it on every
			// call): Meta's redelivery of a refused call is accepted once the kept copy is that old.
			const rotated = statusBody('wamid.ROTATE1');
			const rotatedAt = Date.now();
			expect(await postUntilAccepted(rotated, 'rotated-app-secret')).toBe(200);
			expect(Date.now() - rotatedAt).toBeLessThan(12_000);
			const wrong = statusBody('wamid.ROTATE2');
			expect((await post(wrong, { 'x-hub-signature-256': sign(wrong, 'yet-another-secret') })).status).toBe(401);
		} finally {
			await setAppSecret(emulator.options.appSecret);
		}
		const back = statusBody('wamid.ROTATE3');
		expect(await postUntilAccepted(back, emulator.options.appSecret)).toBe(200);
		const runs = await waitForExecutions(before, 3);
		expect(runs.flatMap(itemsOf).map((i: Json) => i.messageId)).toEqual([
			'wamid.ROTATE0',
			'wamid.ROTATE1',
			'wamid.ROTATE3',
		]);
	});

	it('checks the signature over the raw bytes (spaces, unicode escapes) and answers 200 at once', async () => {
		const before = (await executions()).length;
		const ts = Math.floor(Date.now() / 1000);
		const raw = `{ "object" : "whatsapp_business_account",\n  "entry": [ { "id": "${emulator.options.wabaId}", "changes": [ { "field": "messages", "value": {
			"messaging_product": "whatsapp", "metadata": { "display_phone_number": "15550100100", "phone_number_id": "${emulator.options.phoneNumbers[0].id}" },
			"contacts": [ { "profile": { "name": "Jos\\u00e9" }, "wa_id": "4915123457004" } ],
			"messages": [ { "from": "4915123457004", "id": "wamid.RAWBYTES1", "timestamp": "${ts}", "type": "text", "text": { "body": "Ol\\u00e1 \\ud83d\\udc4b" } } ] } } ] } ] }`;
		expect(JSON.stringify(JSON.parse(raw))).not.toBe(raw);
		const started = Date.now();
		const res = await post(raw, { 'x-hub-signature-256': sign(raw) });
		expect(res.status).toBe(200);
		expect(res.text).toBe('EVENT_RECEIVED');
		expect(Date.now() - started).toBeLessThan(2000);
		const [execution] = await waitForExecutions(before, 1);
		expect(itemsOf(execution)[0]).toMatchObject({
			messageId: 'wamid.RAWBYTES1',
			text: 'Olá 👋',
			contact: { name: 'José' },
		});
	});

	it('gives one execution for a duplicate delivery', async () => {
		const before = (await executions()).length;
		const ts = Math.floor(Date.now() / 1000);
		const raw = messagesWebhook(emulator, {
			metadata: { phone_number_id: emulator.options.phoneNumbers[0].id },
			statuses: [{ id: 'wamid.DUPLICATE1', status: 'read', timestamp: String(ts), recipient_id: '4915123457005' }],
		});
		const headers = { 'x-hub-signature-256': sign(raw) };
		const answers = await Promise.all([post(raw, headers), post(raw, headers)]);
		expect(answers.map((a) => a.status)).toEqual([200, 200]);
		expect((await post(raw, headers)).status).toBe(200);
		const runs = await waitForExecutions(before, 1, 1200);
		expect(runs).toHaveLength(1);
		expect(itemsOf(runs[0])).toEqual([
			expect.objectContaining({ event: 'statusUpdate', status: 'read', messageId: 'wamid.DUPLICATE1' }),
		]);
	});

	it('refuses malformed JSON and a wrong object with 4xx and starts no execution', async () => {
		const before = (await executions()).length;
		const broken = '{"object":"whatsapp_business_account","entry":[';
		// n8n's own body parser refuses malformed application/json (422) before the node runs.
		const asJson = await post(broken, { 'x-hub-signature-256': sign(broken) });
		expect(asJson.status).toBe(422);
		// Sent as text, the node reads the raw bytes itself: 400.
		const asText = await post(broken, { 'content-type': 'text/plain', 'x-hub-signature-256': sign(broken) });
		expect(asText.status).toBe(400);
		const page = JSON.stringify({ object: 'page', entry: [] });
		const wrongObject = await post(page, { 'x-hub-signature-256': sign(page) });
		expect(wrongObject.status).toBe(400);
		expect(wrongObject.text).toContain('whatsapp_business_account');
		await sleep(800);
		expect((await executions()).length).toBe(before);
		// n8n is unaffected
		expect((await fetch(`${n8n.url}/healthz`)).status).toBe(200);
	});

	it('in manual mode registers nothing and still receives signed calls at its URL', async () => {
		const subscribePostsBefore = graphRequests(emulator, 'POST', '/subscribed_apps').length;
		const { workflowId: manualId, callbackUrl: url } = await activateTriggerWorkflow(
			n8n,
			emulator,
			'e2e session window trigger manual',
			(webhookId) => ({
				name: TRIGGER_NAME,
				type: TRIGGER_TYPE,
				typeVersion: 1,
				webhookId,
				credentials: { [CLOUD_CREDENTIAL_TYPE]: credential },
				parameters: { registration: 'manual', events: ['messageReceived'], options: {} },
			}),
		);
		try {
			const handshake = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=777`);
			expect(await handshake.text()).toBe('777');
			const raw = JSON.stringify(
				(await control(emulator, 'POST', 'inbound', { from: '+4915123457009', text: 'manual' })).body.payload,
			);
			const res = await postWebhook(url, raw, emulator.options.appSecret);
			expect(res.status).toBe(200);
			let runs: Json[] = [];
			for (let i = 0; i < 60 && runs.length === 0; i++) {
				runs = (await n8n.executions(manualId)).filter((e) => e.finished || e.status === 'success');
				if (runs.length === 0) await sleep(150);
			}
			expect(runs).toHaveLength(1);
			expect(itemsOf(runs[0]).map((i: Json) => i.event)).toEqual(['messageReceived']);
			expect(graphRequests(emulator, 'POST', '/subscribed_apps').length).toBe(subscribePostsBefore);
			expect(emulator.state.subscription?.override_callback_uri).toBe(callbackUrl);
		} finally {
			await removeWorkflows(n8n, [manualId]);
		}
		// Deactivating the manual one left the automatic workflow's registration alone.
		expect(emulator.state.subscription?.override_callback_uri).toBe(callbackUrl);
	});

	it("refuses a body over Meta's 3 MB with 413 and drops a signed delivery older than 7 days", async () => {
		const before = (await executions()).length;
		const big = JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(3 * 1024 * 1024) });
		expect((await post(big, { 'x-hub-signature-256': sign(big) })).status).toBe(413);
		const eightDaysAgo = Math.floor(Date.now() / 1000) - 8 * 24 * 3600;
		const old = messagesWebhook(emulator, {
			messaging_product: 'whatsapp',
			metadata: { phone_number_id: emulator.options.phoneNumbers[0].id },
			contacts: [{ profile: { name: 'Replay' }, wa_id: '4915123457077' }],
			messages: [
				{
					from: '4915123457077',
					id: 'wamid.REPLAYED8DAYS',
					timestamp: String(eightDaysAgo),
					type: 'text',
					text: { body: 'STOP' },
				},
			],
		});
		const replay = await post(old, { 'x-hub-signature-256': sign(old) });
		expect(replay.status).toBe(200);
		await sleep(800);
		expect((await executions()).length).toBe(before);
	});

	const activationError = (id: string) => activationErrorOf(n8n, id, 30_000);

	it('refuses to activate manual registration when the credential has no App Secret, saying what to set', async () => {
		const noSecret = await n8n.createCredential(
			CLOUD_CREDENTIAL_TYPE,
			`trigger no secret ${emulator.port}`,
			cloudCredentialData(emulator, { appSecret: '' }),
		);
		const webhookId = randomUUID();
		const id = await n8n.createWorkflow(
			`e2e session window trigger manual no secret ${webhookId}`,
			[
				{
					name: TRIGGER_NAME,
					type: TRIGGER_TYPE,
					typeVersion: 1.1,
					webhookId,
					credentials: { [CLOUD_CREDENTIAL_TYPE]: noSecret },
					parameters: { registration: 'manual', events: ['messageReceived'], options: {} },
				},
			],
			{},
		);
		try {
			// n8n 2.41 activates in the background and records a refusal in the workflow's publication status.
			const refused = await n8n.activate(id).then(
				() => activationError(id),
				(error: Error) => error.message,
			);
			expect(refused).toMatch(/no App Secret/);
			expect(refused).toMatch(/App settings → Basic → App secret/);
			const unregistered = await fetch(`${n8n.url}/webhook/${webhookId}/webhook`, { method: 'POST', body: '{}' });
			expect(unregistered.status).toBe(404);
			// The automatic workflow still owns the account's callback.
			expect(emulator.state.subscription?.override_callback_uri).toBe(callbackUrl);
		} finally {
			await removeWorkflows(n8n, [id]);
		}
	});

	it('"Listen for test event" points the account at the test URL, and back at production when it stops', async () => {
		const cookie = await loginCookie(n8n.url);
		expect(emulator.state.subscription?.override_callback_uri).toBe(callbackUrl);
		const started = (await restRequest(n8n.url, cookie, 'POST', `/rest/workflows/${workflowId}/run`, {
			triggerToStartFrom: { name: TRIGGER_NAME },
		})) as Json;
		expect(JSON.stringify(started)).toContain('waitingForWebhook');
		const testUrl = `${n8n.url}/webhook-test/${webhookPath}`;
		await waitForCallback(emulator, testUrl, 10_000);
		expect(emulator.state.subscription?.override_callback_uri).toBe(testUrl);

		await restRequest(n8n.url, cookie, 'DELETE', `/rest/test-webhook/${workflowId}`);
		await waitForCallback(emulator, callbackUrl, 10_000);
		expect(emulator.state.subscription?.override_callback_uri).toBe(callbackUrl);

		// Production receives again: an inbound message through the emulator starts the active workflow.
		const before = (await executions()).length;
		const sent = await control(emulator, 'POST', 'inbound', { from: '+4915123457088', text: 'after the test' });
		const [run] = await waitForExecutions(before, 1);
		expect(itemsOf(run)[0]).toMatchObject({ event: 'messageReceived', messageId: sent.body.wamid });
	});

	it('removes its callback override on deactivation', async () => {
		await n8n.deactivate(workflowId);
		const deadline = Date.now() + 10_000;
		while (emulator.state.subscription?.override_callback_uri && Date.now() < deadline) await sleep(100);
		const subs = await graph(emulator, 'GET', `${emulator.options.wabaId}/subscribed_apps`);
		expect(subs.body.data.every((row: Json) => row.override_callback_uri === undefined)).toBe(true);
	});
});
