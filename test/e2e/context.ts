/** What an e2e test file needs: the shared n8n, its own emulator, credentials and one-shot workflows. */
import { randomUUID } from 'node:crypto';

import { E2E_API_KEY_ENV, E2E_URL_ENV } from './globalSetup';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../dev/emulator';
import { N8nClient, NODE_TYPE_PREFIX, loginCookie, restRequest, type WorkflowNode } from '../../dev/n8n/n8n';

export { NODE_TYPE_PREFIX };
export const SEND_NODE_TYPE = `${NODE_TYPE_PREFIX}whatsAppSendNotification`;
export const CLOUD_CREDENTIAL_TYPE = 'whatsAppCloudApi';
export const LEDGER_CREDENTIAL_TYPE = 'whatsAppNotificationsLedgerApi';

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
	const credential = await client.createCredential(CLOUD_CREDENTIAL_TYPE, `${label} ${emulator.port}`, data);
	return { emulator, credential };
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

/** Forgets what the emulator recorded (requests, messages, faults) between tests. */
export async function resetEmulator(emulator: { url: string }): Promise<void> {
	await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
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
	const nodes: WorkflowNode[] = [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			webhookId: randomUUID(),
			parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		},
		{
			name: 'Split Items',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
		},
		{ ...node, name: nodeName },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Split Items', type: 'main', index: 0 }]] },
		'Split Items': { main: [[{ node: nodeName, type: 'main', index: 0 }]] },
	};
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
