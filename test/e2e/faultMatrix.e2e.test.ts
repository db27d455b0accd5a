/**
 * Fault matrix (issue 8): Send Notification in real n8n against the emulator's fault injection, one row per fault.
 * Each row sends a batch of N items with continue-on-fail, each item with its own correlation key, and checks:
 *  - every input item ends in exactly one terminal outcome (sent with wamid, duplicate, error not_sent, error unknown);
 *  - the emulator accepted no item twice (unless the row opted in to re-sending unknown outcomes);
 *  - what must follow from the fault (retryable faults end sent within maxRetries; reset / lost / slow end unknown
 *    and are not re-sent by default).
 * The numbers of every row are printed as one table at the end.
 * The last rows take the webhook side: n8n's Session Window Trigger is unreachable while the emulator delivers
 * statuses, and Meta-style redelivery must bring every status in exactly once when it is back.
 */
import { randomUUID } from 'node:crypto';

import type { Emulator } from '../../dev/emulator';
import {
	CLOUD_CREDENTIAL_TYPE,
	SHIPPING_UPDATE_FROM_ITEM,
	TRIGGER_NAME,
	TRIGGER_NODE_TYPE,
	cloudCredentialData,
	nodeOutput,
	removeWorkflows,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	sleep,
	startEmulatorWithCredential,
	type SavedCredential,
} from './context';
import { freePort } from '../../dev/n8n/n8n';
import { SwitchableProxy, formatTable, tally, type Tally } from './support/faultKit';

type Json = Record<string, any>;

const N = 20;

interface Row {
	name: string;
	/** Faults injected before the run (POST /_emulator/faults). */
	faults?: Json[];
	/** Emulator runtime options for the row (POST /_emulator/config). */
	config?: Json;
	/** Send Notification options (continue-on-fail is always on). */
	options?: Json;
	/** Phone of item i (default: one recipient per item). */
	phone?: (i: number) => string;
	/** Route through a proxy that goes down/up around the run. */
	proxy?: 'refusedDuringSend' | 'refusedThenBack';
	/** Credential Base URL at a loopback port nobody listens on. */
	closedPort?: boolean;
	/** Wait this long after the run before counting (requests the node gave up on may still be processed). */
	settleMs?: number;
	check: (t: Tally, output: Json[]) => void;
}

const phoneOf = (i: number) =>
	`+49 151 7${String(process.pid % 1000).padStart(3, '0')} ${String(1000 + i).padStart(4, '0')}`;

/** No item was accepted twice, every item has exactly one terminal outcome and a sent item's wamid is real. */
function invariants(t: Tally, output: Json[]) {
	expect(output).toHaveLength(t.items);
	expect(t.invalid).toBe(0);
	expect(t.sent + t.duplicate + t.not_sent + t.unknown).toBe(t.items);
	expect(t.wamidMismatches).toBe(0);
	// A not_sent item was certainly not accepted.
	t.outcomes.forEach((o, i) => {
		if (o === 'not_sent') expect(t.acceptedPerItem[i]).toBe(0);
		if (o === 'sent') expect(t.acceptedPerItem[i]).toBeGreaterThanOrEqual(1);
	});
}

const noDuplicates = (t: Tally) => expect(t.duplicates).toBe(0);
const allSent = (t: Tally) => {
	expect(t.sent).toBe(t.items);
	expect(t.accepted).toBe(t.items);
};

