/**
 * The version smoke: what a user does first with this package, on one real n8n. It proves a given n8n version
 * supports the package end to end (package.json engines.n8n, README "Installing in your n8n"):
 *
 *   1. n8n loads the package: its four nodes and two credential types;
 *   2. both credential tests pass (WhatsApp Cloud API against the emulator, the ledger against n8n's own public API);
 *   3. the ledger: Check Consent records an opt-in and reads it back (n8n's data tables public API);
 *   4. one send: Send Notification with the ledger sends to the consented contact (one message, accepted by Meta);
 *   5. one webhook: the Session Window Trigger registers its callback, checks Meta's signature on an inbound STOP,
 *      records the opt-out in the ledger, and Check Consent then refuses the contact.
 *
 * Run by versionSmoke.e2e.test.ts on the shared (pinned) n8n and by versionSmoke.run.ts on other versions.
 * Uses node:assert, not jest's expect, so that both can call it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { startEmulator, type Emulator } from '../../dev/emulator';
import { control } from '../../dev/emulator/testkit';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	NODE_TYPE_PREFIX,
	SEND_NODE_TYPE,
	TRIGGER_NAME,
	TRIGGER_NODE_TYPE,
	activateTriggerWorkflow,
	checkConsentNode,
	cloudCredentialData,
	dataTablesNamed,
	executionError,
	ledgerCredentialData,
	removeWorkflows,
	runOnce,
	sleep,
	triggerItems,
	type SavedCredential,
} from './context';
import { loginCookie, restRequest, type N8nClient } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

/**
 * n8n's credential test (the editor's Test button) for a saved credential with the given data. Before n8n 2.x's
 * later releases the endpoint only tests saved credentials (it looks the id up), so the smoke saves them first.
 */
async function testSavedCredential(
	n8n: N8nClient,
	saved: { id: string; name: string },
	type: string,
	data: Record<string, unknown>,
): Promise<{ status: string; message: string }> {
	const cookie = await loginCookie(n8n.url);
	const res = (await restRequest(n8n.url, cookie, 'POST', '/rest/credentials/test', {
		credentials: { id: saved.id, name: saved.name, type, data: { allowedHttpRequestDomains: 'all', ...data } },
	})) as { data: { status: string; message: string } };
	return res.data;
}

export const SMOKE_STEPS = ['package loads', 'credential tests', 'ledger', 'send', 'webhook'] as const;
export type SmokeStep = (typeof SMOKE_STEPS)[number];

export interface VersionSmoke {
	run(step: SmokeStep): Promise<void>;
	close(): Promise<void>;
}

