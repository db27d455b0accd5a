/**
 * Idempotency keys kept in the ledger's `<prefix>_send_keys` data table (n8n's public API).
 *
 * Every value that could identify a person is keyed with the credential's Contact Key Secret (HMAC-SHA256): the key,
 * the content fingerprint and the contactKey column (the same contactKeyOf as the consent tables), so Erase Contact
 * finds and deletes a contact's send keys, and the rows cannot be tested against a phone number without the secret.
 * Rows expire with the idempotency window of the send that wrote them and are purged (at most once per execution,
 * throttled per process), so the table stays bounded by the sends of one window.
 */
import { createHmac, randomUUID } from 'node:crypto';

import {
	contentBasis,
	decideAfterClaim,
	decideBeforeClaim,
	liveRows,
	notificationLabel,
	sendKeyBasis,
	type ClaimDecision,
	type ClaimOptions,
	type NotificationIdentity,
	type OwnClaim,
	type SendKeyRow,
	type SendKeyStatus,
} from '../domain/idempotency';
import { chunks, rowsByValues } from './ledgerBatch';
import { attempt, contactKeyOf, eq, type ColumnSpec, type DataTableInfo, type DataTablesClient, type Row, type RowFilter } from './ledger';

export const SEND_KEY_COLUMNS: readonly ColumnSpec[] = [
	{ name: 'key', type: 'string', description: 'HMAC-SHA256 (Contact Key Secret) of the idempotency key: workflow, recipient, sender, type, template and language plus the Correlation Key (or the content), or the Idempotency Key option' },
	{ name: 'claimId', type: 'string', description: 'Random id of one attempt to send under the key' },
	{ name: 'status', type: 'string', description: 'pending (request under way or outcome unknown), sent, failed (certainly not sent)' },
	{ name: 'messageId', type: 'string', description: 'The wamid Meta returned' },
	{ name: 'claimedAt', type: 'date', description: 'When the attempt started' },
	{ name: 'completedAt', type: 'date', description: 'When the outcome was recorded' },
	{ name: 'workflowId', type: 'string', description: 'Workflow that sent' },
	{ name: 'executionId', type: 'string', description: 'Execution that sent' },
	{ name: 'contactKey', type: 'string', description: 'The recipient, as in the consent tables (HMAC of the contact id): Erase Contact deletes these rows' },
	{ name: 'fingerprint', type: 'string', description: 'HMAC of the message content: the same key with other content is a collision, never a duplicate' },
	{ name: 'notification', type: 'string', description: 'Notification type, template/language and sender id, to say what collided' },
	{ name: 'expiresAtMs', type: 'number', description: 'claimedAt + the idempotency window, in Unix milliseconds: the purge deletes the row after it' },
];

/** The purge runs at most this often per table and process (and at most once per execution). */
export const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** The ids a send is claimed under. */
export interface SendKeyIds extends OwnClaim {
	key: string;
}

function keyed(secret: string, text: string, hexLength = 64): string {
	return createHmac('sha256', secret).update(text).digest('hex').slice(0, hexLength);
}

/**
 * The key, content fingerprint and recipient hash of one notification, keyed with the credential's Contact Key
 * Secret. `recipient` is the canonical contact id (E.164 or business-scoped user id).
 */
export function sendKeyIds(identity: Omit<NotificationIdentity, 'contactKey'> & { recipient: string }, secret: string): SendKeyIds {
	const contactKey = contactKeyOf(identity.recipient, secret);
	const full: NotificationIdentity = { ...identity, contactKey };
	return {
		key: keyed(secret, `whatsapp-send-key:${sendKeyBasis(full)}`),
		// 128 bits tell two messages apart; the shorter value keeps the row small (capacity, README).
		fingerprint: keyed(secret, `whatsapp-send-content:${contentBasis(full)}`, 32),
		contactKey,
		notification: notificationLabel(full),
	};
}

