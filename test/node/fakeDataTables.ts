/**
 * An in-process stand-in for n8n's public data-table API (/api/v1/data-tables), written from n8n 2.41's handlers
 * and data-table service, so the node-level tests reach the consent ledger over real HTTP without booting n8n.
 * What it keeps from n8n:
 *  - X-N8N-API-KEY is required (401 without the right key); an unknown table is 404, a bad body or query 400;
 *  - rows carry id, createdAt, updatedAt and every column (null when unset); unknown columns and values that do not
 *    fit the column type are refused (400), date values are stored as ISO strings;
 *  - filters: eq, neq (also matches NULL), gt, gte, lt, lte (never match NULL), like / ilike (% and _), isEmpty,
 *    isNotEmpty, eq/neq with null (IS NULL / IS NOT NULL); type 'and' or 'or'; filter values are typed like cells;
 *  - insert answers {success, insertedRows} for returnType 'count', [{id}] for 'id', the rows for 'all';
 *    update/upsert/delete need a non-empty filter; update and delete answer the affected rows with returnData,
 *    else true; upsert updates every matching row or inserts one;
 *  - lists page by an offset cursor (base64 JSON), limit at most 250, sortBy "column:asc|desc".
 * Not modelled: projects and scopes (every table is in one project), search, dryRun, size limits, and the SQLite
 * date-comparison quirk of n8n 2.41 (the ledger compares its numeric twins, so it does not depend on it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Cell = string | number | boolean | null;
type Row = Record<string, Cell>;
type ColumnType = 'string' | 'number' | 'boolean' | 'date';
interface Column {
	id: string;
	name: string;
	type: ColumnType;
	index: number;
}
interface Table {
	id: string;
	name: string;
	projectId: string;
	columns: Column[];
	rows: Row[];
	nextRowId: number;
	createdAt: string;
	updatedAt: string;
}
interface Condition {
	columnName: string;
	condition: string;
	value?: Cell;
}
interface Filter {
	type?: 'and' | 'or';
	filters: Condition[];
}

class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

const SYSTEM_COLUMNS: Record<string, ColumnType> = { id: 'number', createdAt: 'date', updatedAt: 'date' };
const CONDITIONS = new Set(['eq', 'neq', 'like', 'ilike', 'gt', 'gte', 'lt', 'lte', 'isEmpty', 'isNotEmpty']);
const PROJECT_ID = 'project-node-tests';

export interface FakeDataTables {
	/** http://127.0.0.1:PORT (the credential's n8n Base URL). */
	url: string;
	apiKey: string;
	/** Every request, "METHOD /path". */
	calls: string[];
	/** The rows of a table by name (a copy). */
	rowsOf(tableName: string): Row[];
	tableNames(): string[];
	/** Answer the next N requests with this status (a broken n8n). */
	failNext(n: number, status?: number): void;
	/**
	 * Fail the requests `fault` picks, by "METHOD <table name>/<operation>" (e.g. "POST wa_consent_events/rows") and
	 * how many such requests came before (from 1): with an HTTP status, or 'lost' (carried out, then the connection
	 * drops before the answer). reset() clears it.
	 */
	failWhen(fault: (call: string, nth: number) => number | 'lost' | undefined): void;
	reset(): void;
	close(): Promise<void>;
}

