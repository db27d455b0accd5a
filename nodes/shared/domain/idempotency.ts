/**
 * Idempotent sending, as plain functions: the key of a notification and the decision taken from the key's rows in
 * the ledger. The ledger has no unique constraint, so claims are insert-then-read: among live claims of one key
 * the oldest row wins, and everyone sees the same winner.
 */
export type SendKeyStatus = 'pending' | 'sent' | 'failed';

export interface SendKeyRow {
	id: number;
	key: string;
	claimId: string;
	status: SendKeyStatus;
	messageId?: string;
	claimedAt: string;
	executionId?: string;
	workflowId?: string;
	/** The recipient's keyed hash (contactKeyOf). */
	contactKey?: string;
	/** Keyed hash of the message content: a different message under the same key is a collision, not a duplicate. */
	fingerprint?: string;
	/** notificationLabel() of the message that claimed the key. */
	notification?: string;
	/** claimedAt + the idempotency window of the send that wrote the row; the purge deletes rows past it. */
	expiresAtMs?: number;
}

/** What our own claim says about the message, compared with the rows already under the key. */
export interface OwnClaim {
	fingerprint: string;
	contactKey: string;
	notification: string;
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

/** What makes one notification distinct: everything the default key is built from. */
export interface NotificationIdentity {
	workflowId: string;
	/** The Idempotency Key option: when set, it alone is the key (its scope: every workflow using the same ledger). */
	explicitKey?: string;
	correlationKey?: string;
	/** The recipient's keyed hash (contactKeyOf), never the number itself. */
	contactKey: string;
	senderId: string;
	notificationType: string;
	templateName: string;
	templateLanguage: string;
	/** The request body to Meta (the template message); its callback data is left out. */
	body: Record<string, unknown>;
}

/** The body without the callback data, which carries the execution id and item index: not part of what the message is. */
function messageContent(body: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(body).filter(([name]) => name !== 'biz_opaque_callback_data'));
}

/**
 * The text the idempotency key is derived from (sendKeys.ts keys it with HMAC). Execution id and item index are left
 * out on purpose, so that a retried execution (or a re-run queue job) finds the same key. With a Correlation Key the
 * key names the notification (template, language, type, sender, recipient), so "order confirmed" and "order
 * shipped" for one order are two keys; a changed variable under the same key is caught by the content fingerprint.
 */
export function sendKeyBasis(identity: NotificationIdentity): string {
	if (identity.explicitKey) return `v2|explicit|${identity.explicitKey}`;
	const parts = [
		`workflow:${identity.workflowId}`,
		`to:${identity.contactKey}`,
		`sender:${identity.senderId}`,
		`type:${identity.notificationType}`,
		`template:${identity.templateName}/${identity.templateLanguage}`,
	];
	return identity.correlationKey
		? `v2|${parts.join('|')}|correlation:${identity.correlationKey}`
		: `v2|${parts.join('|')}|content:${stableStringify(messageContent(identity.body))}`;
}

/** The text the content fingerprint is derived from: sender plus everything Meta receives except the callback data. */
export function contentBasis(identity: Pick<NotificationIdentity, 'senderId' | 'body'>): string {
	return `content|sender:${identity.senderId}|${stableStringify(messageContent(identity.body))}`;
}

/** A short, non-personal label of the notification, stored with the claim so a collision can say what differs. */
export function notificationLabel(
	identity: Pick<NotificationIdentity, 'notificationType' | 'templateName' | 'templateLanguage' | 'senderId'>,
): string {
	return `${identity.notificationType} ${identity.templateName}/${identity.templateLanguage} from ${identity.senderId}`;
}

export type ClaimDecision =
	| { action: 'send' }
	| { action: 'duplicate'; messageId: string; sentAt: string }
	| { action: 'unknown'; since: string; reason: string }
	| { action: 'inFlight'; reason: string }
	| { action: 'collision'; earlier: SendKeyRow; reason: string };

/**
 * Rows older than the window no longer count: the same notification may then be sent again. A row also stops
 * counting at its own expiry (the window of the send that wrote it), exactly when the purge may delete it.
 */
