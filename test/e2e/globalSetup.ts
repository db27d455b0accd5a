import fs from 'node:fs';
import path from 'node:path';

import { startN8n, type N8nInstance } from '../../dev/n8n/n8n';

/** Test files find the shared n8n through these (set before jest starts the test files, so every worker sees them). */
export const E2E_URL_ENV = 'WA_E2E_N8N_URL';
export const E2E_API_KEY_ENV = 'WA_E2E_N8N_API_KEY';
/** Set to run the whole e2e suite on another n8n, e.g. WA_E2E_N8N_VERSION=3.0.0 when it is out; default: the pinned one. */
export const E2E_VERSION_ENV = 'WA_E2E_N8N_VERSION';

/** One real n8n for the whole e2e run: booting it is the slow part; each test file brings its own emulator. */
export default async function globalSetup(): Promise<void> {
	const artifacts = path.resolve(__dirname, '..', '.artifacts');
	fs.mkdirSync(artifacts, { recursive: true });
	const started = Date.now();
	const n8n = await startN8n({
		logFile: path.join(artifacts, `n8n-e2e-${process.pid}.log`),
		n8nVersion: process.env[E2E_VERSION_ENV] || undefined,
	});
	process.stderr.write(
		`\n[e2e] n8n ${n8n.n8nVersion} ready at ${n8n.url} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
	);
	(globalThis as { __N8N__?: N8nInstance }).__N8N__ = n8n;
	process.env[E2E_URL_ENV] = n8n.url;
	process.env[E2E_API_KEY_ENV] = n8n.apiKey;
}
