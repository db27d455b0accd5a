/**
 * WhatsApp Cloud API emulator: Meta's Graph endpoints this package touches (same paths, payloads, error envelopes
 * and signed webhooks) plus a control API under /_emulator/. Node built-ins only.
 *
 *   const emu = await startEmulator({ port: 0 });
 *   // emu.url, emu.options.accessToken, emu.options.wabaId, emu.options.phoneNumbers[0].id
 *   await emu.close();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Ctx } from './graph';
import { createRequestHandler } from './server';
import { EmulatorState, resolveOptions, type EmulatorOptions, type ResolvedOptions } from './state';
import { WebhookDispatcher } from './webhooks';

export {
	DEFAULT_TEMPLATES,
	PROMOTIONAL_WORDS,
	reviewTemplate,
	type SeedTemplate,
	type StoredTemplate,
} from './templates';
export {
	EmulatorState,
	WINDOW_MS,
	type EmulatorOptions,
	type ResolvedOptions,
	type RequestLogEntry,
	type AcceptedMessage,
	type WebhookAttempt,
} from './state';
export { sign as signWebhook } from './webhooks';
export { FAULT_KINDS, type FaultKind } from './faults';
export { TEMPLATE_PAGE_DEFAULT, TEMPLATE_PAGE_MAX } from './graph';

export interface Emulator {
	/** http://127.0.0.1:PORT */
	url: string;
	port: number;
	/** The live options (POST /_emulator/config changes them). */
	options: ResolvedOptions;
	state: EmulatorState;
	/** Webhook sender (targets, in-flight count). */
	webhooks: WebhookDispatcher;
	/** Same as POST /_emulator/reset. */
	reset(): void;
	close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
	const options = resolveOptions(opts);
	const state = new EmulatorState(options);
	const hooks = new WebhookDispatcher(state);
	const ctx: Ctx = { state, hooks };
	const server = http.createServer(createRequestHandler(ctx));
	server.keepAliveTimeout = 65_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port, options.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
	state.initialOptions.port = port;
	state.options.port = port;
	let closed = false;
	return {
		url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
		port,
		get options() {
			return state.options;
		},
		state,
		webhooks: hooks,
		reset() {
			hooks.cancelAll();
			state.reset();
		},
		close() {
			if (closed) return Promise.resolve();
			closed = true;
			hooks.close();
			return new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}
