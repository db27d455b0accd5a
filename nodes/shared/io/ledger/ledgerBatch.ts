/**
 * Batched ledger reads: the rows of many contacts (or send keys) in a few requests instead of one per item.
 *
 * n8n's data tables have no index on user columns, so every filtered read scans the whole table: its cost grows
 * with the ledger, and the number of reads is what a run pays. One read with `type: 'or'` and several `eq`
 * conditions costs about one scan. The filter travels in the query string, and n8n (Node's HTTP server) refuses
 * request headers over 16 KiB, so reads carry at most KEYS_PER_READ keys (about 6 KiB of encoded filter).
 */
import type { ConsentEvent } from '../../domain/consent';
import { eventsFromRows, identityOf, newestWindow, type Row, type ServiceWindowRecord } from '../../domain/ledgerRows';
import type { ConsentLedger } from './consentLedger';
import type { DataTableInfo, DataTablesClient } from './dataTablesClient';
import { attempt } from './errors';

/** 64-character keys: 40 conditions are about 6 KiB of URL-encoded filter, well under n8n's 16 KiB header limit. */
export const KEYS_PER_READ = 40;

/** Splits a list into runs of at most `size` (the last may be shorter). */
export function chunks<T>(list: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

/** Every row whose `column` is one of `values`, grouped by that value; KEYS_PER_READ values per request. */
export async function rowsByValues(
	client: DataTablesClient,
	tableId: string,
	column: string,
	values: Iterable<string>,
): Promise<Map<string, Row[]>> {
	return await client.rowsByValues(tableId, column, values, KEYS_PER_READ);
}

/** Runs fn with the table; if it was deleted meanwhile (404), resolves it again once. */
async function withTable<T>(
	client: DataTablesClient,
	name: string,
	open: () => Promise<DataTableInfo>,
	fn: (table: DataTableInfo) => Promise<T>,
): Promise<T> {
	const first = await attempt(async () => await fn(await open()));
	if (first.ok) return first.value;
	if (first.error.httpCode !== 404) throw first.error;
	client.forgetTable(name);
	return await fn(await open());
}

/** What a check or a send needs of one person: the events and window of the contact and of the ids linked to it. */
export interface PersonLedger {
	events: ConsentEvent[];
	window: ServiceWindowRecord;
}

/**
 * The ledger of many contacts (by contactKey), the same as currentConsent / serviceWindowOf per contact: the
 * contact's state rows give its identity links (a phone number and its BSUID, one hop, as identityKeys) and window
 * rows; the events of every key of the person are folded together, so an opt-out under a linked id still wins.
 * Reads: the state rows of the keys, of linked keys not yet read, then the events of all keys, KEYS_PER_READ each.
 */
export async function peopleOfKeys(
	ledger: ConsentLedger,
	keys: Iterable<string>,
	read: { events: boolean } = { events: true },
): Promise<Map<string, PersonLedger>> {
	const client = ledger.client;
	const readState = async (list: Iterable<string>) =>
		await withTable(
			client,
			ledger.stateTableName,
			async () => await ledger.stateTable(),
			async (table) => await rowsByValues(client, table.id, 'contactKey', list),
		);
	const wanted = [...new Set(keys)];
	const state = await readState(wanted);
	const identity = new Map<string, string[]>();
	for (const key of wanted) identity.set(key, identityOf(key, state.get(key) ?? []));
	const allKeys = new Set([...identity.values()].flat());
	const unread = [...allKeys].filter((k) => !state.has(k));
	if (unread.length > 0) for (const [k, rows] of await readState(unread)) state.set(k, rows);
	// Windows only (the trigger's inbound times): no events read; `events` is then [] for everyone.
	const events = read.events
		? await withTable(
				client,
				ledger.eventsTableName,
				async () => await ledger.eventsTable(),
				async (table) => await rowsByValues(client, table.id, 'contactKey', allKeys),
			)
		: new Map<string, Row[]>();
	const people = new Map<string, PersonLedger>();
	for (const [key, ids] of identity) {
		people.set(key, {
			events: eventsFromRows(ids.flatMap((k) => events.get(k) ?? [])),
			window: newestWindow(ids.flatMap((k) => state.get(k) ?? [])),
		});
	}
	return people;
}
