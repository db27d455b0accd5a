/** Emulator: Graph endpoints, auth, templates listing/paging, and the synchronous errors of a send. */
import sendExamples from '../fixtures/meta/send_message_request_examples_from_facebook_openapi.json';
import docExamples from '../fixtures/meta/meta_docs_send_and_template_examples.json';
import { DEFAULT_TEMPLATES, startEmulator, type Emulator } from '../../dev/emulator';
import { control, graph } from '../../dev/emulator/testkit';

let emu: Emulator;
let WABA: string;
let PHONE: string;

beforeAll(async () => {
	emu = await startEmulator({ port: 0, pairLimitSeconds: 0 });
	WABA = emu.options.wabaId;
	PHONE = emu.options.phoneNumbers[0].id;
});
afterAll(() => emu.close());
beforeEach(async () => {
	await control(emu, 'POST', 'reset');
	await control(emu, 'POST', 'config', { pairLimitSeconds: 0 });
});

const send = (body: Record<string, unknown>) =>
	graph(emu, 'POST', `${PHONE}/messages`, { messaging_product: 'whatsapp', ...body });
const tplSend = (name: string, components?: unknown[], language = 'en_US', to = '+1 (650) 555-1234') =>
	send({
		to,
		type: 'template',
		template: { name, language: { code: language }, ...(components ? { components } : {}) },
	});
const body = (...texts: string[]) => ({ type: 'body', parameters: texts.map((text) => ({ type: 'text', text })) });

function expectError(res: { status: number; body: any }, http: number, code: number) {
	expect(res.status).toBe(http);
	expect(res.body.error.code).toBe(code);
	expect(res.body.error.message).toMatch(code === 190 || code === 100 ? /.+/ : new RegExp(`^\\(#${code}\\) `));
	expect(typeof res.body.error.fbtrace_id).toBe('string');
	expect(typeof res.body.error.type).toBe('string');
}

describe('auth and objects', () => {
	it('answers 190 without or with a wrong token, and accepts access_token in the query', async () => {
		expectError(await graph(emu, 'GET', WABA, undefined, { token: null }), 401, 190);
		const wrong = await graph(emu, 'GET', WABA, undefined, { token: 'nope' });
		expectError(wrong, 401, 190);
		expect(wrong.body.error).toMatchObject({
			message: 'Invalid OAuth access token - Cannot parse access token',
			type: 'OAuthException',
		});
		const ok = await fetch(`${emu.url}/v23.0/${WABA}?access_token=${emu.options.accessToken}`);
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({ id: WABA, name: emu.options.wabaName });
	});

	it('answers 100/33 for unknown object ids (GET and POST)', async () => {
		const g = await graph(emu, 'GET', '123456789');
		expectError(g, 400, 100);
		expect(g.body.error).toMatchObject({ type: 'GraphMethodException', error_subcode: 33 });
		expect(g.body.error.message).toMatch(/^Unsupported get request\. Object with ID '123456789' does not exist/);
		const p = await graph(emu, 'POST', '999/messages', { messaging_product: 'whatsapp' });
		expect(p.body.error.message).toMatch(/^Unsupported post request\. Object with ID '999'/);
		expect(p.body.error.error_subcode).toBe(33);
		expectError(await graph(emu, 'GET', '999/message_templates'), 400, 100);
	});

	it('serves the WABA with fields, the phone numbers and a phone number', async () => {
		const w = await graph(emu, 'GET', `${WABA}?fields=id,name,currency`);
		expect(w.body).toEqual({ id: WABA, name: emu.options.wabaName, currency: 'USD' });
		const bad = await graph(emu, 'GET', `${WABA}?fields=nope`);
		expectError(bad, 400, 100);
		const p = await graph(emu, 'GET', `${WABA}/phone_numbers`);
		expect(p.status).toBe(200);
		expect(p.body.data[0]).toMatchObject({
			id: PHONE,
			display_phone_number: '+1 555-010-0100',
			verified_name: 'Emulated Shop',
			quality_rating: 'GREEN',
			throughput: { level: 'STANDARD' },
		});
		const one = await graph(emu, 'GET', `${PHONE}?fields=display_phone_number`);
		expect(one.body).toEqual({ display_phone_number: '+1 555-010-0100', id: PHONE });
	});

	it('logs every Graph request with status and response', async () => {
		await graph(emu, 'GET', WABA);
		await tplSend('hello_world');
		const log = await control(emu, 'GET', 'requests?pathContains=/messages');
		expect(log.body.data).toHaveLength(1);
		expect(log.body.data[0]).toMatchObject({ method: 'POST', path: `/v24.0/${PHONE}/messages`, status: 200 });
		expect(log.body.data[0].headers.authorization).toBe(`Bearer ${emu.options.accessToken}`);
		expect(log.body.data[0].body.template.name).toBe('hello_world');
		expect(emu.state.requests).toHaveLength(2);
		await control(emu, 'DELETE', 'requests');
		expect(emu.state.requests).toHaveLength(0);
	});
});

