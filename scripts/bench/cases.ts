/** The bench cases: each builds its workflow in the shared n8n, drives it, and measures at the emulator. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { checkContent } from '../../nodes/shared/domain/contentPolicy';
import { SendScheduler } from '../../nodes/shared/domain/pacing';
import { marketOfContact } from '../../nodes/shared/domain/pricing';
import {
	buildTemplateComponents,
	slotValuesFromMapper,
	type MessageTemplate,
	type SlotValue,
} from '../../nodes/shared/domain/templates';
import type { Emulator } from '../../dev/emulator';
import { signWebhook } from '../../dev/emulator';
import { envelope } from '../../dev/emulator/webhooks';
import { N8nClient, PACKAGE_DIR, webhookEntryNodes, type WorkflowNode } from '../../dev/n8n/n8n';
import { Monitor, round, type Sample } from './monitor';
import { monotonicMicros, type ProfileWindow } from '../../dev/cpuProfile';
import type { Json } from '../../dev/json';

export const SEND_NODE_TYPE = 'n8n-nodes-whatsapp-notifications.whatsAppSendNotification';
export const POLL_NODE_TYPE = 'n8n-nodes-whatsapp-notifications.whatsAppTemplateStatusPoll';
export const SWT_NODE_TYPE = 'n8n-nodes-whatsapp-notifications.whatsAppSessionWindowTrigger';
/** The default template with exactly two body variables (and no header/button parameters). */
export const TEMPLATE = { name: 'account_update', language: 'en_US', notificationType: 'accountUpdate' };

export interface BenchCtx {
	client: N8nClient;
	emulator: Emulator;
	n8nPid: number;
	cloudCredential: { id: string; name: string };
	/** Same account, but baseUrl https://graph.facebook.com: through the loopback TLS stand-in, like the built-in node. */
	cloudCredentialViaTls: { id: string; name: string };
	builtinCredential: { id: string; name: string };
	triggerCredential: { id: string; name: string };
	latencyMs: number;
	log(line: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Recipient i: distinct German mobile numbers in E.164 without spaces (none ends in 0000 = "not on WhatsApp"). */
export const phoneOf = (i: number) => `+4915123${String(100001 + i).padStart(6, '0')}`;

export function itemsFor(count: number, recipientOf: (i: number) => number = (i) => i): Json[] {
	return Array.from({ length: count }, (_, i) => ({
		phone: phoneOf(recipientOf(i)),
		name: `Customer ${i}`,
		change: `email address changed (ref ${1000 + i})`,
	}));
}

async function resetEmulator(emu: Emulator, config: Json): Promise<void> {
	emu.reset();
	const res = await fetch(`${emu.url}/_emulator/config`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ statusWebhooks: false, ...config }),
	});
	if (!res.ok) throw new Error(`emulator config: ${res.status} ${await res.text()}`);
}

export function sendNotificationNode(ctx: BenchCtx, options: Json, viaTls = false): WorkflowNode {
	return {
		name: 'Send Notification',
		type: SEND_NODE_TYPE,
		typeVersion: 1,
		credentials: { whatsAppCloudApi: viaTls ? ctx.cloudCredentialViaTls : ctx.cloudCredential },
		parameters: {
			notificationType: TEMPLATE.notificationType,
			recipient: '={{ $json.phone }}',
			template: { __rl: true, mode: 'name', value: `${TEMPLATE.name}/${TEMPLATE.language}` },
			variables: {
				mappingMode: 'defineBelow',
				value: { body_1: '={{ $json.name }}', body_2: '={{ $json.change }}' },
				matchingColumns: [],
				schema: [],
			},
			options,
		},
	};
}

