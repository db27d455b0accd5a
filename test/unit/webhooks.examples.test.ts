/**
 * Every webhook example of Meta's documentation and of Meta's OpenAPI spec (copied into test/fixtures/meta) parses
 * into the documented events.
 */
import docs from '../fixtures/meta/meta_docs_webhook_examples.json';
import openapi from '../fixtures/meta/webhook_examples_from_facebook_openapi.json';
import { parseWebhookBody, processWebhook, type WebhookEvent } from '../../nodes/shared/domain/webhooks';

type Json = Record<string, any>;
const NOW = Date.parse('2026-11-20T10:00:00.000Z');

function eventsOf(example: Json): WebhookEvent[] {
	const { _doc, ...payload } = example;
	void _doc;
	const parsed = parseWebhookBody(JSON.stringify(payload));
	if (!parsed.ok) throw new Error(parsed.reason);
	return processWebhook(parsed.payload, { now: NOW }).events;
}

const envelopes = (all: Json) =>
	Object.entries(all).filter(([k, v]) => !k.startsWith('_') && v && typeof v === 'object' && Array.isArray(v.entry));

describe('every example is read without loss', () => {
	it.each([...envelopes(docs), ...envelopes(openapi)])('%s', (_name, example) => {
		const events = eventsOf(example as Json);
		expect(events.length).toBeGreaterThan(0);
		for (const e of events) {
			expect(typeof e.eventId).toBe('string');
			expect(e.eventId.length).toBeGreaterThan(0);
			expect(e.businessAccountId).toBe((example as Json).entry[0].id);
		}
		// Every message and status of the payload has its own event.
		const value = (example as Json).entry[0].changes[0].value;
		const messages = (value.messages ?? []).length;
		const statuses = (value.statuses ?? []).length;
		expect(events.filter((e) => e.event === 'messageReceived')).toHaveLength(messages);
		expect(events.filter((e) => e.event === 'statusUpdate')).toHaveLength(statuses);
	});

	it('covers all examples of both files', () => {
		expect(envelopes(docs).length).toBe(10);
		expect(envelopes(openapi).length).toBe(16);
	});
});

const docEvents = (name: string) => eventsOf((docs as Json)[name]);
const apiEvents = (name: string) => eventsOf((openapi as Json)[name]);

describe('statuses (Meta docs)', () => {
	it('sent, v23 style: pricing and conversation', () => {
		expect(docEvents('status_sent_marketing_v23_style')).toEqual([
			expect.objectContaining({
				event: 'statusUpdate',
				status: 'sent',
				messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
				occurredAt: new Date(1750030073 * 1000).toISOString(),
				contact: { key: '16505551234', waId: '16505551234' },
				phoneNumberId: '106540352242922',
				displayPhoneNumber: '15550783881',
				pricing: { billable: true, pricingModel: 'PMP', type: 'regular', category: 'marketing' },
				conversation: {
					id: '72b14d6bd5407799e66f64d1b338e567',
					expiresAt: new Date(1750116480 * 1000).toISOString(),
					originType: 'marketing',
				},
			}),
		]);
	});

	it('v24 without conversation and pricing', () => {
		const [e] = docEvents('status_v24_without_conversation_and_pricing') as Json[];
		expect(e).toMatchObject({ event: 'statusUpdate', status: 'sent' });
		expect(e.pricing).toBeUndefined();
		expect(e.conversation).toBeUndefined();
		expect(e.correlation).toBeUndefined();
	});

	it('failed 131049: the error explained from the error table', () => {
		const [e] = docEvents('status_failed_131049') as Json[];
		expect(e).toMatchObject({
			event: 'statusUpdate',
			status: 'failed',
			error: {
				code: 131049,
				details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
				href: '/documentation/business-messaging/whatsapp/support/error-codes',
				retry: 'retry-later',
				meaning: expect.stringContaining('healthy ecosystem'),
				userMessage: expect.stringContaining('24 hours'),
			},
		});
		expect(e.errors).toHaveLength(1);
	});
});

