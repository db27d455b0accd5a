/**
 * Issue 15 item 5: the examples built on n8n's own WooCommerce, Shopify, Google Calendar, Cal.com and Calendly nodes
 * import into a real n8n, use only node types that exist there, and run on their pinned sample data (the editor's
 * Execute Workflow) with no shop or calendar account: every pinned item is sent or deferred, none refused.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { Emulator } from '../../dev/emulator';
import { sharedN8n, startEmulatorWithCredential, type SavedCredential } from './context';
import { loginCookie, restRequest } from '../../dev/n8n/n8n';

type Json = Record<string, any>;
const DIR = path.resolve(__dirname, '..', '..', 'examples', 'with-n8n-nodes');
const FILES = fs
	.readdirSync(DIR)
	.filter((f) => f.endsWith('.json'))
	.sort();
const SEND_TYPE = 'n8n-nodes-whatsapp-notifications.whatsAppSendNotification';

describe('examples with n8n’s own shop, calendar and booking nodes', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;
	let credential: SavedCredential;
	let cookie: string;
	let knownTypes: Set<string>;

	beforeAll(async () => {
		({ emulator, credential } = await startEmulatorWithCredential(n8n, 'examples', { latencyMs: 0 }));
		cookie = await loginCookie(n8n.url);
		const types = (await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie } }).then((r) => r.json())) as Array<{
			name: string;
		}>;
		knownTypes = new Set(types.map((t) => t.name));
	});
	afterAll(async () => {
		await emulator.close();
	});

	it('has the five examples', () => {
		expect(FILES).toEqual([
			'calcom-booking-reservation-update.json',
			'calendly-invitee-created.json',
			'google-calendar-appointment-reminder.json',
			'shopify-order-fulfilled.json',
			'woocommerce-order-shipped.json',
		]);
	});

	function load(file: string): Json {
		const text = fs
			.readFileSync(path.join(DIR, file), 'utf8')
			.split('{{CLOUD_CREDENTIAL_ID}}')
			.join(credential.id)
			.split('{{CLOUD_CREDENTIAL_NAME}}')
			.join(credential.name);
		expect(text).not.toMatch(/\{\{[A-Z_]+\}\}/);
		return JSON.parse(text) as Json;
	}

	async function runOnPinnedData(workflow: Json): Promise<Json> {
		const created = (await restRequest(n8n.url, cookie, 'POST', '/rest/workflows', {
			...workflow,
			active: false,
		})) as Json;
		const id = created.data.id as string;
		const trigger = (workflow.nodes as Json[]).find((node) => /Trigger$|scheduleTrigger$/.test(node.type))!;
		const started = (await restRequest(n8n.url, cookie, 'POST', `/rest/workflows/${id}/run`, {
			triggerToStartFrom: { name: trigger.name },
		})) as Json;
		const executionId = started.data?.executionId as string;
		expect(executionId).toBeTruthy();
		for (let i = 0; i < 100; i++) {
			const execution = await n8n
				.api<Json>('GET', `/executions/${executionId}?includeData=true`)
				.catch(() => undefined);
			if (execution && ['success', 'error', 'waiting', 'crashed'].includes(execution.status))
				return { ...execution, workflowId: id };
			await new Promise((r) => setTimeout(r, 300));
		}
		throw new Error(`execution ${executionId} did not finish`);
	}

	it.each(FILES)('%s: node types exist, it runs on its pinned data, every item is sent or deferred', async (file) => {
		await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
		const workflow = load(file);
		const types = (workflow.nodes as Json[]).map((node) => node.type as string);
		expect(types.filter((type) => !knownTypes.has(type) && type !== SEND_TYPE)).toEqual([]);
		expect(Object.keys(workflow.pinData ?? {}).length).toBeGreaterThan(0);

		const execution = await runOnPinnedData(workflow);
		expect(execution.data?.resultData?.error).toBeUndefined();
		expect(['success', 'waiting']).toContain(execution.status);
		const runData = execution.data.resultData.runData as Json;
		const sendNode = (workflow.nodes as Json[]).find((node) => node.type === SEND_TYPE)!;
		const sendRuns = runData[sendNode.name] as Json[] | undefined;
		if (file.startsWith('google-calendar')) {
			// The reminder waits until 24 h before each appointment, computed in the event's own zone.
			const computed = runData['Reminder Time (24 h Before, in the Event’s Zone)'][0].data.main[0].map(
				(i: Json) => i.json.remindAt,
			);
			expect(computed).toEqual(['2026-12-04T09:30:00.000Z', '2027-03-27T09:00:00.000Z']);
			return;
		}
		expect(sendRuns).toBeDefined();
		const [sent, deferred = []] = sendRuns![0].data.main as Json[][];
		const all = [...sent, ...deferred].map((item) => item.json);
		expect(all.length).toBe(Object.values(workflow.pinData as Json)[0].length);
		for (const item of sent) {
			expect(item.json.error).toBeUndefined();
			expect(item.json.messageId).toMatch(/^wamid\./);
		}
		for (const item of deferred) expect(item.json.sendAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
		expect(emulator.state.messages.length).toBe(sent.length);
		const summaries = [...sent.map((item) => item.json), ...deferred.map((item) => item.json.deferred)];
		if (file.startsWith('shopify')) {
			expect(summaries[0]).toMatchObject({ to: '+5551987654321', language: { language: 'pt_BR', match: 'exact' } });
		}
		if (file.startsWith('woocommerce')) {
			expect(summaries.map((s) => s.to).sort()).toEqual(['+491512345678', '+5551987654321']);
		}
		if (file.startsWith('calcom')) {
			// 13:00 UTC is 10:00 in São Paulo, the guest's zone (not the organizer's Lisbon, 13:00)
			expect(summaries[0]).toMatchObject({ recipientTime: { zone: 'America/Sao_Paulo', source: 'item' } });
			expect(summaries[0].renderedText).toMatch(/Tuesday, December 8, 2026 at 10:00/);
		}
		await n8n.deleteWorkflow(execution.workflowId).catch(() => undefined);
	});
});
