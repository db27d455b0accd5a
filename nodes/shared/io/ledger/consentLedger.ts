/**
 * The consent ledger: n8n Data Tables reached through n8n's PUBLIC REST API (dataTablesClient.ts) with the n8n base
 * URL and API key of the WhatsApp Cloud API credential's Consent Ledger section, or of the ledger-only "WhatsApp
 * Notifications Ledger API" credential (older node versions, Check Consent's Ledger Only). The rows live in n8n's own
 * database (SQLite, or Postgres in queue mode), every workflow and worker shares them, and users see them in n8n's
 * Data tables screen.
 *
 * Two tables, created on first use:
 *  - `<prefix>_consent_events` — append-only: one row per opt-in / opt-out / erasure (the source of truth);
 *  - `<prefix>_contact_state`  — derived: current consent per (contact, purpose), plus one 'serviceWindow'
 *                                row per contact with the last inbound message time and window expiry.
 *
 * Concurrency: events are inserts (never updated), so concurrent writers cannot lose one. State rows are only
 * moved forward by a single conditional UPDATE ... WHERE lastEventAt < capturedAt (<= for withdrawals), which
 * the database applies atomically; an older event can never overwrite a newer opt-out. A first row another writer
 * inserts between our UPDATE and our read gets the UPDATE once more (moveStateRow). If two writers both
 * insert a first state row, readers pick the newest (pickState). Consent checks fold the events themselves,
 * so a lagging or duplicated state row can never grant consent.
 */
import { randomUUID } from 'node:crypto';

import {
	decideConsent,
	erasureTombstone,
	normaliseContact,
	stateFromEvent,
	toIso,
	validateConsentEvent,
	type ConsentDecision,
	type ConsentEvent,
	type ConsentEventInput,
	type ConsentPolicyOptions,
	type ConsentPurpose,
	type ContactConsentState,
	type ValidConsentEvent,
} from '../../domain/consent';
import {
	EVENT_COLUMNS,
	LINK_PURPOSE,
	STATE_COLUMNS,
	WINDOW_PURPOSE,
	anyOf,
	consentStatesOf,
	eq,
	erasedEventsFilters,
	eventsFromRows,
	identityOf,
	linkRow,
	newestWindow,
	olderStateFilter,
	planStateAdvance,
	rowMatches,
	rowOfEvent,
	stateRowOfEvent,
	windowRowOf,
	type RecordedEvent,
	type Row,
	type RowFilter,
	type ServiceWindowRecord,
} from '../../domain/ledgerRows';
import { LEDGER_CREDENTIAL_TYPE, type LedgerCredentialType } from './credentialTypes';
import { clearClientCaches, DataTablesClient, ROWS_PER_INSERT, type DataTableInfo } from './dataTablesClient';
import { LedgerError, attempt } from './errors';
import { readLedgerSettings, contactKeyOf, type LedgerContext } from './settings';

/** Pairs of contact keys linked in this process, so that each webhook does not re-read a known link. */
const knownLinks = new Set<string>();
const KNOWN_LINKS_MAX = 10_000;

/** Forgets what this process knows of the ledger: tables, Contact Key Secret checks, identity links (tests). */
export function clearTableCache(): void {
	clearClientCaches();
	knownLinks.clear();
}

export interface RecordResult {
	recorded: RecordedEvent[];
	/** For each recorded event, its index in the input. */
	recordedIndexes: number[];
	/** Events refused by validation, with their index in the input. */
	refused: Array<{ index: number; reason: string; fix: string }>;
	/**
	 * The events are stored, but their state rows could not be moved forward. Consent checks fold the events, so
	 * they are right; the state rows (Get History's state, the Data tables screen) lag until the pair's next event.
	 */
	stateNotUpdated?: LedgerError;
}

const RUN_THE_REST_AGAIN =
	'Then run the items that were not recorded again (with Continue On Fail: the error items). An event recorded twice with the same Captured At changes nothing.';

/**
 * Recording stopped part-way: n8n stores each insert request's events together or not at all, so the events of
 * the requests before the failure are in the ledger (`partial`), those of the failed request are not, or, when its
 * answer never came, may be (`uncertainIndexes`), and the rest are not (`notStoredIndexes`). Indexes are the input's.
 */
