/**
 * The rows of the ledger's `<prefix>_send_keys` data table (Send Notification's idempotency keys) as plain data: the
 * columns, a stored row as a SendKeyRow, the claim and completion rows, and the purge filter. The store that reads
 * and writes them is nodes/shared/io/ledger/sendKeys.ts.
 */
import type { OwnClaim, SendKeyRow, SendKeyStatus } from './idempotency';
import { cellText, type ColumnSpec, type Row, type RowFilter } from './ledgerRows';

export const SEND_KEY_COLUMNS: readonly ColumnSpec[] = [
	{
		name: 'key',
		type: 'string',
		description:
			'HMAC-SHA256 (Contact Key Secret) of the idempotency key: workflow, recipient, sender, type, template and language plus the Correlation Key (or the content), or the Idempotency Key option',
	},
	{ name: 'claimId', type: 'string', description: 'Random id of one attempt to send under the key' },
	{
		name: 'status',
		type: 'string',
		description: 'pending (request under way or outcome unknown), sent, failed (certainly not sent)',
	},
	{ name: 'messageId', type: 'string', description: 'The wamid Meta returned' },
	{ name: 'claimedAt', type: 'date', description: 'When the attempt started' },
	{ name: 'completedAt', type: 'date', description: 'When the outcome was recorded' },
	{ name: 'workflowId', type: 'string', description: 'Workflow that sent' },
	{ name: 'executionId', type: 'string', description: 'Execution that sent' },
	{
		name: 'contactKey',
		type: 'string',
		description: 'The recipient, as in the consent tables (HMAC of the contact id): Erase Contact deletes these rows',
	},
	{
		name: 'fingerprint',
		type: 'string',
		description: 'HMAC of the message content: the same key with other content is a collision, never a duplicate',
	},
	{
		name: 'notification',
		type: 'string',
		description: 'Notification type, template/language and sender id, to say what collided',
	},
	{
		name: 'expiresAtMs',
		type: 'number',
		description: 'claimedAt + the idempotency window, in Unix milliseconds: the purge deletes the row after it',
	},
];

/** The ids a send is claimed under. */
export interface SendKeyIds extends OwnClaim {
	key: string;
}

/** A stored row as a send key; an unknown status counts as pending (the outcome is not known). */
export function sendKeyRowOf(row: Row): SendKeyRow {
	const claimedAt = row.claimedAt instanceof Date ? row.claimedAt.toISOString() : cellText(row.claimedAt);
	const expires =
		row.expiresAtMs === null || row.expiresAtMs === undefined || row.expiresAtMs === '' ? NaN : Number(row.expiresAtMs);
	const status = cellText(row.status);
	return {
		id: Number(row.id ?? 0),
		key: cellText(row.key),
		claimId: cellText(row.claimId),
		status: (['pending', 'sent', 'failed'].includes(status) ? status : 'pending') as SendKeyStatus,
		messageId: cellText(row.messageId) || undefined,
		claimedAt,
		executionId: cellText(row.executionId) || undefined,
		workflowId: cellText(row.workflowId) || undefined,
		contactKey: cellText(row.contactKey) || undefined,
		fingerprint: cellText(row.fingerprint) || undefined,
		notification: cellText(row.notification) || undefined,
		expiresAtMs: Number.isFinite(expires) ? expires : undefined,
	};
}

/** The pending row of one attempt to send under a key: expires with the idempotency window. */
export function pendingClaimRow(
	ids: SendKeyIds,
	claimId: string,
	now: number,
	windowMs: number,
	meta: { workflowId: string; executionId: string },
): Row {
	return {
		key: ids.key,
		claimId,
		status: 'pending',
		messageId: '',
		claimedAt: new Date(now).toISOString(),
		workflowId: meta.workflowId,
		executionId: meta.executionId,
		contactKey: ids.contactKey,
		fingerprint: ids.fingerprint,
		notification: ids.notification,
		expiresAtMs: now + windowMs,
	};
}

export interface ClaimOutcome {
	claimId: string;
	status: 'sent' | 'failed';
	messageId?: string;
	ids?: SendKeyIds;
	claimedAt?: number;
}

/**
 * The completion row of a claim (same key, claimId, claimedAt, contactKey and expiry as the claim), which readers fold
 * into the claim (foldCompletions). Only what readers, the purge and Erase Contact need: the claim row holds the rest.
 */
export function completionRow(
	outcome: ClaimOutcome & { ids: SendKeyIds; claimedAt: number },
	completedAt: string,
	windowMs: number,
): Row {
	return {
		key: outcome.ids.key,
		claimId: outcome.claimId,
		status: outcome.status,
		messageId: outcome.messageId ?? '',
		claimedAt: new Date(outcome.claimedAt).toISOString(),
		completedAt,
		contactKey: outcome.ids.contactKey,
		expiresAtMs: outcome.claimedAt + windowMs,
	};
}

/** Rows past their expiry, and rows of the earlier version (no expiry, unkeyed): never read again, so purged. */
export function expiredFilter(now: number): RowFilter {
	return {
		type: 'or',
		filters: [
			{ columnName: 'expiresAtMs', condition: 'lt', value: now },
			{ columnName: 'expiresAtMs', condition: 'isEmpty', value: null },
		],
	};
}

/**
 * A claim's outcome may be a second row with the same claimId (completeMany) instead of an update of the claim
 * row: fold it into the claim, keeping the claim's row id (its place in the oldest-claim-wins order).
 */
export function foldCompletions(rows: readonly SendKeyRow[]): SendKeyRow[] {
	const byClaim = new Map<string, SendKeyRow>();
	const done = (row: SendKeyRow) => row.status === 'sent' || row.status === 'failed';
	for (const row of [...rows].sort((a, b) => a.id - b.id)) {
		const first = row.claimId ? byClaim.get(row.claimId) : undefined;
		if (!first) {
			byClaim.set(row.claimId || `#${row.id}`, { ...row });
			continue;
		}
		// sent wins over failed wins over pending: an outcome once recorded is never taken back.
		if (done(row) && (first.status !== 'sent' || row.status === 'sent')) {
			first.status = first.status === 'sent' ? 'sent' : row.status;
			if (row.status === 'sent') first.messageId = row.messageId;
		}
	}
	return [...byClaim.values()];
}
