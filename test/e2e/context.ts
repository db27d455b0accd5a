/** What an e2e test file needs: the shared n8n, its own emulator, credentials and one-shot workflows. */
import { randomUUID } from 'node:crypto';

import { E2E_API_KEY_ENV, E2E_URL_ENV } from './globalSetup';
import { windowRowOf } from '../../nodes/shared/domain/ledgerRows';
import { contactKeyOf } from '../../nodes/shared/io/ledger';
import { signWebhook, startEmulator, type Emulator, type EmulatorOptions } from '../../dev/emulator';
import { envelope } from '../../dev/emulator/webhooks';
import {
	N8nClient,
	NODE_TYPE_PREFIX,
	loginCookie,
	restRequest,
	webhookEntryNodes,
	type WorkflowNode,
} from '../../dev/n8n/n8n';

export { NODE_TYPE_PREFIX };
export const SEND_NODE_TYPE = `${NODE_TYPE_PREFIX}whatsAppSendNotification`;
export const CHECK_NODE_TYPE = `${NODE_TYPE_PREFIX}whatsAppCheckConsent`;
export const TRIGGER_NODE_TYPE = `${NODE_TYPE_PREFIX}whatsAppSessionWindowTrigger`;
export const TEMPLATE_NODE_TYPE = `${NODE_TYPE_PREFIX}whatsAppNotificationTemplate`;
export const POLL_NODE_TYPE = `${NODE_TYPE_PREFIX}whatsAppTemplateStatusPoll`;
export const CLOUD_CREDENTIAL_TYPE = 'whatsAppCloudApi';
export const LEDGER_CREDENTIAL_TYPE = 'whatsAppNotificationsLedgerApi';
/** The Session Window Trigger's default node name: its output is read under this name. */
export const TRIGGER_NAME = 'WhatsApp Session Window Trigger';
/** The opt-in wording the e2e tests record as proof. */
export const OPT_IN_WORDING = 'Send me order and delivery updates from Example Shop on WhatsApp';
/** The ledger's contact key secret where a test has no reason to pick its own. */
export const E2E_CONTACT_KEY_SECRET = 'e2e-contact-key-secret-0123456789';

/**
 * Fresh contacts for one test file: digits `<leading><pid % 10^width><sequence>`, pid and sequence each `width` digits,
 * so that files and concurrent runs never share a contact in the shared n8n's ledger. Each call gives the next one, as
 * WhatsApp's digits (wa_id) and the E.164 phone.
 */
export function contactSequence(leading: string, width: 2 | 3): () => { waId: string; phone: string } {
	let seq = 0;
	const pid = String(process.pid % 10 ** width).padStart(width, '0');
	return () => {
		const waId = `${leading}${pid}${String(++seq).padStart(width, '0')}`;
		return { waId, phone: `+${waId}` };
	};
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
	for (const started = Date.now(); !check(); ) {
		if (Date.now() - started > timeoutMs) throw new Error('timed out');
		await sleep(50);
	}
}

export function sharedN8n(): N8nClient {
	const url = process.env[E2E_URL_ENV];
	const apiKey = process.env[E2E_API_KEY_ENV];
	if (!url || !apiKey) throw new Error('The e2e n8n is not running: run e2e tests through `npm run test:e2e`');
	return new N8nClient(url, apiKey);
}

export interface EmulatorLike {
	url: string;
	options: { accessToken: string; wabaId: string; appSecret: string; phoneNumbers: Array<{ id: string }> };
}

export function cloudCredentialData(emulator: EmulatorLike, overrides: Record<string, unknown> = {}) {
	return {
		accessToken: emulator.options.accessToken,
		businessAccountId: emulator.options.wabaId,
		phoneNumberId: emulator.options.phoneNumbers[0].id,
		graphApiVersion: 'v24.0',
		baseUrl: emulator.url,
		appSecret: emulator.options.appSecret,
		webhookVerifyToken: 'e2e-verify-token',
		// n8n 2.7.4's public API schema requires the Consent Ledger fields unless the switch is given as off.
		consentLedger: false,
		...overrides,
	};
}

export interface SavedCredential {
	id: string;
	name: string;
}

