/**
 * An n8n queue-mode cluster for tests: PostgreSQL (n8n's database) + Redis (the Bull queue) on loopback, one main
 * (webhooks, UI/API, leader) and N workers (executions), all with this package linked as a community package.
 * Built on dev/n8n/n8n.ts; everything started here is stopped by stop(), also after a failed start.
 */
import fs from 'node:fs';
import path from 'node:path';

import { freePort, startN8n, type N8nInstance } from '../../dev/n8n/n8n';
import { startPostgres, startRedis, type Postgres, type Service } from './services';

export interface WorkerHandle {
	/** worker-1, worker-2, worker-1-restart-1 … */
	name: string;
	/** worker-1, worker-2: the slot a restart takes over. */
	slot: string;
	instance: N8nInstance;
	logFile: string;
	killed: boolean;
}

export interface ClusterOptions {
	dir: string;
	workers: number;
	concurrency: number;
	/** Extra env for every n8n process. */
	env?: Record<string, string>;
	/** Package folder linked into every n8n (default: the checkout). */
	packageDir?: string;
	log?: (line: string) => void;
}

export class Cluster {
	redis?: Service;
	postgres?: Postgres;
	main?: N8nInstance;
	readonly workers: WorkerHandle[] = [];
	private restarts = new Map<string, number>();

	constructor(readonly options: ClusterOptions) {}

	private log(line: string) {
		(this.options.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
	}

	/** Environment shared by main and workers: queue mode, Postgres, Redis, fast stall detection and recovery. */
	commonEnv(): Record<string, string> {
		if (!this.redis || !this.postgres) throw new Error('services not started');
		return {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: this.postgres.host,
			DB_POSTGRESDB_PORT: String(this.postgres.port),
			DB_POSTGRESDB_DATABASE: this.postgres.database,
			DB_POSTGRESDB_USER: this.postgres.user,
			DB_POSTGRESDB_PASSWORD: this.postgres.password,
			DB_POSTGRESDB_POOL_SIZE: '4',
			QUEUE_BULL_REDIS_HOST: this.redis.host,
			QUEUE_BULL_REDIS_PORT: String(this.redis.port),
			// A dead worker's job is declared stalled after its lock expires (defaults 60 s / 30 s); shortened to
			// keep the run within minutes. n8n 2.x then fails the job (maxStalledCount 0) instead of re-running it.
			QUEUE_WORKER_LOCK_DURATION: '15000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
			QUEUE_WORKER_STALLED_INTERVAL: '5000',
			// The leader main marks executions whose job is gone as "crashed" (default every 180 min): every 15 s.
			N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '0.25',
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			EXECUTIONS_DATA_PRUNE: 'false',
			...this.options.env,
		};
	}

	async start(): Promise<void> {
		const { dir } = this.options;
		fs.mkdirSync(dir, { recursive: true });
		try {
			const t0 = Date.now();
			const [redis, postgres] = await Promise.allSettled([startRedis(dir), startPostgres(dir)]);
			if (redis.status === 'fulfilled') this.redis = redis.value;
			if (postgres.status === 'fulfilled') this.postgres = postgres.value;
			if (redis.status === 'rejected') throw redis.reason;
			if (postgres.status === 'rejected') throw postgres.reason;
			this.log(
				`[queue] redis 127.0.0.1:${this.redis?.port}, postgres 127.0.0.1:${this.postgres?.port} in ${secs(t0)} s`,
			);

			const t1 = Date.now();
			// Main first: it runs the database migrations the workers rely on.
			this.main = await startN8n({
				userFolder: path.join(dir, 'main'),
				packageDir: this.options.packageDir,
				logFile: path.join(dir, 'main.log'),
				env: this.commonEnv(),
				readyTimeoutMs: 240_000,
			});
			this.log(`[queue] main ready at ${this.main.url} in ${secs(t1)} s`);
			const t2 = Date.now();
			const slots = Array.from({ length: this.options.workers }, (_, i) => `worker-${i + 1}`);
			const started = await Promise.allSettled(slots.map((slot) => this.startWorker(slot, slot)));
			const failed = started.find((s) => s.status === 'rejected');
			if (failed && failed.status === 'rejected') throw failed.reason;
			this.log(`[queue] ${slots.length} workers ready in ${secs(t2)} s`);
		} catch (error) {
			await this.stop();
			throw error;
		}
	}

	private async startWorker(slot: string, name: string): Promise<WorkerHandle> {
		const logFile = path.join(this.options.dir, `${name}.log`);
		const healthPort = await freePort();
		const instance = await startN8n({
			command: 'worker',
			args: [`--concurrency=${this.options.concurrency}`],
			userFolder: path.join(this.options.dir, slot),
			packageDir: this.options.packageDir,
			logFile,
			readyTimeoutMs: 240_000,
			env: { ...this.commonEnv(), QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort) },
		});
		const handle: WorkerHandle = { name, slot, instance, logFile, killed: false };
		this.workers.push(handle);
		return handle;
	}