export class RecordingInterrupted extends LedgerError {
	constructor(
		cause: LedgerError,
		readonly partial: RecordResult,
		readonly uncertainIndexes: number[],
		readonly notStoredIndexes: number[],
	) {
		const total = partial.recorded.length + uncertainIndexes.length + notStoredIndexes.length;
		const uncertain = uncertainIndexes.length > 0 ? `, ${uncertainIndexes.length} may have been` : '';
		super(
			`Recording stopped part-way: ${partial.recorded.length} of ${total} events were recorded${uncertain}. ${cause.message}`,
			`${cause.fix} ${RUN_THE_REST_AGAIN}`,
			cause.httpCode,
			cause.responseBody,
		);
		this.name = 'RecordingInterrupted';
	}
}

export interface ErasureResult {
	contactKey: string;
	deletedEvents: number;
	deletedStateRows: number;
	/** The one row kept: keyed hash + 'erase', no identifier, no wording. */
	tombstoneEventId: string;
	erasedAt: string;
	/** Other ids of the same person (linked phone number / business-scoped user id) erased with it. */
	linkedIdsErased?: number;
	/** The keyed hashes of every id erased (the contact and its linked ids), for erasing their rows elsewhere. */
	erasedContactKeys?: string[];
}

export interface LedgerOptions {
	/** Clock for tests. */
	now?: () => number;
	workflowId?: string;
	executionId?: string;
}

/**
 * What other nodes call. Typical use from any node with the ledger credential:
 *   const ledger = await ConsentLedger.open(this, { workflowId, executionId });
 *   await ledger.recordEvents([{ contact: '+49…', purpose: 'allUtility', action: 'optOut', source: 'WhatsApp reply', proofReference: wamid }]);
 *   const decision = await ledger.currentConsent('+49…', 'shippingStatus');
 *   await ledger.recordInbound('+49…', webhookTimestamp);
 */
export class ConsentLedger {
	/** identityKeys per contact key, for this instance's lifetime (one execution or one webhook call). */
	private readonly identityCache = new Map<string, Promise<string[]>>();

	private constructor(
		readonly client: DataTablesClient,
		private readonly options: LedgerOptions,
	) {}

	/** Opens the ledger of a credential: the ledger-only one (default) or the WhatsApp Cloud API one with its section on. */
	static async open(
		ctx: LedgerContext,
		options: LedgerOptions = {},
		credentialType: LedgerCredentialType = LEDGER_CREDENTIAL_TYPE,
	): Promise<ConsentLedger> {
		return new ConsentLedger(new DataTablesClient(ctx, await readLedgerSettings(ctx, credentialType)), options);
	}

	/** For tests: a ledger over a given client. */
	static over(client: DataTablesClient, options: LedgerOptions = {}): ConsentLedger {
		return new ConsentLedger(client, options);
	}

	get eventsTableName(): string {
		return `${this.client.settings.tablePrefix}_consent_events`;
	}

	get stateTableName(): string {
		return `${this.client.settings.tablePrefix}_contact_state`;
	}

	private now(): number {
		return this.options.now ? this.options.now() : Date.now();
	}

	async eventsTable(): Promise<DataTableInfo> {
		return await this.client.ensureTable(this.eventsTableName, EVENT_COLUMNS);
	}

	async stateTable(): Promise<DataTableInfo> {
		return await this.client.ensureTable(this.stateTableName, STATE_COLUMNS);
	}

	/** Runs fn with the table, re-resolving it once if it was deleted meanwhile (404). */
	private async withTable<T>(which: 'events' | 'state', fn: (table: DataTableInfo) => Promise<T>): Promise<T> {
		const name = which === 'events' ? this.eventsTableName : this.stateTableName;
		const table = which === 'events' ? await this.eventsTable() : await this.stateTable();
		const first = await attempt(async () => await fn(table));
		if (first.ok) return first.value;
		if (first.error.httpCode !== 404) throw first.error;
		this.client.forgetTable(name);
		return await fn(which === 'events' ? await this.eventsTable() : await this.stateTable());
	}

	/** The rows of a table that match a filter (the table re-resolved once if it was deleted). */
	private async rowsOf(which: 'events' | 'state', filter: RowFilter): Promise<Row[]> {
		return await this.withTable(which, async (table) => await this.client.listRows(table.id, filter));
	}

	private async insert(which: 'events' | 'state', rows: Row[]): Promise<void> {
		await this.withTable(which, async (table) => await this.client.insertRows(table.id, rows));
	}

