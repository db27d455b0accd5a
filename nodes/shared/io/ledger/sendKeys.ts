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
	type SendKeyRow,
} from '../../domain/idempotency';
import { eq, type RowFilter } from '../../domain/ledgerRows';
import {
	SEND_KEY_COLUMNS,
	completionRow,
	expiredFilter,
	foldCompletions,
	pendingClaimRow,
	sendKeyRowOf,
	type ClaimOutcome,
	type SendKeyIds,
} from '../../domain/sendKeyRows';
import type { DataTableInfo, DataTablesClient } from './dataTablesClient';
import { attempt } from './errors';
import { chunks, rowsByValues } from './ledgerBatch';
import { contactKeyOf } from './settings';

export { SEND_KEY_COLUMNS, expiredFilter, foldCompletions, type SendKeyIds };

/** The purge runs at most this often per table and process (and at most once per execution). */
export const PURGE_INTERVAL_MS = 10 * 60 * 1000;

function keyed(secret: string, text: string, hexLength = 64): string {
	return createHmac('sha256', secret).update(text).digest('hex').slice(0, hexLength);
}

/**
 * The key, content fingerprint and recipient hash of one notification, keyed with the credential's Contact Key
 * Secret. `recipient` is the canonical contact id (E.164 or business-scoped user id).
 */
export function sendKeyIds(
	identity: Omit<NotificationIdentity, 'contactKey'> & { recipient: string },
	secret: string,
): SendKeyIds {
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
		const rows = await this.withTable(
			async (table) => await this.client.listRows(table.id, { type: 'and', filters: [eq('key', key)] }),
		);
		return liveRows(foldCompletions(rows.map(sendKeyRowOf)), now, this.windowMs);
	}

	/** The live rows of many keys, KEYS_PER_READ keys per request. */
	private async rowsOfKeys(keys: readonly string[], now: number): Promise<Map<string, SendKeyRow[]>> {
		const byKey = await this.withTable(async (table) => await rowsByValues(this.client, table.id, 'key', keys));
		const live = new Map<string, SendKeyRow[]>();
		for (const [key, rows] of byKey)
			live.set(key, liveRows(foldCompletions(rows.map(sendKeyRowOf)), now, this.windowMs));
		return live;
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
		const toClaim = list
			.map((ids, n) => ({ ids, n, claimId: randomUUID() }))
			.filter(({ n }) => claims[n].decision.action === 'send');
		if (toClaim.length === 0) return claims;
		await this.withTable(
			async (table) =>
				await this.client.insertRows(
					table.id,
					toClaim.map(({ ids, claimId }) => pendingClaimRow(ids, claimId, opts.now, this.windowMs, this.meta)),
				),
		);
		const after = await this.rowsOfKeys(
			toClaim.map(({ ids }) => ids.key),
			opts.now,
		);
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
	async completeMany(outcomes: readonly ClaimOutcome[]): Promise<void> {
		if (outcomes.length === 0) return;
		const completedAt = new Date().toISOString();
		const hasIds = (o: ClaimOutcome): o is ClaimOutcome & { ids: SendKeyIds; claimedAt: number } =>
			o.ids !== undefined && o.claimedAt !== undefined;
		const withIds = outcomes.filter(hasIds);
		// Outcomes without their ids (claims lost to another writer) are marked on the claim row itself.
		const bare = outcomes.filter((o) => !hasIds(o));
		for (const part of chunks(bare, 40)) {
			await this.withTable(
				async (table) =>
					await this.client.updateRows(
						table.id,
						{ type: 'or', filters: part.map((o) => eq('claimId', o.claimId)) },
						{ status: 'failed', messageId: '', completedAt },
					),
			);
		}
		if (withIds.length === 0) return;
		await this.withTable(
			async (table) =>
				await this.client.insertRows(
					table.id,
					withIds.map((o) => completionRow(o, completedAt, this.windowMs)),
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
		const done = await attempt(
			async () =>
				await this.withTable(
					async (table) => await deleteQuietly(this.client, table.id, expiredFilter(now), 'purging expired send keys'),
				),
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
		await this.withTable(
			async (table) =>
				await this.client.insertRows(table.id, [pendingClaimRow(ids, claimId, opts.now, this.windowMs, this.meta)]),
		);
		const after = decideAfterClaim(await this.rowsOf(ids.key, opts.now), claimId, opts, ids);
		if (after.action !== 'send') await this.complete(claimId, 'failed');
		return { decision: after, claimId: after.action === 'send' ? claimId : undefined };
	}

	/** Records the outcome of our claim: sent (with the wamid) or failed (certainly not sent, may be retried). */
	async complete(claimId: string, status: 'sent' | 'failed', messageId = ''): Promise<void> {
		await this.withTable(
			async (table) =>
				await this.client.updateRows(
					table.id,
					{ type: 'and', filters: [eq('claimId', claimId)] },
					{
						status,
						messageId,
						completedAt: new Date().toISOString(),
					},
				),
		);
	}
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
	await deleteQuietly(
		client,
		table.id,
		{ type: 'and', filters: [{ columnName: 'expiresAtMs', condition: 'isEmpty', value: null }] },
		'erasing unkeyed send keys',
	);
	// A notification's claim and its completion row are one send key.
	return new Set(deleted.map((row) => String(row.claimId ?? row.id))).size;
}

/** DELETE … WHERE filter without sending the rows back (a purge may remove many). */
async function deleteQuietly(
	client: DataTablesClient,
	tableId: string,
	filter: RowFilter,
	doing: string,
): Promise<void> {
	await client.request('DELETE', `/data-tables/${tableId}/rows/delete`, doing, {
		qs: { filter: JSON.stringify(filter), returnData: false },
	});
}
