/** Emulator: subscribed_apps handshake, signed webhooks, template review, status webhooks, windows, redelivery. */
import webhookExamples from '../fixtures/meta/meta_docs_webhook_examples.json';
import { startEmulator, type Emulator } from '../../dev/emulator';
import { control, graph, startWebhookReceiver, type WebhookReceiver } from '../../dev/emulator/testkit';

let emu: Emulator;
let rx: WebhookReceiver;
let WABA: string;
let PHONE: string;

beforeAll(async () => {
	emu = await startEmulator({ port: 0, reviewDelayMs: 30, statusDelayMs: 5, webhookRetryBaseMs: 20 });
	rx = await startWebhookReceiver(emu.options.appSecret, 'verify-me');
	WABA = emu.options.wabaId;
	PHONE = emu.options.phoneNumbers[0].id;
});
afterAll(async () => {
	await emu.close();
	await rx.close();
});
beforeEach(async () => {
	await control(emu, 'POST', 'reset');
	rx.received.length = 0;
	rx.verifications.length = 0;
	await graph(emu, 'POST', `${WABA}/subscribed_apps`, { override_callback_uri: rx.url, verify_token: 'verify-me' });
});

const keysOf = (o: object) =>
	Object.keys(o)
		.filter((k) => k !== '_doc')
		.sort();
const valueOf = (w: { json: any }) => w.json.entry[0].changes[0].value;