	private async remove(which: 'events' | 'state', filter: RowFilter): Promise<Row[]> {
		return await this.withTable(which, async (table) => await this.client.deleteRows(table.id, filter));
	}

	/** The keyed hash a contact is stored under; throws LedgerError for an unusable contact. */
	contactKey(contact: unknown): { key: string; id: string; kind: string } {
		const normalised = normaliseContact(contact);
		if (!normalised.ok)
			throw new LedgerError(
				`The contact is not usable: ${normalised.reason}`,
				'Map the customer’s WhatsApp number in international format or their business-scoped user id.',
			);
		return {
			key: contactKeyOf(normalised.id, this.client.settings.contactKeySecret),
			id: normalised.id,
			kind: normalised.kind,
		};
	}

	/**
	 * Validates a batch; records the valid ones (one insert request per ROWS_PER_INSERT), then moves their state rows
	 * forward. A failed insert throws (RecordingInterrupted when some may be stored); a failed state move does not.
	 */
	async recordEvents(inputs: ConsentEventInput[]): Promise<RecordResult> {
		const now = this.now();
		const recordedAt = new Date(now).toISOString();
		const result: RecordResult = { recorded: [], recordedIndexes: [], refused: [] };
		inputs.forEach((input, index) => {
			const checked = validateConsentEvent(
				{ workflowId: this.options.workflowId, executionId: this.options.executionId, ...input },
				now,
			);
			if (!checked.ok) {
				result.refused.push({ index, reason: checked.reason, fix: checked.fix });
				return;
			}
			result.recorded.push(this.toEvent(checked.event, recordedAt));
			result.recordedIndexes.push(index);
		});
		if (result.recorded.length === 0) return result;
		await this.insertEvents(result);
		const advanced = await attempt(async () => await this.advanceStates(result.recorded));
		if (!advanced.ok) result.stateNotUpdated = advanced.error;
		return result;
	}

