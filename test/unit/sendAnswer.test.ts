import { NodeOperationError, type INode } from 'n8n-workflow';

import { outcomeItem, refusedItem, summary } from '../../nodes/SendNotification/actions/answer';
import type { PreparedSend } from '../../nodes/SendNotification/actions/prepare';
import { getNotificationType } from '../../nodes/shared/domain/notificationTypes';
import { estimateCost } from '../../nodes/shared/domain/pricing';
import { failureFromGraph } from '../../nodes/shared/domain/sendFailures';

const FIELDS = ['code', 'title', 'message', 'description', 'retryable', 'outcome', 'fbtrace_id'];
const node: INode = { id: '1', name: 'Send', type: 'test', typeVersion: 2, position: [0, 0], parameters: {} };

const send: PreparedSend = {
	itemIndex: 2,
	recipientInput: '+49 151 2345 6789',
	to: '+4915123456789',
	senderId: '1234',
	type: getNotificationType('shippingStatus')!,
	template: {
		id: '9',
		name: 'shipping_update',
		language: 'en_US',
		status: 'APPROVED',
		category: 'utility',
		components: [],
	},
	body: {},
	renderedText: 'Your order ships',
	cost: estimateCost('+4915123456789', 'UTILITY'),
	correlation: '{"item":2}',
	contentWarnings: [],
	explicitIdempotencyKey: false,
};

describe("Send Notification's output items", () => {
	it('a failed send: the seven error fields, then its attempts, with the summary, paired with its item', () => {
		const failure = failureFromGraph({ message: 'Rate limit hit', code: 130429, fbtrace_id: 'T' }, 429, false);
		const item = outcomeItem({ status: 'failed', send, failure, attempts: 4 });
		expect(Object.keys(item.json.error as object)).toEqual([...FIELDS, 'attempts']);
		expect(item.json.error).toMatchObject({ code: 130429, fbtrace_id: 'T', outcome: 'not_sent', attempts: 4 });
		expect(item.json).toMatchObject({ to: '+4915123456789', template: { category: 'UTILITY' } });
		expect(item.pairedItem).toEqual({ item: 2 });
	});

	it('a send not attempted after an earlier failure has the same seven fields', () => {
		const item = outcomeItem({ status: 'skipped', send });
		expect(Object.keys(item.json.error as object)).toEqual(FIELDS);
		expect(item.json.error).toEqual({
			code: null,
			title: 'Not attempted',
			message: 'Sending stopped after an earlier failure',
			description: null,
			retryable: true,
			outcome: 'not_sent',
			fbtrace_id: null,
		});
	});

	it('an item refused before sending carries the refusal and its fix', () => {
		const item = refusedItem(
			1,
			new NodeOperationError(node, 'Invalid recipient', { description: 'Use +', itemIndex: 1 }),
		);
		expect(item.json.error).toMatchObject({
			title: 'Refused before sending',
			message: 'Invalid recipient',
			description: 'Use +',
			outcome: 'not_sent',
		});
		expect(item.pairedItem).toEqual({ item: 1 });
	});

	it('a sent message says how, and a duplicate names the earlier message', () => {
		const sent = outcomeItem({
			status: 'sent',
			send,
			messageId: 'wamid.A',
			acceptedAt: 'now',
			attempts: 1,
			messageType: 'template',
		});
		expect(sent.json).toMatchObject({
			messageId: 'wamid.A',
			waId: null,
			messageStatus: null,
			attempts: 1,
			...summary(send),
		});
		const duplicate = outcomeItem({ status: 'duplicate', send, messageId: 'wamid.B', sentAt: 'then' });
		expect(duplicate.json).toMatchObject({ messageId: 'wamid.B', duplicate: true, idempotencyKey: null });
	});
});