export function liveRows(rows: readonly SendKeyRow[], now: number, windowMs: number): SendKeyRow[] {
	return rows.filter((row) => {
		const at = Date.parse(row.claimedAt);
		const expired = typeof row.expiresAtMs === 'number' && Number.isFinite(row.expiresAtMs) && now >= row.expiresAtMs;
		return Number.isFinite(at) && now - at < windowMs && !expired;
	});
}

/** A row that holds the key (sent, or an attempt under way or of unknown outcome) for a different message. */
function holdsForOtherMessage(row: SendKeyRow, mine: OwnClaim): boolean {
	if (row.status === 'failed' || !row.fingerprint) return false;
	return row.fingerprint !== mine.fingerprint;
}

/** Says what differs between the message that holds the key and ours (only labels and keyed hashes are compared). */
export function describeCollision(earlier: SendKeyRow, mine: OwnClaim): string {
	const what =
		earlier.status === 'sent'
			? `was already used for a different message (sent${earlier.messageId ? ` as ${earlier.messageId}` : ''} at ${earlier.claimedAt})`
			: `is held by a different message whose sending started at ${earlier.claimedAt} and has not finished`;
	const by = earlier.workflowId
		? ` by workflow ${earlier.workflowId}${earlier.executionId ? `, execution ${earlier.executionId}` : ''}`
		: '';
	const differences: string[] = [];
	if (earlier.contactKey && earlier.contactKey !== mine.contactKey) differences.push('another recipient');
	if (earlier.notification && earlier.notification !== mine.notification) {
		differences.push(`earlier: ${earlier.notification}; now: ${mine.notification}`);
	}
	const detail = differences.length
		? differences.join('; ')
		: `same recipient and ${mine.notification}, but different variables, header or reference message`;
	return `The idempotency key of this notification ${what}${by}: ${detail}`;
}

function collision(earlier: SendKeyRow, mine: OwnClaim): ClaimDecision {
	return { action: 'collision', earlier, reason: describeCollision(earlier, mine) };
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
export function decideBeforeClaim(rows: readonly SendKeyRow[], opts: ClaimOptions, mine: OwnClaim): ClaimDecision {
	const other = [...rows].sort((a, b) => a.id - b.id).find((row) => holdsForOtherMessage(row, mine));
	if (other) return collision(other, mine);
	const sent = rows.find((row) => row.status === 'sent' && row.messageId);
	if (sent) return { action: 'duplicate', messageId: sent.messageId ?? '', sentAt: sent.claimedAt };
	const pending = rows.filter((row) => row.status === 'pending').sort((a, b) => a.id - b.id);
	if (pending.some((row) => !isStale(row, opts))) {
		return {
			action: 'inFlight',
			reason: 'Another execution is sending the same notification (same idempotency key) right now',
		};
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
export function decideAfterClaim(
	rows: readonly SendKeyRow[],
	myClaimId: string,
	opts: ClaimOptions,
	mine: OwnClaim,
): ClaimDecision {
	const sent = rows.find((row) => row.status === 'sent' && row.messageId);
	if (sent) {
		if (holdsForOtherMessage(sent, mine)) return collision(sent, mine);
		return { action: 'duplicate', messageId: sent.messageId ?? '', sentAt: sent.claimedAt };
	}
	const contenders = rows
		.filter((row) => row.status === 'pending' && (row.claimId === myClaimId || !isStale(row, opts)))
		.sort((a, b) => a.id - b.id);
	if (!contenders.some((row) => row.claimId === myClaimId)) {
		return { action: 'inFlight', reason: 'Our claim on the idempotency key was not found after writing it' };
	}
	if (contenders[0].claimId !== myClaimId) {
		if (holdsForOtherMessage(contenders[0], mine)) return collision(contenders[0], mine);
		return {
			action: 'inFlight',
			reason: 'Another execution is sending the same notification (same idempotency key) right now',
		};
	}
	return { action: 'send' };
}