export function builtinNode(ctx: BenchCtx): WorkflowNode {
	return {
		name: 'WhatsApp Business Cloud',
		type: 'n8n-nodes-base.whatsApp',
		typeVersion: 1.1,
		credentials: { whatsAppApi: ctx.builtinCredential },
		parameters: {
			resource: 'message',
			operation: 'sendTemplate',
			phoneNumberId: ctx.emulator.options.phoneNumbers[0].id,
			recipientPhoneNumber: '={{ $json.phone }}',
			template: `${TEMPLATE.name}|${TEMPLATE.language}`,
			components: {
				component: [
					{
						type: 'body',
						bodyParameters: {
							parameter: [
								{ type: 'text', text: '={{ $json.name }}' },
								{ type: 'text', text: '={{ $json.change }}' },
							],
						},
					},
				],
			},
		},
	};
}

/**
 * n8n's own HTTP Request node sending the same POST per item as Send Notification (same template, the same
 * expressions for recipient and variables, the same credential through its generic authentication): the floor for
 * "one HTTP call per item" in n8n. Paced the way n8n offers, by its batching option: `cap` items per second.
 */
export function httpRequestNode(ctx: BenchCtx, cap: number): WorkflowNode {
	const phoneNumberId = ctx.emulator.options.phoneNumbers[0].id;
	const body = [
		'{{ JSON.stringify({',
		"messaging_product: 'whatsapp', recipient_type: 'individual', to: $json.phone, type: 'template',",
		`template: { name: '${TEMPLATE.name}', language: { code: '${TEMPLATE.language}' },`,
		"components: [{ type: 'body', parameters: [{ type: 'text', text: $json.name }, { type: 'text', text: $json.change }] }] }",
		'}) }}',
	].join(' ');
	return {
		name: 'HTTP Request',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		credentials: { whatsAppCloudApi: ctx.cloudCredential },
		parameters: {
			method: 'POST',
			url: `${ctx.emulator.url}/v24.0/${phoneNumberId}/messages`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'whatsAppCloudApi',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: `=${body}`,
			options: {
				batching: { batch: { batchSize: cap, batchInterval: 1000 } },
				// A refused message stays an item (counted as not delivered) instead of failing the whole run.
				response: { response: { neverError: true } },
			},
		},
	};
}

export interface SendResult {
	label: string;
	items: number;
	httpStatus: number;
	totalSeconds: number;
	messagesPerSecond: number;
	accepted: number;
	outputOk: number;
	graphCalls: number;
	apiCallsPerMessage: number;
	templateReads: number;
	sendSpanSeconds: number;
	sendRateMps: number;
	maxInAnySecond: number;
	/** Same, over every POST /messages as it arrived (retries and rejected ones included). */
	maxInAnySecondAllPosts: number;
	err130429: number;
	err131056: number;
	minSameRecipientGapMs?: number;
	memory: Sample;
	emulatorConfig: Json;
	nodeOptions?: Json;
	error?: string;
	/** The webhook call on the monotonic clock, to cut this case out of a --profile run. */
	window: ProfileWindow;
}

function maxInWindow(times: number[], windowMs: number): number {
	let best = 0;
	for (let i = 0, j = 0; i < times.length; i++) {
		while (times[i] - times[j] >= windowMs) j++;
		best = Math.max(best, i - j + 1);
	}
	return best;
}