describe('asynchronous errors 131047, 131026, 131050 and the correlation key', () => {
	const failed = (code: number) =>
		eventsOf({
			object: 'whatsapp_business_account',
			entry: [
				{
					id: 'W',
					changes: [
						{
							field: 'messages',
							value: {
								metadata: { phone_number_id: 'PN', display_phone_number: '1555' },
								statuses: [
									{
										id: 'wamid.F',
										status: 'failed',
										timestamp: '1750000000',
										recipient_id: '4915100000001',
										biz_opaque_callback_data: '{"key":"SO-1","execution":"99","item":2}',
										errors: [{ code, title: 't', message: 'm', error_data: { details: 'd' } }],
									},
								],
							},
						},
					],
				},
			],
		}) as Json[];

	it.each([
		[131047, 'Send an approved template'],
		[131026, 'another channel'],
		[131050, 'marketing opt-out'],
	])('%p is explained', (code, advice) => {
		const [status] = failed(code);
		expect(status.error).toMatchObject({ code, userMessage: expect.stringContaining(advice) });
		expect(status.correlation).toEqual({
			raw: '{"key":"SO-1","execution":"99","item":2}',
			key: 'SO-1',
			executionId: '99',
			itemIndex: 2,
		});
	});

	it('131050 is also an opt-out (marketing) request', () => {
		const events = failed(131050);
		expect(events.map((e) => e.event)).toEqual(['statusUpdate', 'optOutRequest']);
		expect(events[1]).toMatchObject({
			source: 'error131050',
			scope: 'marketing',
			messageId: 'wamid.F',
			contact: { waId: '4915100000001' },
			correlation: { key: 'SO-1' },
			evidence: 'd',
		});
		expect(failed(131047).map((e) => e.event)).toEqual(['statusUpdate']);
	});
});

describe('template updates (Meta docs)', () => {
	it('status update: approved and rejected with reason', () => {
		expect(docEvents('message_template_status_update_approved')[0]).toMatchObject({
			event: 'templateUpdate',
			updateType: 'status',
			status: 'APPROVED',
			templateId: expect.any(String),
		});
		expect(docEvents('message_template_status_update_rejected_invalid_format')[0]).toMatchObject({
			event: 'templateUpdate',
			updateType: 'status',
			status: 'REJECTED',
			reason: 'INVALID_FORMAT',
			templateId: '1689556908129835',
			templateName: 'abandoned_cart',
			language: 'en',
			category: 'MARKETING',
			rejectionInfo: { reason: expect.stringContaining('parameters') },
		});
	});

	it('category update: only the completed form switches the category', () => {
		expect(docEvents('template_category_update_impending')[0]).toMatchObject({
			updateType: 'category',
			categoryChanged: false,
			category: 'UTILITY',
			upcomingCategory: 'MARKETING',
			effectiveAt: new Date(1746169200 * 1000).toISOString(),
		});
		expect(docEvents('template_category_update_completed')[0]).toMatchObject({
			updateType: 'category',
			categoryChanged: true,
			category: 'MARKETING',
			previousCategory: 'UTILITY',
		});
	});

	it('quality update', () => {
		expect(docEvents('message_template_quality_update')[0]).toMatchObject({
			updateType: 'quality',
			previousQualityScore: 'GREEN',
			newQualityScore: 'YELLOW',
			templateName: 'order_confirmation',
			language: 'en_US',
		});
	});

	it('account updates pass through as other updates', () => {
		expect(docEvents('account_update_volume_tier')[0]).toMatchObject({
			event: 'otherUpdate',
			field: 'account_update',
			value: { event: 'VOLUME_BASED_PRICING_TIER_UPDATE' },
		});
	});
});

