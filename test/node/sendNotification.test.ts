/**
 * Send Notification's execute() on n8n-core's WorkflowExecute against the emulator: sends, continue-on-fail,
 * pairedItem, refusals with their item, retries, Dry Run, and the ledger paths (consent, the 131047 fallback,
 * idempotency) through the fake data-table API.
 */
import type { IDataObject } from 'n8n-workflow';

import { control } from '../../dev/emulator/testkit';
import { CLOUD, NODE_TYPE, pairedItemsOf, type NodeSpec } from './harness';
import {
	EVENTS_TABLE,
	e164Of,
	inboundPayload,
	recordOptIns,
	shippingUpdate,
	shopper,
	signedDelivery,
	useWorld,
} from './world';

type Json = Record<string, any>;

describe('Send Notification on n8n-core', () => {
	const world = useWorld({ pairLimitSeconds: 0 });

	const messagePosts = () =>
		world.emulator.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
	const send = (parameters: IDataObject = {}, options: IDataObject = {}, extra: Partial<NodeSpec> = {}): NodeSpec => ({
		type: NODE_TYPE.send,
		credentials: [CLOUD],
		parameters: shippingUpdate(parameters, options),
		...extra,
	});
	const jsonOf = (outputs: Array<Array<{ json: IDataObject }>>) => outputs[0].map((item) => item.json as Json);

	it('sends one message per item, in input order, each paired with its item', async () => {
		const result = await world.harness.execute(send(), [shopper(1), shopper(2), shopper(3)]);
		expect(result.error).toBeUndefined();
		const out = jsonOf(result.outputs);
		const accepted = world.emulator.state.messages;
		expect(accepted).toHaveLength(3);
		expect(out.map((o) => o.to)).toEqual([e164Of(1), e164Of(2), e164Of(3)]);
		expect(out.map((o) => o.messageId)).toEqual(expect.arrayContaining(accepted.map((m) => m.wamid)));
		expect(out[0]).toMatchObject({
			attempts: 1,
			messageType: 'template',
			template: { name: 'shipping_update', language: 'en_US', category: 'UTILITY' },
			renderedText: expect.stringContaining('Hi Customer 1, your order SO-1001 has shipped'),
		});
		expect(pairedItemsOf(result)).toEqual([0, 1, 2]);
		// n8n's request helper applied the credential's generic authentication.
		expect(
			messagePosts().every((post) => post.headers.authorization === `Bearer ${world.emulator.options.accessToken}`),
		).toBe(true);
	});

	it('with continue-on-fail, a refused item becomes an error item in its place and the others are sent', async () => {
		const items = [shopper(1), shopper(2, { phone: '0151 2345 6002' }), shopper(3)];
		const result = await world.harness.execute(send({}, {}, {}), items);
		expect(result.error).toBeDefined(); // without continue-on-fail the refusal stops the run
		expect(messagePosts()).toHaveLength(0);

		world.emulator.reset();
		const tolerant = await world.harness.execute(send({}, {}, { continueOnFail: true }), items);
		expect(tolerant.error).toBeUndefined();
		const out = jsonOf(tolerant.outputs);
		expect(out).toHaveLength(3);
		expect(out[0].messageId).toMatch(/^wamid\./);
		expect(out[1].error).toMatchObject({ title: 'Refused before sending', outcome: 'not_sent', retryable: false });
		expect(out[1].error.message).toMatch(/0151 2345 6002/);
		expect(out[2].messageId).toMatch(/^wamid\./);
		expect(pairedItemsOf(tolerant)).toEqual([0, 1, 2]);
		expect(messagePosts().map((p) => (p.body as Json).to)).toEqual([e164Of(1), e164Of(3)]);
	});

	it('refuses a MARKETING template before sending anything, naming the item', async () => {
		const result = await world.harness.execute(
			send({
				template: { __rl: true, mode: 'name', value: 'summer_sale' },
				variables: { mappingMode: 'defineBelow', value: {} },
			}),
			[shopper(1), shopper(2)],
		);
		expect(result.run.status).toBe('error');
		const error = result.error as unknown as Json;
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(/MARKETING/);
		expect(error.context?.itemIndex).toBe(0);
		expect(typeof error.description).toBe('string');
		expect(messagePosts()).toHaveLength(0);
	});

	it('names the item whose variables are wrong (item 1), not the first', async () => {
		const result = await world.harness.execute(send(), [shopper(1), shopper(2, { name: '' })]);
		const error = result.error as unknown as Json;
		expect(error?.context?.itemIndex).toBe(1);
		expect(messagePosts()).toHaveLength(0);
	});

	it('retries a 130429 throughput error and reports the attempts', async () => {
		await control(world.emulator, 'POST', 'faults', { kind: 'http429_130429', count: 1 });
		const result = await world.harness.execute(send(), [shopper(1)]);
		expect(result.error).toBeUndefined();
		const [out] = jsonOf(result.outputs);
		expect(out).toMatchObject({ attempts: 2, messageId: expect.stringMatching(/^wamid\./) });
		expect(messagePosts()).toHaveLength(2);
		expect(world.emulator.state.messages).toHaveLength(1);
	});

	it('retries a 131056 pair-rate-limit answer and sends both messages to the same customer once each', async () => {
		await control(world.emulator, 'POST', 'config', { pairLimitSeconds: 1, pairBurst: 1 });
		const result = await world.harness.execute(send(), [shopper(1), shopper(1, { order: 'SO-2001' })]);
		expect(result.error).toBeUndefined();
		const out = jsonOf(result.outputs);
		expect(out.map((o) => o.attempts).sort()).toEqual([1, 2]);
		expect(world.emulator.state.stats.pairRejections).toBe(1);
		expect(world.emulator.state.messages).toHaveLength(2);
		expect(pairedItemsOf(result)).toEqual([0, 1]);
	});

	it('stops after Max Retries and, with continue-on-fail, reports the error with its code on the item', async () => {
		await control(world.emulator, 'POST', 'faults', { kind: 'http429_130429' });
		const result = await world.harness.execute(send({}, { maxRetries: 0 }, { continueOnFail: true }), [shopper(1)]);
		const [out] = jsonOf(result.outputs);
		expect(out.error).toMatchObject({ code: 130429, outcome: 'not_sent', attempts: 1 });
		expect(pairedItemsOf(result)).toEqual([0]);
	});

	it('without continue-on-fail, a Meta error stops the run with a NodeApiError on that item', async () => {
		await control(world.emulator, 'POST', 'faults', { kind: 'http503_131016' });
		const result = await world.harness.execute(send({}, { maxRetries: 0 }), [shopper(1)]);
		const error = result.error as unknown as Json;
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('503');
		expect(error.context?.itemIndex).toBe(0);
	});

	it('Dry Run renders and returns the exact request, and sends nothing', async () => {
		const result = await world.harness.execute(send({}, { dryRun: true }), [shopper(1), shopper(2)]);
		const out = jsonOf(result.outputs);
		expect(messagePosts()).toHaveLength(0);
		expect(out[0]).toMatchObject({
			dryRun: true,
			to: e164Of(1),
			request: {
				method: 'POST',
				url: `${world.emulator.url}/v24.0/${world.emulator.options.phoneNumbers[0].id}/messages`,
				body: { to: e164Of(1), type: 'template', template: { name: 'shipping_update' } },
			},
		});
		expect(pairedItemsOf(result)).toEqual([0, 1]);
	});

	describe('with the consent ledger', () => {
		const withLedger = (parameters: IDataObject = {}, options: IDataObject = {}, extra: Partial<NodeSpec> = {}) =>
			send({ useConsentLedger: true, ...parameters }, options, { credentials: undefined, ...extra });

		const trigger = { type: NODE_TYPE.trigger, parameters: { registration: 'manual', recordInLedger: true } };

		it('skips a contact without consent and sends to one who opted in', async () => {
			await recordOptIns(world, [e164Of(1)]);
			const result = await world.harness.execute(withLedger(), [shopper(1), shopper(2)]);
			expect(result.error).toBeUndefined();
			const out = jsonOf(result.outputs);
			expect(out[0].messageId).toMatch(/^wamid\./);
			expect(out[0].consent).toMatchObject({ granted: true });
			expect(out[1]).toMatchObject({ skipped: 'no consent', consent: { granted: false } });
			expect(messagePosts().map((p) => (p.body as Json).to)).toEqual([e164Of(1)]);
			expect(pairedItemsOf(result)).toEqual([0, 1]);
		});

		it('falls back to the template when Meta says the window closed (131047) although the ledger had it open', async () => {
			await recordOptIns(world, [e164Of(1)]);
			// The trigger records the customer's message in the ledger: the window is open as far as the ledger knows.
			const inbound = await inboundPayload(world, e164Of(1).slice(1));
			await world.harness.webhook(trigger, signedDelivery(world, inbound));
			// Meta's clock has moved on 25 hours since: for Meta the window is closed.
			await control(world.emulator, 'POST', 'clock', { advanceMs: 25 * 3600 * 1000 });
			const result = await world.harness.execute(withLedger({ messageMode: 'auto' }), [shopper(1)]);
			expect(result.error).toBeUndefined();
			const [out] = jsonOf(result.outputs);
			expect(out).toMatchObject({ messageType: 'template', fallback: expect.stringContaining('131047') });
			expect(messagePosts().map((p) => (p.body as Json).type)).toEqual(['text', 'template']);
			expect(world.emulator.state.messages).toHaveLength(1);
		});

		it('does not send the same notification twice when the run is repeated (idempotency key in the ledger)', async () => {
			await recordOptIns(world, [e164Of(1)]);
			const first = await world.harness.execute(withLedger({}, { correlationKey: '={{ $json.order }}' }), [shopper(1)]);
			const again = await world.harness.execute(withLedger({}, { correlationKey: '={{ $json.order }}' }), [shopper(1)]);
			const [sent] = jsonOf(first.outputs);
			const [repeat] = jsonOf(again.outputs);
			expect(sent).toMatchObject({ duplicate: false, messageId: expect.stringMatching(/^wamid\./) });
			expect(repeat).toMatchObject({ duplicate: true, messageId: sent.messageId });
			expect(world.emulator.state.messages).toHaveLength(1);
			expect(world.ledger.tableNames()).toContain(EVENTS_TABLE);
		});

		it('a ledger that answers 500 refuses the item with a fix, and nothing is sent', async () => {
			world.ledger.failNext(50);
			const result = await world.harness.execute(withLedger({}, {}, { continueOnFail: true }), [shopper(1)]);
			const [out] = jsonOf(result.outputs);
			expect(out.error).toMatchObject({ outcome: 'not_sent' });
			expect(String(out.error.message)).toMatch(/HTTP 500/);
			expect(out.error.description).toBeTruthy();
			expect(messagePosts()).toHaveLength(0);
			expect(pairedItemsOf(result)).toEqual([0]);
		});
	});
});
