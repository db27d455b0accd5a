import {
	CALLBACK_DATA_MAX,
	addressOf,
	correlationData,
	freeFormMessageBody,
	isWhatsAppMessageId,
	serviceWindowAt,
	templateMessageBody,
} from '../../nodes/shared/domain/messageRequest';

describe('message request', () => {
	it('addresses a phone number with `to` and a BSUID with `recipient`', () => {
		expect(addressOf('+4915123456789', false)).toEqual({ to: '+4915123456789' });
		expect(addressOf('US.1349', true)).toEqual({ recipient: 'US.1349' });
	});

	it('builds the template body, without components when the template has no variables', () => {
		const body = templateMessageBody({
			to: '+1',
			isBsuid: false,
			templateName: 'hello',
			language: 'en_US',
			components: [],
		});
		expect(body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '+1',
			type: 'template',
			template: { name: 'hello', language: { code: 'en_US' } },
		});
		const withParams = templateMessageBody({
			to: '+1',
			isBsuid: false,
			templateName: 'h',
			language: 'de',
			components: [{ type: 'body', parameters: [] }],
		});
		expect((withParams.template as { components: unknown[] }).components).toHaveLength(1);
	});

	it('carries the callback data and reply context into the free-form body', () => {
		const template = {
			...templateMessageBody({ to: 'US.1', isBsuid: true, templateName: 'h', language: 'en', components: [] }),
			biz_opaque_callback_data: '{}',
			context: { message_id: 'wamid.X' },
		};
		expect(freeFormMessageBody(template, 'US.1', true, 'Hi Ann')).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			recipient: 'US.1',
			type: 'text',
			text: { preview_url: false, body: 'Hi Ann' },
			biz_opaque_callback_data: '{}',
			context: { message_id: 'wamid.X' },
		});
	});

	it('correlates by key, execution and item', () => {
		expect(correlationData('SO-1', '42', 3)).toBe('{"key":"SO-1","execution":"42","item":3}');
		expect(correlationData('', undefined, 0)).toBe('{"item":0}');
		expect(correlationData('k'.repeat(600), '1', 0).length).toBeGreaterThan(CALLBACK_DATA_MAX);
	});

	it('knows a WhatsApp message id', () => {
		expect(isWhatsAppMessageId('wamid.HBgL=')).toBe(true);
		expect(isWhatsAppMessageId('order-77')).toBe(false);
	});

	it('a window is open only until its expiry', () => {
		const now = Date.parse('2026-12-03T12:00:00Z');
		expect(serviceWindowAt('2026-12-03T13:00:00.000Z', now)).toEqual({
			open: true,
			expiresAt: '2026-12-03T13:00:00.000Z',
		});
		expect(serviceWindowAt('2026-12-03T11:00:00.000Z', now).open).toBe(false);
		expect(serviceWindowAt(undefined, now)).toEqual({ open: false, expiresAt: undefined });
	});
});