describe('message templates', () => {
	it('seeds the default templates with Meta GET shapes', async () => {
		const r = await graph(emu, 'GET', `${WABA}/message_templates?limit=1000`);
		expect(r.body.data).toHaveLength(DEFAULT_TEMPLATES.length);
		expect(r.body.paging.next).toBeUndefined();
		const ship = r.body.data.find((t: any) => t.name === 'shipping_update' && t.language === 'en_US');
		expect(Object.keys(ship).sort()).toEqual([
			'category',
			'components',
			'id',
			'language',
			'name',
			'parameter_format',
			'status',
		]);
		expect(ship).toMatchObject({ category: 'UTILITY', status: 'APPROVED', parameter_format: 'POSITIONAL' });
		const oc = r.body.data.find((t: any) => t.name === 'order_confirmation');
		expect(oc.parameter_format).toBe('NAMED');
	});

	it('filters case-insensitively (status, category, language, name substring, comma lists)', async () => {
		const names = async (q: string) =>
			(await graph(emu, 'GET', `${WABA}/message_templates?limit=100&fields=name,language&${q}`)).body.data.map(
				(t: any) => `${t.name}:${t.language}`,
			);
		expect(await names('status=paused,disabled')).toEqual(['paused_update:en_US', 'disabled_update:en_US']);
		expect(await names('category=marketing')).toEqual(['summer_sale:en_US']);
		expect(await names('language=PT_br')).toEqual(['shipping_update:pt_BR']);
		expect(await names('name=SHIPPING')).toEqual(['shipping_update:en_US', 'shipping_update:pt_BR']);
		expect(await names('name=shipping_update&language=en_us')).toEqual(['shipping_update:en_US']);
	});

	it('returns the requested fields, including category/quality fields', async () => {
		const r = await graph(
			emu,
			'GET',
			`${WABA}/message_templates?name=order_followup&fields=name,category,correct_category,previous_category,quality_score,rejected_reason`,
		);
		expect(r.body.data).toEqual([
			{
				name: 'order_followup',
				category: 'UTILITY',
				correct_category: 'MARKETING',
				quality_score: { score: 'GREEN' },
				rejected_reason: 'NONE',
				id: expect.any(String),
			},
		]);
		const one = await graph(emu, 'GET', `${r.body.data[0].id}?fields=status`);
		expect(one.body).toEqual({ status: 'APPROVED', id: r.body.data[0].id });
	});

	it('pages with cursors across pages with filters, next links keep the query, before goes back', async () => {
		const seen: string[] = [];
		let url: string | undefined =
			`${WABA}/message_templates?status=APPROVED&category=utility&fields=name,status&limit=4`;
		let pages = 0;
		let second: any;
		while (url) {
			const r = await graph(emu, 'GET', url);
			expect(r.status).toBe(200);
			pages++;
			if (pages === 2) second = r.body;
			for (const t of r.body.data) {
				expect(t.status).toBe('APPROVED');
				seen.push(t.id);
			}
			expect(r.body.paging.cursors.after).toEqual(expect.any(String));
			url = r.body.paging.next;
			if (url) expect(url).toMatch(/status=APPROVED&category=utility&fields=name%2Cstatus&limit=4&after=/);
		}
		const expected = DEFAULT_TEMPLATES.filter((t) => t.status === 'APPROVED' && t.category === 'UTILITY').map(
			(t) => t.id,
		);
		expect(seen).toEqual(expected);
		expect(pages).toBe(Math.ceil(expected.length / 4));
		const back = await graph(emu, 'GET', second.paging.previous);
		expect(back.body.data.map((t: any) => t.id)).toEqual(expected.slice(0, 4));
	});

	it('answers 131059 for an invalid cursor', async () => {
		const r = await graph(emu, 'GET', `${WABA}/message_templates?after=bm9wZQ==`);
		expectError(r, 400, 131059);
		expect(r.body.error.error_data.details).toMatch(/without the before\/after/);
	});

	it('creates (PENDING), refuses duplicates and bad names, deletes by name', async () => {
		const c = await graph(emu, 'POST', `${WABA}/message_templates`, docExamples.create_template_positional);
		// order_confirmation en_US already exists (named seed) → duplicate language
		expectError(c, 400, 100);
		expect(c.body.error.error_subcode).toBe(2388024);
		const ok = await graph(emu, 'POST', `${WABA}/message_templates`, {
			...docExamples.create_template_positional,
			name: 'order_confirmation_v2',
		});
		expect(ok.status).toBe(200);
		expect(ok.body).toEqual({ id: expect.stringMatching(/^\d+$/), status: 'PENDING', category: 'UTILITY' });
		const bad = await graph(emu, 'POST', `${WABA}/message_templates`, {
			...docExamples.create_template_named,
			name: 'Bad-Name',
		});
		expectError(bad, 400, 100);
		const del = await graph(emu, 'DELETE', `${WABA}/message_templates?name=order_confirmation_v2`);
		expect(del.body).toEqual({ success: true });
		expect((await graph(emu, 'GET', ok.body.id)).status).toBe(400);
	});
});

