/** The send-keys table's rows as plain data (domain/sendKeyRows.ts). */
import {
	SEND_KEY_COLUMNS,
	completionRow,
	pendingClaimRow,
	sendKeyRowOf,
	type SendKeyIds,
} from '../../nodes/shared/domain/sendKeyRows';

const ids: SendKeyIds = {
	key: 'key-1',
	fingerprint: 'fp-1',
	contactKey: 'ck-1',
	notification: 'shippingStatus order_shipped/en_US from 1065',
};
const NOW = Date.parse('2026-12-03T09:00:00.000Z');
const WINDOW = 24 * 3600 * 1000;

describe('send-key rows', () => {
	it('a pending claim row fills the documented columns but completedAt, and expires with the window', () => {
		const row = pendingClaimRow(ids, 'c1', NOW, WINDOW, { workflowId: 'w1', executionId: 'x1' });
		expect(Object.keys(row).sort()).toEqual(
			SEND_KEY_COLUMNS.map((c) => c.name)
				.filter((n) => n !== 'completedAt')
				.sort(),
		);
		expect(row).toMatchObject({
			status: 'pending',
			claimedAt: '2026-12-03T09:00:00.000Z',
			expiresAtMs: NOW + WINDOW,
			contactKey: 'ck-1',
		});
	});

	it('a completion row carries the claim’s key, claimedAt, contact and expiry, and reads back as the outcome', () => {
		const row = completionRow(
			{ claimId: 'c1', status: 'sent', messageId: 'wamid.1', ids, claimedAt: NOW },
			'2026-12-03T09:00:02.000Z',
			WINDOW,
		);
		expect(row).toEqual({
			key: 'key-1',
			claimId: 'c1',
			status: 'sent',
			messageId: 'wamid.1',
			claimedAt: '2026-12-03T09:00:00.000Z',
			completedAt: '2026-12-03T09:00:02.000Z',
			contactKey: 'ck-1',
			expiresAtMs: NOW + WINDOW,
		});
		expect(sendKeyRowOf({ ...row, id: 4 })).toMatchObject({
			id: 4,
			status: 'sent',
			messageId: 'wamid.1',
			expiresAtMs: NOW + WINDOW,
			fingerprint: undefined,
		});
	});

	it('reads an unknown status as pending, a Date claimedAt as ISO, and an empty expiry as none', () => {
		const key = sendKeyRowOf({
			id: 2,
			key: 'k',
			claimId: 'c',
			status: 'weird',
			claimedAt: new Date(NOW) as unknown as string,
			expiresAtMs: '',
		});
		expect(key).toMatchObject({
			status: 'pending',
			claimedAt: '2026-12-03T09:00:00.000Z',
			expiresAtMs: undefined,
			messageId: undefined,
		});
	});
});
