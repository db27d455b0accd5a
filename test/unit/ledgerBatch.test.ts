import { decideBeforeClaim, type SendKeyRow } from '../../nodes/shared/domain/idempotency';
import { newestWindow } from '../../nodes/shared/domain/ledgerRows';
import { foldCompletions } from '../../nodes/shared/domain/sendKeyRows';
import { chunks, KEYS_PER_READ } from '../../nodes/shared/io/ledger/ledgerBatch';

const claimRow = (
	id: number,
	claimId: string,
	status: SendKeyRow['status'],
	extra: Partial<SendKeyRow> = {},
): SendKeyRow => ({
	id,
	key: 'k',
	claimId,
	status,
	claimedAt: '2026-12-03T09:00:00.000Z',
	fingerprint: 'f1',
	...extra,
});

describe('batched ledger reads', () => {
	it('chunks a list into runs of at most the given size, in order', () => {
		expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
		expect(chunks([], 40)).toEqual([]);
	});

	it('a read of KEYS_PER_READ 64-character keys stays under n8n’s 16 KiB request-header limit', () => {
		const filter = {
			type: 'or',
			filters: Array.from({ length: KEYS_PER_READ }, (_, i) => ({
				columnName: 'contactKey',
				condition: 'eq',
				value: String(i).padStart(64, 'a'),
			})),
		};
		expect(encodeURIComponent(JSON.stringify(filter)).length).toBeLessThan(8 * 1024);
	});

	it('picks the newest window row and ignores consent rows', () => {
		expect(
			newestWindow([
				{
					purpose: 'serviceWindow',
					lastInboundAt: '2026-12-01T10:00:00.000Z',
					windowExpiresAt: '2026-12-02T10:00:00.000Z',
				},
				{ purpose: 'allUtility', lastInboundAt: '2026-12-03T10:00:00.000Z' },
				{
					purpose: 'serviceWindow',
					lastInboundAt: '2026-12-02T10:00:00.000Z',
					windowExpiresAt: '2026-12-03T10:00:00.000Z',
				},
			]),
		).toEqual({ lastInboundAt: '2026-12-02T10:00:00.000Z', windowExpiresAt: '2026-12-03T10:00:00.000Z' });
		expect(newestWindow([])).toEqual({});
	});
});

describe('completion rows fold into their claim', () => {
	it('a sent completion row makes the claim sent, keeping the claim’s row id (its place in the order)', () => {
		const folded = foldCompletions([
			claimRow(7, 'c1', 'pending'),
			claimRow(3, 'c0', 'pending'),
			claimRow(9, 'c1', 'sent', { messageId: 'wamid.1' }),
		]);
		expect(folded).toEqual([
			expect.objectContaining({ id: 3, claimId: 'c0', status: 'pending' }),
			expect.objectContaining({ id: 7, claimId: 'c1', status: 'sent', messageId: 'wamid.1' }),
		]);
		// The next run sees the send: a duplicate, never a second message.
		expect(
			decideBeforeClaim(
				foldCompletions([claimRow(7, 'c1', 'pending'), claimRow(9, 'c1', 'sent', { messageId: 'wamid.1' })]),
				{ now: Date.parse('2026-12-03T09:00:01Z'), resendUnknown: false, staleAfterMs: 60_000 },
				{ fingerprint: 'f1', contactKey: '', notification: '' },
			),
		).toMatchObject({ action: 'duplicate', messageId: 'wamid.1' });
	});

	it('a failed completion frees the key; a sent outcome is never taken back by a later failed row', () => {
		expect(foldCompletions([claimRow(1, 'c1', 'pending'), claimRow(2, 'c1', 'failed')])).toEqual([
			expect.objectContaining({ id: 1, status: 'failed' }),
		]);
		expect(
			foldCompletions([
				claimRow(1, 'c1', 'pending'),
				claimRow(2, 'c1', 'sent', { messageId: 'wamid.2' }),
				claimRow(3, 'c1', 'failed'),
			]),
		).toEqual([expect.objectContaining({ id: 1, status: 'sent', messageId: 'wamid.2' })]);
	});

	it('claims without completion rows stay as they are (rows updated in place by the earlier version)', () => {
		const rows = [claimRow(1, 'a', 'sent', { messageId: 'wamid.a' }), claimRow(2, 'b', 'pending')];
		expect(foldCompletions(rows)).toEqual(rows);
	});
});
