/**
 * The Session Window Trigger's webhook() with n8n-core's WebhookContext: Meta's handshake, signed deliveries
 * (signature good / bad / missing), duplicates, and what it records in the consent ledger (fake data-table API).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { graph } from '../../dev/emulator/testkit';
import { CLOUD, NODE_TYPE, type NodeSpec } from './harness';
import {
	EVENTS_TABLE,
	STATE_TABLE,
	VERIFY_TOKEN,
	e164Of,
	inboundPayload,
	recordOptIns,
	signedDelivery,
	useWorld,
} from './world';

type Json = Record<string, any>;

describe('Session Window Trigger on n8n-core', () => {
	const world = useWorld();
	let workflowCounter = 0;
	let trigger: NodeSpec;
	beforeEach(() => {
		// The trigger remembers deliveries per workflow and node: each test gets its own workflow.
		trigger = {
			type: NODE_TYPE.trigger,
			parameters: { registration: 'manual' },
			workflowId: `wf-trigger-${++workflowCounter}`,
		};
	});
	const withLedger = (): NodeSpec => ({ ...trigger, parameters: { registration: 'manual', recordInLedger: true } });
	const itemsOf = (response: { workflowData?: Array<Array<{ json: unknown }>> }) =>
		(response.workflowData?.[0] ?? []).map((i) => i.json as Json);

	it("answers Meta's verification handshake only with the credential's verify token", async () => {
		const ok = await world.harness.webhook(trigger, {
			method: 'GET',
			query: { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' },
		});
		expect(ok.replied).toMatchObject({ status: 200, body: '1158201444' });
		const bad = await world.harness.webhook(trigger, {
			method: 'GET',
			query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1158201444' },
		});
		expect(bad.replied?.status).toBe(403);
		expect(bad.response.workflowData).toBeUndefined();
	});

	it('starts an execution for a correctly signed inbound message: messageReceived and windowOpened', async () => {
		const payload = await inboundPayload(world, e164Of(1).slice(1), 'Where is my order?');
		const { response, replied } = await world.harness.webhook(trigger, signedDelivery(world, payload));
		expect(replied).toBeUndefined(); // n8n answers, with the acknowledgement below
		expect(response.webhookResponse).toBe('EVENT_RECEIVED');
		const items = itemsOf(response);
		expect(items.map((i) => i.event).sort()).toEqual(['messageReceived', 'windowOpened']);
		expect(items.find((i) => i.event === 'messageReceived')).toMatchObject({ text: 'Where is my order?' });
	});

	it('refuses a delivery signed with another secret, or unsigned, with 401 and no execution', async () => {
		const payload = await inboundPayload(world, e164Of(1).slice(1));
		const forged = await world.harness.webhook(trigger, signedDelivery(world, payload, 'not-the-app-secret'));
		expect(forged.replied?.status).toBe(401);
		expect(forged.replied?.body).toMatch(/Invalid signature/);
		expect(forged.response.workflowData).toBeUndefined();

		const unsigned = signedDelivery(world, payload);
		const { ['x-hub-signature-256']: _dropped, ...headers } = unsigned.headers;
		const missing = await world.harness.webhook(trigger, { ...unsigned, headers });
		expect(missing.replied?.status).toBe(401);
		expect(missing.response.workflowData).toBeUndefined();
	});

	it('drops a redelivered change: the same delivery twice starts one execution', async () => {
		const delivery = signedDelivery(world, await inboundPayload(world, e164Of(1).slice(1)));
		const first = await world.harness.webhook(trigger, delivery);
		const again = await world.harness.webhook(trigger, delivery);
		expect(itemsOf(first.response).length).toBeGreaterThan(0);
		expect(again.response.workflowData).toBeUndefined();
		expect(again.response.webhookResponse).toBe('EVENT_RECEIVED');
	});

	it('with the ledger: records the inbound time (the 24-hour window) before n8n answers Meta', async () => {
		const payload = await inboundPayload(world, e164Of(1).slice(1));
		const { response, replied } = await world.harness.webhook(withLedger(), signedDelivery(world, payload));
		// The node does not answer early: n8n answers once the execution is stored, after the ledger was written.
		expect(replied?.status ?? 0).toBe(0);
		expect(response.noWebhookResponse).not.toBe(true);
		expect(itemsOf(response).length).toBeGreaterThan(0);
		const window = world.ledger.rowsOf(STATE_TABLE).find((r) => r.purpose === 'serviceWindow');
		expect(window).toMatchObject({ contactId: e164Of(1) });
		expect(Date.parse(String(window?.windowExpiresAt)) - Date.parse(String(window?.lastInboundAt))).toBe(
			24 * 3600 * 1000,
		);
		expect(itemsOf(response).every((i) => i.ledger?.recorded !== false)).toBe(true);
	});

	it('with the ledger: a STOP reply records an opt-out of all utility notifications with the message as proof', async () => {
		await recordOptIns(world, [e164Of(1)]);
		const payload = await inboundPayload(world, e164Of(1).slice(1), 'STOP');
		const { response } = await world.harness.webhook(withLedger(), signedDelivery(world, payload));
		const optOut = itemsOf(response).find((i) => i.event === 'optOutRequest');
		expect(optOut).toBeDefined();
		const events = world.ledger.rowsOf(EVENTS_TABLE);
		expect(events.map((e) => e.action)).toEqual(['optIn', 'optOut']);
		expect(events[1]).toMatchObject({ purpose: 'allUtility', source: 'WhatsApp reply', contactId: e164Of(1) });
		expect(String(events[1].proofReference)).toMatch(/^wamid\./);
	});

	it('with the ledger down, a STOP is answered 503 (Meta redelivers) and recorded once when the ledger is back', async () => {
		world.ledger.failNext(100);
		const payload = await inboundPayload(world, e164Of(1).slice(1), 'STOP');
		const delivery = signedDelivery(world, payload);
		const down = await world.harness.webhook(withLedger(), delivery);
		expect(down.replied?.status).toBe(503);
		expect(down.response.workflowData).toBeUndefined();
		world.ledger.failNext(0);
		const back = await world.harness.webhook(withLedger(), delivery);
		const optOut = itemsOf(back.response).find((i) => i.event === 'optOutRequest');
		expect(optOut?.ledger).toMatchObject({ recorded: true });
		const again = await world.harness.webhook(withLedger(), delivery);
		expect(again.response.workflowData).toBeUndefined();
		expect(world.ledger.rowsOf(EVENTS_TABLE).filter((e) => e.action === 'optOut')).toHaveLength(1);
	});

	describe('registration (automatic: the subscribed_apps override)', () => {
		let callback: http.Server;
		let automatic: NodeSpec;
		/** Set: the callback answers this status instead of reaching the trigger. */
		let callbackAnswers: number | undefined;
		beforeAll(async () => {
			// n8n's webhook endpoint, played by a server that hands each GET to the trigger's webhook() (Meta's handshake).
			callback = http.createServer((req, res) => {
				const url = new URL(req.url ?? '/', 'http://callback');
				if (callbackAnswers) {
					res.writeHead(callbackAnswers).end();
					return;
				}
				world.harness
					.webhook(automatic, { method: 'GET', query: Object.fromEntries(url.searchParams) })
					.then(({ replied }) => res.writeHead(replied?.status ?? 500).end(replied?.body ?? ''))
					.catch(() => res.writeHead(500).end());
			});
			await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
			world.harness.webhookBaseUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/webhook`;
		});
		afterAll(async () => {
			await new Promise<void>((resolve) => callback.close(() => resolve()));
		});
		beforeEach(() => {
			automatic = { ...trigger, parameters: { registration: 'automatic' } };
		});
		const override = async () => {
			const answer = await graph(world.emulator, 'GET', `${world.emulator.options.wabaId}/subscribed_apps`);
			return (answer.body.data as Json[]).map((app) => app.override_callback_uri).filter(Boolean);
		};

		it('activation points the account at this workflow after Meta verified it; deactivation removes the override', async () => {
			expect(await world.harness.webhookMethod(automatic, 'checkExists')).toBe(false);
			expect(await world.harness.webhookMethod(automatic, 'create')).toBe(true);
			const [uri] = await override();
			expect(uri).toMatch(new RegExp(`^${world.harness.webhookBaseUrl}/webhook-whatsAppSessionWindowTrigger/webhook$`));
			expect(await world.harness.webhookMethod(automatic, 'checkExists')).toBe(true);

			expect(await world.harness.webhookMethod(automatic, 'delete')).toBe(true);
			expect(await override()).toEqual([]);
		});

		it('version 2 with Record in Consent Ledger refuses activation while the credential’s Consent Ledger is off; version 1.1 uses its ledger credential', async () => {
			const recording: NodeSpec = { ...trigger, parameters: { registration: 'automatic', recordInLedger: true } };
			const data = world.harness.credentialsHelper.get(CLOUD);
			world.harness.credentialsHelper.set(CLOUD, { ...data, consentLedger: false });
			try {
				await expect(world.harness.webhookMethod(recording, 'checkExists')).rejects.toMatchObject({
					message: expect.stringMatching(/^Turn on Consent Ledger in the WhatsApp Cloud API credential/),
				});
				expect(await override()).toEqual([]);
				expect(await world.harness.webhookMethod({ ...recording, typeVersion: 1.1 }, 'checkExists')).toBe(false);
			} finally {
				world.harness.credentialsHelper.set(CLOUD, data);
			}
			expect(await world.harness.webhookMethod(recording, 'checkExists')).toBe(false);
		});

		it("a callback Meta cannot verify makes activation fail with Meta's reason, and nothing is registered", async () => {
			callbackAnswers = 404; // e.g. n8n's WEBHOOK_URL points somewhere else
			try {
				const failed = world.harness.webhookMethod(automatic, 'create');
				await expect(failed).rejects.toMatchObject({ name: 'NodeApiError' });
				await expect(failed).rejects.toThrow(/callback|verify|webhook/i);
				expect(await override()).toEqual([]);
			} finally {
				callbackAnswers = undefined;
			}
		});
	});
});
