import {
	decideAfterClaim,
	decideBeforeClaim,
	liveRows,
	stableStringify,
	type ClaimOptions,
	type OwnClaim,
	type SendKeyRow,
} from '../../nodes/shared/domain/idempotency';
import { expiredFilter } from '../../nodes/shared/domain/sendKeyRows';
import { contactKeyOf, sendKeyIds } from '../../nodes/shared/io/ledger';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const opts: ClaimOptions = { resendUnknown: false, now: NOW, staleAfterMs: 120_000 };
const mine: OwnClaim = {
	fingerprint: 'fp-this-message',
	contactKey: 'ck-maria',
	notification: 'shippingStatus order_shipped/en_US from 1065',
};
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const row = (
	id: number,
	status: SendKeyRow['status'],
	claimedMsAgo: number,
	extra: Partial<SendKeyRow> = {},
): SendKeyRow => ({
	id,
	key: 'k',
	claimId: `c${id}`,
	status,
	claimedAt: ago(claimedMsAgo),
	contactKey: mine.contactKey,
	fingerprint: mine.fingerprint,
	notification: mine.notification,
	...extra,
});

const SECRET = 'unit-send-key-secret-0123456789';
const bodyOf = (templateName: string): Record<string, unknown> => ({
	messaging_product: 'whatsapp',
	to: '+4915123456001',
	type: 'template',
	template: {
		name: templateName,
		language: { code: 'en_US' },
		components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }] }],
	},
	biz_opaque_callback_data: '{"key":"SO-1001","execution":"1","item":0}',
});
type Identity = Parameters<typeof sendKeyIds>[0];
/** One order of a shop: what the Send Notification node knows about each of its notifications. */
const identityOf = (templateName: string, overrides: Partial<Identity> = {}): Identity => ({
	workflowId: 'wf-shop',
	correlationKey: 'SO-1001',
	recipient: '+4915123456001',
	senderId: '106540352242922',
	notificationType: 'shippingStatus',
	templateName,
	templateLanguage: 'en_US',
	body: bodyOf(templateName),
	...overrides,
});
const order = (templateName: string, overrides: Partial<Identity> = {}) =>
	sendKeyIds(identityOf(templateName, overrides), SECRET);