/**
 * What most e2e files start with: an emulator of their own and a WhatsApp Cloud API credential in n8n pointed at it
 * (named `<label> <emulator port>`). The caller closes the emulator in afterAll.
 */
export async function startEmulatorWithCredential(
	client: N8nClient,
	label: string,
	options: EmulatorOptions = {},
	credentialOverrides: Record<string, unknown> = {},
): Promise<{ emulator: Emulator; credential: SavedCredential }> {
	const emulator = await startEmulator({ port: 0, ...options });
	const data = cloudCredentialData(emulator, credentialOverrides);
	try {
		const credential = await client.createCredential(CLOUD_CREDENTIAL_TYPE, `${label} ${emulator.port}`, data);
		return { emulator, credential };
	} catch (error) {
		await emulator.close();
		throw error;
	}
}

/**
 * For a file whose tests share one emulator: registers the hooks that start it with its credential before all tests
 * (startEmulatorWithCredential), forget what it recorded before each test, and close it after all. The returned
 * fields are set once beforeAll has run: read them inside hooks and tests.
 */
export function useEmulatorWithCredential(
	client: N8nClient,
	label: string,
	options: EmulatorOptions = {},
): { emulator: Emulator; credential: SavedCredential } {
	const setup = {} as { emulator: Emulator; credential: SavedCredential };
	beforeAll(async () => {
		Object.assign(setup, await startEmulatorWithCredential(client, label, options));
	});
	afterAll(async () => {
		await setup.emulator?.close();
	});
	beforeEach(() => resetEmulator(setup.emulator));
	return setup;
}

/** The consent ledger credential's data: the ledger in `client`'s n8n, under its own table prefix. */
export function ledgerCredentialData(
	client: N8nClient,
	tablePrefix: string,
	contactKeySecret: string,
	overrides: Record<string, unknown> = {},
) {
	return { baseUrl: client.url, apiKey: client.apiKey, contactKeySecret, projectId: '', tablePrefix, ...overrides };
}

/** Saves the consent ledger credential (see ledgerCredentialData) in `client`'s n8n. */
export async function createLedgerCredential(
	client: N8nClient,
	name: string,
	tablePrefix: string,
	contactKeySecret = E2E_CONTACT_KEY_SECRET,
	overrides: Record<string, unknown> = {},
): Promise<SavedCredential> {
	return await client.createCredential(
		LEDGER_CREDENTIAL_TYPE,
		name,
		ledgerCredentialData(client, tablePrefix, contactKeySecret, overrides),
	);
}

/** A Check Consent node on the ledger credential, reading the contact from `$json[contactField]`. */
export function checkConsentNode(
	ledger: SavedCredential,
	parameters: Record<string, unknown>,
	contactField = 'phone',
): Omit<WorkflowNode, 'name'> {
	return {
		type: CHECK_NODE_TYPE,
		typeVersion: 1,
		credentials: { [LEDGER_CREDENTIAL_TYPE]: ledger },
		parameters: { contact: `={{ $json.${contactField} }}`, ...parameters },
	};
}

/**
 * A Check Consent node recording the opt-in of the shop's checkout form (OPT_IN_WORDING, version checkout-v3) for
 * `purpose`; `extra` adds or replaces parameters (a proof reference, a capture time).
 */
export function checkoutOptInNode(
	ledger: SavedCredential,
	purpose: string,
	extra: Record<string, unknown> = {},
	contactField = 'phone',
): Omit<WorkflowNode, 'name'> {
	return checkConsentNode(
		ledger,
		{
			operation: 'recordOptIn',
			purpose,
			source: 'checkout form',
			proofWording: OPT_IN_WORDING,
			proofVersion: 'checkout-v3',
			...extra,
		},
		contactField,
	);
}

/** The values of the emulator's shipping_update/en_US template: name, order, delivery day, and the tracking button's. */
export interface ShippingUpdateValues {
	body_1: string;
	body_2: string;
	body_3: string;
	button_0_url: string;
}

/** The shipping_update values read from each item: `name`, `order` (also the tracking button's) and `eta`. */
export const SHIPPING_UPDATE_FROM_ITEM: ShippingUpdateValues = {
	body_1: '={{ $json.name }}',
	body_2: '={{ $json.order }}',
	body_3: '={{ $json.eta }}',
	button_0_url: '={{ $json.order }}',
};

