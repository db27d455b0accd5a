/**
 * Queue-mode run (`npm run test:queue`): n8n main + 2 workers over Redis and PostgreSQL, the package on all of
 * them, 2,000 Send Notification items fired through webhooks, one worker SIGKILLed mid-run and restarted; then
 * the webhook calls that no execution reports on are delivered again (n8n 2.41 neither re-runs nor can retry the
 * dead worker's executions: see phase 2), and the emulator's log is reconciled with the execution outputs:
 *   sent        notifications the emulator accepted (unique correlation keys)
 *   duplicates  extra acceptances of the same key (must be 0)
 *   lost        requested, never accepted and not reported in any output (must be 0)
 *   unknown     reported as "outcome unknown" (not re-sent)
 * Exits 1 when duplicates > 0 or lost > 0 (or the run itself fails).
 *
 * Options: --notifications 2000 --batch 10 --parallel 8 --workers 2 --concurrency 5 --kill-at 0.35
 *          --idempotency auto|on|off (auto: on when Send Notification has the Idempotency options)
 *          --no-redeliver (skip phase 2) --keep (keep the temp folder) --time-limit MS --settle-limit MS
 * Needs redis-server and PostgreSQL (Debian: apt-get install redis-server postgresql) and a built dist/.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startEmulator, type Emulator } from '../../dev/emulator';
import { N8nClient, NODE_TYPE_PREFIX, PACKAGE_DIR, type WorkflowNode } from '../../dev/n8n/n8n';
import { Cluster, snapshotPackage, workerLogCounts, type WorkerHandle } from './cluster';
import { missingBinaries } from './services';

type Json = Record<string, any>;

const SEND_NODE_TYPE = `${NODE_TYPE_PREFIX}whatsAppSendNotification`;
const CLOUD = 'whatsAppCloudApi';
const LEDGER = 'whatsAppNotificationsLedgerApi';
const SEND = 'Send Notification';
const SPLIT = 'Split Items';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function arg(name: string, fallback: string): string {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const NOTIFICATIONS = Number(arg('notifications', '2000'));
const BATCH = Number(arg('batch', '10'));
const PARALLEL = Number(arg('parallel', '8'));
const WORKERS = Number(arg('workers', '2'));
const CONCURRENCY = Number(arg('concurrency', '5'));
const KILL_AT = Number(arg('kill-at', '0.35'));
const IDEMPOTENCY = arg('idempotency', 'auto');
const REDELIVER = !flag('no-redeliver');
const KEEP = flag('keep');
const HARD_LIMIT_MS = Number(arg('time-limit', String(30 * 60_000)));
const SETTLE_MS = Number(arg('settle-limit', String(10 * 60_000)));

const t0 = Date.now();
const log = (line: string) => process.stderr.write(`[queue +${((Date.now() - t0) / 1000).toFixed(0)}s] ${line}\n`);

/** Whether the node has the Idempotency options (the lead's feature), read from the built description. */
function nodeHasIdempotency(packageDir = PACKAGE_DIR): boolean {
	const built = path.join(packageDir, 'dist', 'nodes', 'SendNotification', 'description.js');
	return fs.existsSync(built) && /idempotencyWindowHours/.test(fs.readFileSync(built, 'utf8'));
}