describe('inbound messages (Meta docs and OpenAPI)', () => {
	const first = (events: Array<WebhookEvent | Json>) =>
		(events as Json[]).find((e) => e.event === 'messageReceived') as Json;

	it('text: Message Received + Window Opened, with name and wa_id', () => {
		const events = docEvents('inbound_text_message');
		expect(events.map((e) => e.event)).toEqual(['messageReceived', 'windowOpened']);
		expect(first(apiEvents('Text Message'))).toMatchObject({
			type: 'text',
			text: 'Does it come in another color?',
			contact: { key: '16505551234', waId: '16505551234', name: 'Sheena Nelson' },
			occurredAt: new Date(1749416383 * 1000).toISOString(),
		});
	});

	it('text with product context', () => {
		expect(first(apiEvents('Text Message with Context (Product Inquiry)'))).toMatchObject({
			context: {
				from: '15550783881',
				referredProduct: { catalog_id: '194836987003835', product_retailer_id: 'di9ozbzfi4' },
			},
		});
	});

	it('click-to-WhatsApp ad: referral and the free-entry-point window', () => {
		const events = apiEvents('Text Message from Click to WhatsApp Ad') as Json[];
		expect(first(events)).toMatchObject({
			fromAdReferral: true,
			referral: { source_type: 'ad', ctwa_clid: expect.any(String) },
		});
		const window = events.find((e) => e.event === 'windowOpened');
		expect(window).toMatchObject({
			fromAdReferral: true,
			freeEntryPoint: { windowHours: 72, replyBefore: window?.expiresAt },
		});
	});

	it('reaction', () => {
		expect(first(apiEvents('Reaction Message'))).toMatchObject({
			type: 'reaction',
			reaction: { messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA', emoji: '👍' },
		});
	});

	it('image: media id and mime type', () => {
		expect(first(apiEvents('Image Message'))).toMatchObject({
			type: 'image',
			text: 'Taj Mahal',
			media: { id: '1003383421387256', mimeType: 'image/jpeg', caption: 'Taj Mahal', sha256: expect.any(String) },
		});
	});

	it('location', () => {
		expect(first(apiEvents('Location Message'))).toMatchObject({
			type: 'location',
			location: { name: 'Philz Coffee', latitude: 37.44221496582 },
		});
	});

	it('contacts', () => {
		const msg = first(apiEvents('Contact Sharing Message'));
		expect(msg.type).toBe('contacts');
		expect(msg.contacts[0]).toMatchObject({ name: { formatted_name: 'Lucía Gómez' } });
	});

	it('unsupported: the error explained', () => {
		expect(first(apiEvents('Unsupported Message'))).toMatchObject({
			type: 'unsupported',
			errors: [{ code: 131051, title: 'Message type unknown' }],
		});
	});

	it('button "Unsubscribe": payload and an opt-out request', () => {
		const events = apiEvents('Button Message') as Json[];
		expect(first(events)).toMatchObject({
			type: 'button',
			payload: 'Unsubscribe',
			text: 'Unsubscribe',
			context: { from: '15550783881', messageId: expect.stringMatching(/^wamid\./) },
		});
		expect(events.map((e) => e.event)).toEqual(['messageReceived', 'optOutRequest', 'windowOpened']);
		expect(events[1]).toMatchObject({
			source: 'buttonPayload',
			keyword: 'unsubscribe',
			language: 'en',
			scope: 'all',
			evidence: 'Unsubscribe',
		});
	});

	it('interactive list reply and button reply: id as payload; a "Cancel" button is no opt-out', () => {
		expect(first(apiEvents('Interactive List Reply Message'))).toMatchObject({
			type: 'interactive',
			payload: 'priority_express',
			text: 'Priority Mail Express',
			interactive: { type: 'list_reply' },
		});
		const events = apiEvents('Interactive Button Reply Message');
		expect(first(events)).toMatchObject({ payload: 'cancel-button', text: 'Cancel' });
		expect(events.map((e) => e.event)).toEqual(['messageReceived', 'windowOpened']);
	});

	it('order', () => {
		expect(first(apiEvents('Order Message'))).toMatchObject({
			type: 'order',
			order: { catalog_id: '194836987003835', product_items: expect.any(Array) },
		});
	});

	it('system: no contacts array, and no window', () => {
		const events = apiEvents('System Message');
		expect(events.map((e) => e.event)).toEqual(['messageReceived']);
		expect(first(events)).toMatchObject({
			type: 'system',
			system: { type: 'user_changed_number', wa_id: '12195555358' },
			contact: { waId: '16505551234' },
		});
	});

	it('group webhooks pass through as other updates', () => {
		for (const name of ['Group Create Message', 'Group Settings Update', 'Group Remove Participants']) {
			const [e] = apiEvents(name);
			expect(e).toMatchObject({ event: 'otherUpdate', field: expect.stringMatching(/^group_/) });
		}
	});
});
