import fs from 'node:fs';
import path from 'node:path';

import { startN8n, type N8nInstance } from './n8n';

export const E2E_STATE_FILE = path.resolve(__dirname, '..', '.artifacts', 'e2e-n8n.json');

/** One real n8n for the whole e2e run: booting it is the slow part; each test file brings its own emulator. */
export default async function globalSetup(): Promise<void> {
	fs.mkdirSync(path.dirname(E2E_STATE_FILE), { recursive: true });
	const started = Date.now();
	const n8n = await startN8n({ logFile: path.resolve(__dirname, '..', '.artifacts', 'n8n-e2e.log') });
	process.stderr.write(`\n[e2e] n8n ready at ${n8n.url} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
	(globalThis as { __N8N__?: N8nInstance }).__N8N__ = n8n;
	fs.writeFileSync(E2E_STATE_FILE, JSON.stringify({ url: n8n.url, apiKey: n8n.apiKey, userFolder: n8n.userFolder }));
}
