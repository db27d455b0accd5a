/** Emulator: template creation, edit and deletion checked against Meta's OpenAPI spec, and the review's outcomes. */
import { startEmulator, type Emulator } from '../../dev/emulator';
import { control, graph, startWebhookReceiver, type WebhookReceiver } from '../../dev/emulator/testkit';
import { createRequestExamples, editRequestExamples, validateTemplateApi } from '../support/templateApiSchemas';

let emu: Emulator;
let rx: WebhookReceiver;
let WABA: string;

beforeAll(async () => {
	emu = await startEmulator({ port: 0, reviewDelayMs: 20, recategoriseDelayMs: 40, webhookRetryBaseMs: 20 });
	rx = await startWebhookReceiver(emu.options.appSecret, 'verify-me');
	WABA = emu.options.wabaId;
});
afterAll(async () => {
	await emu.close();
	await rx.close();
});
beforeEach(async () => {
	await control(emu, 'POST', 'reset');
	await control(emu, 'POST', 'config', { reviewDelayMs: 20, recategoriseDelayMs: 40 });
	rx.received.length = 0;
	await graph(emu, 'POST', `${WABA}/subscribed_apps`, { override_callback_uri: rx.url, verify_token: 'verify-me' });
});

const valueOf = (w: { json: any }) => w.json.entry[0].changes[0].value;
const create = (name: string, text: string, extra: Record<string, unknown> = {}) =>
	graph(emu, 'POST', `${WABA}/message_templates`, {
		name,
		language: 'en_US',
		category: 'UTILITY',
		components: [{ type: 'BODY', text }],
		...extra,
	});
const statusOf = async (id: string) =>
	(await graph(emu, 'GET', `${id}?fields=status,category,rejected_reason,correct_category,previous_category`)).body;

describe("Meta's OpenAPI examples", () => {
	it.each(Object.entries(createRequestExamples))(
		'accepts "%s" and answers in the spec\'s response shape',
		async (label, example) => {
			expect(validateTemplateApi('createRequest', example)).toEqual([]);
			const name = `spec_${Object.keys(createRequestExamples).indexOf(label)}`;
			const res = await graph(emu, 'POST', `${WABA}/message_templates`, { ...example, name });
			expect([res.status, res.body.error?.message]).toEqual([200, undefined]);
			expect(validateTemplateApi('createResponse', res.body)).toEqual([]);
			expect(res.body).toEqual({
				id: expect.stringMatching(/^\d+$/),
				status: 'PENDING',
				category: String(example.category).toUpperCase(),
			});
		},
	);

	it.each(Object.entries(editRequestExamples))(
		'accepts the edit example "%s" on an approved template of that category',
		async (_label, example) => {
			expect(validateTemplateApi('editRequest', example)).toEqual([]);
			const created = await graph(emu, 'POST', `${WABA}/message_templates`, {
				...example,
				name: 'edit_me',
				language: 'en_US',
			});
			await control(emu, 'PATCH', `templates/${created.body.id}`, { status: 'APPROVED' });
			const res = await graph(emu, 'POST', created.body.id, example);
			expect(res.body).toEqual({ success: true });
		},
	);
});

describe('the review', () => {
	it.each([
		['ends with a variable', 'Your order is ready for pickup at {{1}}', 'INVALID_FORMAT', true],
		['starts with a variable', '{{1}}, your order is ready for pickup.', 'INVALID_FORMAT', true],
		[
			'one-time code in a utility template',
			'Your verification code is {{1}}. It expires soon.',
			'INCORRECT_CATEGORY',
			false,
		],
		['cold call', 'Hi {{1}}, is now a good time to talk about your plan?', 'PROMOTIONAL', false],
	])('rejects a draft that %s with %s', async (_label, text, reason, withInfo) => {
		const c = await create('review_case', text);
		const [w] = await rx.waitFor((x) => x.field === 'message_template_status_update');
		expect(valueOf(w)).toMatchObject({ event: 'REJECTED', reason, message_template_id: Number(c.body.id) });
		expect(Boolean(valueOf(w).rejection_info)).toBe(withInfo);
		expect(await statusOf(c.body.id)).toMatchObject({ status: 'REJECTED', rejected_reason: reason });
	});

	it('rejects English text tagged as Portuguese with TAG_CONTENT_MISMATCH', async () => {
		const c = await graph(emu, 'POST', `${WABA}/message_templates`, {
			name: 'wrong_tag',
			language: 'pt_BR',
			category: 'UTILITY',
			components: [{ type: 'BODY', text: 'Hi {{1}}, your order has shipped and will arrive tomorrow.' }],
		});
		const [w] = await rx.waitFor((x) => x.field === 'message_template_status_update');
		expect(valueOf(w)).toMatchObject({
			event: 'REJECTED',
			reason: 'TAG_CONTENT_MISMATCH',
			message_template_language: 'pt-BR',
		});
		expect(await statusOf(c.body.id)).toMatchObject({ status: 'REJECTED' });
	});

	it('approves soft marketing as UTILITY, then announces and completes the move to MARKETING', async () => {
		const c = await create(
			'order_and_news',
			'Hi {{1}}, your order {{2}} has shipped. Learn more about our new arrivals on our site.',
		);
		const [approved] = await rx.waitFor((x) => x.field === 'message_template_status_update');
		expect(valueOf(approved)).toMatchObject({ event: 'APPROVED', message_template_category: 'UTILITY' });
		const [impending, completed] = await rx.waitFor((x) => x.field === 'template_category_update', 5000, 2);
		expect(valueOf(impending)).toMatchObject({
			correct_category: 'MARKETING',
			new_category: 'UTILITY',
			category_update_timestamp: expect.any(Number),
		});
		expect(valueOf(completed)).toEqual({
			message_template_id: Number(c.body.id),
			message_template_name: 'order_and_news',
			message_template_language: 'en-US',
			previous_category: 'UTILITY',
			new_category: 'MARKETING',
		});
		expect(await statusOf(c.body.id)).toMatchObject({
			status: 'APPROVED',
			category: 'MARKETING',
			previous_category: 'UTILITY',
		});
	});
});

