/**
 * The consent ledger: n8n Data Tables reached through n8n's PUBLIC REST API (/api/v1/data-tables/...) with the
 * n8n base URL and API key of the WhatsApp Cloud API credential's Consent Ledger section, or of the ledger-only
 * "WhatsApp Notifications Ledger API" credential (older node versions, Check Consent's Ledger Only). Community nodes may not use n8n's
 * in-process data-table helper, files or env; this way the rows live in n8n's own database (SQLite, or
 * Postgres in queue mode), every workflow and worker shares them, and users see them in n8n's Data tables screen.
 *
 * Two tables, created on first use:
 *  - `<prefix>_consent_events` — append-only: one row per opt-in / opt-out / erasure (the source of truth);
 *  - `<prefix>_contact_state`  — derived: current consent per (contact, purpose), plus one 'serviceWindow'
 *                                row per contact with the last inbound message time and window expiry.
 *
 * Concurrency: events are inserts (never updated), so concurrent writers cannot lose one. State rows are only
 * moved forward by a single conditional UPDATE ... WHERE lastEventAt < capturedAt (<= for withdrawals), which
 * the database applies atomically; an older event can never overwrite a newer opt-out. If two writers both
 * insert a first state row, readers pick the newest (pickState). Consent checks fold the events themselves,
 * so a lagging or duplicated state row can never grant consent.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import {
	ALL_UTILITY,
	CONSENT_ACTIONS,
	compareEvents,
	orderingSecond,
	decideConsent,
	erasureTombstone,
	isConsentPurpose,
	normaliseContact,
	pickState,
	stateFromEvent,
	toIso,
	validateConsentEvent,
	type ConsentAction,
	type ConsentDecision,
	type ConsentEvent,
	type ConsentEventInput,
	type ConsentPolicyOptions,
	type ConsentPurpose,
	type ContactConsentState,
	type ValidConsentEvent,
} from '../domain/consent';
import { errorClues } from './errorClues';
import { dataTablesFull } from '../domain/ledgerCapacity';
import { SERVICE_WINDOW_MS } from '../domain/window';

export const LEDGER_CREDENTIAL_TYPE = 'whatsAppNotificationsLedgerApi';
/** The WhatsApp Cloud API credential, whose optional Consent Ledger section holds the same settings. */
export const CLOUD_LEDGER_CREDENTIAL_TYPE = 'whatsAppCloudApi';
export type LedgerCredentialType = typeof LEDGER_CREDENTIAL_TYPE | typeof CLOUD_LEDGER_CREDENTIAL_TYPE;
const CREDENTIAL_LABEL: Record<LedgerCredentialType, string> = {
	[LEDGER_CREDENTIAL_TYPE]: 'WhatsApp Notifications Ledger API',
	[CLOUD_LEDGER_CREDENTIAL_TYPE]: 'WhatsApp Cloud API',
};
export const WINDOW_PURPOSE = 'serviceWindow';
/** State rows that tie two ids of one person together (a webhook carried both): consent read under either sees both. */
export const LINK_PURPOSE = 'identityLink';
/** The state row holding the fingerprint of the Contact Key Secret the ledger's rows are keyed with. */
export const KEY_CHECK_PURPOSE = 'ledgerKeyCheck';
/** State rows that are no consent purpose. */
const NON_CONSENT_PURPOSES: ReadonlySet<string> = new Set([WINDOW_PURPOSE, LINK_PURPOSE, KEY_CHECK_PURPOSE]);

export type LedgerContext = IExecuteFunctions | IWebhookFunctions | IPollFunctions | IHookFunctions | ILoadOptionsFunctions;

export type ColumnType = 'string' | 'number' | 'boolean' | 'date';
export interface ColumnSpec {
	name: string;
	type: ColumnType;
	description: string;
}

