/**
 * The REST client of n8n's public data-table API (/api/v1/data-tables/...), authenticated with the ledger
 * credential: finds or creates the ledger's tables in their own project, checks the Contact Key Secret against the
 * ledger's, and reads, inserts, updates and deletes rows. Community nodes may not use n8n's in-process data-table
 * helper, files or env; this way the rows live in n8n's own database and every workflow and worker shares them.
 */
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import {
	KEY_CHECK_PURPOSE,
	STATE_COLUMNS,
	cellText,
	eq,
	type ColumnSpec,
	type Row,
	type RowFilter,
} from '../../domain/ledgerRows';
import { CREDENTIAL_LABEL } from './credentialTypes';
import { LedgerError, attempt, isNameConflict, ledgerHttpError, ledgerNetworkError } from './errors';
import { contactKeySecretFingerprint, type LedgerContext, type LedgerSettings } from './settings';

/** Rows per insert request. */
export const ROWS_PER_INSERT = 100;

export interface DataTableInfo {
	id: string;
	name: string;
	projectId?: string;
	columns: Array<{ id?: string; name: string; type: string }>;
}

function tableInWrongProject(name: string, wanted: string, got: string | undefined): LedgerError {
	return new LedgerError(
		`n8n created the data table "${name}" in project ${got ?? '(unknown)'}, not in the credential's project ${wanted}`,
		"This n8n version ignores the project of a new data table. Update n8n, or delete that table and leave Project ID empty to keep the ledger in the API key owner's personal project.",
	);
}