async function main(): Promise<number> {
	const missing = missingBinaries();
	if (missing.length) {
		log(`missing: ${missing.join(', ')}`);
		return 1;
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-wa-queue-'));
	const artifacts = path.join(PACKAGE_DIR, 'test', '.artifacts', 'queue');
	let packageDir: string;
	try {
		packageDir = await snapshotPackage(PACKAGE_DIR, dir);
	} catch (error) {
		fs.rmSync(dir, { recursive: true, force: true });
		throw error;
	}
	const idempotent = IDEMPOTENCY === 'on' || (IDEMPOTENCY === 'auto' && nodeHasIdempotency(packageDir));
	if (IDEMPOTENCY === 'on' && !idempotent) {
		fs.rmSync(dir, { recursive: true, force: true });
		throw new Error('--idempotency on, but dist/ has no Idempotency options');
	}
	const cluster = new Cluster({ dir, workers: WORKERS, concurrency: CONCURRENCY, log, packageDir });
	let emulator: Emulator | undefined;
	let cleaned = false;
	const cleanup = async () => {
		if (cleaned) return;
		cleaned = true;
		await emulator?.close().catch(() => undefined);
		await cluster.stop();
		// Logs survive in test/.artifacts/queue; the temp folder (user folders, data) goes unless --keep.
		try {
			fs.rmSync(artifacts, { recursive: true, force: true });
			fs.mkdirSync(artifacts, { recursive: true });
			for (const f of fs.readdirSync(dir))
				if (f.endsWith('.log')) fs.copyFileSync(path.join(dir, f), path.join(artifacts, f));
		} catch {
			// best effort
		}
		if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
		else log(`kept ${dir}`);
	};
	const onSignal = (signal: NodeJS.Signals) => {
		log(`${signal}: stopping everything`);
		void cleanup().finally(() => process.exit(130));
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	const hardLimit = setTimeout(() => {
		log(`time limit of ${HARD_LIMIT_MS / 1000} s reached: stopping everything`);
		void cleanup().finally(() => process.exit(1));
	}, HARD_LIMIT_MS);
	hardLimit.unref();

	try {
		log(`starting redis, postgres, n8n main + ${WORKERS} workers (concurrency ${CONCURRENCY}) in ${dir}`);
		await cluster.start();
		emulator = await startEmulator({ port: 0, latencyMs: 30, throughputCapMps: 0, statusWebhooks: false });
		const result = await scenario(cluster, emulator, idempotent);
		return result;
	} finally {
		clearTimeout(hardLimit);
		await cleanup();
		log(`logs in ${path.relative(process.cwd(), artifacts) || artifacts}`);
	}
}

async function scenario(cluster: Cluster, emulator: Emulator, idempotent: boolean): Promise<number> {
	const main = cluster.main!;
	const client = N8nClient.of(main);
	const runId = randomBytes(3).toString('hex');
	const cloud = await client.createCredential(CLOUD, `emulator ${runId}`, {
		accessToken: emulator.options.accessToken,
		businessAccountId: emulator.options.wabaId,
		phoneNumberId: emulator.options.phoneNumbers[0].id,
		graphApiVersion: 'v24.0',
		baseUrl: emulator.url,
		appSecret: emulator.options.appSecret,
		webhookVerifyToken: 'queue-verify-token',
	});
	const credentials: WorkflowNode['credentials'] = { [CLOUD]: cloud };
	const ledgerParams: Json = {};
	if (idempotent) {
		// The ledger lives in n8n's data tables (Postgres here), reached through main's public API by the workers.
		credentials[LEDGER] = await client.createCredential(LEDGER, `ledger ${runId}`, {
			baseUrl: main.url,
			apiKey: main.apiKey,
			contactKeySecret: 'queue-contact-key-secret-0123456789',
			projectId: '',
			tablePrefix: `queue_${runId}`,
		});
		// Idempotency needs Use Consent Ledger; these contacts have no opt-in on record, so they are not skipped.
		Object.assign(ledgerParams, { useConsentLedger: true, skipWithoutConsent: false });
	}
	const hookPath = `queue-${runId}`;
	const nodes: WorkflowNode[] = [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			webhookId: randomUUID(),
			// onReceived: main answers at once and puts the execution on the queue for a worker.
			parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'onReceived', options: {} },
		},
		{
			name: SPLIT,
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
		},
		{
			name: SEND,
			type: SEND_NODE_TYPE,
			typeVersion: 1,
			credentials,
			onError: 'continueRegularOutput',
			parameters: {
				notificationType: 'shippingStatus',
				recipient: '={{ $json.phone }}',
				template: { __rl: true, mode: 'name', value: 'shipping_update/en_US' },
				variables: {
					mappingMode: 'defineBelow',
					value: {
						body_1: '={{ $json.name }}',
						body_2: '={{ $json.order }}',
						body_3: '={{ $json.eta }}',
						button_0_url: '={{ $json.order }}',
					},
					matchingColumns: [],
					schema: [],
				},
				...ledgerParams,
				options: {
					correlationKey: '={{ $json.key }}',
					pairSpacingSeconds: 0,
					messagesPerSecond: 80,
					...(idempotent ? { idempotencyWindowHours: 24 } : {}),
				},
			},
		},
	];
	const workflowId = await client.createWorkflow(`queue mode ${runId}`, nodes, {
		Webhook: { main: [[{ node: SPLIT, type: 'main', index: 0 }]] },
		[SPLIT]: { main: [[{ node: SEND, type: 'main', index: 0 }]] },
	});
	await client.activate(workflowId);
	await client.waitForWebhook(hookPath, 60_000);
	log(
		`workflow ${workflowId} active; idempotency ${idempotent ? 'ON (ledger credential, Idempotency Window 24 h)' : 'OFF (node has no Idempotency option yet, or --idempotency off)'}`,
	);

	// 2,000 notifications, each with a unique key and recipient, in webhook calls of BATCH items.
	const keys = Array.from({ length: NOTIFICATIONS }, (_, i) => `q-${runId}-${String(i).padStart(5, '0')}`);
	const item = (i: number) => ({
		key: keys[i],
		phone: `+49152${String(10_000_000 + i).padStart(8, '0')}`,
		name: `Customer ${i}`,
		order: `SO-${100_000 + i}`,
		eta: 'Friday, 27 November',
	});
	const calls = Math.ceil(NOTIFICATIONS / BATCH);
	const acceptedByKey = () => {
		const counts = new Map<string, number>();
		for (const m of emulator.state.messages) {
			const key = correlationKeyOf(m.body);
			if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
		}
		return counts;
	};

	// The killer: once KILL_AT of the notifications were accepted, SIGKILL the worker with the most executions in
	// flight (by its log), and start a new worker in its place 3 s later.
	let killInfo:
		| { victim: string; atAccepted: number; inFlight: string[]; restartedAs?: string; killedAtMs: number }
		| undefined;
	const killer = (async () => {
		const deadline = Date.now() + SETTLE_MS / 2;
		const threshold = Math.floor(NOTIFICATIONS * KILL_AT);
		while (Date.now() < deadline && emulator.state.messages.length < threshold) await sleep(50);
		const live = cluster.workers.filter((w) => !w.killed);
		const inFlight = (w: WorkerHandle) => {
			const c = workerLogCounts(w.logFile);
			return [...c.started].filter((id) => !c.finished.has(id));
		};
		// Aim the kill at a worker that is part-way through sending an execution (some of its items accepted, not
		// all), so that the re-delivery meets already-sent and in-flight items. Bounded: 60 s, then any worker.
		const acceptedPerExecution = () => {
			const n = new Map<string, number>();
			for (const m of emulator.state.messages) {
				const execution = correlationOf(m.body).execution;
				if (execution !== undefined) n.set(String(execution), (n.get(String(execution)) ?? 0) + 1);
			}
			return n;
		};
		let victim: WorkerHandle | undefined;
		for (const aimUntil = Date.now() + 60_000; !victim && Date.now() < aimUntil; await sleep(20)) {
			const n = acceptedPerExecution();
			victim = live.find((w) => inFlight(w).some((id) => (n.get(id) ?? 0) > 0 && (n.get(id) ?? 0) < BATCH));
		}
		victim ??= live.sort((a, b) => inFlight(b).length - inFlight(a).length)[0];
		if (!victim) return;
		const running = inFlight(victim);
		const atAccepted = emulator.state.messages.length;
		await cluster.kill(victim);
		killInfo = { victim: victim.name, atAccepted, inFlight: running, killedAtMs: Date.now() - t0 };
		log(
			`SIGKILL ${victim.name} (pid ${victim.instance.pid}) at ${atAccepted} accepted messages; executions in flight there: ${running.join(', ') || 'none'}`,
		);
		await sleep(3000);
		const restarted = await cluster.restart(victim);
		killInfo.restartedAs = restarted.name;
		log(`${restarted.name} started in its place (pid ${restarted.instance.pid})`);
	})();

	const fireStarted = Date.now();
	let next = 0;
	let webhookErrors = 0;
	const fireOne = async () => {
		for (;;) {
			const c = next++;
			if (c >= calls) return;
			const items = [];
			for (let i = c * BATCH; i < Math.min(NOTIFICATIONS, (c + 1) * BATCH); i++) items.push(item(i));
			let ok = false;
			for (let attempt = 0; attempt < 3 && !ok; attempt++) {
				try {
					const res = await client.callWebhook(hookPath, { items });
					ok = res.status === 200;
					if (!ok) log(`webhook call ${c}: ${res.status} ${res.text.slice(0, 200)}`);
				} catch (e) {
					log(`webhook call ${c}: ${(e as Error).message}`);
				}
				if (!ok) await sleep(500);
			}
			if (!ok) webhookErrors++;
		}
	};
	await Promise.all(Array.from({ length: PARALLEL }, fireOne));
	log(
		`${calls} webhook calls (${NOTIFICATIONS} notifications) answered in ${((Date.now() - fireStarted) / 1000).toFixed(1)} s; ${webhookErrors} failed`,
	);
	await killer;

	// Phase 1: wait until every execution ended (success, error, or crashed by n8n's queue recovery).
	const phase1 = await settle(client, workflowId, calls - webhookErrors, SETTLE_MS);
	const processingSeconds = (Date.now() - fireStarted) / 1000;
	const first = tally(keys, phase1.executions, acceptedByKey());
	log(
		`phase 1 settled in ${processingSeconds.toFixed(0)} s: ${summaryLine(first)}; executions by status ${JSON.stringify(countBy(phase1.executions, (e) => e.status))}`,
	);

	// Phase 2: re-deliver. n8n 2.41 does not re-run a dead worker's job (Bull maxStalledCount 0): main marks the
	// execution "error" (MaxStalledCountError) and stores it WITHOUT its input, so n8n's own Retry runs nothing.
	// What recovers the notifications is the caller sending the same request again (at-least-once delivery, or
	// an operator re-submitting what failed): every webhook call with an item that no execution reports on is fired
	// again, with the same keys. Without idempotency this re-sends what the dead worker had already sent.
	const resent: number[] = [];
	let finalExecutions = phase1.executions;
	if (REDELIVER) {
		const reported = reportedKeys(phase1.executions);
		for (let c = 0; c < calls; c++) {
			const batch = keys.slice(c * BATCH, (c + 1) * BATCH);
			if (batch.some((k) => !reported.has(k))) resent.push(c);
		}
		if (resent.length) {
			log(`re-delivering ${resent.length} webhook call(s) whose items no execution reports on: ${resent.join(', ')}`);
			const queue = [...resent];
			const refire = async () => {
				for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
					const items = [];
					for (let i = c * BATCH; i < Math.min(NOTIFICATIONS, (c + 1) * BATCH); i++) items.push(item(i));
					const res = await client
						.callWebhook(hookPath, { items })
						.catch((e: Error) => ({ status: 0, text: e.message }));
					if (res.status !== 200) {
						webhookErrors++;
						log(`re-delivery of call ${c}: ${res.status} ${res.text.slice(0, 200)}`);
					}
				}
			};
			await Promise.all(Array.from({ length: Math.min(PARALLEL, resent.length) }, refire));
			const phase2 = await settle(client, workflowId, phase1.executions.length + resent.length, SETTLE_MS);
			finalExecutions = phase2.executions;
		}
	}
	const accepted = acceptedByKey();
	const final = tally(keys, finalExecutions, accepted);

	// Per worker: executions started / finished, from each worker process's log.
	const perWorker = cluster.workers.map((w) => {
		const c = workerLogCounts(w.logFile);
		return { worker: w.name, started: c.started.size, finished: c.finished.size, killed: w.killed };
	});
	const statuses = countBy(finalExecutions, (e) => `${e.mode === 'retry' ? 'retry:' : ''}${e.status}`);

	const report = {
		n8n: '2.41.1 queue mode (main + workers, Postgres, Redis)',
		idempotency: idempotent ? 'on' : 'off',
		notificationsRequested: NOTIFICATIONS,
		webhookCalls: calls,
		webhookCallsFailed: webhookErrors,
		sent: final.sent,
		duplicates: final.duplicates,
		duplicateKeys: final.duplicateKeys,
		lost: final.lost,
		unknownOutcome: final.unknown,
		unknownOutcomeButAccepted: final.unknownAccepted,
		failedReportedNotSent: final.failedNotSent,
		alreadySentReturnedAsDuplicate: final.duplicateReported,
		beforeRedelivery: {
			sent: first.sent,
			duplicates: first.duplicates,
			lostOrUnreported: first.lost,
			unknownOutcome: first.unknown,
		},
		killed: killInfo ?? null,
		redeliveredWebhookCalls: resent.length,
		executionErrors: countBy(
			finalExecutions.filter((e) => e.status !== 'success'),
			(e) => String(e.data?.resultData?.error?.message ?? e.status).slice(0, 120),
		),
		executions: statuses,
		perWorker,
		emulatorPostsToMessages: emulator.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))
			.length,
		seconds: { processing: Math.round(processingSeconds), total: Math.round((Date.now() - t0) / 1000) },
	};
	process.stdout.write(`\n${formatReport(report)}\n\n${JSON.stringify(report)}\n`);
	const ok = final.duplicates === 0 && final.lost === 0 && webhookErrors === 0;
	process.stdout.write(
		`\nqueue mode: ${ok ? 'PASS' : 'FAIL'} (duplicates ${final.duplicates}, lost ${final.lost}${webhookErrors ? `, webhook calls failed ${webhookErrors}` : ''})\n`,
	);
	return ok ? 0 : 1;
}