function rowToKey(row: Row): SendKeyRow {
	const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
	const claimedAt = row.claimedAt instanceof Date ? row.claimedAt.toISOString() : text(row.claimedAt);
	const expires = row.expiresAtMs === null || row.expiresAtMs === undefined || row.expiresAtMs === '' ? NaN : Number(row.expiresAtMs);
	return {
		id: Number(row.id ?? 0),
		key: text(row.key),
		claimId: text(row.claimId),
		status: (['pending', 'sent', 'failed'].includes(text(row.status)) ? text(row.status) : 'pending') as SendKeyStatus,
		messageId: text(row.messageId) || undefined,
		claimedAt,
		executionId: text(row.executionId) || undefined,
		workflowId: text(row.workflowId) || undefined,
		contactKey: text(row.contactKey) || undefined,
		fingerprint: text(row.fingerprint) || undefined,
		notification: text(row.notification) || undefined,
		expiresAtMs: Number.isFinite(expires) ? expires : undefined,
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

/** When each send-keys table was last purged in this process (table cache key → clock time). */
const lastPurge = new Map<string, number>();

export function clearPurgeThrottle(): void {
	lastPurge.clear();
}

export interface Claim {
	decision: ClaimDecision;
	claimId?: string;
}

export class SendKeyStore {
	private purgeAttempted = false;

	constructor(
		private readonly client: DataTablesClient,
		private readonly meta: { workflowId: string; executionId: string },
		private readonly windowMs: number,
	) {}

	private get tableName(): string {
		return `${this.client.settings.tablePrefix}_send_keys`;
	}

	private async table(): Promise<DataTableInfo> {
		return await this.client.ensureTable(this.tableName, SEND_KEY_COLUMNS);
	}

	private async withTable<T>(fn: (table: DataTableInfo) => Promise<T>): Promise<T> {
		const first = await attempt(async () => await fn(await this.table()));
		if (first.ok) return first.value;
		if (first.error.httpCode !== 404) throw first.error;
		this.client.forgetTable(this.tableName);
		return await fn(await this.table());
	}

	private async rowsOf(key: string, now: number): Promise<SendKeyRow[]> {
		const rows = await this.withTable(async (table) => await this.client.listRows(table.id, { type: 'and', filters: [eq('key', key)] }));
		return liveRows(foldCompletions(rows.map(rowToKey)), now, this.windowMs);
	}

	/** The live rows of many keys, KEYS_PER_READ keys per request. */
	private async rowsOfKeys(keys: readonly string[], now: number): Promise<Map<string, SendKeyRow[]>> {
		const byKey = await this.withTable(async (table) => await rowsByValues(this.client, table.id, 'key', keys));
		const live = new Map<string, SendKeyRow[]>();
		for (const [key, rows] of byKey) live.set(key, liveRows(foldCompletions(rows.map(rowToKey)), now, this.windowMs));
		return live;
	}

	private pendingRow(ids: SendKeyIds, claimId: string, now: number): Row {
		return {
			key: ids.key,
			claimId,
			status: 'pending',
			messageId: '',
			claimedAt: new Date(now).toISOString(),
			workflowId: this.meta.workflowId,
			executionId: this.meta.executionId,
			contactKey: ids.contactKey,
			fingerprint: ids.fingerprint,
			notification: ids.notification,
			expiresAtMs: now + this.windowMs,
		};
	}

	/**
	 * claim() for many notifications with distinct keys, in five requests per KEYS_PER_READ keys instead of four
	 * per notification: one read of all keys, one insert of all pending claims, one read back; the same
	 * decisions as claim() (oldest pending claim wins; a collision is never a duplicate). The caller passes each
	 * key once (a key repeated in one run is claimed on its own, after the first one's outcome is known).
	 */
	async claimMany(list: readonly SendKeyIds[], opts: ClaimOptions): Promise<Claim[]> {
		if (!this.purgeAttempted) {
			this.purgeAttempted = true;
			await this.purgeExpired(opts.now);
		}
		const keys = list.map((ids) => ids.key);
		if (new Set(keys).size !== keys.length) throw new Error('claimMany needs distinct keys');
		const before = await this.rowsOfKeys(keys, opts.now);
		const claims: Claim[] = list.map((ids) => ({ decision: decideBeforeClaim(before.get(ids.key) ?? [], opts, ids) }));
		const toClaim = list.map((ids, n) => ({ ids, n, claimId: randomUUID() })).filter(({ n }) => claims[n].decision.action === 'send');
		if (toClaim.length === 0) return claims;
		await this.withTable(async (table) => await this.client.insertRows(table.id, toClaim.map(({ ids, claimId }) => this.pendingRow(ids, claimId, opts.now))));
		const after = await this.rowsOfKeys(toClaim.map(({ ids }) => ids.key), opts.now);
		const lost: string[] = [];
		for (const { ids, n, claimId } of toClaim) {
			const decision = decideAfterClaim(after.get(ids.key) ?? [], claimId, opts, ids);
			claims[n] = { decision, claimId: decision.action === 'send' ? claimId : undefined };
			if (decision.action !== 'send') lost.push(claimId);
		}
		await this.completeMany(lost.map((claimId) => ({ claimId, status: 'failed' as const })));
		return claims;
	}

	/**
	 * Records the outcomes of many claims in one insert per 100: a completion row per claim (same key, claimId,
	 * claimedAt, contactKey and expiry as the claim), which readers fold into the claim (foldCompletions).
	 */
	async completeMany(outcomes: ReadonlyArray<{ claimId: string; status: 'sent' | 'failed'; messageId?: string; ids?: SendKeyIds; claimedAt?: number }>): Promise<void> {
		if (outcomes.length === 0) return;
		const completedAt = new Date().toISOString();
		const withIds = outcomes.filter((o) => o.ids && o.claimedAt !== undefined);
		// Outcomes without their ids (claims lost to another writer) are marked on the claim row itself.
		const bare = outcomes.filter((o) => !(o.ids && o.claimedAt !== undefined));
		for (const part of chunks(bare, 40)) {
			await this.withTable(async (table) =>
				await this.client.updateRows(table.id, { type: 'or', filters: part.map((o) => eq('claimId', o.claimId)) }, { status: 'failed', messageId: '', completedAt }),
			);
		}
		if (withIds.length === 0) return;
		await this.withTable(async (table) =>
			await this.client.insertRows(
				table.id,
				// Only what readers, the purge and Erase Contact need: the claim row holds the rest.
				withIds.map((o) => ({
					key: o.ids!.key,
					claimId: o.claimId,
					status: o.status,
					messageId: o.messageId ?? '',
					claimedAt: new Date(o.claimedAt!).toISOString(),
					completedAt,
					contactKey: o.ids!.contactKey,
					expiresAtMs: o.claimedAt! + this.windowMs,
				})),
			),
		);
	}

	/**
	 * Deletes expired rows: on the first claim of an execution, and at most every PURGE_INTERVAL_MS per table and
	 * process. One DELETE in n8n's database (no rows sent back). A failure leaves the throttle open for the next
	 * execution and never stops a send; a full table is then reported by the insert that follows.
	 */
	async purgeExpired(now: number): Promise<{ purged: boolean }> {
		const throttleKey = [this.client.settings.baseUrl, this.client.settings.projectId, this.tableName].join('|');
		const last = lastPurge.get(throttleKey);
		if (last !== undefined && now - last < PURGE_INTERVAL_MS && now >= last) return { purged: false };
		const done = await attempt(async () =>
			await this.withTable(async (table) => await deleteQuietly(this.client, table.id, expiredFilter(now), 'purging expired send keys')),
		);
		if (!done.ok) return { purged: false };
		lastPurge.set(throttleKey, now);
		return { purged: true };
	}

	/** Checks the key, and when it is free writes our pending claim and checks that we won it. */
	async claim(ids: SendKeyIds, opts: ClaimOptions): Promise<Claim> {
		if (!this.purgeAttempted) {
			this.purgeAttempted = true;
			await this.purgeExpired(opts.now);
		}
		const before = decideBeforeClaim(await this.rowsOf(ids.key, opts.now), opts, ids);
		if (before.action !== 'send') return { decision: before };
		const claimId = randomUUID();
		await this.withTable(async (table) =>
			await this.client.insertRows(table.id, [
				{
					key: ids.key,
					claimId,
					status: 'pending',
					messageId: '',
					claimedAt: new Date(opts.now).toISOString(),
					workflowId: this.meta.workflowId,
					executionId: this.meta.executionId,
					contactKey: ids.contactKey,
					fingerprint: ids.fingerprint,
					notification: ids.notification,
					expiresAtMs: opts.now + this.windowMs,
				},
			]),
		);
		const after = decideAfterClaim(await this.rowsOf(ids.key, opts.now), claimId, opts, ids);
		if (after.action !== 'send') await this.complete(claimId, 'failed');
		return { decision: after, claimId: after.action === 'send' ? claimId : undefined };
	}

	/** Records the outcome of our claim: sent (with the wamid) or failed (certainly not sent, may be retried). */
	async complete(claimId: string, status: 'sent' | 'failed', messageId = ''): Promise<void> {
		await this.withTable(async (table) =>
			await this.client.updateRows(table.id, { type: 'and', filters: [eq('claimId', claimId)] }, {
				status,
				messageId,
				completedAt: new Date().toISOString(),
			}),
		);
	}
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

/**
 * Erase Contact: deletes every send key of the contact (their message ids and keyed hashes) and the earlier
 * version's unkeyed rows, which cannot be attributed to a contact. Returns how many send keys (claims) of the
 * contact went.
 * Does not create the table when Send Notification never used it.
 */
export async function eraseSendKeys(client: DataTablesClient, contactKey: string): Promise<number> {
	const name = `${client.settings.tablePrefix}_send_keys`;
	const [existing] = await client.listTables(name);
	if (!existing) return 0;
	// A table of the earlier version lacks contactKey / expiresAtMs: add them so the filters below are valid.
	const table = await client.ensureTable(name, SEND_KEY_COLUMNS);
	const deleted = await client.deleteRows(table.id, { type: 'and', filters: [eq('contactKey', contactKey)] });
	await deleteQuietly(client, table.id, { type: 'and', filters: [{ columnName: 'expiresAtMs', condition: 'isEmpty', value: null }] }, 'erasing unkeyed send keys');
	// A notification's claim and its completion row are one send key.
	return new Set(deleted.map((row) => String(row.claimId ?? row.id))).size;
}

/** DELETE … WHERE filter without sending the rows back (a purge may remove many). */
async function deleteQuietly(client: DataTablesClient, tableId: string, filter: RowFilter, doing: string): Promise<void> {
	await client.request('DELETE', `/data-tables/${tableId}/rows/delete`, doing, {
		qs: { filter: JSON.stringify(filter), returnData: false },
	});
}
