/** Idempotency keys kept in the ledger's `<prefix>_send_keys` data table (n8n's public API). */
import { randomUUID } from 'node:crypto';

import {
	decideAfterClaim,
	decideBeforeClaim,
	liveRows,
	type ClaimDecision,
	type ClaimOptions,
	type SendKeyRow,
	type SendKeyStatus,
} from './idempotency';
import { attempt, eq, type ColumnSpec, type DataTableInfo, type DataTablesClient, type Row } from './ledger';

export const SEND_KEY_COLUMNS: readonly ColumnSpec[] = [
	{ name: 'key', type: 'string', description: 'SHA-256 of the idempotency key (workflow + correlation key, or content)' },
	{ name: 'claimId', type: 'string', description: 'Random id of one attempt to send under the key' },
	{ name: 'status', type: 'string', description: 'pending (request under way or outcome unknown), sent, failed (certainly not sent)' },
	{ name: 'messageId', type: 'string', description: 'The wamid Meta returned' },
	{ name: 'claimedAt', type: 'date', description: 'When the attempt started' },
	{ name: 'completedAt', type: 'date', description: 'When the outcome was recorded' },
	{ name: 'workflowId', type: 'string', description: 'Workflow that sent' },
	{ name: 'executionId', type: 'string', description: 'Execution that sent' },
];

function rowToKey(row: Row): SendKeyRow {
	const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
	const claimedAt = row.claimedAt instanceof Date ? row.claimedAt.toISOString() : text(row.claimedAt);
	return {
		id: Number(row.id ?? 0),
		key: text(row.key),
		claimId: text(row.claimId),
		status: (['pending', 'sent', 'failed'].includes(text(row.status)) ? text(row.status) : 'pending') as SendKeyStatus,
		messageId: text(row.messageId) || undefined,
		claimedAt,
		executionId: text(row.executionId) || undefined,
	};
}

export interface Claim {
	decision: ClaimDecision;
	claimId?: string;
}

export class SendKeyStore {
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
		return liveRows(rows.map(rowToKey), now, this.windowMs);
	}

	/** Checks the key, and when it is free writes our pending claim and checks that we won it. */
	async claim(key: string, opts: ClaimOptions): Promise<Claim> {
		const before = decideBeforeClaim(await this.rowsOf(key, opts.now), opts);
		if (before.action !== 'send') return { decision: before };
		const claimId = randomUUID();
		await this.withTable(async (table) =>
			await this.client.insertRows(table.id, [
				{
					key,
					claimId,
					status: 'pending',
					messageId: '',
					claimedAt: new Date(opts.now).toISOString(),
					workflowId: this.meta.workflowId,
					executionId: this.meta.executionId,
				},
			]),
		);
		const after = decideAfterClaim(await this.rowsOf(key, opts.now), claimId, opts);
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
