/**
 * npm run demo — the product, running: the WhatsApp Cloud API emulator and a real n8n (pinned version, Node 24,
 * SQLite in .demo/) with this package loaded as a community package, both credentials (the Cloud API one pointing at
 * the emulator; the consent ledger one at this n8n's own API), a sample calendar, and the six example workflows
 * imported and active. Prints the editor URL, the login and what to try. Ctrl-C stops all.
 *
 *   npm run demo               start and keep running (a second run reuses the n8n install and .demo/n8n)
 *   npm run demo -- --smoke    start in a fresh folder, fire the sample events, check that every example workflow
 *                              produced a successful execution, stop (used by the e2e test)
 */
import fs from 'node:fs';
import path from 'node:path';

import { startEmulator, type Emulator } from '../dev/emulator';
import { N8nClient, OWNER, freePort, startN8n, type N8nInstance } from '../dev/n8n/n8n';
import {
	DEMO_DIR,
	RUNTIME_FILE,
	fireDemoEvents,
	startSampleSources,
	type DemoRuntime,
	type SampleSources,
} from './demo-events';
import type { Json } from '../dev/json';

const ROOT = path.resolve(__dirname, '..');
const STATE_FILE = path.join(DEMO_DIR, 'state.json');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const GRAPH_API_VERSION = 'v24.0';
const VERIFY_TOKEN = 'demo-verify-token';
/** Fixed, so the ledger's hashed contact keys stay readable across demo runs (a real install uses its own secret). */
const CONTACT_KEY_SECRET = 'demo-contact-key-secret-0123456789';
const SESSION_TRIGGER_TYPE = 'n8n-nodes-whatsapp-notifications.whatsAppSessionWindowTrigger';

interface DemoState {
	credentialIds: string[];
	workflowIds: string[];
}

interface ImportedWorkflow {
	id: string;
	name: string;
	file: string;
}

function readState(): DemoState {
	try {
		return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as DemoState;
	} catch {
		return { credentialIds: [], workflowIds: [] };
	}
}

async function portOr(preferred: number): Promise<number> {
	const probe = await fetch(`http://127.0.0.1:${preferred}/`).then(
		() => true,
		() => false,
	);
	return probe ? await freePort() : preferred;
}

/**
 * Removes what an earlier run created (the ids it recorded, and any workflow named like an example, in case an
 * earlier run stopped half-way), so every run starts from the examples as they are in the repo.
 */
async function cleanEarlierRun(client: N8nClient): Promise<void> {
	const previous = readState();
	const names = new Set(
		exampleFiles().map(
			(file) => (JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as { name: string }).name,
		),
	);
	const listed = await client
		.api<{ data: Array<{ id: string; name: string }> }>('GET', '/workflows?limit=250')
		.catch(() => ({ data: [] }));
	const ids = new Set([...previous.workflowIds, ...listed.data.filter((w) => names.has(w.name)).map((w) => w.id)]);
	for (const id of ids) {
		// n8n refuses to delete a published workflow: unpublish first.
		await client.deactivate(id).catch(() => undefined);
		await client.deleteWorkflow(id).catch(() => undefined);
	}
	for (const id of previous.credentialIds) await client.api('DELETE', `/credentials/${id}`).catch(() => undefined);
	fs.rmSync(STATE_FILE, { force: true });
}

/** Reads an example and fills its placeholders ({{CLOUD_CREDENTIAL_ID}}, {{DEMO_SOURCES_URL}}, …). */
export function loadExample(file: string, substitutions: Record<string, string>): Json {
	let text = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
	for (const [key, value] of Object.entries(substitutions)) text = text.split(`{{${key}}}`).join(value);
	const left = text.match(/\{\{[A-Z_]+\}\}/);
	if (left) throw new Error(`${file}: placeholder ${left[0]} has no value`);
	return JSON.parse(text) as Json;
}

export function exampleFiles(): string[] {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
}

