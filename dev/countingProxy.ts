/**
 * A loopback proxy in front of n8n that counts the requests passing through it, by method and route (data-table
 * ids folded). Point the ledger credential's Base URL at it to count what the nodes ask of the ledger.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class CountingProxy {
	private server?: http.Server;
	url = '';
	counts = new Map<string, number>();

	constructor(private readonly target: string) {}

	async start(): Promise<void> {
		const target = new URL(this.target);
		this.server = http.createServer((req, res) => {
			const route = `${req.method} ${(req.url ?? '').split('?')[0].replace(/\/data-tables\/[^/]+/, '/data-tables/:id')}`;
			this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
			const upstream = http.request(
				{
					host: target.hostname,
					port: target.port,
					method: req.method,
					path: req.url,
					headers: { ...req.headers, host: target.host },
				},
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			upstream.on('error', (e) => {
				res.writeHead(502);
				res.end(String(e));
			});
			req.pipe(upstream);
		});
		this.server.keepAliveTimeout = 10_000;
		await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	total(): number {
		let n = 0;
		for (const c of this.counts.values()) n += c;
		return n;
	}

	reset(): void {
		this.counts.clear();
	}

	async close(): Promise<void> {
		if (!this.server) return;
		this.server.closeAllConnections();
		await new Promise<void>((r) => this.server!.close(() => r()));
	}
}