/** Documented columns (README "Check Consent and the consent ledger"). */
export const EVENT_COLUMNS: readonly ColumnSpec[] = [
	{ name: 'eventId', type: 'string', description: 'Random id of the event (UUID)' },
	{ name: 'contactKey', type: 'string', description: 'HMAC-SHA256 of the contact id with the credential’s Contact Key Secret' },
	{ name: 'contactId', type: 'string', description: 'E.164 phone number or business-scoped user id; empty on an erasure tombstone' },
	{ name: 'contactKind', type: 'string', description: 'phone or userId' },
	{ name: 'purpose', type: 'string', description: 'A notification type (e.g. shippingStatus) or allUtility' },
	{ name: 'action', type: 'string', description: 'optIn, optOut or erase' },
	{ name: 'source', type: 'string', description: 'Where it happened: checkout form, WhatsApp reply, import, …' },
	{ name: 'proofWording', type: 'string', description: 'The exact wording the person agreed to' },
	{ name: 'proofVersion', type: 'string', description: 'Version of that wording or form' },
	{ name: 'proofReference', type: 'string', description: 'Page URL, order number or WhatsApp message id' },
	{ name: 'capturedAt', type: 'date', description: 'When the person acted' },
	{ name: 'recordedAt', type: 'date', description: 'When the ledger stored the event' },
	{ name: 'workflowId', type: 'string', description: 'Workflow that recorded it' },
	{ name: 'executionId', type: 'string', description: 'Execution that recorded it' },
];

export const STATE_COLUMNS: readonly ColumnSpec[] = [
	{ name: 'contactKey', type: 'string', description: 'As in the events table' },
	{ name: 'contactId', type: 'string', description: 'As in the events table; empty after erasure' },
	{ name: 'purpose', type: 'string', description: 'A notification type, allUtility, or serviceWindow for the window row' },
	{ name: 'consent', type: 'string', description: 'granted, withdrawn or erased' },
	{ name: 'since', type: 'date', description: 'capturedAt of the event the state comes from' },
	{ name: 'source', type: 'string', description: 'Source of that event' },
	{ name: 'lastEventId', type: 'string', description: 'eventId of that event' },
	{ name: 'lastEventAt', type: 'date', description: 'Ordering key: state only moves to newer events' },
	{ name: 'lastInboundAt', type: 'date', description: 'serviceWindow row: last message received from the contact' },
	{ name: 'windowExpiresAt', type: 'date', description: 'serviceWindow row: lastInboundAt + 24 h' },
	// n8n 2.41's data-table filters compare date columns wrongly on SQLite (lt/lte always match, gt/gte never);
	// numbers compare correctly, so the move-forward conditions use these millisecond twins.
	{ name: 'lastEventAtMs', type: 'number', description: 'lastEventAt in Unix milliseconds, consent rows rounded down to the second (ordering key of the conditional updates)' },
	{ name: 'lastInboundAtMs', type: 'number', description: 'lastInboundAt in Unix milliseconds (serviceWindow row)' },
	{ name: 'linkedKey', type: 'string', description: 'identityLink row: contactKey of another id of the same person (phone number ↔ business-scoped user id)' },
];

// ---------------------------------------------------------------------------------------------------------------
// Errors

export class LedgerError extends Error {
	constructor(
		message: string,
		/** How to fix it, for the node error's description. */
		readonly fix: string,
		readonly httpCode?: number,
		readonly responseBody?: unknown,
	) {
		super(message);
		this.name = 'LedgerError';
	}
}

const SCOPES_NEEDED =
	'dataTable:list, dataTable:create, dataTable:read, dataTableColumn:read, dataTableColumn:create, dataTableRow:read, dataTableRow:create, dataTableRow:update, dataTableRow:upsert, dataTableRow:delete';

export function ledgerHttpError(status: number, body: unknown, doing: string, credentialLabel = CREDENTIAL_LABEL[LEDGER_CREDENTIAL_TYPE]): LedgerError {
	// A web page instead of JSON: the Base URL points at something that is not n8n's public API.
	const isHtml = typeof body === 'string' && /^\s*<(!doctype|html)/i.test(body);
	const detail = isHtml
		? 'an HTML page answered, not n8n’s public API'
		: body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string'
			? (body as { message: string }).message
			: typeof body === 'string'
				? body.slice(0, 200)
				: '';
	const message = `The n8n data-table API refused ${doing} (HTTP ${status}${detail ? `: ${detail}` : ''})`;
	const full = dataTablesFull(detail);
	if (full) return new LedgerError(`${full.problem}: n8n refused ${doing} (HTTP ${status})`, full.fix, status, body);
	switch (status) {
		case 401:
			return new LedgerError(message, `The n8n API key in the "${credentialLabel}" credential is wrong, revoked or expired. Create a new one in n8n under Settings → n8n API and paste it into the credential.`, status, body);
		case 403:
			return new LedgerError(message, `The n8n API key lacks a data-table scope, or its user cannot reach the ledger's project. Give the key these scopes: ${SCOPES_NEEDED}.`, status, body);
		case 404:
			return new LedgerError(message, 'Nothing answered at this path: check the credential’s n8n Base URL (the address of n8n itself, e.g. http://localhost:5678, without /api/v1) and that the public API is enabled (N8N_PUBLIC_API_DISABLED is not true). A data table may have been deleted; run again to recreate it.', status, body);
		case 400:
			return new LedgerError(message, 'n8n refused the request as invalid. If you changed the ledger tables by hand, restore the documented columns (see the README) or delete the tables so they are created again.', status, body);
		default:
			return new LedgerError(message, 'n8n could not store or read the consent ledger. Check that n8n is running and its database is healthy, then run again.', status, body);
	}
}