async function importExamples(
	client: N8nClient,
	emulator: Emulator,
	sources: SampleSources,
	saveState: boolean,
): Promise<{ state: DemoState; workflows: ImportedWorkflow[] }> {
	const cloud = await client.createCredential('whatsAppCloudApi', 'WhatsApp Cloud API (emulator)', {
		accessToken: emulator.options.accessToken,
		businessAccountId: emulator.options.wabaId,
		phoneNumberId: emulator.options.phoneNumbers[0].id,
		graphApiVersion: GRAPH_API_VERSION,
		baseUrl: emulator.url,
		appSecret: emulator.options.appSecret,
		webhookVerifyToken: VERIFY_TOKEN,
	});
	const ledger = await client.createCredential('whatsAppNotificationsLedgerApi', 'WhatsApp consent ledger (this n8n)', {
		baseUrl: client.url,
		apiKey: client.apiKey,
		contactKeySecret: CONTACT_KEY_SECRET,
		projectId: '',
		tablePrefix: 'whatsapp',
	});
	const substitutions = {
		CLOUD_CREDENTIAL_ID: cloud.id,
		CLOUD_CREDENTIAL_NAME: cloud.name,
		LEDGER_CREDENTIAL_ID: ledger.id,
		LEDGER_CREDENTIAL_NAME: ledger.name,
		DEMO_SOURCES_URL: sources.url,
	};
	const state: DemoState = { credentialIds: [cloud.id, ledger.id], workflowIds: [] };
	const save = () => saveState && fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
	save();
	const workflows: ImportedWorkflow[] = [];
	for (const file of exampleFiles()) {
		const workflow = loadExample(file, substitutions);
		const id = await client.createWorkflow(workflow.name, workflow.nodes, workflow.connections);
		state.workflowIds.push(id);
		save();
		await client.activate(id);
		// Meta keeps one callback override per account (the inbound example's automatic registration holds it): a
		// Session Window Trigger with manual registration is subscribed here instead, as a user would add its URL in
		// the App Dashboard. The emulator checks the verify token first, as Meta does.
		for (const node of workflow.nodes as Array<Json>) {
			if (node.type === SESSION_TRIGGER_TYPE && node.parameters?.registration === 'manual') {
				await addWebhookTarget(emulator, `${client.url}/webhook/${node.webhookId}/webhook`);
			}
		}
		workflows.push({ id, name: workflow.name, file });
		console.log(`  imported and activated: ${workflow.name}`);
	}
	return { state, workflows };
}

