#!/usr/bin/env node
/*
 * Offline form of `@n8n/scan-community-package`: the CLI only scans packages downloaded from the npm registry,
 * so pack this package exactly as it would be published and run the scanner's own analyzePackage() on the
 * unpacked tarball. Exit code 1 when the scan fails.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function main() {
	const root = path.resolve(__dirname, '..', '..');
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-scan-'));
	try {
		const packed = JSON.parse(
			execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
		);
		const tarball = path.join(work, packed[0].filename);
		execFileSync('tar', ['-xzf', tarball, '-C', work]);
		const unpacked = path.join(work, 'package');
		const files = packed[0].files.map((f) => f.path);
		const { analyzePackage } = await import(require.resolve('@n8n/scan-community-package/scanner/scanner.mjs'));
		const result = await analyzePackage(unpacked);
		console.log(`scanned ${packed[0].filename} (${files.length} files, ${packed[0].size} bytes packed)`);
		if (!result.passed) {
			console.error(`FAIL: ${result.message}\n${result.details ?? ''}`);
			process.exitCode = 1;
			return;
		}
		console.log('PASS: @n8n/scan-community-package found no issues');
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