/** Webhook → Split Out → node, posted once with all items; measured end to end and at the emulator. */
export async function runSendCase(
	ctx: BenchCtx,
	label: string,
	node: WorkflowNode,
	items: Json[],
	emulatorConfig: Json,
	timeoutMs: number,
): Promise<SendResult> {
	const { client, emulator } = ctx;
	await resetEmulator(emulator, { latencyMs: ctx.latencyMs, ...emulatorConfig });
	const pathName = `bench-${randomUUID()}`;
	const nodes = [...webhookEntryNodes(pathName), node];
	const connections = {
		Webhook: { main: [[{ node: 'Split Items', type: 'main', index: 0 }]] },
		'Split Items': { main: [[{ node: node.name, type: 'main', index: 0 }]] },
	};
	const workflowId = await client.createWorkflow(`bench ${label}`, nodes, connections);
	const monitor = new Monitor(ctx.n8nPid);
	try {
		await client.activate(workflowId);
		await client.waitForWebhook(pathName);
		ctx.log(`  ${label}: ${items.length} items …`);
		monitor.begin();
		const fromUs = monotonicMicros();
		const t0 = performance.now();
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), timeoutMs);
		let status = 0;
		let body: unknown;
		try {
			const res = await fetch(`${client.url}/webhook/${pathName}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ items }),
				signal: controller.signal,
			});
			status = res.status;
			const text = await res.text();
			try {
				body = JSON.parse(text);
			} catch {
				body = text;
			}
		} finally {
			clearTimeout(timer);
		}
		const totalSeconds = (performance.now() - t0) / 1000;
		const window: ProfileWindow = { label, fromUs, toUs: monotonicMicros() };
		const memory = monitor.end();
		const out = Array.isArray(body) ? (body as Json[]) : [];
		const outputOk = out.filter(
			(o) => typeof o.messageId === 'string' || typeof o.messages?.[0]?.id === 'string',
		).length;
		const graph = emulator.state.requests;
		const posts = graph.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
		const acceptedPosts = posts.filter((r) => r.status === 200);
		const times = acceptedPosts.map((r) => r.at).sort((a, b) => a - b);
		const span = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
		const stats = emulator.state.stats;
		// Same-recipient spacing as Meta saw it (arrival times of accepted sends).
		const byRecipient = new Map<string, number[]>();
		for (const r of acceptedPosts) {
			const to = String((r.body as Json)?.to ?? '').replace(/\D/g, '');
			byRecipient.set(to, [...(byRecipient.get(to) ?? []), r.at]);
		}
		let minGap = Infinity;
		for (const list of byRecipient.values()) {
			list.sort((a, b) => a - b);
			for (let i = 1; i < list.length; i++) minGap = Math.min(minGap, list[i] - list[i - 1]);
		}
		const accepted = stats.messagesAccepted;
		const result: SendResult = {
			label,
			items: items.length,
			httpStatus: status,
			totalSeconds: round(totalSeconds, 2),
			messagesPerSecond: round(accepted / totalSeconds, 1),
			accepted,
			outputOk,
			graphCalls: graph.length,
			apiCallsPerMessage: round(graph.length / Math.max(1, accepted), 4),
			templateReads: graph.filter((r) => r.method === 'GET' && r.path.includes('message_templates')).length,
			sendSpanSeconds: round(span, 2),
			sendRateMps: round(times.length > 1 ? (times.length - 1) / span : 0, 1),
			maxInAnySecond: maxInWindow(times, 1000),
			maxInAnySecondAllPosts: maxInWindow(
				posts.map((r) => r.at).sort((a, b) => a - b),
				1000,
			),
			err130429: stats.errors['130429'] ?? 0,
			err131056: stats.errors['131056'] ?? 0,
			minSameRecipientGapMs: Number.isFinite(minGap) ? minGap : undefined,
			memory,
			emulatorConfig: { latencyMs: ctx.latencyMs, ...emulatorConfig },
			window,
		};
		if (status !== 200) result.error = `webhook answered ${status}: ${JSON.stringify(body).slice(0, 300)}`;
		return result;
	} finally {
		monitor.end();
		await client.deactivate(workflowId).catch(() => undefined);
		await client.deleteWorkflow(workflowId).catch(() => undefined);
	}
}

/* --------------------------------------------------------------- webhook ingestion */

/** Counts what the workflows' last node posts back, so "processed" means the execution really ran. */
export class Sink {
	private server?: http.Server;
	counts = new Map<string, { n: number; last: number }>();
	url = '';

	async start(): Promise<void> {
		this.server = http.createServer((req, res) => {
			const key = (req.url ?? '/').slice(1);
			req.resume();
			req.on('end', () => {
				const c = this.counts.get(key) ?? { n: 0, last: 0 };
				c.n++;
				c.last = performance.now();
				this.counts.set(key, c);
				res.writeHead(204);
				res.end();
			});
		});
		this.server.keepAliveTimeout = 10_000;
		await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async close(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((r) => this.server!.close(() => r()));
	}
}

function sinkNode(sink: Sink, key: string): WorkflowNode {
	return {
		name: 'Report To Sink',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url: `${sink.url}/${key}`,
			sendBody: true,
			bodyParameters: { parameters: [{ name: 'execution', value: '={{ $execution.id }}' }] },
			options: {},
		},
	};
}

export function statusPayloads(ctx: BenchCtx, count: number): string[] {
	const o = ctx.emulator.options;
	const phone = o.phoneNumbers[0];
	const now = Math.floor(Date.now() / 1000);
	return Array.from({ length: count }, (_, i) =>
		JSON.stringify(
			envelope(o.wabaId, 'messages', {
				messaging_product: 'whatsapp',
				metadata: { display_phone_number: phone.display_phone_number.replace(/\D/g, ''), phone_number_id: phone.id },
				statuses: [
					{
						id: `wamid.bench${String(i).padStart(8, '0')}`,
						status: i % 2 ? 'delivered' : 'sent',
						timestamp: String(now),
						recipient_id: phoneOf(i).slice(1),
						pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
					},
				],
			}),
		),
	);
}

export interface IngestResult {
	label: string;
	events: number;
	concurrency: number;
	postSeconds: number;
	processedSeconds: number;
	eventsPerSecond: number;
	non2xx: number;
	processed: number;
	memory: Sample;
	error?: string;
}

/** Posts signed status webhooks with `concurrency` connections; done when the sink saw every execution finish. */
export async function runIngestCase(
	ctx: BenchCtx,
	sink: Sink,
	label: string,
	trigger: WorkflowNode,
	webhookPath: string,
	payloads: string[],
	concurrency: number,
	activate: (workflowId: string) => Promise<void> = async (id) => ctx.client.activate(id),
): Promise<IngestResult> {
	const { client } = ctx;
	const key = `case-${randomUUID()}`;
	const nodes = [trigger, sinkNode(sink, key)];
	const connections = { [trigger.name]: { main: [[{ node: 'Report To Sink', type: 'main', index: 0 }]] } };
	const workflowId = await client.createWorkflow(`bench ingest ${label}`, nodes, connections);
	const monitor = new Monitor(ctx.n8nPid);
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	try {
		await activate(workflowId);
		await client.waitForWebhook(webhookPath);
		ctx.log(`  ${label}: ${payloads.length} signed status webhooks, ${concurrency} concurrent …`);
		const target = new URL(`${client.url}/webhook/${webhookPath}`);
		const appSecret = ctx.emulator.options.appSecret;
		const post = (raw: string) =>
			new Promise<number>((resolve) => {
				const req = http.request(
					{
						host: target.hostname,
						port: target.port,
						path: target.pathname,
						method: 'POST',
						agent,
						headers: {
							'content-type': 'application/json',
							'content-length': Buffer.byteLength(raw),
							'x-hub-signature-256': signWebhook(raw, appSecret),
						},
					},
					(res) => {
						res.resume();
						res.on('end', () => resolve(res.statusCode ?? 0));
					},
				);
				req.setTimeout(60_000, () => req.destroy());
				req.on('error', () => resolve(0));
				req.end(raw);
			});
		monitor.begin();
		const t0 = performance.now();
		let next = 0;
		let non2xx = 0;
		await Promise.all(
			Array.from({ length: concurrency }, async () => {
				while (next < payloads.length) {
					const status = await post(payloads[next++]);
					if (status < 200 || status > 299) non2xx++;
				}
			}),
		);
		const postSeconds = (performance.now() - t0) / 1000;
		// Wait for the executions to drain (bounded: stop when nothing arrives for 30 s).
		let lastN = -1;
		let stalledSince = performance.now();
		for (let i = 0; i < 6000; i++) {
			const n = sink.counts.get(key)?.n ?? 0;
			if (n >= payloads.length) break;
			if (n !== lastN) {
				lastN = n;
				stalledSince = performance.now();
			} else if (performance.now() - stalledSince > 30_000) break;
			await sleep(50);
		}
		const memory = monitor.end();
		const c = sink.counts.get(key) ?? { n: 0, last: t0 };
		const processedSeconds = (Math.max(c.last, t0) - t0) / 1000;
		const result: IngestResult = {
			label,
			events: payloads.length,
			concurrency,
			postSeconds: round(postSeconds, 2),
			processedSeconds: round(processedSeconds, 2),
			eventsPerSecond: round(c.n / Math.max(processedSeconds, postSeconds), 1),
			non2xx,
			processed: c.n,
			memory,
		};
		if (c.n < payloads.length) result.error = `only ${c.n} of ${payloads.length} executions reached the sink`;
		return result;
	} finally {
		monitor.end();
		agent.destroy();
		await client.deactivate(workflowId).catch(() => undefined);
		await client.deleteWorkflow(workflowId).catch(() => undefined);
	}
}

export function bareWebhookTrigger(pathName: string): WorkflowNode {
	return {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} },
	};
}

export function builtinTrigger(ctx: BenchCtx): { node: WorkflowNode; path: string } {
	const webhookId = randomUUID();
	return {
		path: `${webhookId}/webhook`,
		node: {
			name: 'WhatsApp Trigger',
			type: 'n8n-nodes-base.whatsAppTrigger',
			typeVersion: 1,
			webhookId,
			credentials: { whatsAppTriggerApi: ctx.triggerCredential },
			parameters: { updates: ['messages'], options: {} },
		},
	};
}

/* ------------------------------------------------------- nodes other engineers are building */

/** A node of this package is usable when package.json registers it and its compiled file exists. */
export function packageNode(folder: string): { file: string; description: Json } | undefined {
	const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as Json;
	const file = (pkg.n8n?.nodes as string[] | undefined)?.find((f) => f.includes(`/nodes/${folder}/`));
	if (!file || !fs.existsSync(path.join(PACKAGE_DIR, file))) return undefined;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(path.join(PACKAGE_DIR, file)) as Record<string, new () => { description: Json }>;
		const Cls = Object.values(mod).find((v) => typeof v === 'function');
		return Cls ? { file, description: new Cls().description } : undefined;
	} catch {
		return undefined;
	}
}

export function sessionWindowTrigger(ctx: BenchCtx, description: Json): { node: WorkflowNode; path: string } {
	const hooks = (description.webhooks ?? []) as Json[];
	const post = hooks.find((w) => String(w.httpMethod).toUpperCase() === 'POST') ?? hooks[0];
	const hookPath = String(post?.path ?? 'webhook').replace(/^=/, '');
	const webhookId = randomUUID();
	const version = Array.isArray(description.version) ? Math.max(...description.version) : (description.version ?? 1);
	return {
		path: post?.isFullPath ? hookPath : `${webhookId}/${hookPath}`,
		node: {
			name: 'Session Window Trigger',
			type: SWT_NODE_TYPE,
			typeVersion: version,
			webhookId,
			credentials: { whatsAppCloudApi: ctx.cloudCredential },
			parameters: {},
		},
	};
}

export interface PollResult {
	templates: number;
	runs: Array<{ kind: string; seconds: number; pages: number; requests: number }>;
	snapshotBytes: number;
	memory: Sample;
	error?: string;
}

/** 5,000 templates in the emulator; the poll node runs once when activated (baseline) and again on re-activation. */
export async function runPollCase(ctx: BenchCtx, templates: number): Promise<PollResult> {
	const { client, emulator } = ctx;
	await resetEmulator(emulator, { latencyMs: ctx.latencyMs });
	const existing = emulator.state.templates.size;
	for (let i = existing; i < templates; i++) {
		emulator.state.addTemplate({
			name: `bench_template_${String(i).padStart(5, '0')}`,
			language: 'en_US',
			category: 'UTILITY',
			status: i % 50 === 0 ? 'PAUSED' : 'APPROVED',
			parameter_format: 'POSITIONAL',
			components: [
				{
					type: 'BODY',
					text: `Hi {{1}}, your order {{2}} (${i}) has an update.`,
					example: { body_text: [['Maria', 'A-1']] },
				},
			],
			quality_score: { score: 'GREEN' },
		} as never);
	}
	const node: WorkflowNode = {
		name: 'Template Status Poll',
		type: POLL_NODE_TYPE,
		typeVersion: 1,
		credentials: { whatsAppCloudApi: ctx.cloudCredential },
		parameters: { pollTimes: { item: [{ mode: 'everyHour' }] }, options: {} },
	};
	const workflowId = await client.createWorkflow('bench template poll', [node], {});
	const monitor = new Monitor(ctx.n8nPid);
	const runs: PollResult['runs'] = [];
	const onePoll = async (kind: string) => {
		const since = emulator.state.seq;
		await client.activate(workflowId);
		// Wait for the template reads to start, then to stop for 2 s (bounded: 120 s).
		const reads = () =>
			emulator.state.requests.filter(
				(r) => r.seq > since && r.method === 'GET' && r.path.includes('message_templates'),
			);
		const deadline = Date.now() + 120_000;
		let count = 0;
		let quietSince = Date.now();
		while (Date.now() < deadline) {
			const n = reads().length;
			if (n !== count) {
				count = n;
				quietSince = Date.now();
			} else if (n > 0 && Date.now() - quietSince > 2000) break;
			await sleep(100);
		}
		const list = reads();
		const all = emulator.state.requests.filter((r) => r.seq > since);
		if (list.length) {
			const seconds = (list[list.length - 1].at + ctx.latencyMs - list[0].at) / 1000;
			runs.push({ kind, seconds: round(seconds, 2), pages: list.length, requests: all.length });
		} else runs.push({ kind, seconds: 0, pages: 0, requests: all.length });
		await client.deactivate(workflowId);
	};
	try {
		monitor.begin();
		await onePoll('first poll (baseline)');
		await onePoll('next poll (compare)');
		const memory = monitor.end();
		const wf = await client.api<Json>('GET', `/workflows/${workflowId}`);
		const snapshotBytes = Buffer.byteLength(JSON.stringify(wf.staticData ?? {}));
		return { templates: emulator.state.templates.size, runs, snapshotBytes, memory };
	} finally {
		monitor.end();
		await client.deactivate(workflowId).catch(() => undefined);
		await client.deleteWorkflow(workflowId).catch(() => undefined);
	}
}

/* ------------------------------------------------------------------ linear work on item data (no n8n needed) */

export interface LinearityRow {
	label: string;
	size: string;
	ms: number;
	limitMs: number;
	pass: boolean;
	/** Work counted by the code itself where it counts (the scheduler's slot probes). */
	workUnits?: number;
}

/**
 * Runs the per-item checks and the send scheduler in-process on inputs that used to take quadratic time: a
 * 200,000-character media link, a JSON-looking body value of 204,001 characters, the scheduling of 50,000 sends
 * (the times before: README, Performance). Quick: `npm run bench -- --only linear`.
 */
export function runLinearityCases(log: (line: string) => void): { rows: LinearityRow[] } {
	const rows: LinearityRow[] = [];
	const time = (label: string, size: string, limitMs: number, work: () => number | void) => {
		work(); // warm-up (JIT), not measured
		const t0 = performance.now();
		const workUnits = work();
		const ms = round(performance.now() - t0, 1);
		rows.push({
			label,
			size,
			ms,
			limitMs,
			pass: ms < limitMs,
			...(typeof workUnits === 'number' ? { workUnits } : {}),
		});
		log(`  ${label}: ${ms} ms`);
	};
	const schedule = (count: number, recipientOf: (i: number) => string) => () => {
		const scheduler = new SendScheduler({ messagesPerSecond: 80, pairSpacingMs: 6100 });
		for (let i = 0; i < count; i++) scheduler.reserve(recipientOf(i), 0);
		return scheduler.slotProbes;
	};
	time(
		'schedule sends, every item to another recipient',
		'50,000 items',
		1000,
		schedule(50_000, (i) => `+4915123${i}`),
	);
	time(
		'schedule sends, 10 items per recipient in a row',
		'50,000 items',
		1000,
		schedule(50_000, (i) => `+4915123${Math.floor(i / 10)}`),
	);
	time(
		'schedule sends, 10 recipients in turn',
		'50,000 items',
		1000,
		schedule(50_000, (i) => `+4915123${i % 10}`),
	);

	const media: MessageTemplate = {
		id: '1',
		name: 'bench',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		components: [
			{ type: 'HEADER', format: 'IMAGE' },
			{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships on {{3}}.' },
			{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example/t/{{1}}' }] },
		],
	};
	const build = (values: Record<string, unknown>) => () => {
		buildTemplateComponents(media, values as Record<string, SlotValue>);
	};
	const ok = {
		header_media: 'https://cdn.example.com/p.jpg',
		body_1: 'Ann',
		body_2: 'SO-1',
		body_3: 'Friday',
		button_0_url: 'SO-1',
	};
	time(
		'header media link check, backtracking input',
		'200,000 characters',
		100,
		build({ ...ok, header_media: `https://${'a.'.repeat(100_000)} x` }),
	);
	time(
		'header media link check, backtracking input at the limit',
		'4,096 characters',
		100,
		build({ ...ok, header_media: `https://${'a.'.repeat(2040)} x` }),
	);
	time('body variable check', '200,000 characters', 100, build({ ...ok, body_1: '\u00a0'.repeat(200_000) }));
	time('body variable check at the limit', '1,024 characters', 100, build({ ...ok, body_1: 'a\u00a0'.repeat(512) }));
	time('URL-button suffix check', '200,000 characters', 100, build({ ...ok, button_0_url: `/${'a'.repeat(200_000)}` }));
	const jsonLike = `{${'"type":"currency"'.repeat(12_000)}`;
	time(
		'currency / date_time sniffing of a body value',
		`${jsonLike.length.toLocaleString('en')} characters`,
		100,
		() => {
			slotValuesFromMapper({ body_1: jsonLike });
		},
	);
	time('template variables of 50,000 items', '50,000 items', 10_000, () => {
		for (let i = 0; i < 50_000; i++)
			buildTemplateComponents(media, slotValuesFromMapper({ ...ok, body_1: `Customer ${i}` }));
	});
	// Send Notification checks every rendered message; the texts as shops send them, in four languages.
	const rendered = [
		'Hi Maria Schmidt, your order SO-10293 has shipped. Track it: https://shop.example/t/ABC123 (arrives Thursday).',
		'Olá João, seu pedido 4587 foi enviado e chega amanhã entre 9h e 12h. Obrigado!',
		'Hallo Jürgen Müller, Ihre Bestellung SO-99 über 129,90 € ist unterwegs. Lieferung am Dienstag.',
		'Hola Lucía, tu cita del 14/03 a las 10:30 está confirmada. Responde CAMBIAR para moverla.',
	];
	time('content check of rendered messages', '5,000 messages', 1000, () => {
		let findings = 0;
		for (let i = 0; i < 5000; i++) findings += checkContent(`${rendered[i % rendered.length]} #${i}`).length;
		return findings;
	});
	const pasted = 'Save 20% today. Coupon code X. We miss you. Your order shipped. '.repeat(2000);
	time('content check, one text with 6,000 findings', `${pasted.length.toLocaleString('en')} characters`, 1000, () => {
		return checkContent(pasted).length;
	});
	const numbers = ['+4915123456001', '+4520000001', '+5511980000001', '+12125550100', '+447700900123', '+919876543210'];
	time('market of each recipient (cost estimate)', '50,000 numbers', 1000, () => {
		for (let i = 0; i < 50_000; i++) marketOfContact(numbers[i % numbers.length]);
	});
	return { rows };
}
