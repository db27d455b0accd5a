/**
 * The README's main command keeps working: the demo boots, imports the seven examples, fires their sample events
 * (the same as `npm run demo:events`) and every example workflow runs successfully in the real n8n.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm run demo', () => {
	it('starts n8n with the package, the emulator and the sample calendar; every example workflow runs', async () => {
		const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
			execFile(
				process.execPath,
				[path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/demo.ts', '--smoke'],
				{ cwd: ROOT, timeout: 240_000 },
				(error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
			);
		});
		const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
		expect(examples).toHaveLength(7);
		for (const file of examples) {
			const { name } = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as { name: string };
			expect(output).toContain(`imported and activated: ${name}`);
			expect(output).toMatch(
				new RegExp(`smoke: ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [1-9]\\d* successful execution`),
			);
		}
		expect(output).toMatch(/smoke: Shipping Status sent as wamid\./);
		expect(output).toMatch(
			/smoke: emulator accepted 5 messages: 2× shipping_update, 1× appointment_reminder, 1× reservation_update, 1× support_followup/,
		);
		expect(code).toBe(0);
	}, 260_000);
});
