/**
 * Boots a real n8n (the pinned version unless a test asks for another, on Node 24, from the cache that
 * install-n8n.js fills: one folder per version), with this package
 * loaded the way n8n loads community packages, and drives it over its REST APIs.
 * Reused by every end-to-end test, the demo and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Json } from '../json';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const installer = require('./install-n8n.js') as {
	N8N_VERSION: string;
	OLDEST_SUPPORTED_N8N: string;
	ensureInstalled(version?: string): { dir: string; nodeDir: string; nodeBin: string; n8nBin: string };
};

/** The n8n every e2e test runs on unless it asks for another. */
export const PINNED_N8N_VERSION = installer.N8N_VERSION;
/** The oldest n8n this package supports (package.json engines.n8n; the version smoke runs on it). */
export const OLDEST_SUPPORTED_N8N_VERSION = installer.OLDEST_SUPPORTED_N8N;

export const PACKAGE_NAME = 'n8n-nodes-whatsapp-notifications';
export const PACKAGE_DIR = path.resolve(__dirname, '..', '..');
export const NODE_TYPE_PREFIX = `${PACKAGE_NAME}.`;

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface N8nInstance {
	url: string;
	port: number;
	userFolder: string;
	logFile: string;
	apiKey: string;
	owner: { email: string; password: string };
	pid: number;
	/** The n8n version that runs. */
	n8nVersion: string;
	stop(): Promise<void>;
	/** Sends a signal to the whole process group (n8n and its task runner), e.g. SIGKILL to simulate a crash. */
	kill(signal: NodeJS.Signals): void;
	/** Resolves when the process has exited. */
	exited: Promise<void>;
}

export interface StartN8nOptions {
	userFolder?: string;
	port?: number;
	env?: Record<string, string>;
	/** Where n8n's stdout/stderr go; default a file in the user folder. */
	logFile?: string;
	readyTimeoutMs?: number;
	/** Reuse an existing folder's owner/API key (demo second run). */
	keepFolder?: boolean;
	/**
	 * 'start' (default) boots a main instance and sets up the owner and API key. 'worker' boots a queue-mode worker
	 * (extra arguments in `args`, e.g. --concurrency=5); it is ready when its health check answers, so pass
	 * QUEUE_HEALTH_CHECK_ACTIVE=true and QUEUE_HEALTH_CHECK_PORT in `env`. A worker has no owner or API key ('').
	 */
	command?: 'start' | 'worker';
	args?: string[];
	/** The package folder to link (default: this checkout), e.g. a snapshot of dist/ taken for a long run. */
	packageDir?: string;
	/** The n8n version to boot (default: the pinned PINNED_N8N_VERSION); installed into its own cache folder first. */
	n8nVersion?: string;
}

export const OWNER = { email: 'owner@example.com', password: 'Owner-Passw0rd!', firstName: 'Demo', lastName: 'Owner' };
const BROWSER_ID = 'e2e-browser';

/** Links this package into <userFolder>/.n8n/nodes/node_modules, where n8n looks for installed community packages. */
export function linkPackage(userFolder: string, packageDir: string = PACKAGE_DIR): void {
	const modules = path.join(userFolder, '.n8n', 'nodes', 'node_modules');
	fs.mkdirSync(modules, { recursive: true });
	const link = path.join(modules, PACKAGE_NAME);
	fs.rmSync(link, { force: true, recursive: true });
	fs.symlinkSync(packageDir, link, 'dir');
	if (!fs.existsSync(path.join(packageDir, 'dist', 'index.js'))) {
		throw new Error('dist/ is missing: run `npm run build` before starting n8n with this package');
	}
}

