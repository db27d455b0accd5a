/**
 * Helpers for the fault matrix: a loopback proxy that can stop listening (connection refused) and come back on
 * the same port, the per-item outcome tally of a Send Notification run, and the compact table it prints.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Emulator } from '../../../dev/emulator';

type Json = Record<string, any>;

/**
 * Forwards every request to `target`. `down()` closes the listener and every open socket, so the next connection
 * is refused (ECONNREFUSED); `up()` listens on the same port again. Answers carry `connection: close` so a client
 * never holds a kept-alive socket across a down/up switch.
 */
export class SwitchableProxy {
	private server?: http.Server;
	port = 0;
	forwarded: Array<{ method: string; path: string; status: number }> = [];
	/** Called after each forwarded answer; may switch the proxy down. */
	afterAnswer?: (req: { method: string; path: string }) => void;

	constructor(private target: string) {}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	get listening(): boolean {
		return Boolean(this.server?.listening);
	}

	retarget(target: string): void {
		this.target = target;
	}

	async up(): Promise<void> {
		if (this.server?.listening) return;
		const server = http.createServer((req, res) => this.forward(req, res));
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.port = (server.address() as AddressInfo).port;
		this.server = server;
	}

	async down(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	}

	private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			// The target's path is a prefix: '/' on the proxy is the target URL itself.
			const base = new URL(this.target);
			const incoming = new URL(req.url ?? '/', 'http://proxy');
			const joined = `${base.pathname.replace(/\/+$/, '')}${incoming.pathname === '/' ? '' : incoming.pathname}` || '/';
			const target = new URL(`${joined}${incoming.search}`, base.origin);
			const headers = { ...req.headers, host: target.host, connection: 'close' };
			const upstream = http.request(target, { method: req.method, headers }, (answer) => {
				const body: Buffer[] = [];
				answer.on('data', (c: Buffer) => body.push(c));
				answer.on('end', () => {
					const raw = Buffer.concat(body);
					const out: Record<string, string | string[]> = {};
					for (const [k, v] of Object.entries(answer.headers)) {
						if (v !== undefined && !['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(k))
							out[k] = v;
					}
					res.writeHead(answer.statusCode ?? 502, {
						...out,
						'content-length': String(raw.length),
						connection: 'close',
					});
					res.end(raw);
					const info = { method: req.method ?? 'GET', path: target.pathname };
					this.forwarded.push({ ...info, status: answer.statusCode ?? 0 });
					this.afterAnswer?.(info);
				});
			});
			upstream.on('error', () => {
				if (!res.headersSent) res.writeHead(502, { connection: 'close' });
				res.end();
			});
			upstream.end(Buffer.concat(chunks));
		});
	}
}

export type Outcome = 'sent' | 'duplicate' | 'not_sent' | 'unknown' | 'invalid';

export interface Tally {
	row: string;
	items: number;
	sent: number;
	duplicate: number;
	not_sent: number;
	unknown: number;
	invalid: number;
	/** Items accepted by the emulator more than once (extra acceptances). */
	duplicates: number;
	/** POST /messages the emulator saw for this run (faulted ones included). */
	posts: number;
	/** Messages the emulator accepted for this run. */
	accepted: number;
	/** Per item (input order). */
	outcomes: Outcome[];
	/** Per item: how many times the emulator accepted a message with its correlation key. */
	acceptedPerItem: number[];
	/** Per item: POSTs with its correlation key. */
	postsPerItem: number[];
	/** Items whose returned wamid is not one the emulator accepted for that item. */
	wamidMismatches: number;
	seconds: number;
	/** Requests the emulator's injected faults hit during the run. */
	faultHits?: number;
}

