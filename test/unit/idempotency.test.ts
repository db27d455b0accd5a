import {
	decideAfterClaim,
	decideBeforeClaim,
	deriveIdempotencyKey,
	liveRows,
	stableStringify,
	type ClaimOptions,
	type SendKeyRow,
} from '../../nodes/shared/idempotency';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const opts: ClaimOptions = { resendUnknown: false, now: NOW, staleAfterMs: 120_000 };
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const row = (id: number, status: SendKeyRow['status'], claimedMsAgo: number, extra: Partial<SendKeyRow> = {}): SendKeyRow => ({
	id,
	key: 'k',
	claimId: `c${id}`,
	status,
	claimedAt: ago(claimedMsAgo),
	...extra,
});

describe('deriveIdempotencyKey', () => {
	const body = { messaging_product: 'whatsapp', to: '+491511', type: 'template', template: { name: 't', language: { code: 'en' } } };

	it('ignores the execution-specific callback data, so a retried execution finds the same key', () => {
		const a = deriveIdempotencyKey({ workflowId: 'w', body: { ...body, biz_opaque_callback_data: '{"execution":"1","item":0}' } });
		const b = deriveIdempotencyKey({ workflowId: 'w', body: { ...body, biz_opaque_callback_data: '{"execution":"2","item":3}' } });
		expect(a).toBe(b);
		expect(a).toMatch(/^[0-9a-f]{64}$/);
	});

	it('differs by workflow, content, correlation key and recipient', () => {
		const base = deriveIdempotencyKey({ workflowId: 'w', body });
		expect(deriveIdempotencyKey({ workflowId: 'x', body })).not.toBe(base);
		expect(deriveIdempotencyKey({ workflowId: 'w', body: { ...body, to: '+491512' } })).not.toBe(base);
		const k1 = deriveIdempotencyKey({ workflowId: 'w', correlationKey: 'order-1', body });
		expect(deriveIdempotencyKey({ workflowId: 'w', correlationKey: 'order-2', body })).not.toBe(k1);
		expect(deriveIdempotencyKey({ workflowId: 'w', correlationKey: 'order-1', body: { ...body, to: '+491512' } })).not.toBe(k1);
		// Same correlation key and recipient: same notification even if a variable's text changed.
		expect(deriveIdempotencyKey({ workflowId: 'w', correlationKey: 'order-1', body: { ...body, template: { name: 'u' } } })).toBe(k1);
	});

	it('uses an explicit key as it is, across workflows', () => {
		expect(deriveIdempotencyKey({ workflowId: 'a', explicitKey: 'X', body })).toBe(deriveIdempotencyKey({ workflowId: 'b', explicitKey: 'X', body: {} }));
	});

	it('stableStringify does not depend on key order', () => {
		expect(stableStringify({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(stableStringify({ a: [{ c: 3, d: 2 }], b: 1 }));
	});
});

describe('claim decisions', () => {
	it('a free key is sent', () => {
		expect(decideBeforeClaim([], opts)).toEqual({ action: 'send' });
	});

	it('a sent key is a duplicate with the earlier message id', () => {
		expect(decideBeforeClaim([row(1, 'sent', 5000, { messageId: 'wamid.A' })], opts)).toMatchObject({ action: 'duplicate', messageId: 'wamid.A' });
	});

	it('a failed (certainly not sent) attempt does not block a new one', () => {
		expect(decideBeforeClaim([row(1, 'failed', 5000)], opts)).toEqual({ action: 'send' });
	});

	it('a stale pending attempt is an unknown outcome, unless the user accepts duplicates', () => {
		expect(decideBeforeClaim([row(1, 'pending', 600_000)], opts)).toMatchObject({ action: 'unknown' });
		expect(decideBeforeClaim([row(1, 'pending', 600_000)], { ...opts, resendUnknown: true })).toEqual({ action: 'send' });
	});

	it('a young pending attempt is in flight elsewhere, whatever the user accepts', () => {
		expect(decideBeforeClaim([row(1, 'pending', 1000)], opts)).toMatchObject({ action: 'inFlight' });
		expect(decideBeforeClaim([row(1, 'pending', 1000)], { ...opts, resendUnknown: true })).toMatchObject({ action: 'inFlight' });
	});

	it('after claiming, the oldest live pending claim wins; the others yield', () => {
		const rows = [row(7, 'pending', 0, { claimId: 'mine' }), row(5, 'pending', 0, { claimId: 'theirs' })];
		expect(decideAfterClaim(rows, 'theirs', opts)).toEqual({ action: 'send' });
		expect(decideAfterClaim(rows, 'mine', opts)).toMatchObject({ action: 'inFlight' });
	});

	it('after claiming, a stale pending row does not beat us when the user accepts duplicates', () => {
		const rows = [row(2, 'pending', 600_000, { claimId: 'dead' }), row(9, 'pending', 0, { claimId: 'mine' })];
		expect(decideAfterClaim(rows, 'mine', { ...opts, resendUnknown: true })).toEqual({ action: 'send' });
	});

	it('after claiming, a sent row that appeared meanwhile makes us a duplicate', () => {
		const rows = [row(3, 'sent', 0, { messageId: 'wamid.B' }), row(9, 'pending', 0, { claimId: 'mine' })];
		expect(decideAfterClaim(rows, 'mine', opts)).toMatchObject({ action: 'duplicate', messageId: 'wamid.B' });
	});

	it('rows outside the idempotency window no longer count', () => {
		const rows = [row(1, 'sent', 25 * 3600_000, { messageId: 'wamid.old' }), row(2, 'failed', 1000)];
		expect(liveRows(rows, NOW, 24 * 3600_000).map((r) => r.id)).toEqual([2]);
	});
});