describe('send keys: what makes a notification distinct', () => {
	it('one order: confirmation, shipping and delivery are three keys (same workflow, correlation key and recipient)', () => {
		const keys = ['order_confirmed', 'order_shipped', 'order_delivered'].map((t) => order(t).key);
		expect(new Set(keys).size).toBe(3);
	});

	it('language, notification type, sender and recipient each make another key', () => {
		const base = order('order_shipped').key;
		expect(order('order_shipped', { templateLanguage: 'pt_BR' }).key).not.toBe(base);
		expect(order('order_shipped', { notificationType: 'accountUpdate' }).key).not.toBe(base);
		expect(order('order_shipped', { senderId: '106540352242923' }).key).not.toBe(base);
		expect(order('order_shipped', { recipient: '+4915123456002' }).key).not.toBe(base);
		expect(order('order_shipped', { correlationKey: 'SO-1002' }).key).not.toBe(base);
		expect(order('order_shipped', { workflowId: 'wf-other' }).key).not.toBe(base);
	});

	it('a retried execution finds the same key and fingerprint (the callback data is left out)', () => {
		const retried = order('order_shipped', {
			body: { ...bodyOf('order_shipped'), biz_opaque_callback_data: '{"key":"SO-1001","execution":"2","item":3}' },
		});
		expect(retried.key).toBe(order('order_shipped').key);
		expect(retried.fingerprint).toBe(order('order_shipped').fingerprint);
	});

	it('under one correlation key a changed variable keeps the key but changes the fingerprint (a collision, not a duplicate)', () => {
		const changed = order('order_shipped', {
			body: {
				...bodyOf('order_shipped'),
				template: {
					name: 'order_shipped',
					language: { code: 'en_US' },
					components: [{ type: 'body', parameters: [{ type: 'text', text: 'Mario' }] }],
				},
			},
		});
		expect(changed.key).toBe(order('order_shipped').key);
		expect(changed.fingerprint).not.toBe(order('order_shipped').fingerprint);
	});

	it('an explicit key is the key alone, across workflows, recipients and templates', () => {
		const a = order('order_shipped', { explicitKey: 'SO-1001' });
		const b = order('order_delivered', { explicitKey: 'SO-1001', workflowId: 'x', recipient: '+4915123456002' });
		expect(a.key).toBe(b.key);
		expect(a.fingerprint).not.toBe(b.fingerprint);
	});

	it('everything is keyed with the Contact Key Secret: no unsalted hash, and the contactKey is the consent tables’ one', () => {
		const ids = order('order_shipped');
		const other = sendKeyIds({ ...identityOf('order_shipped') }, 'another-secret-0123456789');
		expect(other.key).not.toBe(ids.key);
		expect(other.fingerprint).not.toBe(ids.fingerprint);
		expect(ids.contactKey).toBe(contactKeyOf('+4915123456001', SECRET));
		expect(ids.key).toMatch(/^[0-9a-f]{64}$/);
		expect(ids.fingerprint).toMatch(/^[0-9a-f]{32}$/);
		expect(ids.notification).toBe('shippingStatus order_shipped/en_US from 106540352242922');
		expect(JSON.stringify(ids)).not.toContain('4915123456001');
	});

	it('without a correlation key the content is the key', () => {
		const a = order('order_shipped', { correlationKey: undefined });
		const b = order('order_shipped', {
			correlationKey: undefined,
			body: { ...bodyOf('order_shipped'), context: { message_id: 'wamid.X' } },
		});
		expect(a.key).not.toBe(b.key);
	});

	it('stableStringify does not depend on key order', () => {
		expect(stableStringify({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(stableStringify({ a: [{ c: 3, d: 2 }], b: 1 }));
	});
});

describe('claim decisions', () => {
	it('a free key is sent', () => {
		expect(decideBeforeClaim([], opts, mine)).toEqual({ action: 'send' });
	});

	it('a sent key is a duplicate with the earlier message id', () => {
		expect(decideBeforeClaim([row(1, 'sent', 5000, { messageId: 'wamid.A' })], opts, mine)).toMatchObject({
			action: 'duplicate',
			messageId: 'wamid.A',
		});
	});

	it('a failed (certainly not sent) attempt does not block a new one', () => {
		expect(decideBeforeClaim([row(1, 'failed', 5000)], opts, mine)).toEqual({ action: 'send' });
	});

	it('a stale pending attempt is an unknown outcome, unless the user accepts duplicates', () => {
		expect(decideBeforeClaim([row(1, 'pending', 600_000)], opts, mine)).toMatchObject({ action: 'unknown' });
		expect(decideBeforeClaim([row(1, 'pending', 600_000)], { ...opts, resendUnknown: true }, mine)).toEqual({
			action: 'send',
		});
	});

	it('a young pending attempt is in flight elsewhere, whatever the user accepts', () => {
		expect(decideBeforeClaim([row(1, 'pending', 1000)], opts, mine)).toMatchObject({ action: 'inFlight' });
		expect(decideBeforeClaim([row(1, 'pending', 1000)], { ...opts, resendUnknown: true }, mine)).toMatchObject({
			action: 'inFlight',
		});
	});

	it('after claiming, the oldest live pending claim wins; the others yield', () => {
		const rows = [row(7, 'pending', 0, { claimId: 'mine' }), row(5, 'pending', 0, { claimId: 'theirs' })];
		expect(decideAfterClaim(rows, 'theirs', opts, mine)).toEqual({ action: 'send' });
		expect(decideAfterClaim(rows, 'mine', opts, mine)).toMatchObject({ action: 'inFlight' });
	});

	it('after claiming, a stale pending row does not beat us when the user accepts duplicates', () => {
		const rows = [row(2, 'pending', 600_000, { claimId: 'dead' }), row(9, 'pending', 0, { claimId: 'mine' })];
		expect(decideAfterClaim(rows, 'mine', { ...opts, resendUnknown: true }, mine)).toEqual({ action: 'send' });
	});

	it('after claiming, a sent row that appeared meanwhile makes us a duplicate', () => {
		const rows = [row(3, 'sent', 0, { messageId: 'wamid.B' }), row(9, 'pending', 0, { claimId: 'mine' })];
		expect(decideAfterClaim(rows, 'mine', opts, mine)).toMatchObject({ action: 'duplicate', messageId: 'wamid.B' });
	});

	it('a sent key of a different message is a collision naming what differs, never a duplicate', () => {
		const delivered = row(1, 'sent', 5000, {
			messageId: 'wamid.A',
			fingerprint: 'fp-other',
			notification: 'shippingStatus order_delivered/en_US from 1065',
			workflowId: 'wf9',
			executionId: '77',
		});
		const decision = decideBeforeClaim([delivered], opts, mine);
		expect(decision).toMatchObject({ action: 'collision' });
		const reason = (decision as { reason: string }).reason;
		expect(reason).toContain('wamid.A');
		expect(reason).toContain('workflow wf9, execution 77');
		expect(reason).toContain(
			'earlier: shippingStatus order_delivered/en_US from 1065; now: shippingStatus order_shipped/en_US from 1065',
		);
		const otherPerson = decideBeforeClaim(
			[row(1, 'sent', 5000, { messageId: 'wamid.A', fingerprint: 'fp-other', contactKey: 'ck-ana' })],
			opts,
			mine,
		);
		expect((otherPerson as { reason: string }).reason).toMatch(/another recipient/);
		const otherVariables = decideBeforeClaim(
			[row(1, 'sent', 5000, { messageId: 'wamid.A', fingerprint: 'fp-other' })],
			opts,
			mine,
		);
		expect((otherVariables as { reason: string }).reason).toMatch(
			/same recipient and shippingStatus order_shipped\/en_US from 1065, but different variables/,
		);
	});

	it('an attempt of a different message under way or unknown is a collision too; a failed one is not', () => {
		expect(decideBeforeClaim([row(1, 'pending', 1000, { fingerprint: 'fp-other' })], opts, mine)).toMatchObject({
			action: 'collision',
		});
		expect(
			decideBeforeClaim(
				[row(1, 'pending', 600_000, { fingerprint: 'fp-other' })],
				{ ...opts, resendUnknown: true },
				mine,
			),
		).toMatchObject({ action: 'collision' });
		expect(decideBeforeClaim([row(1, 'failed', 1000, { fingerprint: 'fp-other' })], opts, mine)).toEqual({
			action: 'send',
		});
	});

	it('after claiming, a different message that won the race is a collision', () => {
		const theirs = row(5, 'pending', 0, { claimId: 'theirs', fingerprint: 'fp-other' });
		expect(decideAfterClaim([row(7, 'pending', 0, { claimId: 'mine' }), theirs], 'mine', opts, mine)).toMatchObject({
			action: 'collision',
		});
		expect(
			decideAfterClaim(
				[
					row(7, 'pending', 0, { claimId: 'mine' }),
					row(3, 'sent', 0, { messageId: 'wamid.B', fingerprint: 'fp-other' }),
				],
				'mine',
				opts,
				mine,
			),
		).toMatchObject({ action: 'collision' });
	});

	it('rows written without a fingerprint (by hand) are compared by key only', () => {
		expect(
			decideBeforeClaim([row(1, 'sent', 5000, { messageId: 'wamid.A', fingerprint: undefined })], opts, mine),
		).toMatchObject({ action: 'duplicate' });
	});

	it('a row stops counting at its own expiry (the window of the send that wrote it), where the purge deletes it', () => {
		const rows = [
			row(1, 'sent', 2 * 3600_000, { messageId: 'wamid.short', expiresAtMs: NOW - 3600_000 }),
			row(2, 'sent', 2 * 3600_000, { messageId: 'wamid.long', expiresAtMs: NOW + 3600_000 }),
		];
		expect(liveRows(rows, NOW, 24 * 3600_000).map((r) => r.id)).toEqual([2]);
		expect(expiredFilter(NOW)).toEqual({
			type: 'or',
			filters: [
				{ columnName: 'expiresAtMs', condition: 'lt', value: NOW },
				{ columnName: 'expiresAtMs', condition: 'isEmpty', value: null },
			],
		});
	});

	it('rows outside the idempotency window no longer count', () => {
		const rows = [row(1, 'sent', 25 * 3600_000, { messageId: 'wamid.old' }), row(2, 'failed', 1000)];
		expect(liveRows(rows, NOW, 24 * 3600_000).map((r) => r.id)).toEqual([2]);
	});
});
