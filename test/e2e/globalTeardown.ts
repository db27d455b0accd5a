import fs from 'node:fs';

import type { N8nInstance } from '../../dev/n8n/n8n';

export default async function globalTeardown(): Promise<void> {
	const n8n = (globalThis as { __N8N__?: N8nInstance }).__N8N__;
	if (!n8n) return;
	await n8n.stop();
	fs.rmSync(n8n.userFolder, { recursive: true, force: true });
}