/** Sets up an emulator and credentials on this n8n; `run` each step in SMOKE_STEPS order. */
export async function prepareVersionSmoke(n8n: N8nClient): Promise<VersionSmoke> {
	const emulator: Emulator = await startEmulator({ port: 0, latencyMs: 0, statusDelayMs: 50, webhookRetryBaseMs: 100 });
	const prefix = `smoke_${randomBytes(3).toString('hex')}`;
	const digits = `4915170${String(Date.now() % 1_000_000).padStart(6, '0')}`;
	const phone = `+${digits}`;
	const ledgerData = ledgerCredentialData(n8n, prefix, 'smoke-contact-key-secret-0123456789');
	let cloud: SavedCredential | undefined;
	let ledger: SavedCredential | undefined;
	let triggerWorkflowId: string | undefined;

	const credentials = () => {
		assert.ok(cloud && ledger, 'run the "credential tests" step first');
		return { cloud, ledger };
	};

	async function consent(operation: 'check' | 'recordOptIn'): Promise<Json> {
		const run = await runOnce(
			n8n,
			checkConsentNode(credentials().ledger, {
				operation,
				purpose: 'shippingStatus',
				...(operation === 'recordOptIn'
					? { source: 'checkout form', proofWording: 'Send me order updates on WhatsApp', proofVersion: 'smoke-v1' }
					: {}),
			}),
			[{ phone }],
		);
		assert.equal(
			executionError(run.execution),
			undefined,
			`Check Consent (${operation}) failed: ${JSON.stringify(executionError(run.execution))}`,
		);
		return (run.body as Json[])[0];
	}

	const steps: Record<SmokeStep, () => Promise<void>> = {
		async 'package loads'() {
			const cookie = await loginCookie(n8n.url);
			const nodeTypes = (await restRequest(n8n.url, cookie, 'GET', '/types/nodes.json')) as Array<{ name: string }>;
			const ours = new Set(nodeTypes.map((t) => t.name).filter((name) => name.startsWith(NODE_TYPE_PREFIX)));
			for (const node of [
				'whatsAppSendNotification',
				'whatsAppCheckConsent',
				'whatsAppSessionWindowTrigger',
				'whatsAppTemplateStatusPoll',
			]) {
				assert.ok(ours.has(`${NODE_TYPE_PREFIX}${node}`), `n8n did not load the ${node} node`);
			}
			const credentialTypes = (await restRequest(n8n.url, cookie, 'GET', '/types/credentials.json')) as Array<{
				name: string;
			}>;
			const names = credentialTypes.map((c) => c.name);
			assert.ok(
				names.includes(CLOUD_CREDENTIAL_TYPE) && names.includes(LEDGER_CREDENTIAL_TYPE),
				'n8n did not load both credential types',
			);
		},

		async 'credential tests'() {
			cloud = await n8n.createCredential(
				CLOUD_CREDENTIAL_TYPE,
				`smoke cloud ${emulator.port}`,
				cloudCredentialData(emulator),
			);
			ledger = await n8n.createCredential(LEDGER_CREDENTIAL_TYPE, `smoke ledger ${prefix}`, ledgerData);
			const cloudTest = await testSavedCredential(n8n, cloud, CLOUD_CREDENTIAL_TYPE, cloudCredentialData(emulator));
			assert.equal(cloudTest.status, 'OK', `WhatsApp Cloud API credential test: ${cloudTest.message}`);
			const ledgerTest = await testSavedCredential(n8n, ledger, LEDGER_CREDENTIAL_TYPE, ledgerData);
			assert.equal(ledgerTest.status, 'OK', `Ledger credential test: ${ledgerTest.message}`);
			const wrongKey = await testSavedCredential(n8n, ledger, LEDGER_CREDENTIAL_TYPE, {
				...ledgerData,
				apiKey: 'not-a-key',
			});
			assert.equal(wrongKey.status, 'Error', 'the ledger credential test accepted a wrong n8n API key');
		},

		async ledger() {
			const before = await consent('check');
			assert.equal(before.consent?.granted, false, 'a contact without a record must not have consent');
			await consent('recordOptIn');
			const after = await consent('check');
			assert.equal(after.consent?.granted, true, `the recorded opt-in was not found: ${JSON.stringify(after.consent)}`);
			const tables = await dataTablesNamed(n8n, `${prefix}_consent_events`);
			assert.equal(tables.length, 1, 'the consent events table is not in n8n’s data tables');
		},

		async send() {
			const run = await runOnce(
				n8n,
				{
					type: SEND_NODE_TYPE,
					typeVersion: 1,
					credentials: { [CLOUD_CREDENTIAL_TYPE]: credentials().cloud, [LEDGER_CREDENTIAL_TYPE]: credentials().ledger },
					parameters: {
						notificationType: 'shippingStatus',
						useConsentLedger: true,
						recipient: '={{ $json.phone }}',
						template: { __rl: true, mode: 'name', value: 'shipping_update/en_US' },
						variables: {
							mappingMode: 'defineBelow',
							value: { body_1: 'Ana', body_2: 'SO-1', body_3: 'Friday', button_0_url: 'SO-1' },
						},
					},
				},
				[{ phone }],
			);
			assert.equal(
				executionError(run.execution),
				undefined,
				`Send Notification failed: ${JSON.stringify(executionError(run.execution))}`,
			);
			const [sent] = run.body as Json[];
			assert.match(String(sent?.messageId), /^wamid\./, `no message id: ${JSON.stringify(sent)}`);
			const accepted = emulator.state.messages.filter((m) => m.to.replace('+', '') === digits);
			assert.equal(accepted.length, 1, 'Meta (the emulator) did not get exactly one message');
		},

		async webhook() {
			const trigger = await activateTriggerWorkflow(
				n8n,
				emulator,
				'smoke trigger',
				(webhookId) => ({
					name: TRIGGER_NAME,
					type: TRIGGER_NODE_TYPE,
					typeVersion: 1.1,
					webhookId,
					credentials: { [CLOUD_CREDENTIAL_TYPE]: credentials().cloud, [LEDGER_CREDENTIAL_TYPE]: credentials().ledger },
					parameters: {
						registration: 'automatic',
						events: ['messageReceived', 'window', 'statusUpdate', 'consent'],
						recordInLedger: true,
						options: {},
					},
				}),
				{ waitForRegistration: true },
			);
			triggerWorkflowId = trigger.workflowId;
			const callbackUrl = trigger.callbackUrl;
			assert.equal(
				emulator.state.subscription?.override_callback_uri,
				callbackUrl,
				'the trigger did not register its callback with Meta',
			);

			const sent = await control(emulator, 'POST', 'inbound', { from: phone, name: 'Ana', text: 'STOP' });
			assert.equal(sent.status, 200);
			// Other executions (status updates of the earlier send) may come first: wait for the one with the STOP.
			const eventsOf = triggerItems;
			let optOut: Json | undefined;
			let seen: string[] = [];
			const deadline = Date.now() + 20_000;
			while (!optOut && Date.now() < deadline) {
				const done = (await n8n.executions(triggerWorkflowId)).filter(
					(e) => e.status === 'success' || e.status === 'error',
				);
				seen = done.flatMap((e) => eventsOf(e).map((item: Json) => String(item.event)));
				optOut = done.flatMap(eventsOf).find((item: Json) => item.event === 'optOutRequest');
				if (!optOut) await sleep(150);
			}
			assert.ok(optOut, `the signed STOP webhook produced no opt-out event (events seen: ${JSON.stringify(seen)})`);
			assert.equal(
				optOut.ledger?.recorded,
				true,
				`the trigger did not record the opt-out: ${JSON.stringify(optOut.ledger)}`,
			);
			const blocked = await consent('check');
			assert.deepEqual(
				{ granted: blocked.consent?.granted, reason: blocked.consent?.reason },
				{ granted: false, reason: 'optedOut' },
				'Check Consent did not see the STOP the trigger recorded',
			);
		},
	};

	return {
		async run(step) {
			await steps[step]();
		},
		async close() {
			if (triggerWorkflowId) await removeWorkflows(n8n, [triggerWorkflowId]);
			await emulator.close();
		},
	};
}