async function addWebhookTarget(emulator: Emulator, url: string): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		const res = await fetch(`${emulator.url}/_emulator/webhook-target`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ url, verify: true, verifyToken: VERIFY_TOKEN }),
		});
		if (res.ok) return;
		// Activation can lag the API's answer: retry the handshake until the webhook is registered.
		if (attempt >= 50) throw new Error(`the emulator could not verify ${url}: ${await res.text()}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** What each example must have done after one round of demo events: successful executions, and nodes that ran. */
const SMOKE_EXPECTATIONS: Record<string, { executions: number; nodesRan?: string[] }> = {
	'01-shop-order-shipped.json': {
		executions: 3,
		nodesRan: ['WhatsApp Send Notification', 'No WhatsApp Consent (skip)'],
	},
	'02-calendar-appointment-reminder.json': { executions: 1, nodesRan: ['WhatsApp Appointment Reminder'] },
	'03-booking-reservation-update.json': { executions: 1, nodesRan: ['WhatsApp Reservation Update'] },
	'04-inbound-session-window.json': {
		executions: 3,
		nodesRan: ['Record Opt-Out', 'Record Opt-In', 'Reply Inside the Window'],
	},
	'05-template-status-alert.json': { executions: 1, nodesRan: ['Watching Templates'] },
	'06-delivery-failed-fallback.json': { executions: 1, nodesRan: ['Explain the Failure', 'Log for Support'] },
	'07-template-draft-review.json': { executions: 1, nodesRan: ['Submit for Review', 'Get Template', 'Tell the Team'] },
};

/** Waits until every workflow has its successful executions (and no failed one); returns the per-workflow summary. */
async function checkExecutions(
	client: N8nClient,
	workflows: ImportedWorkflow[],
	timeoutMs = 60_000,
): Promise<string[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const lines: string[] = [];
		const missing: string[] = [];
		for (const wf of workflows) {
			const expected = SMOKE_EXPECTATIONS[wf.file] ?? { executions: 1 };
			const list = await client.executions(wf.id, true);
			const ok = list.filter((e) => e.status === 'success');
			const failed = list.filter((e) => e.status === 'error' || e.status === 'crashed');
			if (failed.length) {
				const error = failed[0].data?.resultData?.error;
				throw new Error(`smoke: ${wf.name}: execution #${failed[0].id} failed: ${error?.message ?? failed[0].status}`);
			}
			const ran = new Set(ok.flatMap((e) => Object.keys(e.data?.resultData?.runData ?? {})));
			const notRun = (expected.nodesRan ?? []).filter((n) => !ran.has(n));
			if (ok.length < expected.executions || notRun.length) {
				missing.push(
					`${wf.name} (${ok.length}/${expected.executions} executions${notRun.length ? `; not run: ${notRun.join(', ')}` : ''})`,
				);
			}
			lines.push(`smoke: ${wf.name}: ${ok.length} successful execution(s)`);
		}
		if (missing.length === 0) return lines;
		if (Date.now() > deadline) throw new Error(`smoke: missing: ${missing.join('; ')}`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

async function main(): Promise<void> {
	const smoke = process.argv.includes('--smoke');
	fs.mkdirSync(DEMO_DIR, { recursive: true });
	console.log('Starting the WhatsApp Cloud API emulator and the sample calendar...');
	const emulator = await startEmulator({ port: smoke ? 0 : await portOr(8099), latencyMs: 30 });
	const sources = await startSampleSources(smoke ? 0 : await portOr(8098));
	console.log(`Starting n8n (the first run installs the pinned n8n into the cache, about 7 minutes)...`);
	let n8n: N8nInstance | undefined;
	let stopping: Promise<void> | undefined;
	const stopAll = () =>
		(stopping ??= (async () => {
			await n8n?.stop();
			await sources.close();
			await emulator.close();
			if (smoke && n8n) fs.rmSync(n8n.userFolder, { recursive: true, force: true });
			if (!smoke) fs.rmSync(RUNTIME_FILE, { force: true });
		})());
	// Ctrl-C while n8n is still starting stops everything too.
	const onSignal = () => {
		console.log('\nStopping n8n, the emulator and the sample calendar...');
		void stopAll().then(() => process.exit(0));
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	try {
		n8n = await startN8n({
			userFolder: smoke ? fs.mkdtempSync(path.join(DEMO_DIR, 'smoke-')) : path.join(DEMO_DIR, 'n8n'),
			port: smoke ? undefined : await portOr(5678),
			logFile: path.join(DEMO_DIR, smoke ? 'n8n-smoke.log' : 'n8n.log'),
		});
		const client = N8nClient.of(n8n);
		if (!smoke) await cleanEarlierRun(client);
		const { workflows } = await importExamples(client, emulator, sources, !smoke);
		const runtime: DemoRuntime = {
			n8nUrl: n8n.url,
			emulatorUrl: emulator.url,
			sourcesUrl: sources.url,
			accessToken: emulator.options.accessToken,
			wabaId: emulator.options.wabaId,
			graphApiVersion: GRAPH_API_VERSION,
		};

		if (smoke) {
			for (const webhookPath of ['shop/order-shipped', 'calendar/remind-now', 'bookings/cal-com', 'templates/draft'])
				await client.waitForWebhook(webhookPath);
			const fired = await fireDemoEvents(runtime);
			const refused = fired.filter((e) => !e.ok);
			if (refused.length)
				throw new Error(
					`smoke: events refused: ${refused.map((e) => `${e.source} ${e.what}: ${e.detail}`).join('; ')}`,
				);
			for (const line of await checkExecutions(client, workflows)) console.log(line);
			const byTemplate = (name: string) => emulator.state.messages.filter((m) => m.template?.name === name);
			const shipped = byTemplate('shipping_update');
			const expected: Array<[string, number]> = [
				['shipping_update', 2],
				['appointment_reminder', 1],
				['reservation_update', 1],
				['support_followup', 1],
			];
			for (const [name, count] of expected) {
				if (byTemplate(name).length !== count) {
					throw new Error(
						`smoke: expected ${count} ${name} message(s), the emulator accepted ${byTemplate(name).length}`,
					);
				}
			}
			console.log(`smoke: Shipping Status sent as ${shipped[0].wamid}`);
			console.log(
				`smoke: emulator accepted ${emulator.state.messages.length} messages: ${expected.map(([n, c]) => `${c}× ${n}`).join(', ')}`,
			);
			await stopAll();
			return;
		}

		fs.writeFileSync(RUNTIME_FILE, JSON.stringify(runtime, null, 2));
		console.log(`
n8n is running with n8n-nodes-whatsapp-notifications and ${workflows.length} example workflows.

  Editor     ${n8n.url}
  Login      ${OWNER.email} / ${OWNER.password}
  API key    ${n8n.apiKey}
  Emulator   ${emulator.url}   (Meta, played locally: ${emulator.url}/_emulator/messages shows what was "sent")
  Calendar   ${sources.url}/calendar/v3/calendars/primary/events   (sample appointments, Google Calendar shape)

Try it:
  npm run demo:events
  → fires every example: three shop orders, an appointment reminder, a Cal.com reschedule, inbound WhatsApp
    messages (a question, STOP, START), a new and a paused template. Then open the editor → Overview →
    Executions; the consent ledger is under Overview → Data tables; the failed delivery (order 729) started
    "Delivery failed → fallback"; template changes appear at the Template Status Poll's next minute.

  Or one event by hand:
  curl -s -X POST ${n8n.url}/webhook/shop/order-shipped \\
       -H 'content-type: application/json' \\
       --data @examples/sample-events/woocommerce-order-completed.json
  curl -s -X POST ${emulator.url}/_emulator/inbound -H 'content-type: application/json' \\
       --data '{"from":"4915123456789","name":"Anna","text":"Where is my order?"}'

Logs: .demo/n8n.log.  Ctrl-C stops n8n, the emulator and the sample calendar.`);
		await new Promise<void>(() => undefined); // runs until Ctrl-C (onSignal exits)
	} catch (error) {
		await stopAll();
		throw error;
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