const rows: Row[] = [
	{
		name: '429 (code 4) burst, 30 faults',
		faults: [{ kind: 'http429_4', count: 30 }],
		check: (t) => {
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBe(t.items + 30);
		},
	},
	{
		name: '130429 throughput burst, 30 faults',
		faults: [{ kind: 'http429_130429', count: 30 }],
		check: (t) => {
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBe(t.items + 30);
		},
	},
	{
		name: '80007 WABA rate limit burst, 30 faults',
		faults: [{ kind: 'http429_80007', count: 30 }],
		check: (t) => {
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBe(t.items + 30);
		},
	},
	{
		name: '130429 without end, maxRetries 1',
		faults: [{ kind: 'http429_130429', rate: 1 }],
		options: { maxRetries: 1 },
		check: (t, output) => {
			noDuplicates(t);
			expect(t.not_sent).toBe(t.items);
			expect(t.accepted).toBe(0);
			expect(t.posts).toBe(t.items * 2);
			expect(output[0].error).toMatchObject({ code: 130429, attempts: 2 });
		},
	},
	{
		name: '131056 pair limit (10 recipients x 2)',
		// Meta's pair limit, played by the emulator's GCRA: one message per 0.5 s per pair, no burst credit;
		// the node's own pair spacing off, so the second message to each recipient hits 131056 and is retried.
		config: { pairLimitSeconds: 0.5, pairBurst: 1 },
		options: { pairSpacingSeconds: 0 },
		phone: (i) => phoneOf(i % 10),
		check: (t) => {
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBeGreaterThan(t.items);
		},
	},
	{
		// A 500 with 131000 ("something went wrong") may have gone out (see outcomeOfErrorAnswer): not re-sent.
		name: '5xx 131000 on every item: outcome unknown, not re-sent',
		faults: [{ kind: 'http500_131000', count: N }],
		check: (t, output) => {
			noDuplicates(t);
			expect(t.unknown).toBe(t.items);
			expect(t.posts).toBe(t.items);
			expect(output[0].error).toMatchObject({ code: 131000, outcome: 'unknown', retryable: false, attempts: 1 });
			expect(output[0].error.description).toMatch(/may have accepted/);
		},
	},
	{
		name: '5xx 131000 burst, 30 faults, retryUnknownOutcome on',
		faults: [{ kind: 'http500_131000', count: 30 }],
		options: { retryUnknownOutcome: true },
		check: (t) => {
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBe(t.items + 30);
		},
	},
	{
		name: '5xx 131016 burst, 30 faults',
		faults: [{ kind: 'http503_131016', count: 30 }],
		check: (t) => {
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBe(t.items + 30);
		},
	},
	{
		name: 'connection refused (closed port)',
		closedPort: true,
		check: (t, output) => {
			noDuplicates(t);
			expect(t.not_sent).toBe(t.items);
			expect(t.posts).toBe(0);
			expect(output[0].error.message).toMatch(/refused/i);
		},
	},
	{
		name: 'refused while sending, maxRetries 1',
		proxy: 'refusedDuringSend',
		options: { maxRetries: 1 },
		check: (t, output) => {
			noDuplicates(t);
			expect(t.not_sent).toBe(t.items);
			expect(t.posts).toBe(0);
			expect(output[0].error).toMatchObject({ outcome: 'not_sent', retryable: true, attempts: 2 });
		},
	},
	{
		name: 'refused while sending, back after 1.5 s',
		proxy: 'refusedThenBack',
		check: (t) => {
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBe(t.items);
		},
	},
	{
		name: 'reset before the request is read',
		faults: [{ kind: 'reset', count: N }],
		check: (t, output) => {
			noDuplicates(t);
			expect(t.unknown).toBe(t.items);
			expect(t.accepted).toBe(0);
			// Not re-sent by default: one POST per item.
			expect(t.posts).toBe(t.items);
			expect(output[0].error).toMatchObject({ outcome: 'unknown', attempts: 1 });
		},
	},
	{
		name: 'reset, retryUnknownOutcome on',
		faults: [{ kind: 'reset', count: N }],
		options: { retryUnknownOutcome: true },
		check: (t) => {
			// The emulator dropped these before reading them, so the re-send is the only acceptance.
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBe(t.items * 2);
		},
	},
	{
		name: 'response lost after acceptance',
		faults: [{ kind: 'lost', count: N }],
		check: (t) => {
			noDuplicates(t);
			expect(t.unknown).toBe(t.items);
			expect(t.accepted).toBe(t.items);
			expect(t.posts).toBe(t.items);
			expect(t.postsPerItem.every((n) => n === 1)).toBe(true);
		},
	},
	{
		name: 'lost on 30% (mixed batch)',
		faults: [{ kind: 'lost', rate: 0.3, count: 6 }],
		check: (t) => {
			noDuplicates(t);
			expect(t.faultHits).toBeGreaterThan(0);
			expect(t.unknown).toBe(t.faultHits);
			expect(t.sent).toBe(t.items - (t.faultHits ?? 0));
			expect(t.accepted).toBe(t.items);
			expect(t.posts).toBe(t.items);
		},
	},
	{
		name: 'lost, retryUnknownOutcome on (opt-in)',
		faults: [{ kind: 'lost', count: N }],
		options: { retryUnknownOutcome: true },
		check: (t) => {
			// The user opted in to duplicates: every lost answer is one extra acceptance, no more.
			expect(t.sent).toBe(t.items);
			expect(t.duplicates).toBe(t.items);
			expect(t.acceptedPerItem.every((n) => n === 2)).toBe(true);
			expect(t.posts).toBe(t.items * 2);
		},
	},
	{
		name: 'slow answers (2.5 s) past a 1 s timeout',
		faults: [{ kind: 'slow', count: N, delayMs: 2500 }],
		options: { timeoutSeconds: 1 },
		settleMs: 4000,
		check: (t, output) => {
			noDuplicates(t);
			expect(t.unknown).toBe(t.items);
			expect(t.posts).toBe(t.items);
			// Meta went on to accept them after the node stopped waiting: exactly why they are not re-sent.
			expect(t.accepted).toBe(t.items);
			expect(output[0].error.message).toMatch(/in time|timed? ?out/i);
		},
	},
	{
		name: 'slow answers within the timeout',
		faults: [{ kind: 'slow', count: N, delayMs: 600 }],
		options: { timeoutSeconds: 5 },
		check: (t) => {
			noDuplicates(t);
			allSent(t);
			expect(t.posts).toBe(t.items);
		},
	},
];