export function outcomeOf(json: Json | undefined): Outcome {
	if (!json || typeof json !== 'object') return 'invalid';
	const hasWamid = typeof json.messageId === 'string' && /^wamid\./.test(json.messageId);
	if (json.error && typeof json.error === 'object') {
		if (hasWamid) return 'invalid';
		if (json.error.outcome === 'not_sent') return 'not_sent';
		if (json.error.outcome === 'unknown') return 'unknown';
		return 'invalid';
	}
	if (hasWamid && json.duplicate === true) return 'duplicate';
	if (hasWamid) return 'sent';
	return 'invalid';
}

export function keyOfCallback(raw: unknown): string | undefined {
	if (typeof raw !== 'string') return undefined;
	try {
		const parsed = JSON.parse(raw) as { key?: unknown };
		return typeof parsed.key === 'string' ? parsed.key : undefined;
	} catch {
		return undefined;
	}
}

/** Counts a run's outcomes against what the emulator logged for the correlation keys `keys` (one per item). */
export function tally(
	row: string,
	output: Json[],
	keys: string[],
	emulator: Emulator,
	seconds: number,
	since = 0,
): Tally {
	const index = new Map(keys.map((k, i) => [k, i]));
	const acceptedPerItem = keys.map(() => 0);
	const postsPerItem = keys.map(() => 0);
	const wamidsPerItem: Array<Set<string>> = keys.map(() => new Set());
	let accepted = 0;
	for (const m of emulator.state.messages) {
		const i = index.get(keyOfCallback(m.biz_opaque_callback_data) ?? '');
		if (i === undefined) continue;
		accepted++;
		acceptedPerItem[i]++;
		wamidsPerItem[i].add(m.wamid);
	}
	let posts = 0;
	for (const r of emulator.state.requests) {
		if (r.method !== 'POST' || !r.path.endsWith('/messages')) continue;
		const key = keyOfCallback((r.body as Json | undefined)?.biz_opaque_callback_data);
		const i = index.get(key ?? '');
		if (i !== undefined) postsPerItem[i]++;
		// A reset fault drops the connection before the body is read: such a POST of this run has no key.
		if (i !== undefined || (key === undefined && r.at >= since)) posts++;
	}
	const outcomes = keys.map((_, i) => outcomeOf(output[i]));
	let wamidMismatches = 0;
	outcomes.forEach((o, i) => {
		if ((o === 'sent' || o === 'duplicate') && !wamidsPerItem[i].has(output[i].messageId)) wamidMismatches++;
	});
	const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
	return {
		row,
		items: keys.length,
		sent: count('sent'),
		duplicate: count('duplicate'),
		not_sent: count('not_sent'),
		unknown: count('unknown'),
		invalid: count('invalid'),
		duplicates: acceptedPerItem.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
		posts,
		accepted,
		outcomes,
		acceptedPerItem,
		postsPerItem,
		wamidMismatches,
		seconds,
	};
}

const COLUMNS: Array<[keyof Tally, string, number]> = [
	['items', 'items', 5],
	['sent', 'sent', 5],
	['duplicate', 'dup-out', 7],
	['not_sent', 'not_sent', 8],
	['unknown', 'unknown', 7],
	['duplicates', 'dup-acc', 7],
	['faultHits', 'faults', 6],
	['posts', 'POSTs', 5],
	['accepted', 'accepted', 8],
	['seconds', 's', 5],
];

export function formatTable(rows: Array<Pick<Tally, 'row'> & Partial<Tally>>): string {
	const width = Math.max(32, ...rows.map((r) => r.row.length));
	const head = `${'row'.padEnd(width)} | ${COLUMNS.map(([, h, w]) => h.padStart(w)).join(' | ')}`;
	const line = '-'.repeat(head.length);
	const body = rows.map(
		(r) =>
			`${r.row.padEnd(width)} | ${COLUMNS.map(([k, , w]) => {
				const v = r[k];
				return (typeof v === 'number' ? (k === 'seconds' ? v.toFixed(1) : String(v)) : '-').padStart(w);
			}).join(' | ')}`,
	);
	return [head, line, ...body].join('\n');
}