function correlationOf(body: Json): { key?: string; execution?: string | number } {
	try {
		return JSON.parse(String(body.biz_opaque_callback_data ?? '{}'));
	} catch {
		return {};
	}
}
const correlationKeyOf = (body: Json): string | undefined => correlationOf(body).key;

/** All executions of the workflow, with data (public API, cursor pagination). */
async function listExecutions(client: N8nClient, workflowId: string, includeData: boolean): Promise<Json[]> {
	const all: Json[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < 100; page++) {
		const qs = new URLSearchParams({ workflowId, includeData: String(includeData), limit: includeData ? '50' : '250' });
		if (cursor) qs.set('cursor', cursor);
		const res = await client.api<{ data: Json[]; nextCursor?: string | null }>('GET', `/executions?${qs}`);
		all.push(...res.data);
		if (!res.nextCursor) break;
		cursor = res.nextCursor;
	}
	return all.sort((a, b) => Number(a.id) - Number(b.id));
}

const DONE = new Set(['success', 'error', 'crashed', 'canceled']);

async function settle(
	client: N8nClient,
	workflowId: string,
	expected: number,
	timeoutMs: number,
): Promise<{ executions: Json[] }> {
	const deadline = Date.now() + timeoutMs;
	let lastReport = 0;
	for (;;) {
		const list = await listExecutions(client, workflowId, false);
		const open = list.filter((e) => !DONE.has(e.status));
		if (list.length >= expected && open.length === 0) break;
		if (Date.now() > deadline) {
			log(
				`gave up waiting: ${list.length}/${expected} executions, ${open.length} not finished (${open.map((e) => `${e.id}:${e.status}`).join(', ')})`,
			);
			break;
		}
		if (Date.now() - lastReport > 10_000) {
			lastReport = Date.now();
			log(
				`waiting: ${list.length}/${expected} executions, ${open.length} not finished ${JSON.stringify(countBy(open, (e) => e.status))}`,
			);
		}
		await sleep(1000);
	}
	return { executions: await listExecutions(client, workflowId, true) };
}