/**
 * A Send Notification node (version 1 unless `node` says otherwise) sending a shipping status to `$json.phone` with
 * the emulator's shipping_update/en_US template filled with `values`. `parameters` add to or replace the node's
 * parameters; `node` sets its other fields (name, typeVersion, onError, continueOnFail).
 */
export function shippingUpdateNode(
	credentials: Record<string, SavedCredential>,
	values: ShippingUpdateValues,
	parameters: Record<string, unknown> = {},
	node: Partial<Omit<WorkflowNode, 'parameters' | 'credentials'>> = {},
): Omit<WorkflowNode, 'name'> & { name?: string } {
	return {
		type: SEND_NODE_TYPE,
		typeVersion: 1,
		credentials,
		parameters: {
			notificationType: 'shippingStatus',
			recipient: '={{ $json.phone }}',
			template: { __rl: true, mode: 'name', value: 'shipping_update/en_US' },
			// As the editor saves a resource mapper; the node reads only `value`.
			variables: { mappingMode: 'defineBelow', value: values, matchingColumns: [], schema: [] },
			...parameters,
		},
		...node,
	};
}

/** The data tables of this name in `client`'s n8n (the owner's API key sees every project's). */
export async function dataTablesNamed(client: N8nClient, name: string): Promise<Array<Record<string, any>>> {
	const filter = encodeURIComponent(JSON.stringify({ name }));
	return (await client.api<{ data: Array<Record<string, any>> }>('GET', `/data-tables?filter=${filter}`)).data;
}

/** Up to 250 rows of a data table, optionally narrowed by a row filter or a search text. */
export async function dataTableRows(
	client: N8nClient,
	tableId: string,
	query: { filter?: Record<string, unknown>; search?: string } = {},
): Promise<Array<Record<string, any>>> {
	const qs = new URLSearchParams({ limit: '250' });
	if (query.filter) qs.set('filter', JSON.stringify(query.filter));
	if (query.search) qs.set('search', query.search);
	return (await client.api<{ data: Array<Record<string, any>> }>('GET', `/data-tables/${tableId}/rows?${qs}`)).data;
}

/** A data-table row filter: the ledger rows of one contact. */
export const byContact = (contactId: string) => ({
	type: 'and',
	filters: [{ columnName: 'contactId', condition: 'eq', value: contactId }],
});

/**
 * What the Session Window Trigger records when a contact writes: the contact's service-window row in the ledger under
 * `tablePrefix` (its contact_state table must exist), the window open for 24 h from `at`: the ledger's own row
 * (windowRowOf), so the test reads what the trigger writes.
 */
export async function recordServiceWindow(
	client: N8nClient,
	tablePrefix: string,
	contactKeySecret: string,
	phone: string,
	at: Date,
): Promise<void> {
	const [table] = await dataTablesNamed(client, `${tablePrefix}_contact_state`);
	const { row } = windowRowOf({ key: contactKeyOf(phone, contactKeySecret), id: phone }, at.toISOString());
	await client.api('POST', `/data-tables/${table.id}/rows`, { data: [row] });
}

/** Forgets what the emulator recorded (requests, messages, faults) between tests. */
export async function resetEmulator(emulator: { url: string }): Promise<void> {
	await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
}

/** The Graph requests the emulator received with this method and path ending, in order. */
export function graphRequests(emulator: Emulator, method: string, pathEnd: string) {
	return emulator.state.requests.filter((r) => r.method === method && r.path.endsWith(pathEnd));
}

/** The message sends (POST …/messages) the emulator received, in order. */
export function messagePosts(emulator: Emulator) {
	return emulator.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
}

/** Runs n8n's own credential test (what the editor's "Test" button calls) for unsaved credential data. */
export async function testCredentialInEditor(
	client: N8nClient,
	type: string,
	data: Record<string, unknown>,
): Promise<{ status: string; message: string }> {
	const cookie = await loginCookie(client.url);
	const res = (await restRequest(client.url, cookie, 'POST', '/rest/credentials/test', {
		credentials: { id: '', name: 'probe', type, data },
	})) as { data: { status: string; message: string } };
	return res.data;
}