function ambiguousTables(
	name: string,
	tables: readonly DataTableInfo[],
	personalProjectId: string | undefined,
	credentialLabel: string,
): LedgerError {
	const projects = [...new Set(tables.map((t) => t.projectId ?? '(unknown)'))].join(', ');
	return new LedgerError(
		`Data tables named "${name}" exist in several n8n projects (${projects}) and the ledger credential's Project ID is empty, so the ledger cannot tell which one is its own`,
		`The ledger only uses tables of its own project, never another project's table of the same name. Set Project ID in the "${credentialLabel}" credential to the project that holds your consent records${personalProjectId ? ` (the API key owner's personal project is ${personalProjectId})` : ''}; a project's ID is the part after /projects/ in its address in n8n. Or use another Table Name Prefix.`,
	);
}

/** Table ids resolved in this process (shared by executions of every workflow); a 404 clears the entry. */
const tableCache = new Map<string, Promise<DataTableInfo>>();
/** Ledgers whose Contact Key Secret this process has checked, per ledger and secret; a refusal is not kept. */
const keyChecks = new Map<string, Promise<void>>();

/** Forgets the tables and Contact Key Secret checks of this process (tests; see clearTableCache). */
export function clearClientCaches(): void {
	tableCache.clear();
	keyChecks.clear();
}

export class DataTablesClient {
	constructor(
		private readonly ctx: LedgerContext,
		readonly settings: LedgerSettings,
	) {}

	async request<T>(
		method: IHttpRequestMethods,
		path: string,
		doing: string,
		init: { qs?: IDataObject; body?: unknown } = {},
	): Promise<T> {
		const options: IHttpRequestOptions = {
			method,
			url: `${this.settings.baseUrl}/api/v1${path}`,
			qs: init.qs,
			body: init.body as IDataObject,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 30_000,
		};
		let response: { statusCode: number; body: unknown };
		try {
			response = (await this.ctx.helpers.httpRequestWithAuthentication.call(
				this.ctx,
				this.settings.credentialType,
				options,
			)) as typeof response;
		} catch (error) {
			throw ledgerNetworkError(error, this.settings.baseUrl);
		}
		if (response.statusCode >= 200 && response.statusCode < 300) return response.body as T;
		throw ledgerHttpError(response.statusCode, response.body, doing, this.credentialLabel);
	}

	get credentialLabel(): string {
		return CREDENTIAL_LABEL[this.settings.credentialType] ?? this.settings.credentialType;
	}

	async listTables(name?: string): Promise<DataTableInfo[]> {
		const filter: IDataObject = {};
		if (name) filter.name = name;
		if (this.settings.projectId) filter.projectId = this.settings.projectId;
		const tables: DataTableInfo[] = [];
		let cursor: string | undefined;
		for (let page = 0; page < 100; page++) {
			const qs: IDataObject = { limit: 250, sortBy: 'createdAt:asc' };
			if (Object.keys(filter).length) qs.filter = JSON.stringify(filter);
			if (cursor) qs.cursor = cursor;
			const res = await this.request<{ data: DataTableInfo[]; nextCursor?: string | null }>(
				'GET',
				'/data-tables',
				'listing data tables',
				{ qs },
			);
			tables.push(...(res.data ?? []));
			cursor = res.nextCursor ?? undefined;
			if (!cursor || (res.data ?? []).length === 0) break;
		}
		return name ? tables.filter((t) => t.name === name) : tables;
	}

	private tableKey(name: string): string {
		return [this.settings.baseUrl, this.settings.projectId, this.settings.apiKeyFingerprint, name].join('|');
	}

	/**
	 * The ledger's table of this name in its own project (see findOrCreate); resolved once per process. The first
	 * table a process uses also checks the credential's Contact Key Secret against the ledger's (checkContactKeySecret).
	 */
	async ensureTable(name: string, columns: readonly ColumnSpec[]): Promise<DataTableInfo> {
		const table = await this.resolveTable(name, columns);
		await this.checkContactKeySecretOnce();
		return table;
	}

	private async resolveTable(name: string, columns: readonly ColumnSpec[]): Promise<DataTableInfo> {
		const key = this.tableKey(name);
		let pending = tableCache.get(key);
		if (!pending) {
			pending = this.findOrCreate(name, columns);
			tableCache.set(key, pending);
			pending.catch(() => tableCache.delete(key));
		}
		return await pending;
	}

	forgetTable(name: string): void {
		tableCache.delete(this.tableKey(name));
		keyChecks.clear();
	}

	private async checkContactKeySecretOnce(): Promise<void> {
		const key = [
			this.tableKey(`${this.settings.tablePrefix}_contact_state`),
			contactKeySecretFingerprint(this.settings.contactKeySecret),
		].join('|');
		let pending = keyChecks.get(key);
		if (!pending) {
			pending = this.checkContactKeySecret();
			keyChecks.set(key, pending);
			pending.catch(() => keyChecks.delete(key));
		}
		await pending;
	}

	/**
	 * Two credentials of one ledger with different Contact Key Secrets would file one person under two keys, so an
	 * opt-out recorded through one would not stop sends through the other. The state table keeps the fingerprint of
	 * the secret its rows are keyed with (a ledgerKeyCheck row); the first row written wins, also when two writers
	 * race (both read back and compare with the oldest row), and a credential with another secret is refused.
	 */
	private async checkContactKeySecret(): Promise<void> {
		const stateName = `${this.settings.tablePrefix}_contact_state`;
		const state = await this.resolveTable(stateName, STATE_COLUMNS);
		const mine = contactKeySecretFingerprint(this.settings.contactKeySecret);
		const read = async () =>
			await this.listRows(state.id, { type: 'and', filters: [eq('purpose', KEY_CHECK_PURPOSE)] });
		let rows = await read();
		if (rows.length === 0) {
			const at = new Date().toISOString();
			await this.insertRows(state.id, [
				{
					contactKey: mine,
					purpose: KEY_CHECK_PURPOSE,
					source: 'Contact Key Secret fingerprint',
					since: at,
					lastEventAt: at,
				},
			]);
			rows = await read();
		}
		const oldest = [...rows].sort((a, b) => Number(a.id ?? 0) - Number(b.id ?? 0))[0];
		if (oldest && cellText(oldest.contactKey) !== mine) {
			throw new LedgerError(
				`The Contact Key Secret of the "${this.credentialLabel}" credential is not the one the consent ledger "${stateName}" was started with`,
				`Contacts are stored under a keyed hash of their number, so a different secret would miss every earlier opt-out. Copy the Contact Key Secret from the credential that already writes this ledger (every credential of one ledger needs the same secret) into the "${this.credentialLabel}" credential, or give it another Table Name Prefix for a separate ledger.`,
			);
		}
	}

	/**
	 * The ledger's table in its own project, created there on first use; adds missing columns. Project ID set: only a
	 * table of that project. Project ID empty: the API key owner's personal project. A table of the same name in any
	 * other project is never used (the owner's key sees every project's tables, e.g. another user's ledger).
	 */
	private async findOrCreate(name: string, columns: readonly ColumnSpec[]): Promise<DataTableInfo> {
		const projectId = this.settings.projectId;
		const table = projectId
			? await this.inProject(name, columns, projectId)
			: await this.inPersonalProject(name, columns);
		const have = new Set((table.columns ?? []).map((c) => c.name));
		for (const column of columns) {
			if (have.has(column.name)) continue;
			const added = await attempt(
				async () =>
					await this.request(
						'POST',
						`/data-tables/${table.id}/columns`,
						`adding column "${column.name}" to "${name}"`,
						{
							body: { name: column.name, type: column.type },
						},
					),
			);
			if (!added.ok && added.error.httpCode !== 409) throw added.error;
		}
		return table;
	}

	/** Creates the table (in `projectId`, else in the key owner's personal project); undefined if the name is taken there. */
	private async createTable(
		name: string,
		columns: readonly ColumnSpec[],
		projectId?: string,
	): Promise<DataTableInfo | undefined> {
		const body: IDataObject = { name, columns: columns.map((c) => ({ name: c.name, type: c.type })) };
		if (projectId) body.projectId = projectId;
		const created = await attempt(
			async () =>
				await this.request<DataTableInfo>('POST', '/data-tables', `creating the data table "${name}"`, { body }),
		);
		if (created.ok) return created.value;
		if (isNameConflict(created.error)) return undefined;
		throw created.error;
	}

	private async inProject(name: string, columns: readonly ColumnSpec[], projectId: string): Promise<DataTableInfo> {
		const ownTable = async () => (await this.listTables(name)).find((t) => t.projectId === projectId);
		const found = await ownTable();
		if (found) return found;
		const created = await this.createTable(name, columns, projectId);
		if (created && created.projectId === projectId) return created;
		if (created) throw tableInWrongProject(name, projectId, created.projectId);
		// Another execution or worker created it in the meantime (names are unique per project): use theirs.
		const theirs = await ownTable();
		if (theirs) return theirs;
		throw new LedgerError(
			`n8n says a data table named "${name}" exists in project ${projectId}, but the API key cannot list it`,
			`Give the API key's user access to project ${projectId} (or use a key of a user who has it), or check the credential's Project ID.`,
		);
	}

	/**
	 * n8n's public API creates a table without a project in the key owner's personal project, and its projects API
	 * needs an enterprise licence, so the personal project is found by creating the table: created, it is ours; a
	 * name conflict means the personal project holds one, which is ours if it is the only table of that name the key
	 * sees. Tables of that name in other projects make the choice ambiguous: the Project ID is then required.
	 */
	private async inPersonalProject(name: string, columns: readonly ColumnSpec[]): Promise<DataTableInfo> {
		const before = await this.listTables(name);
		const created = await this.createTable(name, columns);
		if (created) {
			const elsewhere = before.filter((t) => t.projectId !== created.projectId);
			if (elsewhere.length === 0) return created;
			throw ambiguousTables(name, [created, ...elsewhere], created.projectId, this.credentialLabel);
		}
		const candidates = await this.listTables(name);
		if (candidates.length === 1) return candidates[0];
		throw ambiguousTables(name, candidates, undefined, this.credentialLabel);
	}

	/** Inserts in requests of ROWS_PER_INSERT rows; n8n stores each request's rows together or not at all. */
	async insertRows(tableId: string, rows: Row[]): Promise<number> {
		if (rows.length === 0) return 0;
		let count = 0;
		for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
			const res = await this.request<{ count?: number }>(
				'POST',
				`/data-tables/${tableId}/rows`,
				'recording consent events',
				{
					body: { data: rows.slice(i, i + ROWS_PER_INSERT), returnType: 'count' },
				},
			);
			count += res?.count ?? 0;
		}
		return count;
	}

	/**
	 * Every row whose `column` is one of `values`, grouped by that value: one read (an 'or' filter) per `perRead`
	 * values, since n8n's tables have no index and each read scans the table whatever it asks for. The filter travels
	 * in the query string, which n8n's HTTP server caps at 16 KiB of request headers (40 keys: about 6 KiB).
	 */
	async rowsByValues(
		tableId: string,
		column: string,
		values: Iterable<string>,
		perRead = 40,
	): Promise<Map<string, Row[]>> {
		const distinct = [...new Set(values)];
		const byValue = new Map<string, Row[]>(distinct.map((value) => [value, []]));
		for (let i = 0; i < distinct.length; i += perRead) {
			const part = distinct.slice(i, i + perRead);
			const rows = await this.listRows(tableId, { type: 'or', filters: part.map((value) => eq(column, value)) });
			for (const row of rows) byValue.get(String(row[column] ?? ''))?.push(row);
		}
		return byValue;
	}

	async listRows(tableId: string, filter: RowFilter, sortBy?: string): Promise<Row[]> {
		const rows: Row[] = [];
		let cursor: string | undefined;
		for (let page = 0; page < 400; page++) {
			const qs: IDataObject = { limit: 250, filter: JSON.stringify(filter) };
			if (sortBy) qs.sortBy = sortBy;
			if (cursor) qs.cursor = cursor;
			const res = await this.request<{ data: Row[]; nextCursor?: string | null }>(
				'GET',
				`/data-tables/${tableId}/rows`,
				'reading the consent ledger',
				{ qs },
			);
			rows.push(...(res.data ?? []));
			cursor = res.nextCursor ?? undefined;
			if (!cursor || (res.data ?? []).length === 0) break;
		}
		return rows;
	}

	/** UPDATE ... WHERE filter, atomically in n8n's database. Returns the updated rows. */
	async updateRows(tableId: string, filter: RowFilter, data: Row): Promise<Row[]> {
		const res = await this.request<Row[] | boolean>(
			'PATCH',
			`/data-tables/${tableId}/rows/update`,
			'updating the contact state',
			{
				body: { filter, data, returnData: true },
			},
		);
		return Array.isArray(res) ? res : [];
	}

	async upsertRow(tableId: string, filter: RowFilter, data: Row): Promise<void> {
		await this.request('POST', `/data-tables/${tableId}/rows/upsert`, 'updating the contact state', {
			body: { filter, data, returnData: false },
		});
	}

	async deleteRows(tableId: string, filter: RowFilter): Promise<Row[]> {
		const res = await this.request<Row[] | boolean>('DELETE', `/data-tables/${tableId}/rows/delete`, 'erasing rows', {
			qs: { filter: JSON.stringify(filter), returnData: true },
		});
		return Array.isArray(res) ? res : [];
	}
}
