/** Helpers for tests against the emulator: a webhook receiver that checks signatures, and a Graph client. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Emulator } from './index';

export interface ReceivedWebhook {
	headers: http.IncomingHttpHeaders;
	raw: string;
	/** The parsed body; undefined when it is not JSON (tests read it by key). */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever the sender posted
	json: any;
	signatureValid: boolean;
	field: string | undefined;
	/** Status the receiver answered. */
	answered: number;
}

export interface WebhookReceiver {
	url: string;
	received: ReceivedWebhook[];
	verifications: Array<Record<string, string>>;
	/** Answer the next N POSTs with this status (default 500). */
	failNext(n: number, status?: number): void;
	waitFor(pred: (w: ReceivedWebhook) => boolean, timeoutMs?: number, count?: number): Promise<ReceivedWebhook[]>;
	close(): Promise<void>;
}

/** A callback server: answers Meta's GET handshake when the verify token matches, records signed POSTs. */
export async function startWebhookReceiver(appSecret: string, verifyToken = 'verify-me'): Promise<WebhookReceiver> {
	const received: ReceivedWebhook[] = [];
	const verifications: Array<Record<string, string>> = [];
	let failing = 0;
	let failStatus = 500;
	const server = http.createServer((req, res) => {
		const u = new URL(req.url ?? '/', 'http://x');
		if (req.method === 'GET') {
			const q = Object.fromEntries(u.searchParams);
			verifications.push(q);
			if (q['hub.mode'] === 'subscribe' && q['hub.verify_token'] === verifyToken) {
				res.writeHead(200, { 'content-type': 'text/plain' }).end(q['hub.challenge']);
			} else res.writeHead(403).end('forbidden');
			return;
		}
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const expected = Buffer.from(`sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`);
			const got = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
			const signatureValid = got.length === expected.length && timingSafeEqual(got, expected);
			// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see ReceivedWebhook.json
			let json: any;
			try {
				json = JSON.parse(raw.toString('utf8'));
			} catch {
				json = undefined;
			}
			const answered = failing > 0 ? (failing--, failStatus) : signatureValid ? 200 : 401;
			received.push({
				headers: req.headers,
				raw: raw.toString('utf8'),
				json,
				signatureValid,
				field: json?.entry?.[0]?.changes?.[0]?.field,
				answered,
			});
			res.writeHead(answered).end();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
	return {
		url,
		received,
		verifications,
		failNext(n, status = 500) {
			failing = n;
			failStatus = status;
		},
		async waitFor(pred, timeoutMs = 5000, count = 1) {
			const end = Date.now() + timeoutMs;
			for (;;) {
				const hits = received.filter((w) => w.answered >= 200 && w.answered < 300 && pred(w));
				if (hits.length >= count) return hits;
				if (Date.now() > end)
					throw new Error(
						`timed out waiting for ${count} webhook(s); got ${hits.length} of ${received.length} received`,
					);
				await new Promise((r) => setTimeout(r, 10));
			}
		},
		close() {
			return new Promise<void>((r) => {
				server.close(() => r());
				server.closeAllConnections();
			});
		},
	};
}

export interface GraphResult {
	status: number;
	/** The parsed JSON answer, or its text when it is not JSON. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any shape, or text
	body: any;
}

/** Graph call with the emulator's token (`token: null` sends none). */
export async function graph(
	emu: Emulator,
	method: string,
	path: string,
	body?: unknown,
	opts: { token?: string | null; version?: string } = {},
): Promise<GraphResult> {
	const token = opts.token === undefined ? emu.options.accessToken : opts.token;
	const url = path.startsWith('http') ? path : `${emu.url}/${opts.version ?? 'v24.0'}/${path.replace(/^\//, '')}`;
	const res = await fetch(url, {
		method,
		headers: {
			...(token ? { authorization: `Bearer ${token}` } : {}),
			...(body !== undefined ? { 'content-type': 'application/json' } : {}),
		},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		/* raw */
	}
	return { status: res.status, body: parsed };
}

/** Control API call. */
export async function control(emu: Emulator, method: string, path: string, body?: unknown): Promise<GraphResult> {
	const res = await fetch(`${emu.url}/_emulator/${path.replace(/^\//, '')}`, {
		method,
		headers: body !== undefined ? { 'content-type': 'application/json' } : {},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	return { status: res.status, body: await res.json() };
}
