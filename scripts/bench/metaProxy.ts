/**
 * Loopback-only stand-in for https://graph.facebook.com, for n8n's built-in WhatsApp nodes.
 *
 * The built-in `n8n-nodes-base.whatsApp` node hardcodes `https://graph.facebook.com/v13.0/` (GenericFunctions.js,
 * WHATSAPP_BASE_URL) and the WhatsApp Trigger hardcodes `https://graph.facebook.com/v19.0` for its app-token and
 * subscription calls; neither credential has a base-URL field. n8n 2.41 routes node HTTP through
 * `@n8n/backend-network`, whose agents honour HTTPS_PROXY / NO_PROXY (proxy-from-env). So the bench starts n8n with
 *   HTTPS_PROXY=http://127.0.0.1:<this proxy>   NO_PROXY=127.0.0.1,localhost,::1   NODE_EXTRA_CA_CERTS=<our CA>
 * and this proxy
 *   - accepts `CONNECT graph.facebook.com:443` only (anything else gets 403; nothing is ever dialled out),
 *   - terminates TLS itself with a leaf certificate for graph.facebook.com signed by a throw-away CA made with
 *     the openssl CLI for this run (ECDSA P-256, like Meta's own certificate) (n8n trusts it through NODE_EXTRA_CA_CERTS; nothing is installed system-wide),
 *   - forwards Graph requests to the emulator over plain HTTP on 127.0.0.1, and
 *   - answers the two Meta endpoints the emulator does not model (the WhatsApp Trigger's app access token,
 *     `POST /oauth/access_token`, and the app's webhook subscriptions, `/{app-id}/subscriptions`) with a stub.
 * Every byte stays on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const META_HOST = 'graph.facebook.com';

export interface MetaProxy {
	/** http://127.0.0.1:PORT, for HTTPS_PROXY. */
	url: string;
	/** PEM file of the CA, for NODE_EXTRA_CA_CERTS. */
	caFile: string;
	/** Env to start n8n with. */
	env: Record<string, string>;
	stats: { connects: number; refused: string[]; forwarded: number; stubbed: number };
	close(): Promise<void>;
}

