/**
 * Session Window Trigger wired to the consent ledger, inside a real n8n: inbound replies through the emulator are
 * recorded by the trigger's workflow (before it starts) and seen by Check Consent in other workflows; the ledger
 * credential points at this same n8n's public API (real data tables). Forged and duplicate calls write nothing; an
 * opt-out the ledger cannot take is answered 503 (Meta redelivers) and recorded once the ledger is back.
 */
import { randomBytes } from 'node:crypto';

import type { Emulator } from '../../dev/emulator';
import { envelope } from '../../dev/emulator/webhooks';
import { control } from '../../dev/emulator/testkit';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	OPT_IN_WORDING as WORDING,
	TRIGGER_NAME,
	TRIGGER_NODE_TYPE,
	activateTriggerWorkflow,
	byContact,
	checkConsentNode,
	checkoutOptInNode,
	contactSequence,
	createLedgerCredential,
	dataTableRows,
	dataTablesNamed,
	executionError,
	finishedExecutions,
	messagesWebhook,
	postWebhook,
	removeWorkflows,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	sleep,
	startEmulatorWithCredential,
	triggerItems as itemsOf,
	triggerItemsWhere,
	waitForNewExecutions,
	type SavedCredential,
} from './context';
import { freePort } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

describe('Session Window Trigger → consent ledger in real n8n', () => {
	const n8n = sharedN8n();
	const prefix = `e2e_swt_${randomBytes(3).toString('hex')}`;
	let emulator: Emulator;
	let cloud: SavedCredential;
	let ledgerCredential: SavedCredential;
	let workflowId: string;
	let callbackUrl: string;
	/** Digits as WhatsApp sends them (wa_id) and the E.164 form the ledger stores. */
	const newContact = contactSequence('4915131', 3);

	function triggerNode(
		webhookId: string,
		registration: 'automatic' | 'manual',
		ledger: SavedCredential,
		extra: Json = {},
	) {
		return {
			name: TRIGGER_NAME,
			type: TRIGGER_NODE_TYPE,
			typeVersion: 1.1,
			webhookId,
			credentials: { [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledger },
			parameters: {
				registration,
				events: ['messageReceived', 'window', 'statusUpdate', 'consent'],
				recordInLedger: true,
				options: {},
				...extra,
			},
		};
	}

	const finished = (id: string) => finishedExecutions(n8n, id);
	/** Waits for `count` new executions of the workflow after `before`; returns them oldest first. */
	const waitForExecutions = (id: string, before: number, count: number, settleMs = 400) =>
		waitForNewExecutions(n8n, id, before, count, settleMs);

	/** Sends an inbound message and waits for the execution that carries it (status webhooks start executions too). */
	async function inbound(waId: string, text: string): Promise<{ wamid: string; items: Json[] }> {
		const sent = await control(emulator, 'POST', 'inbound', { from: `+${waId}`, name: 'Ana', text });
		expect(sent.status).toBe(200);
		const wamid = String(sent.body.wamid);
		const items = await triggerItemsWhere(n8n, workflowId, (item) => item.messageId === wamid, 30_000);
		if (!items) throw new Error(`no trigger execution carries the inbound message ${wamid}`);
		return { wamid, items };
	}

	const consentNode = (parameters: Json) => checkConsentNode(ledgerCredential, parameters);
	async function check(phone: string, purpose = 'shippingStatus'): Promise<Json> {
		const run = await runOnce(n8n, consentNode({ operation: 'check', purpose }), [{ phone }]);
		expect(executionError(run.execution)).toBeUndefined();
		return (run.body as Json[])[0].consent;
	}
	async function history(phone: string): Promise<Json> {
		const run = await runOnce(n8n, consentNode({ operation: 'getHistory' }), [{ phone }]);
		expect(executionError(run.execution)).toBeUndefined();
		return (run.body as Json[])[0];
	}
	async function recordOptIn(phone: string, purpose = 'allUtility'): Promise<void> {
		const run = await runOnce(n8n, checkoutOptInNode(ledgerCredential, purpose, { proofReference: 'SO-7001' }), [
			{ phone },
		]);
		expect(executionError(run.execution)).toBeUndefined();
	}
	async function tableRows(suffix: 'consent_events' | 'contact_state', phone: string): Promise<Json[]> {
		const tables = await dataTablesNamed(n8n, `${prefix}_${suffix}`);
		if (tables.length === 0) return [];
		return await dataTableRows(n8n, tables[0].id, { filter: byContact(phone) });
	}

	beforeAll(async () => {
		({ emulator, credential: cloud } = await startEmulatorWithCredential(n8n, 'trigger ledger emulator', {
			latencyMs: 0,
			statusDelayMs: 50,
			webhookRetryBaseMs: 100,
		}));
		ledgerCredential = await createLedgerCredential(n8n, `trigger ledger ${prefix}`, prefix);
		({ workflowId, callbackUrl } = await activateTriggerWorkflow(
			n8n,
			emulator,
			'e2e trigger ledger',
			(webhookId) => triggerNode(webhookId, 'automatic', ledgerCredential),
			{ waitForRegistration: true },
		));
		expect(emulator.state.subscription?.override_callback_uri).toBe(callbackUrl);
	});

	afterAll(async () => {
		await removeWorkflows(n8n, [workflowId]);
		await emulator.close();
	});

	it('records a STOP reply as an opt-out that Check Consent in another workflow honours; START resumes the earlier opt-in', async () => {
		const { waId, phone } = newContact();
		await recordOptIn(phone);
		expect(await check(phone)).toMatchObject({ granted: true, reason: 'optedIn', source: 'checkout form' });

		const stop = await inbound(waId, 'STOP');
		expect(stop.items.map((i) => i.event)).toEqual(['messageReceived', 'optOutRequest', 'windowOpened']);
		const optOut = stop.items[1];
		// The event keeps its shape and gains `ledger`.
		expect(optOut).toMatchObject({
			source: 'keyword',
			keyword: 'stop',
			scope: 'all',
			messageId: stop.wamid,
			contact: { waId },
		});
		expect(optOut.ledger).toMatchObject({
			recorded: true,
			action: 'optOut',
			purposes: ['allUtility'],
			contact: phone,
			source: 'WhatsApp reply',
			capturedAt: optOut.occurredAt,
		});
		expect(optOut.ledger.eventIds).toHaveLength(1);

		const blocked = await check(phone);
		expect(blocked).toMatchObject({
			granted: false,
			reason: 'optedOut',
			source: 'WhatsApp reply',
			decidedBy: 'allUtility',
			eventId: optOut.ledger.eventIds[0],
		});
		expect(blocked.proof).toEqual({ wording: 'STOP', version: '', reference: stop.wamid });
		const [row] = (await tableRows('consent_events', phone)).filter((r) => r.action === 'optOut');
		expect(row).toMatchObject({
			source: 'WhatsApp reply',
			proofWording: 'STOP',
			proofReference: stop.wamid,
			workflowId,
			executionId: '',
		});

		const start = await inbound(waId, 'START');
		const optIn = start.items.find((i) => i.event === 'optInRequest') as Json;
		expect(optIn.ledger).toMatchObject({
			recorded: true,
			action: 'optIn',
			purposes: ['allUtility'],
			source: 'WhatsApp reply',
		});
		const resumed = await check(phone);
		expect(resumed).toMatchObject({
			granted: true,
			reason: 'optedIn',
			source: 'WhatsApp reply',
			decidedBy: 'allUtility',
		});
		expect(resumed.proof).toEqual({
			wording: `Replied "START" on WhatsApp to resume: ${WORDING}`,
			version: 'checkout-v3',
			reference: start.wamid,
		});
	});

	it('a STOP reply through the trigger blocks the next Send Notification in another workflow', async () => {
		const { waId, phone } = newContact();
		await recordOptIn(phone);
		const sendNode = shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledgerCredential },
			{ body_1: 'Ana', body_2: 'SO-5', body_3: 'Friday', button_0_url: 'SO-5' },
			{ useConsentLedger: true },
		);
		const accepted = () => emulator.state.messages.filter((m) => m.to.replace('+', '') === waId).length;
		const before = await runOnce(n8n, sendNode, [{ phone }]);
		expect((before.body as Json[])[0].messageId).toMatch(/^wamid\./);
		expect(accepted()).toBe(1);

		await inbound(waId, 'STOP');
		const after = await runOnce(n8n, sendNode, [{ phone }]);
		expect((after.body as Json[])[0]).toMatchObject({
			skipped: 'no consent',
			consent: { granted: false, reason: 'optedOut' },
		});
		expect(accepted()).toBe(1);
	});

	it('does not let a START grant consent to someone who never opted in', async () => {
		const { waId, phone } = newContact();
		const start = await inbound(waId, 'START');
		const optIn = start.items.find((i) => i.event === 'optInRequest') as Json;
		expect(optIn.ledger).toMatchObject({ recorded: false, reason: 'nothingToResume' });
		expect(await check(phone)).toMatchObject({ granted: false, reason: 'noRecord' });
		// …but its inbound time is recorded.
		expect(start.items[0].ledger).toMatchObject({ recorded: true });
	});

	it('records each contact’s last inbound time (the 24-hour window) and never moves it back', async () => {
		const { waId, phone } = newContact();
		const hello = await inbound(waId, 'Hello, where is my parcel?');
		const [message, window] = hello.items;
		expect(message.event).toBe('messageReceived');
		expect(message.ledger).toEqual({
			recorded: true,
			lastInboundAt: message.occurredAt,
			windowExpiresAt: window.expiresAt,
		});
		expect(window.ledger).toEqual(message.ledger);

		const h = await history(phone);
		expect(h.serviceWindow).toEqual({ lastInboundAt: message.occurredAt, windowExpiresAt: window.expiresAt });
		expect(h.events).toEqual([]); // a plain message is no consent event

		// A late, older message (signed, new wamid) does not move the window back.
		const before = (await finished(workflowId)).length;
		const older = Math.floor(Date.parse(message.occurredAt) / 1000) - 3600;
		const raw = messagesWebhook(emulator, {
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: '15550100100', phone_number_id: emulator.options.phoneNumbers[0].id },
			contacts: [{ profile: { name: 'Ana' }, wa_id: waId }],
			messages: [
				{
					from: waId,
					id: `wamid.LATE${randomBytes(4).toString('hex')}`,
					timestamp: String(older),
					type: 'text',
					text: { body: 'sent an hour ago' },
				},
			],
		});
		const res = await postWebhook(callbackUrl, raw, emulator.options.appSecret);
		expect(res.status).toBe(200);
		const [late] = await waitForExecutions(workflowId, before, 1);
		expect(itemsOf(late)[0].ledger).toEqual({
			recorded: true,
			lastInboundAt: message.occurredAt,
			windowExpiresAt: window.expiresAt,
			unchanged: true,
		});
		expect((await history(phone)).serviceWindow.lastInboundAt).toBe(message.occurredAt);
	});

	it('a delivery with several contacts: their stored windows read in one batch, still never moved back', async () => {
		const a = newContact();
		const b = newContact();
		const hello = await inbound(a.waId, 'Hello');
		const stored = hello.items[0].occurredAt as string;
		const before = (await finished(workflowId)).length;
		const older = Math.floor(Date.parse(stored) / 1000) - 3600;
		const now = Math.floor(Date.now() / 1000);
		const message = (waId: string, at: number) => ({
			from: waId,
			id: `wamid.MULTI${randomBytes(4).toString('hex')}`,
			timestamp: String(at),
			type: 'text',
			text: { body: 'hi' },
		});
		const raw = messagesWebhook(emulator, {
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: '15550100100', phone_number_id: emulator.options.phoneNumbers[0].id },
			contacts: [
				{ profile: { name: 'Ana' }, wa_id: a.waId },
				{ profile: { name: 'Ben' }, wa_id: b.waId },
			],
			messages: [message(a.waId, older), message(b.waId, now)],
		});
		const res = await postWebhook(callbackUrl, raw, emulator.options.appSecret);
		expect(res.status).toBe(200);
		const [execution] = await waitForExecutions(workflowId, before, 1);
		const received = itemsOf(execution).filter((item: Json) => item.event === 'messageReceived');
		expect(received.map((item: Json) => item.ledger)).toEqual([
			expect.objectContaining({ recorded: true, lastInboundAt: stored, unchanged: true }),
			expect.objectContaining({ recorded: true, lastInboundAt: new Date(now * 1000).toISOString() }),
		]);
		expect((await history(a.phone)).serviceWindow.lastInboundAt).toBe(stored);
		expect((await history(b.phone)).serviceWindow.lastInboundAt).toBe(new Date(now * 1000).toISOString());
	});

	it('writes nothing for a forged call, and nothing twice for a duplicate delivery', async () => {
		const { waId, phone } = newContact();
		const genuine = await inbound(waId, 'STOP');
		expect(genuine.items[1].ledger.recorded).toBe(true);

		const victim = newContact();
		const before = (await finished(workflowId)).length;
		const forged = messagesWebhook(emulator, {
			messaging_product: 'whatsapp',
			metadata: { phone_number_id: emulator.options.phoneNumbers[0].id },
			contacts: [{ profile: { name: 'Forged' }, wa_id: victim.waId }],
			messages: [
				{
					from: victim.waId,
					id: 'wamid.FORGEDSTOP1',
					timestamp: String(Math.floor(Date.now() / 1000)),
					type: 'text',
					text: { body: 'STOP' },
				},
			],
		});
		const wrongSecret = await postWebhook(callbackUrl, forged, 'not-the-app-secret');
		expect(wrongSecret.status).toBe(401);
		const unsigned = await postWebhook(callbackUrl, forged, undefined);
		expect(unsigned.status).toBe(401);
		await sleep(800);
		expect((await finished(workflowId)).length).toBe(before);
		expect(await tableRows('consent_events', victim.phone)).toEqual([]);
		expect(await tableRows('contact_state', victim.phone)).toEqual([]);
		expect(await check(victim.phone)).toMatchObject({ reason: 'noRecord' });

		// The genuine STOP delivered again (Meta retries): dropped before the ledger, one opt-out only.
		const sameAgain = messagesWebhook(emulator, {
			messaging_product: 'whatsapp',
			metadata: { phone_number_id: emulator.options.phoneNumbers[0].id },
			contacts: [{ profile: { name: 'Ana' }, wa_id: waId }],
			messages: [
				{
					from: waId,
					id: genuine.wamid,
					timestamp: String(Math.floor(Date.parse(genuine.items[0].occurredAt) / 1000)),
					type: 'text',
					text: { body: 'STOP' },
				},
			],
		});
		const again = await postWebhook(callbackUrl, sameAgain, emulator.options.appSecret);
		expect(again.status).toBe(200);
		await sleep(800);
		expect((await finished(workflowId)).length).toBe(before);
		const optOuts = (await tableRows('consent_events', phone)).filter((r) => r.action === 'optOut');
		expect(optOuts).toHaveLength(1);
	});

	it('does not withdraw utility consent on a 131050 (marketing opt-out) by default', async () => {
		const { waId, phone } = newContact();
		await recordOptIn(phone, 'shippingStatus');
		const before = (await finished(workflowId)).length;
		const ts = Math.floor(Date.now() / 1000);
		const posted = await control(
			emulator,
			'POST',
			'webhook',
			envelope(emulator.options.wabaId, 'messages', {
				messaging_product: 'whatsapp',
				metadata: { phone_number_id: emulator.options.phoneNumbers[0].id },
				statuses: [
					{
						id: `wamid.MKT${randomBytes(4).toString('hex')}`,
						status: 'failed',
						timestamp: String(ts),
						recipient_id: waId,
						errors: [
							{
								code: 131050,
								title: 'User has stopped marketing messages',
								error_data: { details: 'The user stopped marketing messages from this business' },
							},
						],
					},
				],
			}),
		);
		expect(posted.status).toBe(200);
		const [execution] = await waitForExecutions(workflowId, before, 1);
		const items = itemsOf(execution);
		expect(items.map((i) => i.event)).toEqual(['statusUpdate', 'optOutRequest']);
		expect(items[0].ledger).toBeUndefined();
		expect(items[1]).toMatchObject({
			source: 'error131050',
			scope: 'marketing',
			ledger: { recorded: false, reason: 'marketingOnly' },
		});
		expect(await check(phone)).toMatchObject({ granted: true, reason: 'optedIn' });
		expect((await tableRows('consent_events', phone)).map((r) => r.action)).toEqual(['optIn']);
	});

	it('answers 503 while the ledger is unreachable, so that Meta redelivers; the redelivery records the STOP exactly once', async () => {
		// The ledger credential points at a closed port: nothing answers there.
		const closedPort = await freePort();
		const broken = await createLedgerCredential(n8n, `unreachable ledger ${prefix}`, prefix, undefined, {
			baseUrl: `http://127.0.0.1:${closedPort}`,
		});
		const { workflowId: id, callbackUrl: url } = await activateTriggerWorkflow(
			n8n,
			emulator,
			'e2e trigger unreachable ledger',
			(webhookId) => triggerNode(webhookId, 'manual', broken),
		);
		try {
			const { waId, phone } = newContact();
			const wamid = `wamid.DOWN${randomBytes(4).toString('hex')}`;
			const raw = messagesWebhook(emulator, {
				messaging_product: 'whatsapp',
				metadata: { phone_number_id: emulator.options.phoneNumbers[0].id },
				contacts: [{ profile: { name: 'Ana' }, wa_id: waId }],
				messages: [
					{
						from: waId,
						id: wamid,
						timestamp: String(Math.floor(Date.now() / 1000)),
						type: 'text',
						text: { body: 'STOP' },
					},
				],
			});
			// A webhook just activated may still answer 404 for a moment on a loaded machine (Meta retries that too).
			const deliver = async () => {
				const deadline = Date.now() + 10_000;
				for (;;) {
					const res = await postWebhook(url, raw, emulator.options.appSecret);
					if (res.status !== 404 || Date.now() > deadline) return res;
					await sleep(200);
				}
			};

			// Ledger down: refused twice (Meta retries), no execution, nothing recorded.
			for (let attemptNo = 0; attemptNo < 2; attemptNo++) {
				const down = await deliver();
				expect(down.status).toBe(503);
				expect(await down.text()).toMatch(/could not record an opt-out/);
			}
			await sleep(600);
			expect(await finished(id)).toHaveLength(0);
			expect(await tableRows('consent_events', phone)).toEqual([]);

			// The ledger is back (the credential points at n8n again); Meta's next redelivery is taken.
			await n8n.api('PATCH', `/credentials/${broken.id}`, { data: { baseUrl: n8n.url }, isPartialData: true });
			const back = await deliver();
			expect(back.status).toBe(200);
			expect(await back.text()).toBe('EVENT_RECEIVED');
			const [execution] = await waitForExecutions(id, 0, 1);
			const optOut = itemsOf(execution).find((i) => i.event === 'optOutRequest') as Json;
			expect(optOut).toMatchObject({ messageId: wamid, ledger: { recorded: true, action: 'optOut', contact: phone } });
			expect(await check(phone)).toMatchObject({ granted: false, reason: 'optedOut' });

			// A further redelivery (Meta sends duplicates) is a duplicate: no execution, no second row.
			expect((await deliver()).status).toBe(200);
			await sleep(800);
			expect(await finished(id)).toHaveLength(1);
			const rows = (await tableRows('consent_events', phone)).filter((r) => r.action === 'optOut');
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({ proofReference: wamid, workflowId: id });
		} finally {
			await removeWorkflows(n8n, [id]);
		}
	});
});
