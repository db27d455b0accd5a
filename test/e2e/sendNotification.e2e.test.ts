/**
 * Send Notification inside a real n8n, against the emulator: sends, every refusal, dry run, continue-on-fail,
 * pacing, retries and the unknown outcome. Assertions are on what the emulator received.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { control } from '../../dev/emulator/testkit';
import { validateSendMessageBody } from '../support/openapiValidator';
import {
	CLOUD_CREDENTIAL_TYPE,
	SHIPPING_UPDATE_FROM_ITEM,
	executionError,
	messagePosts,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	useEmulatorWithCredential,
} from './context';

type Json = Record<string, any>;

describe('Send Notification in real n8n', () => {
	const n8n = sharedN8n();
	const setup = useEmulatorWithCredential(n8n, 'emulator', { latencyMs: 0 });

	const sendNode = (parameters: Json, extra: Json = {}) =>
		shippingUpdateNode({ [CLOUD_CREDENTIAL_TYPE]: setup.credential }, SHIPPING_UPDATE_FROM_ITEM, parameters, extra);

	const shopper = (i: number, overrides: Json = {}) => ({
		phone: `+49 151 2345 ${String(6000 + i).padStart(4, '0')}`,
		name: `Customer ${i}`,
		order: `SO-${1000 + i}`,
		eta: 'Friday, 27 November',
		...overrides,
	});

	it('sends a shipping status notification and returns the wamid, rendered text and cost', async () => {
		const run = await runOnce(n8n, sendNode({}), [shopper(1)]);
		expect(run.status).toBe(200);
		const out = (run.body as Json[])[0];
		const accepted = setup.emulator.state.messages;
		expect(accepted).toHaveLength(1);
		expect(out.messageId).toBe(accepted[0].wamid);
		expect(out.to).toBe('+4915123456001');
		expect(out.waId).toBe('4915123456001');
		expect(out.template).toMatchObject({ name: 'shipping_update', language: 'en_US', category: 'UTILITY' });
		expect(out.renderedText).toContain('Hi Customer 1, your order SO-1001 has shipped');
		expect(out.estimatedCost).toMatchObject({
			category: 'utility',
			market: 'Germany',
			currency: 'USD',
			billable: true,
		});
		expect(typeof out.estimatedCost.amount).toBe('number');
		expect(JSON.parse(out.correlation)).toMatchObject({ item: 0 });

		const [post] = messagePosts(setup.emulator);
		expect(post.body).toMatchObject({
			messaging_product: 'whatsapp',
			to: '+4915123456001',
			type: 'template',
			template: { name: 'shipping_update', language: { code: 'en_US' } },
		});
		const validation = validateSendMessageBody(post.body);
		expect(validation.errors).toEqual([]);
		expect(validation.valid).toBe(true);
		expect(post.headers.authorization).toBe(`Bearer ${setup.emulator.options.accessToken}`);
	});

	it('sends named parameters with parameter_name, in a body that validates against the OpenAPI spec', async () => {
		const node = sendNode({
			notificationType: 'paymentRequest',
			template: { __rl: true, mode: 'name', value: 'order_confirmation' },
			variables: {
				mappingMode: 'defineBelow',
				value: { body_first_name: '={{ $json.name }}', body_order_number: '={{ $json.order }}' },
				matchingColumns: [],
				schema: [],
			},
		});
		const run = await runOnce(n8n, node, [shopper(2)]);
		expect(run.status).toBe(200);
		const [post] = messagePosts(setup.emulator);
		const body = post.body as Json;
		const params = body.template.components.find((c: Json) => c.type === 'body').parameters;
		expect(params).toEqual([
			{ type: 'text', parameter_name: 'first_name', text: 'Customer 2' },
			{ type: 'text', parameter_name: 'order_number', text: 'SO-1002' },
		]);
		expect(validateSendMessageBody(body).valid).toBe(true);
	});

	const refusals: Array<[string, Json, Json, RegExp]> = [
		[
			'a MARKETING template',
			{
				template: { __rl: true, mode: 'name', value: 'summer_sale' },
				variables: { mappingMode: 'defineBelow', value: {} },
			},
			{},
			/MARKETING/,
		],
		[
			'an AUTHENTICATION template',
			{
				template: { __rl: true, mode: 'name', value: 'login_code' },
				variables: { mappingMode: 'defineBelow', value: {} },
			},
			{},
			/AUTHENTICATION/,
		],
		['a PAUSED template', { template: { __rl: true, mode: 'name', value: 'paused_update' } }, {}, /PAUSED|paused/],
		[
			'a DISABLED template',
			{ template: { __rl: true, mode: 'name', value: 'disabled_update' } },
			{},
			/DISABLED|disabled/,
		],
		['a PENDING template', { template: { __rl: true, mode: 'name', value: 'pending_update' } }, {}, /PENDING|review/i],
		[
			"a REJECTED template, with Meta's rejected_reason",
			{ template: { __rl: true, mode: 'name', value: 'rejected_update' } },
			{},
			/REJECTED it with reason PROMOTIONAL.*Remove offers/s,
		],
		[
			'a template Meta will move to MARKETING',
			{ template: { __rl: true, mode: 'name', value: 'order_followup' } },
			{},
			/MARKETING/,
		],
		['an unknown template', { template: { __rl: true, mode: 'name', value: 'no_such_template' } }, {}, /no template/i],
		['a missing variable', {}, { eta: '' }, /body_3|\{\{3\}\}/],
		['a variable with a line break', {}, { name: 'Ann\nSmith' }, /line|newline/i],
		['promotional wording', {}, { eta: 'Friday. Use code SAVE20 for 20% off your next order' }, /promotional/i],
		['a recipient that is not a phone number', {}, { phone: 'call me maybe' }, /phone number/i],
		['a too short phone number', {}, { phone: '+49 151' }, /phone number/i],
		[
			'Customer Service Resumption without a reference message',
			{ notificationType: 'customerServiceResumption', referenceMessageId: '={{ $json.lastMessageId }}' },
			{},
			/last message|Reference Message/i,
		],
		[
			'Customer Service Resumption with a reference that is not a message ID',
			{ notificationType: 'customerServiceResumption', referenceMessageId: '={{ $json.lastMessageId }}' },
			{ lastMessageId: 'order-77' },
			/wamid/,
		],
	];

	it.each(refusals)('refuses %s before calling Meta', async (_label, parameters, item, expected) => {
		const run = await runOnce(n8n, sendNode(parameters), [shopper(3, item)]);
		expect(run.status).toBeGreaterThanOrEqual(400);
		const error = executionError(run.execution);
		expect(error).toBeDefined();
		expect(`${error?.message} ${error?.description ?? ''}`).toMatch(expected);
		expect(messagePosts(setup.emulator)).toHaveLength(0);
	});

	it('n8n itself refuses to publish a workflow that has no notification type', async () => {
		await expect(runOnce(n8n, sendNode({ notificationType: '' }), [shopper(3)])).rejects.toThrow(/notificationType/);
		expect(messagePosts(setup.emulator)).toHaveLength(0);
	});

	it('sends Customer Service Resumption as a reply to the referenced message', async () => {
		const run = await runOnce(
			n8n,
			sendNode({
				notificationType: 'customerServiceResumption',
				referenceMessageId: '={{ $json.lastMessageId }}',
				template: { __rl: true, mode: 'name', value: 'support_followup' },
				variables: { mappingMode: 'defineBelow', value: { body_1: '={{ $json.name }}', body_2: '#5521' } },
			}),
			[shopper(11, { lastMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=' })],
		);
		expect(run.status).toBe(200);
		const [post] = messagePosts(setup.emulator);
		expect((post.body as Json).context).toEqual({
			message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
		});
	});

	it('dry run validates and renders but sends nothing', async () => {
		const run = await runOnce(n8n, sendNode({ options: { dryRun: true } }), [shopper(4)]);
		expect(run.status).toBe(200);
		const out = (run.body as Json[])[0];
		expect(out.dryRun).toBe(true);
		expect(out.request.url).toBe(`${setup.emulator.url}/v24.0/${setup.emulator.options.phoneNumbers[0].id}/messages`);
		expect(out.request.body.template.name).toBe('shipping_update');
		expect(out.renderedText).toContain('SO-1004');
		expect(messagePosts(setup.emulator)).toHaveLength(0);
	});

	it('with continue-on-fail, a bad item becomes one error item and the others are still sent', async () => {
		const run = await runOnce(n8n, sendNode({}, { onError: 'continueRegularOutput' }), [
			shopper(5),
			shopper(6, { phone: '12' }),
			shopper(7),
		]);
		expect(run.status).toBe(200);
		const out = run.body as Json[];
		expect(out).toHaveLength(3);
		expect(out[0].messageId).toMatch(/^wamid\./);
		expect(out[1].error).toMatchObject({ outcome: 'not_sent', retryable: false });
		expect(out[1].error.message).toMatch(/phone number/i);
		expect(out[2].messageId).toMatch(/^wamid\./);
		expect(messagePosts(setup.emulator)).toHaveLength(2);
		const paired = run.execution?.data?.resultData?.runData?.['Node Under Test']?.[0]?.data?.main?.[0];
		expect(paired.map((i: Json) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('paces 200 items at the configured rate and reads the template once', async () => {
		const items = Array.from({ length: 200 }, (_, i) => shopper(100 + i));
		// The emulator runs in this process: while its event loop is held up, arriving requests wait and are then
		// stamped together. Measured, so that such a pile-up is not blamed on the node's pacing.
		const receiverDelay = monitorEventLoopDelay({ resolution: 10 });
		receiverDelay.enable();
		const run = await runOnce(n8n, sendNode({ options: { messagesPerSecond: 50, pairSpacingSeconds: 0 } }), items);
		receiverDelay.disable();
		expect(run.status).toBe(200);
		expect((run.body as Json[]).every((o) => typeof o.messageId === 'string')).toBe(true);
		const times = messagePosts(setup.emulator).map((r) => r.at);
		expect(times).toHaveLength(200);
		const span = (times[times.length - 1] - times[0]) / 1000;
		expect(span).toBeGreaterThanOrEqual(199 / 50 - 0.2);
		expect(span).toBeLessThan(199 / 50 + 3);
		// The node starts at most 50 requests in any 1.03 s; arrival times at the emulator carry the jitter of a
		// loaded 2-core machine (the request still passes n8n's HTTP stack after its start is recorded), hence 10 %,
		// plus one request per 20 ms (the pace) that the emulator's own event loop was held up.
		let maxInWindow = 0;
		for (let i = 0, j = 0; i < times.length; i++) {
			while (times[i] - times[j] >= 1000) j++;
			maxInWindow = Math.max(maxInWindow, i - j + 1);
		}
		const receiverStallMs = Math.max(0, receiverDelay.max / 1e6 - 10);
		const allowed = 55 + Math.floor(receiverStallMs / 20);
		console.log(`pacing: at most ${maxInWindow} arrivals in 1 s; emulator held up ${Math.round(receiverStallMs)} ms`);
		expect(maxInWindow).toBeLessThanOrEqual(allowed);
		expect(setup.emulator.state.stats?.throughputRejections ?? 0).toBe(0);
		const templateLookups = setup.emulator.state.requests.filter(
			(r) => r.method === 'GET' && r.path.endsWith('/message_templates'),
		);
		expect(templateLookups).toHaveLength(1);
		// Output order is input order.
		expect((run.body as Json[]).map((o) => o.to)).toEqual(items.map((i) => i.phone.replace(/\s/g, '')));
	}, 60_000);

	it('retries a 130429 throughput error to success', async () => {
		await control(setup.emulator, 'POST', 'faults', { kind: 'http429_130429', count: 2 });
		const run = await runOnce(n8n, sendNode({}), [shopper(8)]);
		expect(run.status).toBe(200);
		const out = (run.body as Json[])[0];
		expect(out.attempts).toBe(3);
		expect(messagePosts(setup.emulator)).toHaveLength(3);
		expect(setup.emulator.state.messages).toHaveLength(1);
	});

	it('does not re-send when the response is lost after Meta accepted the message', async () => {
		await control(setup.emulator, 'POST', 'faults', { kind: 'lost', count: 1 });
		const run = await runOnce(n8n, sendNode({}, { onError: 'continueRegularOutput' }), [shopper(9)]);
		expect(run.status).toBe(200);
		const out = (run.body as Json[])[0];
		expect(out.error).toMatchObject({ outcome: 'unknown' });
		expect(messagePosts(setup.emulator)).toHaveLength(1);
		expect(setup.emulator.state.messages).toHaveLength(1);
	});

	it('spaces messages to the same recipient by the pair limit setting', async () => {
		const items = [shopper(10), shopper(10, { order: 'SO-2' }), shopper(10, { order: 'SO-3' })];
		const run = await runOnce(n8n, sendNode({ options: { pairSpacingSeconds: 1 } }), items);
		expect(run.status).toBe(200);
		const times = messagePosts(setup.emulator).map((r) => r.at);
		expect(times).toHaveLength(3);
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(950);
		expect(times[2] - times[1]).toBeGreaterThanOrEqual(950);
	});
});