describe('Fault matrix: Send Notification in real n8n against the emulator', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;
	let credential: SavedCredential;
	const printed: Array<Pick<Tally, 'row'> & Partial<Tally>> = [];

	beforeAll(async () => {
		({ emulator, credential } = await startEmulatorWithCredential(n8n, 'fault matrix', { latencyMs: 0 }));
	});
	afterAll(async () => {
		console.log(`Fault matrix (N=${N} items per row, continue-on-fail)\n${formatTable(printed)}`);
		await emulator.close();
	});
	beforeEach(() => emulator.reset());

	const control = async (path: string, body: unknown) => {
		const res = await fetch(`${emulator.url}/_emulator/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		if (!res.ok) throw new Error(`control ${path} → ${res.status} ${await res.text()}`);
		return res.json();
	};

	const sendNode = (cred: SavedCredential, options: Json) =>
		shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: cred },
			{ ...SHIPPING_UPDATE_FROM_ITEM, body_3: 'Friday, 27 November' },
			{ options: { correlationKey: '={{ $json.key }}', ...options } },
			{ onError: 'continueRegularOutput' },
		);

	async function runRow(row: Row): Promise<{ t: Tally; output: Json[] }> {
		if (row.config) await control('config', row.config);
		if (row.faults?.length) await control('faults', { faults: row.faults });
		const tag = randomUUID().slice(0, 8);
		const keys = Array.from({ length: N }, (_, i) => `fm-${tag}-${i}`);
		const items = keys.map((key, i) => ({
			key,
			phone: (row.phone ?? phoneOf)(i),
			name: `Customer ${i}`,
			order: `SO-${tag}-${i}`,
		}));

		let cred = credential;
		let proxy: SwitchableProxy | undefined;
		if (row.closedPort) {
			const port = await freePort();
			cred = await n8n.createCredential(
				CLOUD_CREDENTIAL_TYPE,
				`closed port ${port}`,
				cloudCredentialData(emulator, { baseUrl: `http://127.0.0.1:${port}` }),
			);
		} else if (row.proxy) {
			proxy = new SwitchableProxy(emulator.url);
			await proxy.up();
			cred = await n8n.createCredential(
				CLOUD_CREDENTIAL_TYPE,
				`proxy ${proxy.port}`,
				cloudCredentialData(emulator, { baseUrl: proxy.url }),
			);
			// The template is read once per execution before any message; after that answer the proxy stops listening.
			const p = proxy;
			p.afterAnswer = (req) => {
				if (req.method === 'GET' && req.path.endsWith('/message_templates')) {
					p.afterAnswer = undefined;
					void p.down().then(async () => {
						if (row.proxy === 'refusedThenBack') {
							await sleep(1500);
							await p.up();
						}
					});
				}
			};
		}
		const started = Date.now();
		try {
			const run = await runOnce(n8n, sendNode(cred, row.options ?? {}), items);
			const seconds = (Date.now() - started) / 1000;
			expect(run.status).toBe(200);
			const output = run.body as Json[];
			// The stored execution pairs every output item with its input item, once.
			const paired = nodeOutput(run.execution, 'Node Under Test').map((i: Json) => i.pairedItem?.item);
			expect(paired).toEqual(keys.map((_, i) => i));
			if (row.settleMs) await sleep(row.settleMs);
			const t = tally(row.name, output, keys, emulator, seconds, started);
			t.faultHits = Object.values(emulator.state.stats.faults).reduce((a, b) => a + b, 0);
			return { t, output };
		} finally {
			await proxy?.down();
		}
	}

	it.each(rows.map((r) => [r.name, r] as const))(
		'%s',
		async (_name, row) => {
			const { t, output } = await runRow(row);
			printed.push(t);
			invariants(t, output);
			row.check(t, output);
		},
		120_000,
	);

	describe('webhook callback (n8n Session Window Trigger) down while statuses are delivered', () => {
		async function triggerWorkflow(): Promise<{ id: string; path: string; url: string }> {
			const webhookId = randomUUID();
			const id = await n8n.createWorkflow(
				`e2e fault matrix trigger ${webhookId}`,
				[
					{
						name: TRIGGER_NAME,
						type: TRIGGER_NODE_TYPE,
						typeVersion: 1,
						webhookId,
						credentials: { [CLOUD_CREDENTIAL_TYPE]: credential },
						parameters: { registration: 'manual', events: ['statusUpdate'], options: {} },
					},
				],
				{},
			);
			return { id, path: `${webhookId}/webhook`, url: `${n8n.url}/webhook/${webhookId}/webhook` };
		}

		async function statusEvents(workflowId: string): Promise<Json[]> {
			const list = await n8n.executions(workflowId);
			return list
				.filter((e) => e.finished || e.status === 'success')
				.flatMap((e) => nodeOutput(e, TRIGGER_NAME).map((i: Json) => i.json))
				.filter((e: Json) => e.event === 'statusUpdate');
		}

		/** Waits until every delivery ended (delivered or given up) and nothing is in flight. */
		async function deliveriesSettled(timeoutMs: number): Promise<void> {
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline) {
				const byId = new Map<number, boolean>();
				for (const d of emulator.state.deliveries) byId.set(d.deliveryId, (byId.get(d.deliveryId) ?? false) || d.ok);
				const s = emulator.state.stats.webhooks;
				if (
					byId.size > 0 &&
					emulator.webhooks.inFlight === 0 &&
					[...byId.values()].filter(Boolean).length + s.givenUp === byId.size
				) {
					return;
				}
				await sleep(200);
			}
		}

		const variants = [
			['workflow deactivated (404), then reactivated', 'deactivate'],
			['callback port closed (refused), then back', 'proxy'],
		] as const;

		it.each(variants)(
			'%s: every status arrives exactly once after redelivery',
			async (label, how) => {
				// A generous per-attempt timeout: on a busy machine n8n can take seconds to answer 40 calls at once, and an
				// attempt the emulator abandons arrives at n8n as an aborted body (400), which would only be noise here.
				await control('config', {
					statusWebhooks: true,
					statusDelayMs: 20,
					webhookMaxAttempts: 9,
					webhookRetryBaseMs: 300,
					webhookTimeoutMs: 30_000,
				});
				const trigger = await triggerWorkflow();
				let proxy: SwitchableProxy | undefined;
				try {
					await n8n.activate(trigger.id);
					await n8n.waitForWebhook(trigger.path);
					let target = trigger.url;
					if (how === 'proxy') {
						proxy = new SwitchableProxy(trigger.url);
						await proxy.up();
						target = `${proxy.url}/`;
						await proxy.down();
					} else {
						await n8n.deactivate(trigger.id);
						// Wait until n8n answers 404 for the production path.
						for (let i = 0; i < 50; i++) {
							const res = await fetch(trigger.url, {
								method: 'POST',
								headers: { 'content-type': 'application/json' },
								body: '{}',
							});
							await res.text();
							if (res.status === 404) break;
							await sleep(100);
						}
					}
					await control('webhook-target', { url: target });

					const tag = randomUUID().slice(0, 8);
					const keys = Array.from({ length: N }, (_, i) => `wh-${tag}-${i}`);
					const items = keys.map((key, i) => ({
						key,
						phone: phoneOf(200 + i),
						name: `Customer ${i}`,
						order: `SO-${tag}-${i}`,
					}));
					const started = Date.now();
					const run = await runOnce(n8n, sendNode(credential, {}), items);
					expect(run.status).toBe(200);
					const output = run.body as Json[];
					const t = tally(`webhook: ${label}`, output, keys, emulator, 0);
					invariants(t, output);
					noDuplicates(t);
					allSent(t);

					// The emulator keeps failing while the callback is down.
					const deadline = Date.now() + 15_000;
					while (emulator.state.stats.webhooks.failedAttempts < N * 2 && Date.now() < deadline) await sleep(100);
					expect(emulator.state.stats.webhooks.failedAttempts).toBeGreaterThanOrEqual(N * 2);
					expect(emulator.state.stats.webhooks.delivered).toBe(0);

					// The callback comes back; Meta-style redelivery brings the statuses in.
					if (proxy) await proxy.up();
					else {
						await n8n.activate(trigger.id);
						await n8n.waitForWebhook(trigger.path);
					}
					await deliveriesSettled(90_000);
					const hooks = emulator.state.stats.webhooks;
					expect(hooks.givenUp).toBe(0);
					expect(hooks.delivered).toBe(N * 2);

					// Every message's sent and delivered status reached the workflow exactly once, with its correlation key.
					let events: Json[] = [];
					for (let i = 0; i < 100; i++) {
						events = await statusEvents(trigger.id);
						if (events.length >= N * 2) break;
						await sleep(200);
					}
					await sleep(800);
					events = await statusEvents(trigger.id);
					const seen = new Map<string, number>();
					for (const e of events)
						seen.set(`${e.messageId}:${e.status}`, (seen.get(`${e.messageId}:${e.status}`) ?? 0) + 1);
					for (const [i, out] of output.entries()) {
						expect(seen.get(`${out.messageId}:sent`)).toBe(1);
						expect(seen.get(`${out.messageId}:delivered`)).toBe(1);
						const forItem = events.filter((e) => e.messageId === out.messageId);
						expect(forItem.every((e) => e.correlation?.key === keys[i])).toBe(true);
					}
					expect(events).toHaveLength(N * 2);
					printed.push({
						row: `webhook: ${label}`,
						items: N,
						sent: t.sent,
						duplicate: t.duplicate,
						not_sent: t.not_sent,
						unknown: t.unknown,
						duplicates: events.length - seen.size,
						posts: t.posts,
						accepted: t.accepted,
						seconds: (Date.now() - started) / 1000,
					});

					console.log(
						`webhook row "${label}": status deliveries ${N * 2}, attempts ${hooks.attempts}, failed attempts ${hooks.failedAttempts}, ` +
							`delivered ${hooks.delivered}, given up ${hooks.givenUp}, status events in n8n ${events.length} (unique ${seen.size})`,
					);
				} finally {
					await proxy?.down();
					await removeWorkflows(n8n, [trigger.id]);
				}
			},
			180_000,
		);
	});
});
