/**
 * npm run demo — the product, running: the WhatsApp Cloud API emulator and a real n8n (pinned version, Node 24,
 * SQLite in .demo/) with this package loaded as a community package, the credential pointing at the emulator and
 * the example workflows imported and active. Prints the editor URL, the login and what to try. Ctrl-C stops all.
 *
 *   npm run demo               start and keep running
 *   npm run demo -- --smoke    start, fire the sample events, check the results, stop (used by CI)
 */
import fs from 'node:fs';
import path from 'node:path';

import { startEmulator, type Emulator } from '../test/emulator';
import { N8nClient, OWNER, freePort, startN8n, type N8nInstance } from '../test/e2e/n8n';

const ROOT = path.resolve(__dirname, '..');
const DEMO_DIR = path.join(ROOT, '.demo');
const STATE_FILE = path.join(DEMO_DIR, 'state.json');
const EXAMPLES_DIR = path.join(ROOT, 'examples');

interface DemoState {
	credentialIds: string[];
	workflowIds: string[];
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

/** Removes what an earlier run created, so every run starts from the examples as they are in the repo. */
async function cleanEarlierRun(client: N8nClient): Promise<void> {
	const previous = readState();
	for (const id of previous.workflowIds) await client.api('DELETE', `/workflows/${id}`).catch(() => undefined);
	for (const id of previous.credentialIds) await client.api('DELETE', `/credentials/${id}`).catch(() => undefined);
}

function loadExample(file: string, substitutions: Record<string, string>): Record<string, any> {
	let text = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
	for (const [key, value] of Object.entries(substitutions)) text = text.split(`{{${key}}}`).join(value);
	return JSON.parse(text) as Record<string, any>;
}

async function importExamples(client: N8nClient, emulator: Emulator): Promise<DemoState> {
	const credential = await client.createCredential('whatsAppCloudApi', 'WhatsApp Cloud API (emulator)', {
		accessToken: emulator.options.accessToken,
		businessAccountId: emulator.options.wabaId,
		phoneNumberId: emulator.options.phoneNumbers[0].id,
		graphApiVersion: 'v24.0',
		baseUrl: emulator.url,
		appSecret: emulator.options.appSecret,
		webhookVerifyToken: 'demo-verify-token',
	});
	const substitutions = { CLOUD_CREDENTIAL_ID: credential.id, CLOUD_CREDENTIAL_NAME: credential.name };
	const workflowIds: string[] = [];
	const files = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
	for (const file of files) {
		const workflow = loadExample(file, substitutions);
		const id = await client.createWorkflow(workflow.name, workflow.nodes, workflow.connections);
		await client.activate(id);
		workflowIds.push(id);
		console.log(`  imported and activated: ${workflow.name}`);
	}
	return { credentialIds: [credential.id], workflowIds };
}

async function fireSampleOrder(client: N8nClient): Promise<unknown> {
	const order = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, 'sample-events', 'woocommerce-order-completed.json'), 'utf8'));
	await client.waitForWebhook('shop/order-shipped');
	const res = await client.callWebhook('shop/order-shipped', order);
	if (res.status !== 200) throw new Error(`the shop workflow answered ${res.status}: ${res.text.slice(0, 500)}`);
	return res.body;
}

async function main(): Promise<void> {
	const smoke = process.argv.includes('--smoke');
	fs.mkdirSync(DEMO_DIR, { recursive: true });
	console.log('Starting the WhatsApp Cloud API emulator...');
	const emulator = await startEmulator({ port: smoke ? 0 : await portOr(8099), latencyMs: 30 });
	console.log(`Starting n8n (first run installs the pinned n8n into the cache, about 7 minutes)...`);
	let n8n: N8nInstance | undefined;
	const stopAll = async () => {
		await n8n?.stop();
		await emulator.close();
	};
	try {
		n8n = await startN8n({
			userFolder: smoke ? fs.mkdtempSync(path.join(DEMO_DIR, 'smoke-')) : path.join(DEMO_DIR, 'n8n'),
			port: smoke ? undefined : await portOr(5678),
			logFile: path.join(DEMO_DIR, smoke ? 'n8n-smoke.log' : 'n8n.log'),
		});
		const client = N8nClient.of(n8n);
		await cleanEarlierRun(client);
		const state = await importExamples(client, emulator);
		fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));

		if (smoke) {
			const out = (await fireSampleOrder(client)) as Array<Record<string, any>>;
			const sent = out?.[0];
			if (!sent?.messageId || emulator.state.messages.length !== 1) {
				throw new Error(`smoke: expected one message, got ${JSON.stringify(out).slice(0, 500)}`);
			}
			console.log(`smoke: Shipping Status sent as ${sent.messageId}, est. cost ${sent.estimatedCost?.amount} ${sent.estimatedCost?.currency}`);
			fs.rmSync(n8n.userFolder, { recursive: true, force: true });
			await stopAll();
			return;
		}

		console.log(`
n8n is running with n8n-nodes-whatsapp-notifications loaded.

  Editor     ${n8n.url}
  Login      ${OWNER.email} / ${OWNER.password}
  API key    ${n8n.apiKey}
  Emulator   ${emulator.url}   (Meta, played locally: ${emulator.url}/_emulator/messages shows what was "sent")

Try it:
  curl -s -X POST ${n8n.url}/webhook/shop/order-shipped \\
       -H 'content-type: application/json' \\
       --data @examples/sample-events/woocommerce-order-completed.json
  → the shop workflow sends a Shipping Status notification; see Executions in the editor,
    and curl -s ${emulator.url}/_emulator/messages for what the emulated Meta accepted.

Logs: .demo/n8n.log.  Ctrl-C stops n8n and the emulator.`);
		await new Promise<void>((resolve) => {
			process.once('SIGINT', resolve);
			process.once('SIGTERM', resolve);
		});
		console.log('\nStopping...');
		await stopAll();
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