export interface OneShotRun {
	workflowId: string;
	status: number;
	body: unknown;
	execution?: Record<string, any>;
}

/**
 * Webhook (POST `path`, answering with all items of the last node) → Split Out (body.items) → `node`: a workflow
 * that takes its items as `{ items: [...] }`.
 */
export function webhookSplitWorkflow(path: string, node: WorkflowNode) {
	const nodes: WorkflowNode[] = [...webhookEntryNodes(path), node];
	const connections = {
		Webhook: { main: [[{ node: 'Split Items', type: 'main', index: 0 }]] },
		'Split Items': { main: [[{ node: node.name, type: 'main', index: 0 }]] },
	};
	return { nodes, connections };
}

/**
 * Builds Webhook → Split Out (body.items) → the node under test, activates it, posts the items, and returns
 * the node's output (the webhook answers with all items of the last node) plus the stored execution.
 */
export async function runOnce(
	client: N8nClient,
	node: Omit<WorkflowNode, 'name'> & { name?: string },
	items: Array<Record<string, unknown>>,
	opts: { keep?: boolean } = {},
): Promise<OneShotRun> {
	const path = `e2e-${randomUUID()}`;
	const nodeName = node.name ?? 'Node Under Test';
	const { nodes, connections } = webhookSplitWorkflow(path, { ...node, name: nodeName });
	const workflowId = await client.createWorkflow(`e2e ${nodeName} ${path}`, nodes, connections);
	try {
		await client.activate(workflowId);
		await client.waitForWebhook(path);
		const res = await client.callWebhook(path, { items });
		const execution = await lastExecution(client, workflowId);
		return { workflowId, status: res.status, body: res.body, execution };
	} finally {
		if (!opts.keep) {
			await client.deactivate(workflowId).catch(() => undefined);
			await client.deleteWorkflow(workflowId).catch(() => undefined);
		}
	}
}

export async function lastExecution(client: N8nClient, workflowId: string): Promise<Record<string, any> | undefined> {
	for (let i = 0; i < 50; i++) {
		const list = await client.executions(workflowId);
		const done = list.find((e) => e.finished || e.status === 'error' || e.status === 'success');
		if (done) return done;
		await new Promise((r) => setTimeout(r, 200));
	}
	return undefined;
}

/** The error a node raised in an execution, as n8n stored it. */
export function executionError(execution: Record<string, any> | undefined): Record<string, any> | undefined {
	return execution?.data?.resultData?.error;
}

/** The output items of a node in an execution. */
export function nodeOutput(execution: Record<string, any> | undefined, nodeName: string, output = 0): any[] {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	return runs?.[0]?.data?.main?.[output] ?? [];
}

/**
 * The error n8n recorded for a workflow whose activation failed (a trigger's or a poll's), waiting up to
 * `timeoutMs`. n8n 2.41 publishes workflows through an outbox: the API answers `active: true` at once and records a
 * failure in the workflow's publication status (older versions: in the active-workflows error endpoint).
 */
export async function activationError(
	client: N8nClient,
	workflowId: string,
	timeoutMs: number,
): Promise<string | undefined> {
	const cookie = await loginCookie(client.url);
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const res = (await restRequest(client.url, cookie, 'GET', `/rest/workflows/${workflowId}/publication-status`).catch(
			() => undefined,
		)) as Record<string, any> | undefined;
		const triggers: Array<Record<string, any>> = res?.data?.triggers ?? [];
		const failed = triggers.find((t) => typeof t.errorMessage === 'string' && t.errorMessage);
		if (failed) return failed.errorMessage;
		const old = (await restRequest(client.url, cookie, 'GET', `/rest/active-workflows/error/${workflowId}`).catch(
			() => undefined,
		)) as Record<string, any> | undefined;
		if (typeof old?.data === 'string' && old.data) return old.data;
		await sleep(200);
	}
	return undefined;
}

/** Deactivates and deletes workflows a test saved, ignoring ones already gone. */
export async function removeWorkflows(client: N8nClient, workflowIds: Iterable<string>): Promise<void> {
	for (const id of workflowIds) {
		await client.deactivate(id).catch(() => undefined);
		await client.deleteWorkflow(id).catch(() => undefined);
	}
}

