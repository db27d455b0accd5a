/** The Notification Template node's router: every operation is wired, and an unknown one fails loudly. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { WhatsAppNotificationTemplate } from '../../nodes/NotificationTemplate/WhatsAppNotificationTemplate.node';
import { router } from '../../nodes/NotificationTemplate/actions/router';

function fakeContext(parameters: Record<string, unknown>, items = 1, continueOnFail = false): IExecuteFunctions {
	return {
		getNodeParameter: (name: string, _i: number, fallback?: unknown) =>
			name in parameters ? parameters[name] : fallback,
		getNode: () => ({
			id: 'n',
			name: 'WhatsApp Notification Template',
			type: 'whatsAppNotificationTemplate',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		}),
		getInputData: () => Array.from({ length: items }, () => ({ json: {} })),
		continueOnFail: () => continueOnFail,
	} as unknown as IExecuteFunctions;
}

describe('Notification Template router', () => {
	it('throws on an unknown operation, naming the ones that exist', async () => {
		await expect(router.call(fakeContext({ operation: 'publish' }))).rejects.toThrow(
			'The operation "publish" is not supported',
		);
		await expect(router.call(fakeContext({ operation: 'toString' }))).rejects.toThrow(/not supported/);
	});

	it('under Continue On Fail, a run-wide failure makes every item an error item, never passes the input on', async () => {
		const node = new WhatsAppNotificationTemplate();
		const out = await node.execute.call(fakeContext({ operation: 'publish' }, 3, true));
		expect(out[0].map((item) => [typeof (item.json.error as { message?: unknown })?.message, item.pairedItem])).toEqual(
			[
				['string', { item: 0 }],
				['string', { item: 1 }],
				['string', { item: 2 }],
			],
		);
		await expect(node.execute.call(fakeContext({ operation: 'publish' }, 1, false))).rejects.toThrow(/not supported/);
	});

	it("under Continue On Fail, an item Meta refused becomes the shared error item: Meta's code and trace, outcome not_done", async () => {
		const ctx = {
			...fakeContext({ operation: 'get', getBy: 'id', getId: '123' }, 1, true),
			getCredentials: async () => ({
				businessAccountId: '1',
				phoneNumberId: '2',
				baseUrl: 'https://graph.example.test',
			}),
			helpers: {
				httpRequestWithAuthentication: async () => ({
					statusCode: 400,
					body: { error: { message: 'Unsupported get request', code: 100, fbtrace_id: 'TRACE' } },
					headers: {},
				}),
			},
		} as unknown as IExecuteFunctions;
		const out = await router.call(ctx);
		expect(out[0]).toHaveLength(1);
		expect(out[0][0].pairedItem).toEqual({ item: 0 });
		const error = out[0][0].json.error as Record<string, unknown>;
		expect(Object.keys(error)).toEqual([
			'code',
			'title',
			'message',
			'description',
			'retryable',
			'outcome',
			'fbtrace_id',
		]);
		expect(error).toMatchObject({
			code: 100,
			title: 'Template not read',
			outcome: 'not_done',
			fbtrace_id: 'TRACE',
			retryable: false,
		});
		expect(error.message).toMatch(/^Meta refused reading template 123: Unsupported get request/);
	});

	it('offers exactly the operations it routes', () => {
		const operation = new WhatsAppNotificationTemplate().description.properties.find((p) => p.name === 'operation');
		expect((operation?.options as Array<{ value: string }>).map((o) => o.value).sort()).toEqual([
			'checkDraft',
			'delete',
			'edit',
			'get',
			'submitForReview',
		]);
	});

	it('runs Check Draft offline, one paired output item per input item', async () => {
		const out = await router.call(
			fakeContext(
				{
					operation: 'checkDraft',
					draftSource: 'json',
					draftJson: JSON.stringify({
						name: 'order_ready',
						language: 'en_US',
						components: [
							{
								type: 'BODY',
								text: 'Hi {{1}}, your order is ready for pickup today.',
								example: { body_text: [['Ana']] },
							},
						],
					}),
				},
				2,
			),
		);
		expect(out[0].map((item) => [item.json.ok, item.pairedItem])).toEqual([
			[true, { item: 0 }],
			[true, { item: 1 }],
		]);
	});

	it('refuses unusable JSON with a fix', async () => {
		await expect(
			router.call(fakeContext({ operation: 'checkDraft', draftSource: 'json', draftJson: '{"name": ' })),
		).rejects.toThrow(/The Template JSON is not usable/);
	});
});