export function ledgerNetworkError(error: unknown, baseUrl: string): LedgerError {
	const text = errorClues(error);
	const ssrf = /ssrf|blocked|not allowed|disallowed/i.test(text);
	return new LedgerError(
		`The consent ledger at ${baseUrl} could not be reached (${text.slice(0, 200)})`,
		ssrf
			? 'n8n’s SSRF protection (N8N_SSRF_PROTECTION_ENABLED) blocked the request to n8n’s own address. Allow it with N8N_SSRF_ALLOWED_HOSTNAMES (e.g. localhost) or N8N_SSRF_ALLOWED_IP_RANGES, or use n8n’s public address in the credential.'
			: 'Check the credential’s n8n Base URL: from inside n8n it is usually http://localhost:5678 (or the main instance’s address from a queue-mode worker). If SSRF protection is enabled, allow that host with N8N_SSRF_ALLOWED_HOSTNAMES.',
	);
}

/** Runs fn and hands back its LedgerError instead of throwing (anything else becomes a LedgerError). */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: LedgerError }> {
	try {
		return { ok: true, value: await fn() };
	} catch (error) {
		if (error instanceof LedgerError) return { ok: false, error };
		return { ok: false, error: new LedgerError(errorClues(error) || 'Unexpected ledger failure', 'Run again; if it persists, check n8n’s log.') };
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Data-table client (public API)

export interface LedgerSettings {
	baseUrl: string;
	projectId: string;
	tablePrefix: string;
	contactKeySecret: string;
	/** Part of the table-id cache key: a different API key may see different tables. */
	apiKeyFingerprint: string;
	/** The credential the settings come from; every request authenticates with it. */
	credentialType: LedgerCredentialType;
}

export interface DataTableInfo {
	id: string;
	name: string;
	projectId?: string;
	columns: Array<{ id?: string; name: string; type: string }>;
}

export type Row = IDataObject & { id?: number };

export interface FilterCondition {
	columnName: string;
	condition: 'eq' | 'neq' | 'like' | 'ilike' | 'gt' | 'gte' | 'lt' | 'lte' | 'isEmpty' | 'isNotEmpty';
	value: string | number | boolean | null;
}
export interface RowFilter {
	type?: 'and' | 'or';
	filters: FilterCondition[];
}

export const eq = (columnName: string, value: string | number | boolean): FilterCondition => ({ columnName, condition: 'eq', value });

/** What to do when the node's ledger switch is on but the WhatsApp Cloud API credential's ledger section is off. */
export const LEDGER_SECTION_OFF_FIX =
	'Open the WhatsApp Cloud API credential, turn on Consent Ledger and fill in the n8n Base URL, n8n API Key and Contact Key Secret (the same secret as every other credential of this ledger), or turn off the node\'s ledger option.';

/**
 * The ledger settings of a credential: the ledger-only credential, or the WhatsApp Cloud API credential with its
 * Consent Ledger section on (a section that is off is refused with the fix).
 */
export async function readLedgerSettings(ctx: LedgerContext, credentialType: LedgerCredentialType = LEDGER_CREDENTIAL_TYPE): Promise<LedgerSettings> {
	const raw = await ctx.getCredentials(credentialType);
	const text = (key: string) => String(raw[key] ?? '').trim();
	const fromCloud = credentialType === CLOUD_LEDGER_CREDENTIAL_TYPE;
	const label = CREDENTIAL_LABEL[credentialType];
	if (fromCloud && raw.consentLedger !== true) {
		throw new LedgerError(
			'Turn on Consent Ledger in the WhatsApp Cloud API credential: the node uses the consent ledger, but the credential has no ledger settings',
			LEDGER_SECTION_OFF_FIX,
		);
	}
	const baseUrl = text(fromCloud ? 'n8nBaseUrl' : 'baseUrl').replace(/\/+$/, '').replace(/\/api\/v1$/, '');
	const apiKey = text(fromCloud ? 'n8nApiKey' : 'apiKey');
	const contactKeySecret = text('contactKeySecret');
	if (!baseUrl) throw new LedgerError(`The "${label}" credential has no n8n Base URL`, 'Enter the address of n8n itself, e.g. http://localhost:5678.');
	if (contactKeySecret.length < 16) {
		throw new LedgerError(
			`The "${label}" credential's Contact Key Secret is missing or shorter than 16 characters`,
			'Enter a long random string (e.g. from a password manager) and never change it: contacts are looked up by a keyed hash of their id.',
		);
	}
	return {
		baseUrl,
		projectId: text('projectId'),
		tablePrefix: text('tablePrefix') || 'whatsapp',
		contactKeySecret,
		apiKeyFingerprint: createHash('sha256').update(apiKey).digest('hex').slice(0, 12),
		credentialType,
	};
}

/** What the ledger stores to recognise its Contact Key Secret: an HMAC of a fixed label, which reveals nothing of it. */
export function contactKeySecretFingerprint(secret: string): string {
	return createHmac('sha256', secret).update('whatsapp-ledger-key-check').digest('hex');
}

/** n8n answers a name already taken in the project with 409 (older versions: 400 "already exists"). */
function isNameConflict(error: LedgerError): boolean {
	const message = typeof (error.responseBody as { message?: unknown })?.message === 'string' ? (error.responseBody as { message: string }).message : '';
	return error.httpCode === 409 || (error.httpCode === 400 && /already exists/i.test(message));
}

function tableInWrongProject(name: string, wanted: string, got: string | undefined): LedgerError {
	return new LedgerError(
		`n8n created the data table "${name}" in project ${got ?? '(unknown)'}, not in the credential's project ${wanted}`,
		'This n8n version ignores the project of a new data table. Update n8n, or delete that table and leave Project ID empty to keep the ledger in the API key owner\'s personal project.',
	);
}

function ambiguousTables(name: string, tables: readonly DataTableInfo[], personalProjectId: string | undefined, credentialLabel: string): LedgerError {
	const projects = [...new Set(tables.map((t) => t.projectId ?? '(unknown)'))].join(', ');
	return new LedgerError(
		`Data tables named "${name}" exist in several n8n projects (${projects}) and the ledger credential's Project ID is empty, so the ledger cannot tell which one is its own`,
		`The ledger only uses tables of its own project, never another project's table of the same name. Set Project ID in the "${credentialLabel}" credential to the project that holds your consent records${personalProjectId ? ` (the API key owner's personal project is ${personalProjectId})` : ''}; a project's ID is the part after /projects/ in its address in n8n. Or use another Table Name Prefix.`,
	);
}

/** Pairs of contact keys linked in this process, so that each webhook does not re-read a known link. */
const knownLinks = new Set<string>();
const KNOWN_LINKS_MAX = 10_000;

/** Table ids resolved in this process (shared by executions of every workflow); a 404 clears the entry. */
const tableCache = new Map<string, Promise<DataTableInfo>>();
/** Ledgers whose Contact Key Secret this process has checked, per ledger and secret; a refusal is not kept. */
const keyChecks = new Map<string, Promise<void>>();

export function clearTableCache(): void {
	tableCache.clear();
	keyChecks.clear();
	knownLinks.clear();
}

export class DataTablesClient {
	constructor(
		private readonly ctx: LedgerContext,
		readonly settings: LedgerSettings,
	) {}

	async request<T>(method: IHttpRequestMethods, path: string, doing: string, init: { qs?: IDataObject; body?: unknown } = {}): Promise<T> {
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
			response = (await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, this.settings.credentialType, options)) as typeof response;
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
			const res = await this.request<{ data: DataTableInfo[]; nextCursor?: string | null }>('GET', '/data-tables', 'listing data tables', { qs });
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
		const key = [this.tableKey(`${this.settings.tablePrefix}_contact_state`), contactKeySecretFingerprint(this.settings.contactKeySecret)].join('|');
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
		const read = async () => await this.listRows(state.id, { type: 'and', filters: [eq('purpose', KEY_CHECK_PURPOSE)] });
		let rows = await read();
		if (rows.length === 0) {
			const at = new Date().toISOString();
			await this.insertRows(state.id, [{ contactKey: mine, purpose: KEY_CHECK_PURPOSE, source: 'Contact Key Secret fingerprint', since: at, lastEventAt: at }]);
			rows = await read();
		}
		const oldest = [...rows].sort((a, b) => Number(a.id ?? 0) - Number(b.id ?? 0))[0];
		if (oldest && str(oldest.contactKey) !== mine) {
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
		const table = projectId ? await this.inProject(name, columns, projectId) : await this.inPersonalProject(name, columns);
		const have = new Set((table.columns ?? []).map((c) => c.name));
		for (const column of columns) {
			if (have.has(column.name)) continue;
			const added = await attempt(async () =>
				await this.request('POST', `/data-tables/${table.id}/columns`, `adding column "${column.name}" to "${name}"`, {
					body: { name: column.name, type: column.type },
				}),
			);
			if (!added.ok && added.error.httpCode !== 409) throw added.error;
		}
		return table;
	}

	/** Creates the table (in `projectId`, else in the key owner's personal project); undefined if the name is taken there. */
	private async createTable(name: string, columns: readonly ColumnSpec[], projectId?: string): Promise<DataTableInfo | undefined> {
		const body: IDataObject = { name, columns: columns.map((c) => ({ name: c.name, type: c.type })) };
		if (projectId) body.projectId = projectId;
		const created = await attempt(async () => await this.request<DataTableInfo>('POST', '/data-tables', `creating the data table "${name}"`, { body }));
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

	async insertRows(tableId: string, rows: Row[]): Promise<number> {
		if (rows.length === 0) return 0;
		let count = 0;
		for (let i = 0; i < rows.length; i += 100) {
			const res = await this.request<{ count?: number }>('POST', `/data-tables/${tableId}/rows`, 'recording consent events', {
				body: { data: rows.slice(i, i + 100), returnType: 'count' },
			});
			count += res?.count ?? 0;
		}
		return count;
	}

	/**
	 * Every row whose `column` is one of `values`, grouped by that value: one read (an 'or' filter) per `perRead`
	 * values, since n8n's tables have no index and each read scans the table whatever it asks for. The filter travels
	 * in the query string, which n8n's HTTP server caps at 16 KiB of request headers (40 keys: about 6 KiB).
	 */
	async rowsByValues(tableId: string, column: string, values: Iterable<string>, perRead = 40): Promise<Map<string, Row[]>> {
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
			const res = await this.request<{ data: Row[]; nextCursor?: string | null }>('GET', `/data-tables/${tableId}/rows`, 'reading the consent ledger', { qs });
			rows.push(...(res.data ?? []));
			cursor = res.nextCursor ?? undefined;
			if (!cursor || (res.data ?? []).length === 0) break;
		}
		return rows;
	}

	/** UPDATE ... WHERE filter, atomically in n8n's database. Returns the updated rows. */
	async updateRows(tableId: string, filter: RowFilter, data: Row): Promise<Row[]> {
		const res = await this.request<Row[] | boolean>('PATCH', `/data-tables/${tableId}/rows/update`, 'updating the contact state', {
			body: { filter, data, returnData: true },
		});
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

// ---------------------------------------------------------------------------------------------------------------
// The consent ledger

/** HMAC-SHA256 of the canonical contact id, keyed with the credential's secret: the lookup key of every row. */
export function contactKeyOf(contactId: string, secret: string): string {
	return createHmac('sha256', secret).update(`whatsapp-contact:${contactId}`).digest('hex');
}

function str(value: unknown): string {
	return value === undefined || value === null ? '' : String(value);
}

/**
 * A stored row as a consent event, failing closed: only a known purpose with a known action can grant. A row this
 * version cannot read (a purpose or action it does not know, typed by hand or written by a newer version) never
 * counts as consent: an opt-in of an unknown purpose is left out, and any other unknown row withdraws every
 * purpose (an unknown action counts as an opt-out of all utility notifications).
 */
export function eventFromRow(row: Row): ConsentEvent | undefined {
	const purpose = str(row.purpose);
	const action = str(row.action);
	const knownAction = (CONSENT_ACTIONS as readonly string[]).includes(action);
	const knownPurpose = isConsentPurpose(purpose);
	if (action === 'optIn' && !knownPurpose) return undefined;
	const capturedAt = toIso(row.capturedAt);
	if (action === 'optIn' && !capturedAt) return undefined;
	return {
		eventId: str(row.eventId),
		contactKey: str(row.contactKey),
		contactId: str(row.contactId),
		purpose: knownAction && knownPurpose ? purpose : ALL_UTILITY,
		action: knownAction ? (action as ConsentAction) : 'optOut',
		source: str(row.source),
		proofWording: str(row.proofWording),
		proofVersion: str(row.proofVersion),
		proofReference: str(row.proofReference),
		capturedAt: capturedAt ?? str(row.capturedAt),
		recordedAt: toIso(row.recordedAt) ?? str(row.recordedAt),
		workflowId: str(row.workflowId),
		executionId: str(row.executionId),
	};
}

/** The events of stored rows, oldest first; rows that cannot grant are dropped (see eventFromRow). */
export function eventsFromRows(rows: readonly Row[]): ConsentEvent[] {
	return rows.map(eventFromRow).filter((e): e is ConsentEvent => e !== undefined).sort(compareEvents);
}

function stateFromRow(row: Row): ContactConsentState {
	return {
		contactKey: str(row.contactKey),
		contactId: str(row.contactId),
		purpose: str(row.purpose) as ConsentPurpose,
		consent: (str(row.consent) || 'withdrawn') as ContactConsentState['consent'],
		since: toIso(row.since) ?? '',
		source: str(row.source),
		lastEventId: str(row.lastEventId),
		lastEventAt: toIso(row.lastEventAt) ?? '',
	};
}

export interface RecordedEvent extends ConsentEvent {
	contactKind: string;
}

export interface RecordResult {
	recorded: RecordedEvent[];
	/** For each recorded event, its index in the input. */
	recordedIndexes: number[];
	/** Events refused by validation, with their index in the input. */
	refused: Array<{ index: number; reason: string; fix: string }>;
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

export interface ServiceWindowRecord {
	lastInboundAt?: string;
	windowExpiresAt?: string;
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
	static async open(ctx: LedgerContext, options: LedgerOptions = {}, credentialType: LedgerCredentialType = LEDGER_CREDENTIAL_TYPE): Promise<ConsentLedger> {
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

	/** The keyed hash a contact is stored under; throws LedgerError for an unusable contact. */
	contactKey(contact: unknown): { key: string; id: string; kind: string } {
		const normalised = normaliseContact(contact);
		if (!normalised.ok) throw new LedgerError(`The contact is not usable: ${normalised.reason}`, 'Map the customer’s WhatsApp number in international format or their business-scoped user id.');
		return { key: contactKeyOf(normalised.id, this.client.settings.contactKeySecret), id: normalised.id, kind: normalised.kind };
	}

	/** Validates a batch; records the valid ones (one insert), then moves their state rows forward. */
	async recordEvents(inputs: ConsentEventInput[]): Promise<RecordResult> {
		const now = this.now();
		const recordedAt = new Date(now).toISOString();
		const recorded: RecordedEvent[] = [];
		const recordedIndexes: number[] = [];
		const refused: RecordResult['refused'] = [];
		inputs.forEach((input, index) => {
			const checked = validateConsentEvent(
				{ workflowId: this.options.workflowId, executionId: this.options.executionId, ...input },
				now,
			);
			if (!checked.ok) {
				refused.push({ index, reason: checked.reason, fix: checked.fix });
				return;
			}
			recorded.push(this.toEvent(checked.event, recordedAt));
			recordedIndexes.push(index);
		});
		if (recorded.length === 0) return { recorded, recordedIndexes, refused };
		await this.withTable('events', async (table) => await this.client.insertRows(table.id, recorded.map(rowOfEvent)));
		await this.advanceStates(recorded);
		return { recorded, recordedIndexes, refused };
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
	 * Moves the (contact, purpose) state row to this event if it is newer: a conditional UPDATE that the
	 * database applies atomically, so concurrent writers can only move the state forward. A withdrawal also
	 * replaces a state of the same instant. Inserts the row when there is none yet.
	 */
	/**
	 * advanceState for a batch: the state rows of all its contacts in one read per 40; a (contact, purpose) with no row
	 * yet and one event in the batch gets its row in one bulk insert (the usual import or checkout batch), the rest
	 * move forward one conditional update at a time, in order. A row another writer inserts meanwhile is a duplicate
	 * that readers resolve (pickState), as when two writers insert a first row.
	 */
	private async advanceStates(events: readonly ConsentEvent[]): Promise<void> {
		if (events.length < 2) {
			for (const event of events) await this.advanceState(event);
			return;
		}
		const pairOf = (event: ConsentEvent) => `${event.contactKey}|${event.purpose}`;
		const perPair = new Map<string, number>();
		for (const event of events) perPair.set(pairOf(event), (perPair.get(pairOf(event)) ?? 0) + 1);
		const rows = await this.withTable('state', async (table) => await this.client.rowsByValues(table.id, 'contactKey', events.map((e) => e.contactKey)));
		const hasRow = (event: ConsentEvent) => (rows.get(event.contactKey) ?? []).some((row) => str(row.purpose) === event.purpose);
		const fresh = events.filter((event) => perPair.get(pairOf(event)) === 1 && !hasRow(event));
		if (fresh.length > 0) {
			await this.withTable('state', async (table) =>
				await this.client.insertRows(table.id, fresh.map((event) => ({ ...stateFromEvent(event), lastEventAtMs: orderingSecond(event.capturedAt) * 1000 }))),
			);
		}
		const inserted = new Set(fresh);
		for (const event of events) if (!inserted.has(event)) await this.advanceState(event);
	}

	private async advanceState(event: ConsentEvent): Promise<void> {
		const state = stateFromEvent(event);
		// The same whole-second ordering as compareEvents, so the state row agrees with the decision.
		const capturedMs = orderingSecond(event.capturedAt) * 1000;
		const data: Row = { ...state, lastEventAtMs: capturedMs };
		await this.withTable('state', async (table) => {
			const filter: RowFilter = {
				type: 'and',
				filters: [
					eq('contactKey', event.contactKey),
					eq('purpose', event.purpose),
					{ columnName: 'lastEventAtMs', condition: event.action === 'optIn' ? 'lt' : 'lte', value: capturedMs },
				],
			};
			const updated = await this.client.updateRows(table.id, filter, data);
			if (updated.length > 0) return;
			const existing = await this.client.listRows(table.id, {
				type: 'and',
				filters: [eq('contactKey', event.contactKey), eq('purpose', event.purpose)],
			});
			if (existing.length === 0) await this.client.insertRows(table.id, [data]);
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
		const filter: RowFilter = { type: keys.length > 1 ? 'or' : 'and', filters: keys.map((k) => eq('contactKey', k)) };
		const rows = await this.withTable('events', async (table) => await this.client.listRows(table.id, filter));
		return eventsFromRows(rows);
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
		const rows = await this.withTable('state', async (table) =>
			await this.client.listRows(table.id, { type: 'and', filters: [eq('contactKey', key), eq('purpose', LINK_PURPOSE)] }),
		);
		const linked = rows.map((r) => str(r.linkedKey)).filter((k) => k !== '' && k !== key);
		return [key, ...new Set(linked)];
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
		for (const [from, to] of [[a, b], [b, a]] as const) {
				this.identityCache.delete(from.key);
			if ((await this.identityKeys(from.key)).includes(to.key)) continue;
			await this.withTable('state', async (table) =>
				await this.client.insertRows(table.id, [
					{ contactKey: from.key, contactId: from.id, purpose: LINK_PURPOSE, linkedKey: to.key, since: at, lastEventAt: at, lastEventAtMs: Date.parse(at) },
				]),
			);
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
	async currentConsent(contact: unknown, purpose: ConsentPurpose, policy: ConsentPolicyOptions = {}): Promise<ConsentDecision & { contactKey: string }> {
		const { key } = this.contactKey(contact);
		const events = await this.eventsOfIdentity(key);
		return { ...decideConsent(events, purpose, this.now(), policy), contactKey: key };
	}

	/** The state rows of a contact (one per purpose), duplicates resolved; window and link rows left out. */
	async contactState(contact: unknown): Promise<ContactConsentState[]> {
		const { key } = this.contactKey(contact);
		const rows = await this.withTable('state', async (table) => await this.client.listRows(table.id, { type: 'and', filters: [eq('contactKey', key)] }));
		const byPurpose = new Map<string, ContactConsentState[]>();
		for (const row of rows.filter((r) => !NON_CONSENT_PURPOSES.has(str(r.purpose)))) {
			const state = stateFromRow(row);
			byPurpose.set(state.purpose, [...(byPurpose.get(state.purpose) ?? []), state]);
		}
		return [...byPurpose.values()].map((group) => pickState(group)).filter((s): s is ContactConsentState => s !== undefined);
	}

	/** Records a message received from the contact; the window row only ever moves forward. */
	async recordInbound(contact: unknown, at: unknown = this.now()): Promise<ServiceWindowRecord> {
		const { key, id } = this.contactKey(contact);
		const lastInboundAt = toIso(at);
		if (!lastInboundAt) throw new LedgerError(`"${String(at)}" is not a time`, 'Pass the webhook message timestamp (Unix seconds) or an ISO date-time.');
		const windowExpiresAt = new Date(Date.parse(lastInboundAt) + SERVICE_WINDOW_MS).toISOString();
		const inboundMs = Date.parse(lastInboundAt);
		const data: Row = {
			contactKey: key,
			contactId: id,
			purpose: WINDOW_PURPOSE,
			lastInboundAt,
			windowExpiresAt,
			lastEventAt: lastInboundAt,
			lastInboundAtMs: inboundMs,
			lastEventAtMs: inboundMs,
		};
		await this.withTable('state', async (table) => {
			const updated = await this.client.updateRows(
				table.id,
				{ type: 'and', filters: [eq('contactKey', key), eq('purpose', WINDOW_PURPOSE), { columnName: 'lastInboundAtMs', condition: 'lt', value: inboundMs }] },
				data,
			);
			if (updated.length > 0) return;
			const existing = await this.client.listRows(table.id, { type: 'and', filters: [eq('contactKey', key), eq('purpose', WINDOW_PURPOSE)] });
			if (existing.length === 0) await this.client.insertRows(table.id, [data]);
		});
		return { lastInboundAt, windowExpiresAt };
	}

	/** The newest inbound time recorded for the contact or an id linked to it (max over duplicate rows). */
	async serviceWindowOf(contact: unknown): Promise<ServiceWindowRecord> {
		const { key } = this.contactKey(contact);
		const keys = await this.identityKeys(key);
		const rows = await this.withTable('state', async (table) =>
			await this.client.listRows(table.id, { type: keys.length > 1 ? 'or' : 'and', filters: keys.map((k) => eq('contactKey', k)) }),
		);
		let best: ServiceWindowRecord = {};
		for (const row of rows.filter((r) => str(r.purpose) === WINDOW_PURPOSE)) {
			const at = toIso(row.lastInboundAt);
			if (at && (!best.lastInboundAt || at > best.lastInboundAt)) best = { lastInboundAt: at, windowExpiresAt: toIso(row.windowExpiresAt) };
		}
		return best;
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
			await this.withTable('state', async (table) => await this.client.deleteRows(table.id, { type: 'and', filters: [eq('purpose', LINK_PURPOSE), eq('linkedKey', k)] }));
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
		const now = this.now();
		const tombstone = erasureTombstone(key, randomUUID(), now, this.options);
		// Tombstone first: a check running during erasure already sees "erased".
		await this.withTable('events', async (table) => await this.client.insertRows(table.id, [rowOfEvent({ ...tombstone, contactKind: '' })]));
		const deletedEvents = await this.withTable('events', async (table) =>
			await this.client.deleteRows(table.id, { type: 'and', filters: [eq('contactKey', key), { columnName: 'action', condition: 'neq', value: 'erase' }] }),
		);
		// Older tombstones of the same contact add nothing; keep the newest only.
		await this.withTable('events', async (table) =>
			await this.client.deleteRows(table.id, {
				type: 'and',
				filters: [eq('contactKey', key), eq('action', 'erase'), { columnName: 'eventId', condition: 'neq', value: tombstone.eventId }],
			}),
		);
		const deletedState = await this.withTable('state', async (table) => await this.client.deleteRows(table.id, { type: 'and', filters: [eq('contactKey', key)] }));
		await this.withTable('state', async (table) => await this.client.insertRows(table.id, [{ ...stateFromEvent(tombstone) }]));
		return {
			contactKey: key,
			deletedEvents: deletedEvents.length,
			deletedStateRows: deletedState.length,
			tombstoneEventId: tombstone.eventId,
			erasedAt: tombstone.capturedAt,
		};
	}
}

export function rowOfEvent(event: RecordedEvent): Row {
	return {
		eventId: event.eventId,
		contactKey: event.contactKey,
		contactId: event.contactId,
		contactKind: event.contactKind,
		purpose: event.purpose,
		action: event.action,
		source: event.source,
		proofWording: event.proofWording,
		proofVersion: event.proofVersion,
		proofReference: event.proofReference,
		capturedAt: event.capturedAt,
		recordedAt: event.recordedAt,
		workflowId: event.workflowId,
		executionId: event.executionId,
	};
}