describe('time-to-live, edit and delete', () => {
	it("stores a utility time-to-live and refuses one outside Meta's 30–43,200 s", async () => {
		const ok = await create('ttl_ok', 'Your table is ready now, please come in.', { message_send_ttl_seconds: 600 });
		expect((await graph(emu, 'GET', `${ok.body.id}?fields=message_send_ttl_seconds`)).body).toEqual({
			message_send_ttl_seconds: 600,
			id: ok.body.id,
		});
		const bad = await create('ttl_bad', 'Your table is ready now, please come in.', {
			message_send_ttl_seconds: 86400,
		});
		expect(bad.status).toBe(400);
		expect(bad.body.error.error_data.details).toMatch(/message_send_ttl_seconds must be between 30 and 43200/);
	});

	it('refuses to edit a PENDING template, and re-reviews an edited approved one (PENDING, then APPROVED)', async () => {
		const c = await create('edit_flow', 'Hi {{1}}, your order is ready for pickup today.');
		const early = await graph(emu, 'POST', c.body.id, {
			components: [{ type: 'BODY', text: 'Hi {{1}}, your order is ready now.' }],
		});
		expect(early.status).toBe(400);
		expect(early.body.error.error_data.details).toMatch(/PENDING and cannot be edited/);
		await rx.waitFor((x) => x.field === 'message_template_status_update');
		rx.received.length = 0;
		const edit = await graph(emu, 'POST', c.body.id, {
			components: [{ type: 'BODY', text: 'Hi {{1}}, your order is ready for pickup now.' }],
		});
		expect(edit.body).toEqual({ success: true });
		const [pending, approved] = await rx.waitFor((x) => x.field === 'message_template_status_update', 5000, 2);
		expect([valueOf(pending).event, valueOf(approved).event]).toEqual(['PENDING', 'APPROVED']);
		expect((await graph(emu, 'GET', `${c.body.id}?fields=components`)).body.components[0].text).toBe(
			'Hi {{1}}, your order is ready for pickup now.',
		);
	});

	it('deletes one language by hsm_id and every language by name, with DELETED webhooks', async () => {
		const en = await create('two_langs', 'Hi {{1}}, your order is ready for pickup today.');
		const pt = await graph(emu, 'POST', `${WABA}/message_templates`, {
			name: 'two_langs',
			language: 'pt_BR',
			category: 'UTILITY',
			components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido está pronto para retirada hoje.' }],
		});
		expect((await graph(emu, 'DELETE', `${WABA}/message_templates?name=two_langs&hsm_id=${en.body.id}`)).body).toEqual({
			success: true,
		});
		expect((await graph(emu, 'GET', en.body.id)).status).toBe(400);
		expect((await graph(emu, 'GET', `${pt.body.id}?fields=name`)).body.name).toBe('two_langs');
		expect((await graph(emu, 'DELETE', `${WABA}/message_templates?name=two_langs`)).body).toEqual({ success: true });
		expect((await graph(emu, 'GET', pt.body.id)).status).toBe(400);
		const deleted = (
			await rx.waitFor((x) => x.field === 'message_template_status_update' && valueOf(x).event === 'DELETED', 5000, 2)
		).map(valueOf);
		expect(deleted.map((v) => v.message_template_language).sort()).toEqual(['en-US', 'pt-BR']);
	});
});
