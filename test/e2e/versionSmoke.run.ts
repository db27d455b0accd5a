/**
 * Runs the version smoke (versionSmoke.ts) on other n8n versions, each booted fresh from its own cache folder:
 *
 *   npm run test:versions                 # the oldest supported n8n (package.json engines.n8n)
 *   npm run test:versions -- 2.7.4 2.41.1 # any versions
 *
 * The pinned version runs the same smoke inside `npm run test:e2e` (versionSmoke.e2e.test.ts). Exit code 1 when a
 * step fails on any version; n8n's log of a failed version is kept and its path printed.
 */
import fs from 'node:fs';
import path from 'node:path';

import { N8nClient, OLDEST_SUPPORTED_N8N_VERSION, startN8n } from '../../dev/n8n/n8n';
import { SMOKE_STEPS, prepareVersionSmoke } from './versionSmoke';

async function smokeOn(version: string): Promise<boolean> {
	const started = Date.now();
	const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
	const artifacts = path.resolve(__dirname, '..', '.artifacts');
	fs.mkdirSync(artifacts, { recursive: true });
	const logFile = path.join(artifacts, `n8n-${version}-smoke.log`);
	fs.rmSync(logFile, { force: true });
	process.stdout.write(`[versions] n8n ${version}: installing (once per version) and starting…\n`);
	const n8n = await startN8n({ n8nVersion: version, logFile });
	process.stdout.write(`[versions] n8n ${version}: ready in ${seconds()}\n`);
	let ok = true;
	let smoke: Awaited<ReturnType<typeof prepareVersionSmoke>> | undefined;
	try {
		smoke = await prepareVersionSmoke(N8nClient.of(n8n));
		for (const step of SMOKE_STEPS) {
			try {
				await smoke.run(step);
				process.stdout.write(`[versions] n8n ${version}: ✓ ${step} (${seconds()})\n`);
			} catch (error) {
				ok = false;
				process.stdout.write(`[versions] n8n ${version}: ✗ ${step}: ${(error as Error).message}\n`);
				break;
			}
		}
	} catch (error) {
		ok = false;
		process.stdout.write(`[versions] n8n ${version}: ✗ setting up the smoke: ${(error as Error).message}\n`);
	} finally {
		await smoke?.close();
		await n8n.stop();
		if (ok) fs.rmSync(n8n.userFolder, { recursive: true, force: true });
	}
	process.stdout.write(`[versions] n8n ${version}: ${ok ? 'PASS' : `FAIL (n8n's log: ${logFile})`} in ${seconds()}\n`);
	return ok;
}

async function main(): Promise<void> {
	const versions = process.argv.slice(2).filter((a) => a !== '--');
	let failed = 0;
	for (const version of versions.length ? versions : [OLDEST_SUPPORTED_N8N_VERSION]) {
		if (!(await smokeOn(version))) failed++;
	}
	process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