export async function startN8n(options: StartN8nOptions = {}): Promise<N8nInstance> {
	const n8nVersion = options.n8nVersion ?? PINNED_N8N_VERSION;
	const runtime = installer.ensureInstalled(n8nVersion);
	const userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-wa-e2e-'));
	fs.mkdirSync(userFolder, { recursive: true });
	linkPackage(userFolder, options.packageDir);
	const port = options.port ?? (await freePort());
	const brokerPort = await freePort();
	const logFile = options.logFile ?? path.join(userFolder, 'n8n.log');
	const log = fs.openSync(logFile, 'a');
	const env: Record<string, string> = {
		PATH: `${path.join(runtime.nodeDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
		HOME: process.env.HOME ?? userFolder,
		N8N_USER_FOLDER: userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_ENCRYPTION_KEY: 'e2e-encryption-key-0123456789abcdef',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		...options.env,
	};
	const command = options.command ?? 'start';
	const child: ChildProcess = spawn(runtime.nodeBin, [runtime.n8nBin, command, ...(options.args ?? [])], {
		env,
		cwd: userFolder,
		stdio: ['ignore', log, log],
		detached: true,
	});
	fs.closeSync(log);
	let exited = false;
	const exitedPromise = new Promise<void>((resolve) =>
		child.on('exit', () => {
			exited = true;
			resolve();
		}),
	);
	const url = `http://127.0.0.1:${port}`;
	const kill = (signal: NodeJS.Signals) => {
		if (exited || child.pid === undefined) return;
		try {
			process.kill(-child.pid, signal);
		} catch {
			// already gone
		}
	};

	const stop = async () => {
		if (exited || child.pid === undefined) return;
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			return;
		}
		for (let i = 0; i < 100 && !exited; i++) await sleep(100);
		if (!exited) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	};

	// A worker has no API key: it serves no REST API.
	const instance = (apiKey: string): N8nInstance => ({
		url,
		port,
		userFolder,
		logFile,
		apiKey,
		owner: OWNER,
		pid: child.pid ?? 0,
		n8nVersion,
		stop,
		kill,
		exited: exitedPromise,
	});

	try {
		const deadline = Date.now() + (options.readyTimeoutMs ?? 300_000);
		if (command === 'worker') {
			const health = `http://127.0.0.1:${env.QUEUE_HEALTH_CHECK_PORT ?? '5678'}/healthz/readiness`;
			for (;;) {
				if (exited) throw new Error(`n8n worker exited during start-up; see ${logFile}`);
				if (Date.now() > deadline) throw new Error(`n8n worker did not become ready in time; see ${logFile}`);
				try {
					if ((await fetch(health)).ok) break;
				} catch {
					// not listening yet
				}
				await sleep(250);
			}
			return instance('');
		}
		for (;;) {
			if (exited) throw new Error(`n8n exited during start-up; see ${logFile}`);
			if (Date.now() > deadline) throw new Error(`n8n did not become ready in time; see ${logFile}`);
			try {
				// While booting, n8n answers every route with 200 "n8n is starting up"; wait for real JSON.
				const res = await fetch(`${url}/rest/settings`);
				if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) break;
			} catch {
				// not listening yet
			}
			await sleep(250);
		}
		const apiKey = await ensureOwnerAndApiKey(url, userFolder);
		return instance(apiKey);
	} catch (error) {
		await stop();
		throw error;
	}
}

async function ensureOwnerAndApiKey(url: string, userFolder: string): Promise<string> {
	const keyFile = path.join(userFolder, 'e2e-api-key.txt');
	if (fs.existsSync(keyFile)) return fs.readFileSync(keyFile, 'utf8').trim();
	const cookie = await loginCookie(url, true);
	const scopesRes = await restRequest(url, cookie, 'GET', '/rest/api-keys/scopes');
	const scopes = (scopesRes as { data: string[] }).data;
	const created = (await restRequest(url, cookie, 'POST', '/rest/api-keys', {
		label: `e2e-${randomBytes(3).toString('hex')}`,
		scopes,
		expiresAt: null,
	})) as { data: { rawApiKey: string } };
	fs.writeFileSync(keyFile, created.data.rawApiKey);
	return created.data.rawApiKey;
}