describe('sending', () => {
	it('accepts a positional template and answers like Meta', async () => {
		const r = await tplSend('shipping_update', [
			body('Maria', 'A-1', 'June 12'),
			{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-1' }] },
		]);
		expect(r.status).toBe(200);
		expect(r.body).toEqual({
			messaging_product: 'whatsapp',
			contacts: [{ input: '+1 (650) 555-1234', wa_id: '16505551234' }],
			messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/=]+$/), message_status: 'accepted' }],
		});
		const msgs = (await control(emu, 'GET', 'messages')).body.data;
		expect(msgs[0]).toMatchObject({
			wamid: r.body.messages[0].id,
			to: '+1 (650) 555-1234',
			waId: '16505551234',
			type: 'template',
			template: { name: 'shipping_update', language: 'en_US' },
		});
	});

	it('accepts the named and positional examples of Meta docs when the template matches', async () => {
		expect((await send(docExamples.send_template_named_params)).status).toBe(200);
		// positional params for a NAMED template → 132012
		expectError(await send(docExamples.send_template_positional_params), 400, 132012);
	});

	it('132001 for unknown name/language, and for PENDING/REJECTED templates', async () => {
		const r = await tplSend('nope');
		expectError(r, 400, 132001);
		expect(r.body.error).toMatchObject({
			message: '(#132001) Template name does not exist in the translation',
			type: 'OAuthException',
		});
		expect(r.body.error.error_data).toEqual({
			messaging_product: 'whatsapp',
			details: 'template name (nope) does not exist in en_US',
		});
		expectError(await tplSend('hello_world', undefined, 'en'), 400, 132001);
		expectError(await tplSend('pending_update', [body('a', 'b')]), 400, 132001);
		expectError(await tplSend('rejected_update', [body('a')]), 400, 132001);
	});

	it('132015 paused, 132016 disabled', async () => {
		expectError(await tplSend('paused_update', [body('a', 'b')]), 400, 132015);
		expectError(await tplSend('disabled_update', [body('a', 'b')]), 400, 132016);
	});

	it('132000 when the parameter count does not match', async () => {
		const r = await tplSend('payment_due', [body('$10')]);
		expectError(r, 400, 132000);
		expect(r.body.error.error_data.details).toMatch(
			/body: number of localizable_params \(1\) does not match the expected number of params \(2\)/,
		);
		expectError(await tplSend('hello_world', [body('x')]), 400, 132000);
		expectError(await tplSend('appointment_reminder', [body('Maria', '10:30')]), 400, 132000); // header param missing
		expectError(
			await tplSend('order_confirmation', [
				{ type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'J' }] },
			]),
			400,
			132000,
		);
	});

	it('132012 for named/positional mismatch and for a missing media header', async () => {
		expectError(
			await tplSend('payment_due', [
				{
					type: 'body',
					parameters: [
						{ type: 'text', parameter_name: 'a', text: '1' },
						{ type: 'text', parameter_name: 'b', text: '2' },
					],
				},
			]),
			400,
			132012,
		);
		const m = await tplSend('invoice_available', [body('Maria', 'INV-1', '$1')]);
		expectError(m, 400, 132012);
		expect(m.body.error.error_data.details).toBe('header: Format mismatch, expected DOCUMENT, received UNKNOWN');
		const ok = await tplSend('invoice_available', [
			{ type: 'header', parameters: [{ type: 'document', document: { link: 'https://x/y.pdf', filename: 'y.pdf' } }] },
			body('Maria', 'INV-1', '$1'),
		]);
		expect(ok.status).toBe(200);
	});

	it('131008 when a dynamic URL button has no parameter; 100 for new-lines in body text', async () => {
		expectError(await tplSend('shipping_update', [body('a', 'b', 'c')]), 400, 131008);
		const nl = await tplSend('payment_due', [body('$10\n', 'tomorrow')]);
		expectError(nl, 400, 100);
		expect(nl.body.error.error_data.details).toMatch(/new-line\/tab characters or more than 4 consecutive spaces/);
		expectError(await tplSend('payment_due', [body('$10', 'to     morrow')]), 400, 100);
	});

	it('accepts currency and date_time parameters', async () => {
		const r = await tplSend('payment_due', [
			{
				type: 'body',
				parameters: [
					{ type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } },
					{ type: 'date_time', date_time: { fallback_value: 'February 25, 1977' } },
				],
			},
		]);
		expect(r.status).toBe(200);
	});

	it('validates messaging_product, to and type', async () => {
		expectError(
			await graph(emu, 'POST', `${PHONE}/messages`, { to: '1', type: 'text', text: { body: 'x' } }),
			400,
			100,
		);
		expectError(await send({ messaging_product: 'sms', to: '16505551234' }), 400, 100);
		expectError(await send({ type: 'text', text: { body: 'x' } }), 400, 100);
		const t = await send({ to: '16505551234', type: 'fax', fax: {} });
		expectError(t, 400, 100);
		expect(t.body.error.message).toMatch(/Param type must be one of/);
	});

	it('131047 for free-form outside the window', async () => {
		const r = await send({ to: '+16505551234', type: 'text', text: { body: 'hi' } });
		expectError(r, 400, 131047);
		expect(r.body).toEqual({
			error: {
				message: '(#131047) Re-engagement message',
				type: 'OAuthException',
				code: 131047,
				error_data: {
					messaging_product: 'whatsapp',
					details:
						'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
				},
				fbtrace_id: expect.any(String),
			},
		});
	});

	it("accepts the OpenAPI spec's template examples when a matching template exists", async () => {
		const ex = sendExamples as Record<string, any>;
		// seed templates matching the examples (names as the spec uses them)
		const seed = (name: string, language: string, components: unknown[]) =>
			control(emu, 'POST', 'templates', { name, language, category: 'UTILITY', status: 'APPROVED', components });
		await seed('template-name', 'language-and-locale-code', [
			{ type: 'HEADER', format: 'IMAGE' },
			{ type: 'BODY', text: 'Hi {{1}}, you owe {{2}} since {{3}}.' },
			{
				type: 'BUTTONS',
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Yes' },
					{ type: 'QUICK_REPLY', text: 'No' },
				],
			},
		]);
		await seed('sample_issue_resolution', 'en_US', [
			{ type: 'BODY', text: 'Hi {{1}}, were we able to solve the issue that you were facing?' },
			{
				type: 'BUTTONS',
				buttons: [
					{ type: 'QUICK_REPLY', text: 'Yes' },
					{ type: 'QUICK_REPLY', text: 'No' },
				],
			},
		]);
		const names = [
			'Send Test Message',
			'Send Message Template Media',
			'Send Message Template Interactive',
			'Send Sample Issue Resolution Template',
		];
		for (const n of names) {
			const r = await graph(emu, 'POST', `${PHONE}/messages`, { ...ex[n], to: '+16505551234' });
			expect([n, r.status, r.body.error?.message]).toEqual([n, 200, undefined]);
		}
		// text message examples: need an open window
		await control(emu, 'POST', 'inbound', { from: '+16505551234', text: 'hello' });
		for (const n of [
			'Send Text Message',
			'Send Text Message with Preview URL',
			'Send Image Message by URL',
			'Send Reply to Text Message',
			'Send Location Message',
		]) {
			const r = await graph(emu, 'POST', `${PHONE}/messages`, { ...ex[n], to: '+16505551234' });
			expect([n, r.status, r.body.error?.message]).toEqual([n, 200, undefined]);
			expect(r.body.messages[0].message_status).toBeUndefined();
		}
	});
});
