/**
 * Webhooks: payload envelopes, signing (X-Hub-Signature-256), the verification handshake, and delivery with
 * redelivery (exponential backoff, `webhookMaxAttempts` attempts, first retry after `webhookRetryBaseMs`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

import type { EmulatorState, WebhookAttempt } from './state';

export function sign(rawBody: string | Buffer, appSecret: string): string {
	return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** `{object, entry:[{id, time?, changes:[{value, field}]}]}` */
export function envelope(wabaId: string, field: string, value: unknown, timeSec?: number): Record<string, unknown> {
	const entry: Record<string, unknown> = { id: wabaId };
	if (timeSec !== undefined) entry.time = timeSec;
	entry.changes = [{ value, field }];
	return { object: 'whatsapp_business_account', entry: [entry] };
}

interface RawResponse {
	status: number;
	body: string;
}

function request(
	url: string,
	method: string,
	headers: Record<string, string>,
	body: string | undefined,
	timeoutMs: number,
	agent: http.Agent | undefined,
): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		let u: URL;
		try {
			u = new URL(url);
		} catch {
			reject(new Error(`invalid URL ${url}`));
			return;
		}
		const mod = u.protocol === 'https:' ? https : http;
		const req = mod.request(
			u,
			{
				method,
				headers,
				timeout: timeoutMs,
				...(u.protocol === 'http:' && agent ? { agent } : {}),
				...(u.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
				res.on('error', reject);
			},
		);
		req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
		req.on('error', reject);
		req.end(body);
	});
}

/**
 * Meta's handshake: GET <callback>?hub.mode=subscribe&hub.challenge=<random>&hub.verify_token=<token>;
 * success = HTTP 200 whose body is the challenge. Returns null on success, else the reason (Meta-style text).
 */
export async function verifyCallback(url: string, verifyToken: string, timeoutMs = 5000): Promise<string | null> {
	const challenge = String(randomBytes(6).readUIntBE(0, 6));
	let target: URL;
	try {
		target = new URL(url);
	} catch {
		return `Invalid callback URL: ${url}`;
	}
	target.searchParams.set('hub.mode', 'subscribe');
	target.searchParams.set('hub.challenge', challenge);
	target.searchParams.set('hub.verify_token', verifyToken);
	try {
		const res = await request(
			target.toString(),
			'GET',
			{ 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' },
			undefined,
			timeoutMs,
			undefined,
		);
		if (res.status !== 200) {
			return `HTTP Status Code = ${res.status}; HTTP Message = ${http.STATUS_CODES[res.status] ?? 'Unknown'}`;
		}
		if (res.body.trim() !== challenge) {
			return `HTTP Status Code = 200; HTTP Message = OK; Response Body = ${res.body.slice(0, 200)}; The challenge was not echoed back`;
		}
		return null;
	} catch (e) {
		return `curl_errno = 7; curl_error = ${(e as Error).message}; HTTP Status Code = 502; HTTP Message = Bad Gateway`;
	}
}

export class WebhookDispatcher {
	private agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
	private timers = new Set<NodeJS.Timeout>();
	private nextDeliveryId = 1;
	private closed = false;
	/** In-flight attempts (so tests can wait for quiescence). */
	inFlight = 0;

	constructor(private readonly state: EmulatorState) {}

	/** Every URL that receives webhooks: the subscribed_apps override callback plus control-API targets. */
	targets(): string[] {
		const urls: string[] = [];
		const sub = this.state.subscription;
		if (sub?.override_callback_uri) urls.push(sub.override_callback_uri);
		for (const t of this.state.webhookTargets) if (!urls.includes(t.url)) urls.push(t.url);
		return urls;
	}

	/** Posts one payload to every target (one delivery per target, each retried independently). */
	post(field: string, payload: Record<string, unknown>): void {
		if (this.closed) return;
		const urls = this.targets();
		if (urls.length === 0) return;
		const raw = JSON.stringify(payload);
		const signature = sign(raw, this.state.options.appSecret);
		for (const url of urls) {
			const id = this.nextDeliveryId++;
			void this.attempt(id, url, field, payload, raw, signature, 1);
		}
	}

	/** Runs `fn` after `ms` (tracked, cancelled on close/reset). */
	later(ms: number, fn: () => void): void {
		if (this.closed) return;
		const t = setTimeout(() => {
			this.timers.delete(t);
			if (!this.closed) fn();
		}, ms);
		this.timers.add(t);
	}

	private async attempt(
		id: number,
		url: string,
		field: string,
		payload: unknown,
		raw: string,
		signature: string,
		n: number,
	): Promise<void> {
		const o = this.state.options;
		const rec: WebhookAttempt = {
			deliveryId: id,
			attempt: n,
			url,
			field,
			statusCode: 0,
			ok: false,
			at: Date.now(),
			payload,
		};
		this.inFlight++;
		try {
			const res = await request(
				url,
				'POST',
				{
					'content-type': 'application/json',
					'content-length': String(Buffer.byteLength(raw)),
					'x-hub-signature-256': signature,
					'user-agent': 'facebookexternalua',
				},
				raw,
				o.webhookTimeoutMs,
				this.agent,
			);
			rec.statusCode = res.status;
			rec.ok = res.status >= 200 && res.status < 300;
		} catch (e) {
			rec.error = (e as Error).message;
		} finally {
			this.inFlight--;
		}
		if (this.closed) return;
		const stats = this.state.stats.webhooks;
		stats.attempts++;
		this.state.deliveries.push(rec);
		if (rec.ok) {
			stats.delivered++;
			return;
		}
		stats.failedAttempts++;
		if (n >= o.webhookMaxAttempts) {
			stats.givenUp++;
			return;
		}
		this.later(
			o.webhookRetryBaseMs * 2 ** (n - 1),
			() => void this.attempt(id, url, field, payload, raw, signature, n + 1),
		);
	}

	/** Cancels scheduled work (pending redeliveries, status webhooks, reviews). */
	cancelAll(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
	}

	close(): void {
		this.closed = true;
		this.cancelAll();
		this.agent.destroy();
	}
}