/** Cookie of the instance owner: sets the owner up on a new instance, logs in otherwise. */
export async function loginCookie(url: string, setupIfNeeded = false): Promise<string> {
	for (let attempt = 0; attempt < 40; attempt++) {
		const res = setupIfNeeded
			? await fetch(`${url}/rest/owner/setup`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID },
					body: JSON.stringify(OWNER),
				})
			: undefined;
		if (res?.ok) return cookieOf(res);
		const login = await fetch(`${url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, email: OWNER.email, password: OWNER.password }),
		});
		if (login.ok) return cookieOf(login);
		await sleep(500); // REST routes can lag readiness on a new folder
	}
	throw new Error('Could not set up or log in the n8n owner');
}

function cookieOf(res: Response): string {
	return res.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ');
}

export async function restRequest(
	url: string,
	cookie: string,
	method: string,
	route: string,
	body?: unknown,
): Promise<unknown> {
	const res = await fetch(`${url}${route}`, {
		method,
		headers: { cookie, 'browser-id': BROWSER_ID, 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`${method} ${route} → ${res.status}: ${text.slice(0, 500)}`);
	return text ? JSON.parse(text) : undefined;
}

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	continueOnFail?: boolean;
	onError?: string;
}

/** A workflow's entry for a batch: Webhook (POST `hookPath`, answering with the last node's items) → Split Items (body.items). */
export function webhookEntryNodes(hookPath: string): WorkflowNode[] {
	return [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			webhookId: randomUUID(),
			parameters: {
				httpMethod: 'POST',
				path: hookPath,
				responseMode: 'lastNode',
				responseData: 'allEntries',
				options: {},
			},
		},
		{
			name: 'Split Items',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
		},
	];
}

/** Thin client of n8n's public API (X-N8N-API-KEY) plus the webhook endpoints. */
export class N8nClient {
	constructor(
		readonly url: string,
		readonly apiKey: string,
	) {}

	static of(instance: { url: string; apiKey: string }): N8nClient {
		return new N8nClient(instance.url, instance.apiKey);
	}

	async api<T = unknown>(method: string, route: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.url}/api/v1${route}`, {
			method,
			headers: { 'X-N8N-API-KEY': this.apiKey, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} /api/v1${route} → ${res.status}: ${text.slice(0, 800)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}

	async createCredential(
		type: string,
		name: string,
		data: Record<string, unknown>,
	): Promise<{ id: string; name: string }> {
		// n8n adds domain restrictions to credentials with `authenticate`; the schema needs the field present.
		const created = await this.api<{ id: string; name: string }>('POST', '/credentials', {
			name,
			type,
			data: { allowedHttpRequestDomains: 'all', ...data },
		});
		return { id: created.id, name: created.name };
	}

	async createWorkflow(name: string, nodes: WorkflowNode[], connections: Record<string, unknown>): Promise<string> {
		const withIds = nodes.map((n, i) => ({
			id: n.id ?? randomUUID(),
			position: n.position ?? [i * 240, 0],
			...n,
		}));
		const created = await this.api<{ id: string }>('POST', '/workflows', {
			name,
			nodes: withIds,
			connections,
			settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
		});
		return created.id;
	}

	async activate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/activate`);
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/deactivate`);
	}

	async deleteWorkflow(workflowId: string): Promise<void> {
		await this.api('DELETE', `/workflows/${workflowId}`);
	}

	/**
	 * Waits until a production webhook path is registered (activation can lag the API's answer). Probes with a
	 * method the webhook does not use, so nothing executes: n8n then says "not registered for PATCH requests".
	 */
	async waitForWebhook(webhookPath: string, timeoutMs = 20_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			const res = await fetch(`${this.url}/webhook/${webhookPath}`, { method: 'PATCH' });
			const text = await res.text();
			if (res.status !== 404 || /not registered for/i.test(text)) return;
			await sleep(100);
		}
		throw new Error(`webhook /webhook/${webhookPath} was not registered in time`);
	}

	async callWebhook(
		webhookPath: string,
		body: unknown,
		init: { method?: string; headers?: Record<string, string>; raw?: string } = {},
	): Promise<{ status: number; body: unknown; text: string }> {
		const res = await fetch(`${this.url}/webhook/${webhookPath}`, {
			method: init.method ?? 'POST',
			headers: { 'content-type': 'application/json', ...init.headers },
			body: init.raw ?? JSON.stringify(body),
		});
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// plain text answer
		}
		return { status: res.status, body: parsed, text };
	}

	async executions(workflowId: string, includeData = true): Promise<Array<Json>> {
		const res = await this.api<{ data: Array<Json> }>(
			'GET',
			`/executions?workflowId=${workflowId}&includeData=${includeData}&limit=250`,
		);
		return res.data;
	}
}
