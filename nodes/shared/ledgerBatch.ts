/**
 * Batched ledger reads: the rows of many contacts (or send keys) in a few requests instead of one per item.
 *
 * n8n's data tables have no index on user columns, so every filtered read scans the whole table: its cost grows
 * with the ledger, and the number of reads is what a run pays. One read with `type: 'or'` and several `eq`
 * conditions costs about one scan. The filter travels in the query string, and n8n (Node's HTTP server) refuses
 * request headers over 16 KiB, so reads carry at most KEYS_PER_READ keys (about 6 KiB of encoded filter).
 */
import type { ConsentEvent } from './consent';
import { compareEvents, toIso } from './consent';
import { attempt, eventFromRow, type ConsentLedger, type DataTableInfo, type DataTablesClient, type Row, type ServiceWindowRecord, WINDOW_PURPOSE } from './ledger';

/** 64-character keys: 40 conditions are about 6 KiB of URL-encoded filter, well under n8n's 16 KiB header limit. */
export const KEYS_PER_READ = 40;

/** Splits a list into runs of at most `size` (the last may be shorter). */
export function chunks<T>(list: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

/** Every row whose `column` is one of `values`, grouped by that value; KEYS_PER_READ values per request. */
export async function rowsByValues(client: DataTablesClient, tableId: string, column: string, values: Iterable<string>): Promise<Map<string, Row[]>> {
	const distinct = [...new Set(values)];
	const byValue = new Map<string, Row[]>(distinct.map((value) => [value, []]));
	for (const part of chunks(distinct, KEYS_PER_READ)) {
		const rows = await client.listRows(tableId, { type: 'or', filters: part.map((value) => ({ columnName: column, condition: 'eq' as const, value })) });
		for (const row of rows) byValue.get(String(row[column] ?? ''))?.push(row);
	}
	return byValue;
}

/** Runs fn with the table; if it was deleted meanwhile (404), resolves it again once. */
async function withTable<T>(client: DataTablesClient, name: string, open: () => Promise<DataTableInfo>, fn: (table: DataTableInfo) => Promise<T>): Promise<T> {
	const first = await attempt(async () => await fn(await open()));
	if (first.ok) return first.value;
	if (first.error.httpCode !== 404) throw first.error;
	client.forgetTable(name);
	return await fn(await open());
}

/** The consent events of many contacts (by contactKey), each list oldest first; a contact without events gets []. */
export async function eventsOfKeys(ledger: ConsentLedger, keys: Iterable<string>): Promise<Map<string, ConsentEvent[]>> {
	const rows = await withTable(ledger.client, ledger.eventsTableName, async () => await ledger.eventsTable(), async (table) =>
		await rowsByValues(ledger.client, table.id, 'contactKey', keys),
	);
	const events = new Map<string, ConsentEvent[]>();
	for (const [key, list] of rows) events.set(key, list.map(eventFromRow).sort(compareEvents));
	return events;
}

/** The newest inbound time of many contacts (by contactKey), max over duplicate window rows; {} when none. */
export async function serviceWindowsOfKeys(ledger: ConsentLedger, keys: Iterable<string>): Promise<Map<string, ServiceWindowRecord>> {
	const rows = await withTable(ledger.client, ledger.stateTableName, async () => await ledger.stateTable(), async (table) =>
		await rowsByValues(ledger.client, table.id, 'contactKey', keys),
	);
	const windows = new Map<string, ServiceWindowRecord>();
	for (const [key, list] of rows) windows.set(key, newestWindow(list));
	return windows;
}

/** Of a contact's state rows, the serviceWindow row with the newest inbound time. */
export function newestWindow(rows: readonly Row[]): ServiceWindowRecord {
	let best: ServiceWindowRecord = {};
	for (const row of rows) {
		if (String(row.purpose ?? '') !== WINDOW_PURPOSE) continue;
		const at = toIso(row.lastInboundAt);
		if (at && (!best.lastInboundAt || at > best.lastInboundAt)) best = { lastInboundAt: at, windowExpiresAt: toIso(row.windowExpiresAt) };
	}
	return best;
}
