/**
 * What the editor asks the node for, through n8n's own REST endpoints: the template list (filtered by notification
 * type, across all of Meta's pages), the generated variable fields, the sender list. Plus currency/date values.
 */
import type { Emulator } from '../../dev/emulator';
import { control } from '../../dev/emulator/testkit';
import { validateSendMessageBody } from '../support/openapiValidator';
import {
	CLOUD_CREDENTIAL_TYPE,
	SEND_NODE_TYPE,
	messagePosts,
	runOnce,
	sharedN8n,
	startEmulatorWithCredential,
	type SavedCredential,
} from './context';
import { loginCookie, restRequest } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

describe('Send Notification in the editor (real n8n)', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;
	let credential: SavedCredential;
	let cookie: string;

	beforeAll(async () => {
		({ emulator, credential } = await startEmulatorWithCredential(n8n, 'editor'));
		cookie = await loginCookie(n8n.url);
	});
	afterAll(async () => {
		await emulator.close();
	});

	const ask = (endpoint: string, body: Json) =>
		restRequest(n8n.url, cookie, 'POST', `/rest/dynamic-node-parameters/${endpoint}`, {
			nodeTypeAndVersion: { name: SEND_NODE_TYPE, version: 1 },
			credentials: { [CLOUD_CREDENTIAL_TYPE]: credential },
			...body,
		}) as Promise<{ data: Json }>;

	it('lists only APPROVED templates whose category fits the type, from every page, labelled name · language · category', async () => {
		// 600 extra approved utility templates: three of Meta's pages at the node's page size.
		for (let i = 0; i < 600; i++) {
			const res = await control(emulator, 'POST', 'templates', {
				name: `bulk_update_${String(i).padStart(3, '0')}`,
				language: 'en_US',
				category: 'UTILITY',
				status: 'APPROVED',
				components: [{ type: 'BODY', text: 'Your request was updated.' }],
			});
			expect(res.status).toBeLessThan(300);
		}
		emulator.state.requests.length = 0;
		const { data } = await ask('resource-locator-results', {
			path: 'template',
			methodName: 'searchTemplates',
			currentNodeParameters: { notificationType: 'shippingStatus' },
		});
		const names: string[] = data.results.map((r: Json) => r.name);
		expect(names).toContain('shipping_update · en_US · UTILITY');
		expect(names).toContain('shipping_update · pt_BR · UTILITY');
		expect(names).toContain('bulk_update_599 · en_US · UTILITY');
		expect(names.filter((n) => n.startsWith('bulk_update_'))).toHaveLength(600);
		for (const refused of [
			'summer_sale',
			'login_code',
			'paused_update',
			'disabled_update',
			'pending_update',
			'rejected_update',
			'order_followup',
		]) {
			expect(names.some((n) => n.startsWith(`${refused} ·`))).toBe(false);
		}
		const pages = emulator.state.requests.filter((r) => r.path.endsWith('/message_templates'));
		expect(pages.length).toBeGreaterThanOrEqual(3);
		expect(pages.every((p) => String(p.query.status).toUpperCase() === 'APPROVED')).toBe(true);
		const shipping = data.results.find((r: Json) => r.name === 'shipping_update · en_US · UTILITY');
		expect(shipping.value).toMatch(/^\d+$/);
	});

	it('generates one variable field per placeholder and button, labelled with the examples', async () => {
		const { data } = await ask('resource-mapper-fields', {
			path: 'variables',
			methodName: 'getTemplateVariables',
			currentNodeParameters: {
				notificationType: 'shippingStatus',
				template: { __rl: true, mode: 'name', value: 'shipping_update/en_US' },
			},
		});
		const fields = data.fields as Json[];
		expect(fields.map((f) => f.id)).toEqual(['body_1', 'body_2', 'body_3', 'button_0_url']);
		expect(fields.every((f) => f.required)).toBe(true);
		expect(fields[0].displayName).toMatch(/\{\{1\}\}/);
	});

	it('generates named fields and media header fields', async () => {
		const named = await ask('resource-mapper-fields', {
			path: 'variables',
			methodName: 'getTemplateVariables',
			currentNodeParameters: { template: { __rl: true, mode: 'name', value: 'order_confirmation/en_US' } },
		});
		expect((named.data.fields as Json[]).map((f) => f.id)).toEqual(['body_first_name', 'body_order_number']);
		const media = await ask('resource-mapper-fields', {
			path: 'variables',
			methodName: 'getTemplateVariables',
			currentNodeParameters: { template: { __rl: true, mode: 'name', value: 'invoice_available/en_US' } },
		});
		expect((media.data.fields as Json[]).map((f) => f.id)).toContain('header_media');
	});

	it('lists the account’s phone numbers as senders', async () => {
		const { data } = await ask('resource-locator-results', {
			path: 'sender',
			methodName: 'searchSenders',
			currentNodeParameters: {},
		});
		expect(data.results).toEqual([
			{ name: '+1 555-010-0100 · Emulated Shop', value: emulator.options.phoneNumbers[0].id },
		]);
	});

	it('sends currency and date_time values as Meta’s typed parameters', async () => {
		emulator.state.requests.length = 0;
		const run = await runOnce(
			n8n,
			{
				type: SEND_NODE_TYPE,
				typeVersion: 1,
				credentials: { [CLOUD_CREDENTIAL_TYPE]: credential },
				parameters: {
					notificationType: 'paymentRequest',
					recipient: '={{ $json.phone }}',
					template: { __rl: true, mode: 'name', value: 'payment_due/en_US' },
					variables: {
						mappingMode: 'defineBelow',
						value: {
							body_1:
								'={{ JSON.stringify({ type: "currency", fallback_value: "€20.00", code: "EUR", amount_1000: 20000 }) }}',
							body_2: '={{ JSON.stringify({ type: "date_time", fallback_value: "1 December 2026" }) }}',
						},
					},
				},
			},
			[{ phone: '+34 612 345 678' }],
		);
		expect(run.status).toBe(200);
		const out = (run.body as Json[])[0];
		expect(out.renderedText).toBe('Your payment of €20.00 is due on 1 December 2026.');
		expect(out.estimatedCost).toMatchObject({ market: 'Spain', category: 'utility' });
		const [post] = messagePosts(emulator);
		const params = (post?.body as Json).template.components[0].parameters;
		expect(params).toEqual([
			{ type: 'currency', currency: { fallback_value: '€20.00', code: 'EUR', amount_1000: 20000 } },
			{ type: 'date_time', date_time: { fallback_value: '1 December 2026' } },
		]);
		expect(validateSendMessageBody(post?.body).errors).toEqual([]);
	});
});
