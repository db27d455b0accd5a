/** A stand-in for the Graph API that answers every request with one fixed error (e.g. Meta's expired-token 190/463). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphStub {
	url: string;
	requests: number;
	close(): Promise<void>;
}

export async function startGraphStub(status: number, body: unknown): Promise<GraphStub> {
	const raw = JSON.stringify(body);
	const stub = { url: '', requests: 0, close: async () => undefined } as GraphStub;
	const server = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			stub.requests++;
			res.writeHead(status, {
				'content-type': 'application/json; charset=UTF-8',
				'content-length': Buffer.byteLength(raw),
				'www-authenticate': 'OAuth "Facebook Platform" "invalid_token"',
			});
			res.end(raw);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	stub.close = () =>
		new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	return stub;
}

/** Meta's answer for a token whose session expired (Graph error 190, subcode 463). */
export const EXPIRED_TOKEN_ERROR = {
	error: {
		message:
			'Error validating access token: Session has expired on Tuesday, 24-Nov-26 10:00:00 PST. The current time is Wednesday, 25-Nov-26 09:12:00 PST.',
		type: 'OAuthException',
		code: 190,
		error_subcode: 463,
		fbtrace_id: 'AbCdEfGhIjKlMnOpQrStUv',
	},
};
