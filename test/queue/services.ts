/**
 * Throw-away Redis and PostgreSQL servers on 127.0.0.1 for the queue-mode run: free ports, temp data dirs, started
 * here and stopped here (process group, then SIGKILL), also when the run fails. Debian packages: redis-server,
 * postgresql (binaries under /usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as root, so as root the
 * server runs as the `postgres` user (created by the Debian package) through runuser.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../../dev/n8n/n8n';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Service {
	name: string;
	host: string;
	port: number;
	pid: number;
	stop(): Promise<void>;
}

function which(bin: string): string | undefined {
	const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : undefined;
}

async function waitForPort(
	port: number,
	child: { exited: boolean },
	timeoutMs: number,
	name: string,
	log: string,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exited) throw new Error(`${name} exited during start-up; see ${log}:\n${tail(log)}`);
		const ok = await new Promise<boolean>((resolve) => {
			const s = net.connect(port, '127.0.0.1');
			s.once('connect', () => {
				s.destroy();
				resolve(true);
			});
			s.once('error', () => resolve(false));
		});
		if (ok) return;
		await sleep(100);
	}
	throw new Error(`${name} did not listen on 127.0.0.1:${port} in ${timeoutMs} ms; see ${log}`);
}

function tail(file: string, lines = 15): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/** Spawns in its own process group; stop() sends `signal` to the group, waits, then SIGKILLs the group. */
function supervise(name: string, child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 10_000) {
	const state = { exited: false };
	child.on('exit', () => (state.exited = true));
	const stop = async () => {
		if (state.exited || child.pid === undefined) return;
		try {
			process.kill(-child.pid, signal);
		} catch {
			return;
		}
		for (let i = 0; i < timeoutMs / 100 && !state.exited; i++) await sleep(100);
		if (!state.exited) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// gone
			}
		}
	};
	return { state, stop, name };
}

export function missingBinaries(): string[] {
	const missing: string[] = [];
	if (!which('redis-server')) missing.push('redis-server (apt-get install redis-server)');
	if (!postgresBinDir()) missing.push('PostgreSQL server (apt-get install postgresql)');
	return missing;
}

export async function startRedis(dir: string): Promise<Service> {
	const bin = which('redis-server');
	if (!bin) throw new Error('redis-server is not installed: apt-get install -y redis-server');
	const port = await freePort();
	const log = path.join(dir, 'redis.log');
	const out = fs.openSync(log, 'a');
	const child = spawn(
		bin,
		[
			'--bind',
			'127.0.0.1',
			'--port',
			String(port),
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--daemonize',
			'no',
		],
		{ stdio: ['ignore', out, out], detached: true },
	);
	fs.closeSync(out);
	const s = supervise('redis', child, 'SIGTERM');
	try {
		await waitForPort(port, s.state, 15_000, 'redis-server', log);
	} catch (e) {
		await s.stop();
		throw e;
	}
	return { name: 'redis', host: '127.0.0.1', port, pid: child.pid ?? 0, stop: s.stop };
}

export function postgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (fs.existsSync(root)) {
		const versions = fs
			.readdirSync(root)
			.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')))
			.sort((a, b) => Number(b) - Number(a));
		if (versions.length) return path.join(root, versions[0], 'bin');
	}
	const pg = which('postgres');
	return pg ? path.dirname(fs.realpathSync(pg)) : undefined;
}

/** As root: the Debian package's `postgres` user (or `nobody`), through runuser. Otherwise: ourselves. */
function postgresRunner(): { prefix: string[]; user?: string } {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { prefix: [] };
	for (const user of ['postgres', 'nobody']) {
		if (spawnSync('id', ['-u', user]).status === 0) return { prefix: ['runuser', '-u', user, '--'], user };
	}
	throw new Error('Running as root and there is no `postgres` user to run PostgreSQL as');
}

export interface Postgres extends Service {
	user: string;
	password: string;
	database: string;
}

export async function startPostgres(dir: string): Promise<Postgres> {
	const binDir = postgresBinDir();
	if (!binDir) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
	const runner = postgresRunner();
	const pgRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-wa-queue-pg-'));
	const dataDir = path.join(pgRoot, 'data');
	const sockDir = path.join(pgRoot, 'sock');
	fs.mkdirSync(sockDir);
	fs.chmodSync(pgRoot, 0o755);
	if (runner.user) execFileSync('chown', ['-R', runner.user, pgRoot]);
	const password = 'n8n-queue-test';
	const pwFile = path.join(pgRoot, 'pw');
	fs.writeFileSync(pwFile, password);
	if (runner.user) execFileSync('chown', [runner.user, pwFile]);
	const log = path.join(dir, 'postgres.log');
	fs.writeFileSync(log, '');
	fs.chmodSync(log, 0o666);
	execFileSync(
		runner.prefix[0] ?? path.join(binDir, 'initdb'),
		[
			...runner.prefix.slice(1),
			...(runner.prefix.length ? [path.join(binDir, 'initdb')] : []),
			'-D',
			dataDir,
			'-U',
			'postgres',
			'--auth=scram-sha-256',
			`--pwfile=${pwFile}`,
			'-E',
			'UTF8',
			'--locale=C',
			'--no-sync',
		],
		{ stdio: ['ignore', 'pipe', 'pipe'], cwd: pgRoot },
	);
	const port = await freePort();
	const args = [
		'-D',
		dataDir,
		'-p',
		String(port),
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		`unix_socket_directories=${sockDir}`,
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
		'-c',
		'max_connections=200',
	];
	const out = fs.openSync(log, 'a');
	const postgresBin = path.join(binDir, 'postgres');
	const child = runner.prefix.length
		? spawn(runner.prefix[0], [...runner.prefix.slice(1), postgresBin, ...args], {
				stdio: ['ignore', out, out],
				detached: true,
				cwd: pgRoot,
			})
		: spawn(postgresBin, args, { stdio: ['ignore', out, out], detached: true, cwd: pgRoot });
	fs.closeSync(out);
	// SIGINT to the group = PostgreSQL's "fast" shutdown.
	const s = supervise('postgres', child, 'SIGINT');
	const stop = async () => {
		await s.stop();
		fs.rmSync(pgRoot, { recursive: true, force: true });
	};
	try {
		await waitForPort(port, s.state, 30_000, 'postgres', log);
		// n8n gets a database of its own.
		const env = { ...process.env, PGPASSWORD: password };
		for (let i = 0; ; i++) {
			const r = spawnSync(
				path.join(binDir, 'psql'),
				[
					'-h',
					'127.0.0.1',
					'-p',
					String(port),
					'-U',
					'postgres',
					'-d',
					'postgres',
					'-v',
					'ON_ERROR_STOP=1',
					'-c',
					'CREATE DATABASE n8n',
				],
				{ env, encoding: 'utf8' },
			);
			if (r.status === 0) break;
			if (i >= 50) throw new Error(`CREATE DATABASE failed: ${r.stderr}`);
			await sleep(200); // "the database system is starting up"
		}
	} catch (e) {
		await stop();
		throw e;
	}
	return {
		name: 'postgres',
		host: '127.0.0.1',
		port,
		pid: child.pid ?? 0,
		stop,
		user: 'postgres',
		password,
		database: 'n8n',
	};
}