	/**
	 * Inserts the events one request at a time, so that a failure says which are stored. Nothing stored: the cause
	 * is thrown as it is; else RecordingInterrupted, after moving the stored events' state rows forward if it can.
	 */
	private async insertEvents(result: RecordResult): Promise<void> {
		const rows = result.recorded.map(rowOfEvent);
		for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
			const end = Math.min(start + ROWS_PER_INSERT, rows.length);
			const inserted = await attempt(async () => await this.insert('events', rows.slice(start, end)));
			if (inserted.ok) continue;
			// No HTTP answer: the request may have been stored before the connection failed.
			const uncertain = inserted.error.httpCode === undefined ? result.recordedIndexes.slice(start, end) : [];
			const notStored = result.recordedIndexes.slice(uncertain.length > 0 ? end : start);
			if (start === 0 && uncertain.length === 0) throw inserted.error;
			const partial: RecordResult = {
				recorded: result.recorded.slice(0, start),
				recordedIndexes: result.recordedIndexes.slice(0, start),
				refused: result.refused,
			};
			await attempt(async () => await this.advanceStates(partial.recorded));
			throw new RecordingInterrupted(inserted.error, partial, uncertain, notStored);
		}
	}

	private toEvent(valid: ValidConsentEvent, recordedAt: string): RecordedEvent {
		return {
			eventId: randomUUID(),
			contactKey: contactKeyOf(valid.contactId, this.client.settings.contactKeySecret),
			contactId: valid.contactId,
			contactKind: valid.contactKind,
			purpose: valid.purpose,
			action: valid.action,
			source: valid.source,
			proofWording: valid.proofWording,
			proofVersion: valid.proofVersion,
			proofReference: valid.proofReference,
			capturedAt: valid.capturedAt,
			recordedAt,
			workflowId: valid.workflowId,
			executionId: valid.executionId,
		};
	}

	/**
	 * advanceState for a batch: the state rows of all its contacts in one read per 40; the first rows of new
	 * (contact, purpose) pairs in one bulk insert, the rest moved forward one at a time, in order (planStateAdvance).
	 * A row another writer inserts meanwhile is a duplicate that readers resolve (pickState), as when two writers
	 * insert a first row.
	 */
	private async advanceStates(events: readonly ConsentEvent[]): Promise<void> {
		if (events.length < 2) {
			for (const event of events) await this.advanceState(event);
			return;
		}
		const rows = await this.withTable(
			'state',
			async (table) =>
				await this.client.rowsByValues(
					table.id,
					'contactKey',
					events.map((e) => e.contactKey),
				),
		);
		const plan = planStateAdvance(events, rows);
		if (plan.insert.length > 0) await this.insert('state', plan.insert.map(stateRowOfEvent));
		for (const event of plan.update) await this.advanceState(event);
	}

	/**
	 * Moves the (contact, purpose) state row to this event if it is newer: a conditional UPDATE that the
	 * database applies atomically, so concurrent writers can only move the state forward. A withdrawal also
	 * replaces a state of the same instant. Inserts the row when there is none yet.
	 */
	private async advanceState(event: ConsentEvent): Promise<void> {
		await this.moveStateRow(
			olderStateFilter(event),
			{ type: 'and', filters: [eq('contactKey', event.contactKey), eq('purpose', event.purpose)] },
			stateRowOfEvent(event),
		);
	}

	/**
	 * Moves a state row forward: a conditional UPDATE of the rows `olderFilter` selects, or the first row when
	 * `pairFilter` finds none. Another writer may insert the first row between our UPDATE and our read, and it may be
	 * older than ours: then the UPDATE runs once more (rows only move forward, so once is enough). Two writers that
	 * both insert a first row leave duplicates that readers resolve.
	 */
	private async moveStateRow(olderFilter: RowFilter, pairFilter: RowFilter, row: Row): Promise<void> {
		await this.withTable('state', async (table) => {
			const updated = await this.client.updateRows(table.id, olderFilter, row);
			if (updated.length > 0) return;
			const existing = await this.client.listRows(table.id, pairFilter);
			if (existing.length === 0) await this.client.insertRows(table.id, [row]);
			else if (existing.some((r) => rowMatches(r, olderFilter)))
				await this.client.updateRows(table.id, olderFilter, row);
		});
	}

	/** Every event of a contact and of the ids linked to it, oldest first (a GDPR access request's answer). */
	async history(contact: unknown): Promise<{ contactKey: string; contactId: string; events: ConsentEvent[] }> {
		const { key, id } = this.contactKey(contact);
		const events = await this.eventsOfIdentity(key);
		return { contactKey: key, contactId: id, events };
	}

	async eventsOfKey(key: string): Promise<ConsentEvent[]> {
		return await this.eventsOfKeys([key]);
	}

	/** The events of several contact keys in one read, oldest first. */
	async eventsOfKeys(keys: readonly string[]): Promise<ConsentEvent[]> {
		return eventsFromRows(await this.rowsOf('events', anyOf('contactKey', keys)));
	}

	/** The events of a person: of this contact key and of every id linked to it (a phone number and its BSUID). */
	async eventsOfIdentity(key: string): Promise<ConsentEvent[]> {
		return await this.eventsOfKeys(await this.identityKeys(key));
	}

	/**
	 * This key and the keys linked to it (identityLink rows, written in both directions). Read once per key and
	 * ledger instance (one execution): a consent check and the window read of the same recipient share it.
	 */
	async identityKeys(key: string): Promise<string[]> {
		let pending = this.identityCache.get(key);
		if (!pending) {
			pending = this.readIdentityKeys(key);
			this.identityCache.set(key, pending);
			pending.catch(() => this.identityCache.delete(key));
		}
		return await pending;
	}

	private async readIdentityKeys(key: string): Promise<string[]> {
		return identityOf(
			key,
			await this.rowsOf('state', { type: 'and', filters: [eq('contactKey', key), eq('purpose', LINK_PURPOSE)] }),
		);
	}

	/**
	 * Records that two ids belong to one person (a webhook carried both the wa_id and the business-scoped user id),
	 * so that an opt-out under either id also stops sends addressed to the other. Idempotent; false if both
	 * directions were already known.
	 */
	async linkIdentities(first: unknown, second: unknown): Promise<boolean> {
		const a = this.contactKey(first);
		const b = this.contactKey(second);
		if (a.key === b.key) return false;
		const pair = [a.key, b.key].sort().join('|');
		if (knownLinks.has(pair)) return false;
		const at = new Date(this.now()).toISOString();
		let wrote = false;
		for (const [from, to] of [
			[a, b],
			[b, a],
		] as const) {
			this.identityCache.delete(from.key);
			if ((await this.identityKeys(from.key)).includes(to.key)) continue;
			await this.insert('state', [linkRow(from, to.key, at)]);
			this.identityCache.delete(from.key);
			wrote = true;
		}
		if (knownLinks.size >= KNOWN_LINKS_MAX) knownLinks.clear();
		knownLinks.add(pair);
		return wrote;
	}

	/**
	 * The current consent of a contact for a purpose, folded from the events (the source of truth) of the contact and
	 * the ids linked to it, so a state row that lags behind a concurrent write can never grant consent.
	 */
	async currentConsent(
		contact: unknown,
		purpose: ConsentPurpose,
		policy: ConsentPolicyOptions = {},
	): Promise<ConsentDecision & { contactKey: string }> {
		const { key } = this.contactKey(contact);
		const events = await this.eventsOfIdentity(key);
		return { ...decideConsent(events, purpose, this.now(), policy), contactKey: key };
	}

	/** The state rows of a contact (one per purpose), duplicates resolved; window and link rows left out. */
	async contactState(contact: unknown): Promise<ContactConsentState[]> {
		const { key } = this.contactKey(contact);
		return consentStatesOf(await this.rowsOf('state', { type: 'and', filters: [eq('contactKey', key)] }));
	}

	/** Records a message received from the contact; the window row only ever moves forward. */
	async recordInbound(contact: unknown, at: unknown = this.now()): Promise<ServiceWindowRecord> {
		const { key, id } = this.contactKey(contact);
		const lastInboundAt = toIso(at);
		if (!lastInboundAt)
			throw new LedgerError(
				`"${String(at)}" is not a time`,
				'Pass the webhook message timestamp (Unix seconds) or an ISO date-time.',
			);
		const { row, olderFilter, window } = windowRowOf({ key, id }, lastInboundAt);
		await this.moveStateRow(
			olderFilter,
			{ type: 'and', filters: [eq('contactKey', key), eq('purpose', WINDOW_PURPOSE)] },
			row,
		);
		return window;
	}

	/** The newest inbound time recorded for the contact or an id linked to it (max over duplicate rows). */
	async serviceWindowOf(contact: unknown): Promise<ServiceWindowRecord> {
		const { key } = this.contactKey(contact);
		const keys = await this.identityKeys(key);
		return newestWindow(await this.rowsOf('state', anyOf('contactKey', keys)));
	}

	/**
	 * GDPR erasure: records a tombstone (keyed hash only, action 'erase', no phone number, no wording), then
	 * deletes every other event and state row of the contact. The tombstone keeps every later check at
	 * "erased / not consented" until the person opts in again, so the opt-out is still honoured. The ids linked to the
	 * contact (the same person's phone number or business-scoped user id) are erased the same way, links included.
	 */
	async erase(contact: unknown): Promise<ErasureResult> {
		const { key } = this.contactKey(contact);
		this.identityCache.delete(key);
		const keys = await this.identityKeys(key);
		const results: ErasureResult[] = [];
		for (const k of keys) results.push(await this.eraseKey(k));
		// Links from ids outside this person's set that point at an erased id.
		for (const k of keys) {
			await this.remove('state', { type: 'and', filters: [eq('purpose', LINK_PURPOSE), eq('linkedKey', k)] });
			this.identityCache.delete(k);
		}
		return {
			...results[0],
			deletedEvents: results.reduce((sum, r) => sum + r.deletedEvents, 0),
			deletedStateRows: results.reduce((sum, r) => sum + r.deletedStateRows, 0),
			linkedIdsErased: keys.length - 1,
			erasedContactKeys: keys,
		};
	}

	private async eraseKey(key: string): Promise<ErasureResult> {
		const tombstone = erasureTombstone(key, randomUUID(), this.now(), this.options);
		const filters = erasedEventsFilters(key, tombstone.eventId);
		// Tombstone first: a check running during erasure already sees "erased".
		await this.insert('events', [rowOfEvent({ ...tombstone, contactKind: '' })]);
		const deletedEvents = await this.remove('events', filters.events);
		// Older tombstones of the same contact add nothing; keep the newest only.
		await this.remove('events', filters.olderTombstones);
		const deletedState = await this.remove('state', { type: 'and', filters: [eq('contactKey', key)] });
		await this.insert('state', [{ ...stateFromEvent(tombstone) }]);
		return {
			contactKey: key,
			deletedEvents: deletedEvents.length,
			deletedStateRows: deletedState.length,
			tombstoneEventId: tombstone.eventId,
			erasedAt: tombstone.capturedAt,
		};
	}
}