function makeCertificates(dir: string): { caFile: string; key: Buffer; cert: Buffer } {
	const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
	run([
		'req',
		'-x509',
		'-newkey',
		'ec',
		'-pkeyopt',
		'ec_paramgen_curve:prime256v1',
		'-nodes',
		'-keyout',
		'ca.key',
		'-out',
		'ca.pem',
		'-days',
		'2',
		'-subj',
		'/CN=n8n-nodes-whatsapp-notifications bench CA (loopback only)',
		'-addext',
		'basicConstraints=critical,CA:TRUE',
		'-addext',
		'keyUsage=critical,keyCertSign,cRLSign',
	]);
	run([
		'req',
		'-newkey',
		'ec',
		'-pkeyopt',
		'ec_paramgen_curve:prime256v1',
		'-nodes',
		'-keyout',
		'leaf.key',
		'-out',
		'leaf.csr',
		'-subj',
		`/CN=${META_HOST}`,
	]);
	fs.writeFileSync(
		path.join(dir, 'leaf.ext'),
		`subjectAltName=DNS:${META_HOST}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
	);
	run([
		'x509',
		'-req',
		'-in',
		'leaf.csr',
		'-CA',
		'ca.pem',
		'-CAkey',
		'ca.key',
		'-CAcreateserial',
		'-out',
		'leaf.pem',
		'-days',
		'2',
		'-extfile',
		'leaf.ext',
	]);
	return {
		caFile: path.join(dir, 'ca.pem'),
		key: fs.readFileSync(path.join(dir, 'leaf.key')),
		cert: fs.readFileSync(path.join(dir, 'leaf.pem')),
	};
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export async function startMetaProxy(emulatorUrl: string, opts: { appId: string }): Promise<MetaProxy> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bench-ca-'));
	const { caFile, key, cert } = makeCertificates(dir);
	const stats = { connects: 0, refused: [] as string[], forwarded: 0, stubbed: 0 };
	const subscriptions: Array<Record<string, unknown>> = [];
	const target = new URL(emulatorUrl);
	const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

	const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
		const url = new URL(req.url ?? '/', `https://${META_HOST}`);
		const body = await readBody(req);
		const json = (status: number, payload: unknown) => {
			const raw = JSON.stringify(payload);
			res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw) });
			res.end(raw);
		};
		// Stubs for the WhatsApp Trigger's app-level calls (not part of the Cloud API the emulator models).
		if (/\/oauth\/access_token$/.test(url.pathname)) {
			stats.stubbed++;
			return json(200, { access_token: `${opts.appId}|bench-app-token`, token_type: 'bearer' });
		}
		const sub = url.pathname.match(/^\/v\d+\.\d+\/(\d+)\/subscriptions$/);
		if (sub) {
			stats.stubbed++;
			if (req.method === 'GET') return json(200, { data: subscriptions });
			if (req.method === 'POST') {
				const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
				let fields: string[] = [];
				try {
					fields = JSON.parse(String(form.fields ?? '[]'));
				} catch {
					/* keep empty */
				}
				subscriptions.splice(0, subscriptions.length, {
					object: form.object,
					callback_url: form.callback_url,
					active: true,
					fields: fields.map((name) => ({ name, version: 'v19.0' })),
				});
				return json(200, { success: true });
			}
			if (req.method === 'DELETE') {
				subscriptions.splice(0);
				return json(200, { success: true });
			}
		}
		stats.forwarded++;
		const headers = { ...req.headers, host: target.host };
		const up = http.request(
			{
				host: target.hostname,
				port: target.port,
				method: req.method,
				path: url.pathname + url.search,
				headers,
				agent: upstreamAgent,
			},
			(upRes) => {
				res.writeHead(upRes.statusCode ?? 502, upRes.headers);
				upRes.pipe(res);
			},
		);
		up.on('error', (e) => {
			if (!res.headersSent) json(502, { error: { message: `bench proxy: emulator unreachable (${e.message})` } });
			else res.destroy();
		});
		up.end(body);
	};

	const tlsServer = https.createServer({ key, cert }, (req, res) => {
		handle(req, res).catch((e: unknown) => {
			if (!res.headersSent) {
				res.writeHead(500);
				res.end(String(e));
			}
		});
	});
	tlsServer.keepAliveTimeout = 5_000;

	const proxy = http.createServer((req, res) => {
		// Plain-HTTP proxying is not needed (n8n only proxies https here): refuse.
		stats.refused.push(`${req.method} ${req.url}`);
		res.writeHead(403);
		res.end('bench proxy: only CONNECT graph.facebook.com:443');
	});
	const sockets = new Set<Socket>();
	proxy.on('connection', (s: Socket) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	proxy.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
		const [host, port] = String(req.url ?? '').split(':');
		if (host !== META_HOST || (port ?? '443') !== '443') {
			stats.refused.push(`CONNECT ${req.url}`);
			socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
			return;
		}
		stats.connects++;
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head.length) socket.unshift(head);
		tlsServer.emit('connection', socket);
	});
	await new Promise<void>((resolve, reject) => {
		proxy.once('error', reject);
		proxy.listen(0, '127.0.0.1', () => resolve());
	});
	const port = (proxy.address() as AddressInfo).port;
	const url = `http://127.0.0.1:${port}`;
	return {
		url,
		caFile,
		stats,
		env: {
			HTTPS_PROXY: url,
			https_proxy: url,
			NO_PROXY: '127.0.0.1,localhost,::1',
			no_proxy: '127.0.0.1,localhost,::1',
			NODE_EXTRA_CA_CERTS: caFile,
		},
		async close() {
			for (const s of sockets) s.destroy();
			upstreamAgent.destroy();
			tlsServer.close();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