/** Keys that some execution's Send Notification output reports on (any outcome). */
function reportedKeys(executions: Json[]): Set<string> {
	const out = new Set<string>();
	for (const e of executions) {
		const runData = e.data?.resultData?.runData ?? {};
		const inputs: Json[] = runData[SPLIT]?.[0]?.data?.main?.[0] ?? [];
		const runs: Json[] = runData[SEND] ?? [];
		const outputs: Json[] = runs[runs.length - 1]?.data?.main?.[0] ?? [];
		outputs.forEach((o, j) => {
			const source = o.pairedItem && typeof o.pairedItem === 'object' && 'item' in o.pairedItem ? o.pairedItem.item : j;
			const key = inputs[source]?.json?.key;
			if (key) out.add(key);
		});
	}
	return out;
}

interface Tally {
	sent: number;
	duplicates: number;
	duplicateKeys: number;
	lost: number;
	unknown: number;
	unknownAccepted: number;
	failedNotSent: number;
	duplicateReported: number;
}

/** Reconciles the emulator's acceptances with the latest reported outcome of every key. */
function tally(keys: string[], executions: Json[], accepted: Map<string, number>): Tally {
	const outcome = new Map<string, Json>();
	for (const e of executions) {
		const runData = e.data?.resultData?.runData ?? {};
		const inputs: Json[] = runData[SPLIT]?.[0]?.data?.main?.[0] ?? [];
		const runs: Json[] = runData[SEND] ?? [];
		const outputs: Json[] = runs[runs.length - 1]?.data?.main?.[0] ?? [];
		outputs.forEach((out, j) => {
			const source =
				out.pairedItem && typeof out.pairedItem === 'object' && 'item' in out.pairedItem ? out.pairedItem.item : j;
			const key = inputs[source]?.json?.key;
			if (key) outcome.set(key, out.json ?? {});
		});
	}
	const t: Tally = {
		sent: 0,
		duplicates: 0,
		duplicateKeys: 0,
		lost: 0,
		unknown: 0,
		unknownAccepted: 0,
		failedNotSent: 0,
		duplicateReported: 0,
	};
	for (const key of keys) {
		const n = accepted.get(key) ?? 0;
		const out = outcome.get(key);
		if (n > 0) t.sent++;
		if (n > 1) {
			t.duplicates += n - 1;
			t.duplicateKeys++;
		}
		if (out?.duplicate === true) t.duplicateReported++;
		const errorOutcome = out?.error?.outcome;
		if (errorOutcome === 'unknown') {
			t.unknown++;
			if (n > 0) t.unknownAccepted++;
		} else if (n === 0 && out?.error) {
			t.failedNotSent++;
		} else if (n === 0) {
			t.lost++; // never accepted, and no output says so
		}
	}
	return t;
}

