/**
 * Idempotent sending, as plain functions: the key of a notification and the decision taken from the key's rows in
 * the ledger. The ledger has no unique constraint, so claims are insert-then-read: among live claims of one key
 * the oldest row wins, and everyone sees the same winner.
 */
import { createHash } from 'node:crypto';

export type SendKeyStatus = 'pending' | 'sent' | 'failed';

export interface SendKeyRow {
	id: number;
	key: string;
	claimId: string;
	status: SendKeyStatus;
	messageId?: string;
	claimedAt: string;
	executionId?: string;
}

/** Deterministic JSON: the same body gives the same text whatever the key order. */
export function stableStringify(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, v]) => v !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/**
 * The default key: the workflow plus the item's correlation key, or else the message itself. Execution id and item
 * index are left out on purpose, so that a retried execution (or a re-run queue job) finds the same key.
 */
export function deriveIdempotencyKey(input: {
	workflowId: string;
	explicitKey?: string;
	correlationKey?: string;
	body: Record<string, unknown>;
}): string {
	// The callback data carries the execution id and item index: not part of what the message is.
	const content = Object.fromEntries(Object.entries(input.body).filter(([name]) => name !== 'biz_opaque_callback_data'));
	// A business-scoped user id is addressed with `recipient` instead of `to` (Meta, 2026): the same contact key.
	const basis = input.explicitKey
		? `explicit:${input.explicitKey}`
		: input.correlationKey
			? `workflow:${input.workflowId}|correlation:${input.correlationKey}|to:${String(content.to ?? content.recipient ?? '')}`
			: `workflow:${input.workflowId}|content:${stableStringify(content)}`;
	return createHash('sha256').update(basis).digest('hex');
}

export type ClaimDecision =
	| { action: 'send' }
	| { action: 'duplicate'; messageId: string; sentAt: string }
	| { action: 'unknown'; since: string; reason: string }
	| { action: 'inFlight'; reason: string };

/** Rows older than the window no longer count: the same notification may then be sent again. */
export function liveRows(rows: readonly SendKeyRow[], now: number, windowMs: number): SendKeyRow[] {
	return rows.filter((row) => {
		const at = Date.parse(row.claimedAt);
		return Number.isFinite(at) && now - at < windowMs;
	});
}

export interface ClaimOptions {
	/** The user accepted possible duplicates: an attempt whose outcome is unknown does not block a new one. */
	resendUnknown: boolean;
	now: number;
	/** A pending claim older than this is an attempt that died (longer than any request may take). */
	staleAfterMs: number;
}

function isStale(row: SendKeyRow, opts: ClaimOptions): boolean {
	const at = Date.parse(row.claimedAt);
	return !Number.isFinite(at) || opts.now - at > opts.staleAfterMs;
}

/** Before claiming: what the existing rows of the key say. */
export function decideBeforeClaim(rows: readonly SendKeyRow[], opts: ClaimOptions): ClaimDecision {
	const sent = rows.find((row) => row.status === 'sent' && row.messageId);
	if (sent) return { action: 'duplicate', messageId: sent.messageId ?? '', sentAt: sent.claimedAt };
	const pending = rows.filter((row) => row.status === 'pending').sort((a, b) => a.id - b.id);
	if (pending.some((row) => !isStale(row, opts))) {
		return { action: 'inFlight', reason: 'Another execution is sending the same notification (same idempotency key) right now' };
	}
	if (pending.length > 0 && !opts.resendUnknown) {
		return {
			action: 'unknown',
			since: pending[0].claimedAt,
			reason:
				'An earlier attempt with the same idempotency key started but never finished (the process may have stopped mid-request), so Meta may already have this message',
		};
	}
	return { action: 'send' };
}

/** After inserting our pending row: do we own the key? Among live pending claims the oldest row wins. */
export function decideAfterClaim(rows: readonly SendKeyRow[], myClaimId: string, opts: ClaimOptions): ClaimDecision {
	const sent = rows.find((row) => row.status === 'sent' && row.messageId);
	if (sent) return { action: 'duplicate', messageId: sent.messageId ?? '', sentAt: sent.claimedAt };
	const contenders = rows
		.filter((row) => row.status === 'pending' && (row.claimId === myClaimId || !isStale(row, opts)))
		.sort((a, b) => a.id - b.id);
	if (!contenders.some((row) => row.claimId === myClaimId)) {
		return { action: 'inFlight', reason: 'Our claim on the idempotency key was not found after writing it' };
	}
	if (contenders[0].claimId !== myClaimId) {
		return { action: 'inFlight', reason: 'Another execution is sending the same notification (same idempotency key) right now' };
	}
	return { action: 'send' };
}