export async function startFakeDataTables(apiKey = 'node-tests-api-key'): Promise<FakeDataTables> {
	let tables: Table[] = [];
	let nextTable = 1;
	let failing = 0;
	let failStatus = 500;
	let fault: ((call: string, nth: number) => number | 'lost' | undefined) | undefined;
	const callsByName = new Map<string, number>();
	const calls: string[] = [];

	/** "METHOD <table name>/<operation>", the name a fault picks a request by. */
	function namedCall(method: string, url: URL): string {
		const parts = url.pathname.replace(/^\/api\/v1\//, '').split('/');
		const table = tables.find((t) => t.id === parts[1]);
		return `${method} ${[table?.name ?? parts[1], ...parts.slice(2)].join('/')}`;
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://fake');
			calls.push(`${req.method} ${url.pathname}`);
			let status = 200;
			let answer: unknown;
			const named = namedCall(req.method ?? 'GET', url);
			callsByName.set(named, (callsByName.get(named) ?? 0) + 1);
			const picked = fault?.(named, callsByName.get(named) ?? 0);
			try {
				if (failing > 0) {
					failing--;
					throw new HttpError(failStatus, 'Internal server error');
				}
				if (typeof picked === 'number') throw new HttpError(picked, 'Internal server error');
				if (req.headers['x-n8n-api-key'] !== apiKey) throw new HttpError(401, 'unauthorized');
				const raw = Buffer.concat(chunks).toString('utf8');
				const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
				[status, answer] = route(req.method ?? 'GET', url, body);
			} catch (error) {
				status = error instanceof HttpError ? error.status : 400;
				answer = { message: (error as Error).message };
			}
			if (picked === 'lost') {
				req.socket.destroy();
				return;
			}
			res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
		});
	});

	function route(method: string, url: URL, body: Record<string, unknown>): [number, unknown] {
		const parts = url.pathname.replace(/^\/api\/v1\//, '').split('/');
		if (parts[0] !== 'data-tables') throw new HttpError(404, `Cannot ${method} ${url.pathname}`);
		const query = Object.fromEntries(url.searchParams);
		if (parts.length === 1 && method === 'GET') return [200, listTables(query)];
		if (parts.length === 1 && method === 'POST') return [201, createTable(body)];
		const table = tables.find((t) => t.id === parts[1]);
		if (!table) throw new HttpError(404, `Could not find the data table: '${parts[1]}'`);
		const op = parts.slice(2).join('/');
		if (op === 'columns' && method === 'POST') return [201, addColumn(table, body)];
		if (op === 'rows' && method === 'GET') return [200, listRows(table, query)];
		if (op === 'rows' && method === 'POST') return [200, insertRows(table, body)];
		if (op === 'rows/update' && method === 'PATCH') return [200, updateRows(table, body)];
		if (op === 'rows/upsert' && method === 'POST') return [200, upsertRow(table, body)];
		if (op === 'rows/delete' && method === 'DELETE') return [200, deleteRows(table, query)];
		throw new HttpError(404, `Cannot ${method} ${url.pathname}`);
	}

	const tableJson = (t: Table) => ({
		id: t.id,
		name: t.name,
		projectId: t.projectId,
		columns: t.columns.map((c) => ({ ...c })),
		createdAt: t.createdAt,
		updatedAt: t.updatedAt,
	});

	function page<T>(items: T[], query: Record<string, string>): { data: T[]; nextCursor: string | null } {
		let offset = 0;
		let limit = query.limit !== undefined ? Number(query.limit) : 100;
		if (query.cursor) {
			const decoded = JSON.parse(Buffer.from(query.cursor, 'base64').toString()) as { offset: number; limit: number };
			offset = decoded.offset;
			limit = decoded.limit;
		}
		if (!Number.isInteger(limit) || limit < 1 || limit > 250)
			throw new HttpError(400, 'limit must be between 1 and 250');
		const next = offset + limit;
		return {
			data: items.slice(offset, next),
			nextCursor: next < items.length ? Buffer.from(JSON.stringify({ offset: next, limit })).toString('base64') : null,
		};
	}

	function listTables(query: Record<string, string>) {
		const filter = query.filter ? (JSON.parse(query.filter) as Record<string, string>) : {};
		const found = tables.filter(
			(t) =>
				(filter.name === undefined || t.name === filter.name) &&
				(filter.projectId === undefined || t.projectId === filter.projectId),
		);
		return page(found.map(tableJson), query);
	}

	function createTable(body: Record<string, unknown>) {
		const name = body.name;
		if (typeof name !== 'string' || !name) throw new HttpError(400, 'name is required');
		if (tables.some((t) => t.name === name))
			throw new HttpError(409, `Data table with name '${name}' already exists in this project`);
		const now = new Date().toISOString();
		const table: Table = {
			id: `dt${nextTable++}`,
			name,
			projectId: PROJECT_ID,
			columns: [],
			rows: [],
			nextRowId: 1,
			createdAt: now,
			updatedAt: now,
		};
		for (const column of (body.columns as Array<{ name: string; type: ColumnType }>) ?? []) addColumn(table, column);
		tables.push(table);
		return tableJson(table);
	}

	function addColumn(table: Table, body: Record<string, unknown> | { name: string; type: ColumnType }) {
		const { name, type } = body as { name: string; type: ColumnType };
		if (!['string', 'number', 'boolean', 'date'].includes(type))
			throw new HttpError(400, `invalid column type '${String(type)}'`);
		if (name in SYSTEM_COLUMNS || table.columns.some((c) => c.name === name)) {
			throw new HttpError(409, `column name '${name}' already exists in this data table`);
		}
		const column: Column = { id: `${table.id}-c${table.columns.length + 1}`, name, type, index: table.columns.length };
		table.columns.push(column);
		for (const row of table.rows) row[name] = null;
		return { ...column };
	}

	function typeOf(table: Table, name: string, withSystem: boolean): ColumnType {
		const column = table.columns.find((c) => c.name === name);
		if (column) return column.type;
		if (withSystem && name in SYSTEM_COLUMNS) return SYSTEM_COLUMNS[name];
		throw new HttpError(400, `unknown column name '${name}'`);
	}

	function typed(value: unknown, type: ColumnType, name: string): Cell {
		if (value === null) return null;
		const refuse = () =>
			new HttpError(400, `value '${String(value)}' does not match column type '${type}' (column '${name}')`);
		switch (type) {
			case 'string':
				if (typeof value !== 'string') throw refuse();
				return value;
			case 'number':
				if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse();
				return value;
			case 'boolean':
				if (typeof value !== 'boolean') throw refuse();
				return value;
			case 'date': {
				const ms = typeof value === 'string' || typeof value === 'number' ? Date.parse(String(value)) : NaN;
				if (Number.isNaN(ms)) throw refuse();
				return new Date(ms).toISOString();
			}
		}
	}

	function checkedData(table: Table, data: unknown): Row {
		if (!data || typeof data !== 'object' || Array.isArray(data)) throw new HttpError(400, 'data must be an object');
		const row: Row = {};
		for (const [key, value] of Object.entries(data)) row[key] = typed(value, typeOf(table, key, false), key);
		return row;
	}

	function checkedFilter(table: Table, raw: unknown, required: string): Filter {
		const filter = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Filter | undefined;
		if (!filter?.filters || filter.filters.length === 0) throw new HttpError(400, required);
		return {
			type: filter.type === 'or' ? 'or' : 'and',
			filters: filter.filters.map((f) => {
				if (!CONDITIONS.has(f.condition)) throw new HttpError(400, `invalid filter condition '${f.condition}'`);
				const type = typeOf(table, f.columnName, true);
				const value =
					f.value === undefined || f.value === null || f.condition === 'like' || f.condition === 'ilike'
						? (f.value ?? null)
						: typed(f.value, type, f.columnName);
				return { columnName: f.columnName, condition: f.condition, value };
			}),
		};
	}

	function compare(cell: Cell, value: Cell, type: ColumnType): number {
		if (type === 'date') return Date.parse(String(cell)) - Date.parse(String(value));
		if (typeof cell === 'number' && typeof value === 'number') return cell - value;
		return String(cell) < String(value) ? -1 : String(cell) > String(value) ? 1 : 0;
	}

	function likeToRegExp(pattern: string, flags: string): RegExp {
		const body = pattern
			.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
			.replace(/%/g, '.*')
			.replace(/_/g, '.');
		return new RegExp(`^${body}$`, flags);
	}

	function matchesOne(table: Table, row: Row, f: Condition): boolean {
		const cell = row[f.columnName] ?? null;
		const value = f.value ?? null;
		const empty = cell === null || cell === '';
		if (f.condition === 'isEmpty') return empty;
		if (f.condition === 'isNotEmpty') return !empty;
		if (value === null) return f.condition === 'eq' ? cell === null : f.condition === 'neq' ? cell !== null : false;
		if (f.condition === 'neq') return cell === null || compare(cell, value, typeOf(table, f.columnName, true)) !== 0;
		if (cell === null) return false;
		const order = compare(cell, value, typeOf(table, f.columnName, true));
		switch (f.condition) {
			case 'eq':
				return order === 0;
			case 'gt':
				return order > 0;
			case 'gte':
				return order >= 0;
			case 'lt':
				return order < 0;
			case 'lte':
				return order <= 0;
			case 'like':
				return likeToRegExp(String(value), '').test(String(cell));
			case 'ilike':
				return likeToRegExp(String(value), 'i').test(String(cell));
		}
		return false;
	}

	const matches = (table: Table, row: Row, filter: Filter) =>
		filter.type === 'or'
			? filter.filters.some((f) => matchesOne(table, row, f))
			: filter.filters.every((f) => matchesOne(table, row, f));

	function listRows(table: Table, query: Record<string, string>) {
		let rows = query.filter
			? table.rows.filter((r) => matches(table, r, checkedFilter(table, query.filter, 'filter must not be empty')))
			: [...table.rows];
		if (query.sortBy) {
			const [column, direction] = query.sortBy.split(':');
			const type = typeOf(table, column, true);
			const sign = direction?.toLowerCase() === 'desc' ? -1 : 1;
			rows = rows.sort((a, b) => {
				if (a[column] === null || b[column] === null)
					return a[column] === b[column] ? 0 : a[column] === null ? -sign : sign;
				return sign * compare(a[column], b[column], type);
			});
		}
		return page(
			rows.map((r) => ({ ...r })),
			query,
		);
	}

	function insertRows(table: Table, body: Record<string, unknown>) {
		if (!Array.isArray(body.data) || body.data.length === 0) throw new HttpError(400, 'data must be a non-empty array');
		const checked = body.data.map((d) => checkedData(table, d));
		const inserted = checked.map((data) => insertOne(table, data));
		const returnType = body.returnType ?? 'count';
		if (returnType === 'count') return { success: true, insertedRows: inserted.length };
		if (returnType === 'id') return inserted.map((r) => ({ id: r.id }));
		return inserted.map((r) => ({ ...r }));
	}

	function insertOne(table: Table, data: Row): Row {
		const now = new Date().toISOString();
		const row: Row = { id: table.nextRowId++, createdAt: now, updatedAt: now };
		for (const column of table.columns) row[column.name] = data[column.name] ?? null;
		table.rows.push(row);
		return row;
	}

	function updateMatching(table: Table, filter: Filter, data: Row): Row[] {
		const hit = table.rows.filter((r) => matches(table, r, filter));
		const now = new Date().toISOString();
		for (const row of hit) Object.assign(row, data, { updatedAt: now });
		return hit.map((r) => ({ ...r }));
	}

	function updateRows(table: Table, body: Record<string, unknown>) {
		const filter = checkedFilter(table, body.filter, 'Filter must not be empty');
		const data = checkedData(table, body.data);
		if (Object.keys(data).length === 0) throw new HttpError(400, 'Data columns must not be empty');
		const updated = updateMatching(table, filter, data);
		return body.returnData === true ? updated : true;
	}

	function upsertRow(table: Table, body: Record<string, unknown>) {
		const filter = checkedFilter(table, body.filter, 'Filter must not be empty');
		const data = checkedData(table, body.data);
		if (Object.keys(data).length === 0) throw new HttpError(400, 'Data columns must not be empty');
		const updated = updateMatching(table, filter, data);
		const result = updated.length > 0 ? updated : [{ ...insertOne(table, data) }];
		return body.returnData === true ? result : true;
	}

	function deleteRows(table: Table, query: Record<string, string>) {
		const filter = checkedFilter(
			table,
			query.filter,
			'Filter is required for delete operations to prevent accidental deletion of all data',
		);
		const gone = table.rows.filter((r) => matches(table, r, filter));
		table.rows = table.rows.filter((r) => !gone.includes(r));
		return query.returnData === 'true' ? gone.map((r) => ({ ...r })) : true;
	}

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url,
		apiKey,
		calls,
		rowsOf: (name) => (tables.find((t) => t.name === name)?.rows ?? []).map((r) => ({ ...r })),
		tableNames: () => tables.map((t) => t.name),
		failNext(n, status = 500) {
			failing = n;
			failStatus = status;
		},
		failWhen(picks) {
			fault = picks;
		},
		reset() {
			tables = [];
			calls.length = 0;
			failing = 0;
			fault = undefined;
			callsByName.clear();
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