function countBy<T>(list: T[], f: (x: T) => string): Record<string, number> {
	const out: Record<string, number> = {};
	for (const x of list) out[f(x)] = (out[f(x)] ?? 0) + 1;
	return out;
}

function summaryLine(t: Tally): string {
	return `sent ${t.sent}, duplicates ${t.duplicates}, lost/unreported ${t.lost}, unknown ${t.unknown}`;
}

function formatReport(r: Json): string {
	const rows: Array<[string, unknown]> = [
		['idempotency', r.idempotency],
		['notifications requested', r.notificationsRequested],
		['sent (accepted, unique key)', r.sent],
		['duplicates (must be 0)', r.duplicates],
		['lost (must be 0)', r.lost],
		[
			'unknown outcome (reported, not re-sent)',
			`${r.unknownOutcome} (of which the emulator had accepted ${r.unknownOutcomeButAccepted})`,
		],
		['failed, reported as not sent', r.failedReportedNotSent],
		['already sent, returned as duplicate: true', r.alreadySentReturnedAsDuplicate],
		[
			'before re-delivery',
			`sent ${r.beforeRedelivery.sent}, duplicates ${r.beforeRedelivery.duplicates}, lost/unreported ${r.beforeRedelivery.lostOrUnreported}, unknown ${r.beforeRedelivery.unknownOutcome}`,
		],
		[
			'killed',
			r.killed
				? `${r.killed.victim} at ${r.killed.atAccepted} accepted (executions in flight: ${r.killed.inFlight.length}), restarted as ${r.killed.restartedAs}`
				: 'no',
		],
		['re-delivered webhook calls', r.redeliveredWebhookCalls],
		['executions by status', JSON.stringify(r.executions)],
		['execution errors', JSON.stringify(r.executionErrors)],
		...r.perWorker.map(
			(w: Json) =>
				[`  ${w.worker}`, `started ${w.started}, finished ${w.finished}${w.killed ? ' (SIGKILLed)' : ''}`] as [
					string,
					unknown,
				],
		),
		['POST /messages seen by the emulator', r.emulatorPostsToMessages],
		['time', `processing ${r.seconds.processing} s, total ${r.seconds.total} s`],
	];
	const width = Math.max(...rows.map(([k]) => k.length));
	return ['Queue mode result', ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

main().then(
	(code) => process.exit(code),
	(error) => {
		log(`FAILED: ${(error as Error).stack ?? error}`);
		process.exit(1);
	},
);