/** The workflow's executions that have finished (successfully or not), newest first as n8n lists them. */
export async function finishedExecutions(client: N8nClient, workflowId: string): Promise<Array<Record<string, any>>> {
	return (await client.executions(workflowId)).filter(
		(e) => e.finished || e.status === 'success' || e.status === 'error',
	);
}

/**
 * Waits (at most 20 s) until `count` finished executions exist beyond the `before` there were, then `settleMs`
 * longer to catch extra ones; returns the new ones oldest first.
 */
export async function waitForNewExecutions(
	client: N8nClient,
	workflowId: string,
	before: number,
	count: number,
	settleMs: number,
): Promise<Array<Record<string, any>>> {
	const deadline = Date.now() + 20_000;
	let list: Array<Record<string, any>> = [];
	while (Date.now() < deadline) {
		list = await finishedExecutions(client, workflowId);
		if (list.length >= before + count) break;
		await sleep(150);
	}
	await sleep(settleMs);
	list = await finishedExecutions(client, workflowId);
	// newest first in the API; return the new ones oldest first
	return list.slice(0, list.length - before).sort((a, b) => Number(a.id) - Number(b.id));
}

/** The items the Session Window Trigger emitted in an execution. */
export function triggerItems(execution: Record<string, any>): Array<Record<string, any>> {
	return nodeOutput(execution, TRIGGER_NAME).map((i: Record<string, any>) => i.json);
}

/**
 * Waits (at most `timeoutMs`) for a finished execution whose trigger items include one that `matches` (status
 * webhooks of sends start executions too); returns that execution's items.
 */
export async function triggerItemsWhere(
	client: N8nClient,
	workflowId: string,
	matches: (item: Record<string, any>) => boolean,
	timeoutMs: number,
): Promise<Array<Record<string, any>> | undefined> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		for (const execution of await finishedExecutions(client, workflowId)) {
			const items = triggerItems(execution);
			if (items.some(matches)) return items;
		}
		await sleep(150);
	}
	return undefined;
}

/** Waits (at most `timeoutMs`) until the emulator's app subscription points at `callbackUrl`. */
export async function waitForCallback(emulator: Emulator, callbackUrl: string, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (emulator.state.subscription?.override_callback_uri !== callbackUrl && Date.now() < deadline) await sleep(100);
}

export interface TriggerWorkflow {
	workflowId: string;
	webhookId: string;
	/** The production webhook URL Meta posts to. */
	callbackUrl: string;
}

/**
 * Saves a workflow of one Session Window Trigger (`node` built for a fresh webhook id), activates it and waits for
 * its webhook; with `waitForRegistration`, also until the emulator's subscription points at it (n8n stores the
 * webhook first and runs the node's create(), subscribed_apps + handshake, right after).
 */
export async function activateTriggerWorkflow(
	client: N8nClient,
	emulator: Emulator,
	name: string,
	node: (webhookId: string) => WorkflowNode,
	opts: { waitForRegistration?: boolean } = {},
): Promise<TriggerWorkflow> {
	const webhookId = randomUUID();
	const callbackUrl = `${client.url}/webhook/${webhookId}/webhook`;
	const workflowId = await client.createWorkflow(`${name} ${webhookId}`, [node(webhookId)], {});
	try {
		await client.activate(workflowId);
		await client.waitForWebhook(`${webhookId}/webhook`);
	} catch (error) {
		await removeWorkflows(client, [workflowId]);
		throw error;
	}
	if (opts.waitForRegistration) await waitForCallback(emulator, callbackUrl);
	return { workflowId, webhookId, callbackUrl };
}

/** A `messages` webhook body of the emulator's account as Meta sends it, serialised. */
export function messagesWebhook(emulator: EmulatorLike, value: Record<string, unknown>): string {
	return JSON.stringify(envelope(emulator.options.wabaId, 'messages', value));
}

/** Posts a raw webhook body to the trigger's URL, signed with `appSecret` (unsigned when undefined). */
export async function postWebhook(url: string, raw: string, appSecret: string | undefined): Promise<Response> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (appSecret !== undefined) headers['x-hub-signature-256'] = signWebhook(raw, appSecret);
	return await fetch(url, { method: 'POST', headers, body: raw });
}