describe('subscribed_apps', () => {
	it("performs Meta's GET handshake, stores the override and lists it", async () => {
		expect(rx.verifications).toHaveLength(1);
		expect(rx.verifications[0]).toMatchObject({
			'hub.mode': 'subscribe',
			'hub.verify_token': 'verify-me',
			'hub.challenge': expect.stringMatching(/^\d+$/),
		});
		const list = await graph(emu, 'GET', `${WABA}/subscribed_apps`);
		expect(list.body).toEqual({
			data: [
				{
					whatsapp_business_api_data: {
						id: emu.options.appId,
						name: 'Emulated App',
						link: expect.stringContaining(emu.options.appId),
					},
					override_callback_uri: rx.url,
				},
			],
		});
	});

	it('fails with 2200 when the callback does not echo the challenge, and keeps the previous subscription', async () => {
		const r = await graph(emu, 'POST', `${WABA}/subscribed_apps`, {
			override_callback_uri: rx.url,
			verify_token: 'wrong',
		});
		expect(r.status).toBe(400);
		expect(r.body.error.code).toBe(2200);
		expect(r.body.error.message).toMatch(
			/^\(#2200\) Callback verification failed with the following errors: HTTP Status Code = 403/,
		);
		const dead = await graph(
			emu,
			'POST',
			`${WABA}/subscribed_apps?override_callback_uri=${encodeURIComponent('http://127.0.0.1:1/x')}&verify_token=v`,
		);
		expect(dead.body.error.code).toBe(2200);
		expect((await graph(emu, 'GET', `${WABA}/subscribed_apps`)).body.data[0].override_callback_uri).toBe(rx.url);
	});

	it('DELETE unsubscribes', async () => {
		expect((await graph(emu, 'DELETE', `${WABA}/subscribed_apps`)).body).toEqual({ success: true });
		expect((await graph(emu, 'GET', `${WABA}/subscribed_apps`)).body).toEqual({ data: [] });
	});
});

describe('template review webhooks', () => {
	const create = (name: string, category: string, text: string) =>
		graph(emu, 'POST', `${WABA}/message_templates`, {
			name,
			language: 'en_US',
			category,
			components: [{ type: 'BODY', text }],
		});

	it('approves a utility template and emits message_template_status_update (signed)', async () => {
		const c = await create('delivery_window', 'UTILITY', 'Hi {{1}}, your delivery arrives between {{2}} and {{3}}.');
		expect(c.body.status).toBe('PENDING');
		const [w] = await rx.waitFor((x) => x.field === 'message_template_status_update');
		expect(w.signatureValid).toBe(true);
		expect(w.headers['content-type']).toBe('application/json');
		expect(w.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
		expect(keysOf(w.json)).toEqual(keysOf(webhookExamples.message_template_status_update_approved));
		expect(w.json.entry[0]).toMatchObject({ id: WABA, time: expect.any(Number) });
		expect(valueOf(w)).toEqual({
			event: 'APPROVED',
			message_template_id: Number(c.body.id),
			message_template_name: 'delivery_window',
			message_template_language: 'en-US',
			reason: 'NONE',
			message_template_category: 'UTILITY',
		});
		const t = await graph(emu, 'GET', `${c.body.id}?fields=status,category`);
		expect(t.body).toEqual({ status: 'APPROVED', category: 'UTILITY', id: c.body.id });
	});

	it('approves a promotional utility template AS MARKETING and emits template_category_update', async () => {
		const c = await create('weekend_deal', 'UTILITY', 'Hi {{1}}, enjoy 20% off everything this weekend.');
		const [s] = await rx.waitFor((x) => x.field === 'message_template_status_update');
		expect(valueOf(s)).toMatchObject({ event: 'APPROVED', message_template_category: 'MARKETING' });
		const [cu] = await rx.waitFor((x) => x.field === 'template_category_update');
		expect(valueOf(cu)).toEqual({
			message_template_id: Number(c.body.id),
			message_template_name: 'weekend_deal',
			message_template_language: 'en-US',
			previous_category: 'UTILITY',
			new_category: 'MARKETING',
		});
		const t = await graph(emu, 'GET', `${c.body.id}?fields=category,previous_category`);
		expect(t.body).toMatchObject({ category: 'MARKETING', previous_category: 'UTILITY' });
	});

	it('rejects adjacent parameters with INVALID_FORMAT and rejection_info', async () => {
		const c = await create('bad_format', 'UTILITY', 'Hi {{1}}{{2}}, thanks.');
		const [w] = await rx.waitFor((x) => x.field === 'message_template_status_update');
		expect(valueOf(w)).toMatchObject({
			event: 'REJECTED',
			reason: 'INVALID_FORMAT',
			rejection_info: { reason: expect.any(String) },
		});
		expect((await graph(emu, 'GET', `${c.body.id}?fields=status,rejected_reason`)).body).toMatchObject({
			status: 'REJECTED',
			rejected_reason: 'INVALID_FORMAT',
		});
	});

	it('PATCH via the control API emits status, category (impending/completed) and quality updates', async () => {
		const id = '1000000000000007';
		const p = await control(emu, 'PATCH', `templates/${id}`, { status: 'PAUSED', quality_score: 'RED' });
		expect(p.body.events).toEqual(['message_template_quality_update', 'message_template_status_update']);
		const [st] = await rx.waitFor((x) => x.field === 'message_template_status_update');
		expect(valueOf(st)).toMatchObject({ event: 'PAUSED', other_info: { title: 'FIRST_PAUSE' } });
		const [q] = await rx.waitFor((x) => x.field === 'message_template_quality_update');
		expect(valueOf(q)).toMatchObject({
			previous_quality_score: 'GREEN',
			new_quality_score: 'RED',
			message_template_language: 'en_US',
		});

		await control(emu, 'PATCH', `templates/${id}`, { correct_category: 'MARKETING' });
		const [imp] = await rx.waitFor((x) => x.field === 'template_category_update');
		expect(valueOf(imp)).toMatchObject({
			new_category: 'UTILITY',
			correct_category: 'MARKETING',
			category_update_timestamp: expect.any(Number),
		});
		await control(emu, 'PATCH', `templates/${id}`, { category: 'MARKETING' });
		const done = await rx.waitFor((x) => x.field === 'template_category_update', 5000, 2);
		expect(valueOf(done[1])).toMatchObject({ previous_category: 'UTILITY', new_category: 'MARKETING' });
		const t = await graph(emu, 'GET', `${id}?fields=status,category,correct_category,quality_score`);
		expect(t.body).toEqual({ status: 'PAUSED', category: 'MARKETING', quality_score: { score: 'RED' }, id });
	});
});

describe('messages, windows and status webhooks', () => {
	const send = (body: Record<string, unknown>) =>
		graph(emu, 'POST', `${PHONE}/messages`, { messaging_product: 'whatsapp', ...body });

	it('posts sent then delivered with PMP pricing and the echoed biz_opaque_callback_data (no conversation)', async () => {
		const r = await send({
			to: '+16505551234',
			type: 'template',
			biz_opaque_callback_data: 'exec-42',
			template: {
				name: 'payment_due',
				language: { code: 'en_US' },
				components: [
					{
						type: 'body',
						parameters: [
							{ type: 'text', text: '$5' },
							{ type: 'text', text: 'Friday' },
						],
					},
				],
			},
		});
		const wamid = r.body.messages[0].id;
		const hooks = await rx.waitFor((x) => x.field === 'messages' && valueOf(x).statuses?.[0]?.id === wamid, 5000, 2);
		const [sent, delivered] = hooks.map((h) => valueOf(h));
		expect(sent.statuses[0].status).toBe('sent');
		expect(delivered.statuses[0].status).toBe('delivered');
		expect(sent).toEqual({
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: '15550100100', phone_number_id: PHONE },
			statuses: [
				{
					id: wamid,
					status: 'sent',
					timestamp: expect.stringMatching(/^\d{10}$/),
					recipient_id: '16505551234',
					biz_opaque_callback_data: 'exec-42',
					pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' },
				},
			],
		});
		expect(hooks.every((h) => h.signatureValid)).toBe(true);
		expect(emu.state.messages[0].statuses).toEqual(['sent', 'delivered']);
	});

	it('inbound opens the window (free-form allowed, utility free); advancing the clock 24 h closes it', async () => {
		const inbound = await control(emu, 'POST', 'inbound', {
			from: '+16505551234',
			name: 'Sheena Nelson',
			text: 'Does it come in another color?',
		});
		expect(inbound.body.wamid).toMatch(/^wamid\./);
		const [w] = await rx.waitFor((x) => x.field === 'messages' && !!valueOf(x).messages);
		expect(w.signatureValid).toBe(true);
		const expected = webhookExamples.inbound_text_message.entry[0].changes[0].value;
		const v = valueOf(w);
		expect(keysOf(v)).toEqual(keysOf(expected));
		expect(v.contacts).toEqual([{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }]);
		expect(v.messages[0]).toEqual({
			from: '16505551234',
			id: inbound.body.wamid,
			timestamp: expect.stringMatching(/^\d+$/),
			type: 'text',
			text: { body: 'Does it come in another color?' },
		});

		const text = await send({ to: '16505551234', type: 'text', text: { body: 'Yes, in blue.' } });
		expect(text.status).toBe(200);
		expect(text.body.messages[0].message_status).toBeUndefined();
		const [st] = await rx.waitFor((x) => valueOf(x).statuses?.[0]?.id === text.body.messages[0].id);
		expect(valueOf(st).statuses[0].pricing).toEqual({
			billable: false,
			pricing_model: 'PMP',
			type: 'free_customer_service',
			category: 'service',
		});

		const util = await send({
			to: '16505551234',
			type: 'template',
			template: { name: 'hello_world', language: { code: 'en_US' } },
		});
		const [us] = await rx.waitFor((x) => valueOf(x).statuses?.[0]?.id === util.body.messages[0].id);
		expect(valueOf(us).statuses[0].pricing).toEqual({
			billable: false,
			pricing_model: 'PMP',
			type: 'free_customer_service',
			category: 'utility',
		});

		await control(emu, 'POST', 'clock', { advanceMs: 24 * 3600 * 1000 + 1 });
		const late = await send({ to: '16505551234', type: 'text', text: { body: 'still there?' } });
		expect(late.status).toBe(400);
		expect(late.body.error.code).toBe(131047);
		const clock = await control(emu, 'GET', 'clock');
		expect(clock.body.offsetMs).toBeGreaterThan(24 * 3600 * 1000);
	});

	it('a recipient not on WhatsApp (digits end in 0000) is accepted, then fails with 131026', async () => {
		const r = await send({
			to: '+1 650 555 0000',
			type: 'template',
			template: { name: 'hello_world', language: { code: 'en_US' } },
		});
		expect(r.status).toBe(200);
		const [f] = await rx.waitFor((x) => valueOf(x).statuses?.[0]?.status === 'failed');
		expect(valueOf(f).statuses[0]).toMatchObject({
			id: r.body.messages[0].id,
			recipient_id: '16505550000',
			errors: [{ code: 131026, title: 'Message undeliverable' }],
		});
		expect(valueOf(f).statuses[0].pricing).toBeUndefined();
	});

	it('statusWebhooks=false posts no status webhooks', async () => {
		await control(emu, 'POST', 'config', { statusWebhooks: false });
		await send({
			to: '+16505551234',
			type: 'template',
			template: { name: 'hello_world', language: { code: 'en_US' } },
		});
		await new Promise((r) => setTimeout(r, 80));
		expect(rx.received.filter((x) => x.field === 'messages')).toHaveLength(0);
	});
});

describe('delivery', () => {
	it('redelivers with backoff after a failing callback and records the attempts', async () => {
		rx.failNext(2, 503);
		await control(emu, 'POST', 'inbound', { from: '+16505551234', text: 'hi' });
		const [w] = await rx.waitFor((x) => x.field === 'messages');
		expect(w.signatureValid).toBe(true);
		expect(rx.received.filter((x) => x.field === 'messages').map((x) => x.answered)).toEqual([503, 503, 200]);
		const d = (await control(emu, 'GET', 'webhook-deliveries?field=messages')).body.data;
		expect(d.map((a: any) => [a.attempt, a.statusCode, a.ok])).toEqual([
			[1, 503, false],
			[2, 503, false],
			[3, 200, true],
		]);
		expect(new Set(d.map((a: any) => a.deliveryId)).size).toBe(1);
		expect(d[2].at - d[1].at).toBeGreaterThanOrEqual(d[1].at - d[0].at - 5);
	});

	it('gives up after webhookMaxAttempts', async () => {
		await control(emu, 'POST', 'config', { webhookMaxAttempts: 2 });
		rx.failNext(5, 500);
		await control(emu, 'POST', 'inbound', { from: '+16505551234', text: 'hi' });
		for (let i = 0; i < 100 && (await control(emu, 'GET', 'stats')).body.webhooks.givenUp < 1; i++)
			await new Promise((r) => setTimeout(r, 10));
		const stats = (await control(emu, 'GET', 'stats')).body.webhooks;
		expect(stats).toMatchObject({ attempts: 2, delivered: 0, failedAttempts: 2, givenUp: 1 });
	});

	it('webhook-target adds a callback without subscribed_apps (optionally verified)', async () => {
		await graph(emu, 'DELETE', `${WABA}/subscribed_apps`);
		const bad = await control(emu, 'POST', 'webhook-target', { url: rx.url, verify: true, verifyToken: 'nope' });
		expect(bad.status).toBe(400);
		const ok = await control(emu, 'POST', 'webhook-target', { url: rx.url, verify: true, verifyToken: 'verify-me' });
		expect(ok.body.data).toEqual([{ url: rx.url }]);
		await control(emu, 'POST', 'inbound', { from: '+16505551234', text: 'hi' });
		const [w] = await rx.waitFor((x) => x.field === 'messages');
		expect(w.signatureValid).toBe(true);
	});
});
