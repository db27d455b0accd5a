/** The README's main command keeps working: the demo boots, imports the examples and a sample order goes out. */
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm run demo', () => {
	it('starts n8n with the package and the emulator, and the shop example sends a Shipping Status', async () => {
		const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
			execFile(
				process.execPath,
				[path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/demo.ts', '--smoke'],
				{ cwd: ROOT, timeout: 180_000 },
				(error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
			);
		});
		expect(output).toMatch(/imported and activated: Shop: order shipped/);
		expect(output).toMatch(/smoke: Shipping Status sent as wamid\./);
		expect(code).toBe(0);
	}, 200_000);
});