	/** SIGKILL to the worker's whole process group (n8n and its task runner): a crash, no graceful shutdown. */
	async kill(worker: WorkerHandle): Promise<void> {
		worker.killed = true;
		worker.instance.kill('SIGKILL');
		await Promise.race([worker.instance.exited, new Promise((r) => setTimeout(r, 10_000))]);
	}

	/** Starts a new worker process in the same slot (same user folder) with a log of its own. */
	async restart(worker: WorkerHandle): Promise<WorkerHandle> {
		const n = (this.restarts.get(worker.slot) ?? 0) + 1;
		this.restarts.set(worker.slot, n);
		return await this.startWorker(worker.slot, `${worker.slot}-restart-${n}`);
	}

	async stop(): Promise<void> {
		const stops: Array<Promise<void>> = [];
		for (const w of this.workers) stops.push(w.instance.stop().catch(() => undefined));
		if (this.main) stops.push(this.main.stop().catch(() => undefined));
		await Promise.all(stops);
		await Promise.all([this.redis?.stop().catch(() => undefined), this.postgres?.stop().catch(() => undefined)]);
	}
}

function secs(since: number): string {
	return ((Date.now() - since) / 1000).toFixed(1);
}

/** Execution ids a worker started and finished, from its log ("Worker started/finished execution N (job J)"). */
export function workerLogCounts(logFile: string): { started: Set<string>; finished: Set<string> } {
	const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
	const started = new Set<string>();
	const finished = new Set<string>();
	for (const m of text.matchAll(/Worker (started|finished) execution (\d+) \(job/g)) {
		(m[1] === 'started' ? started : finished).add(m[2]);
	}
	return { started, finished };
}

/**
 * A private copy of the built package (package.json + dist/, node_modules linked to the checkout's), so that a
 * rebuild of dist/ in the checkout during a long run cannot pull files from under n8n. Waits (bounded) while
 * dist/ is incomplete, e.g. while someone runs `npm run build`.
 */
export async function snapshotPackage(packageDir: string, into: string, timeoutMs = 180_000): Promise<string> {
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
		main: string;
		n8n: { nodes: string[]; credentials: string[] };
	};
	const required = [pkg.main, ...pkg.n8n.nodes, ...pkg.n8n.credentials];
	const complete = (root: string) => required.every((f) => fs.existsSync(path.join(root, f)));
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (complete(packageDir)) {
			const target = path.join(into, 'package');
			fs.rmSync(target, { recursive: true, force: true });
			fs.mkdirSync(target, { recursive: true });
			fs.copyFileSync(path.join(packageDir, 'package.json'), path.join(target, 'package.json'));
			try {
				fs.cpSync(path.join(packageDir, 'dist'), path.join(target, 'dist'), { recursive: true });
			} catch {
				// dist/ changed while copying: try again
			}
			fs.symlinkSync(path.join(packageDir, 'node_modules'), path.join(target, 'node_modules'), 'dir');
			if (complete(target)) return target;
		}
		if (Date.now() > deadline) throw new Error('dist/ is missing or incomplete: run `npm run build` first');
		await new Promise((r) => setTimeout(r, 2000));
	}
}
