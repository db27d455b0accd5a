/**
 * Summarises V8 .cpuprofile files (n8n started with --cpu-prof): self time by function and by package, over the
 * whole run and inside each case's window (the package's share of n8n's main thread while that case ran).
 */
import fs from 'node:fs';
import path from 'node:path';

import { PACKAGE_NAME } from './n8n/n8n';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

/** A case's run on the monotonic clock, in µs (the clock V8 stamps its profiles with, shared by every process). */
export interface ProfileWindow {
	label: string;
	fromUs: number;
	toUs: number;
}

/** Now on the system-wide monotonic clock in µs: comparable with a .cpuprofile's startTime written by n8n. */
export function monotonicMicros(): number {
	return Number(process.hrtime.bigint() / 1000n);
}

function packageOf(url: string, packageDist: string | undefined): string {
	if (!url) return '(native/GC/idle)';
	const file = url.replace(/^file:\/\//, '');
	if (packageDist && file.startsWith(packageDist)) return PACKAGE_NAME;
	const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
	if (m) return m[m.length - 1].replace('node_modules/', '');
	if (url.includes(PACKAGE_NAME)) return PACKAGE_NAME;
	if (url.startsWith('node:')) return 'node core';
	return url.split('/').slice(-2).join('/');
}

/** Self time (µs) per profile node, counting only the samples whose time falls inside [fromUs, toUs). */
function selfTimes(prof: CpuProfile, fromUs = -Infinity, toUs = Infinity): Map<number, number> {
	const selfUs = new Map<number, number>();
	let at = prof.startTime;
	prof.samples.forEach((id, i) => {
		const delta = prof.timeDeltas[i] ?? 0;
		at += delta;
		if (at >= fromUs && at < toUs) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
	});
	return selfUs;
}

function summarise(prof: CpuProfile, selfUs: Map<number, number>, packageDist: string | undefined, top: number) {
	const byId = new Map(prof.nodes.map((n) => [n.id, n]));
	const byFn = new Map<string, number>();
	const byPkg = new Map<string, number>();
	let total = 0;
	let idle = 0;
	for (const [id, us] of selfUs) {
		const n = byId.get(id)!;
		const name = n.callFrame.functionName || '(anonymous)';
		if (name === '(idle)') {
			idle += us;
			continue;
		}
		total += us;
		const key = `${name} ${n.callFrame.url.replace(/^.*node_modules\//, '')}:${n.callFrame.lineNumber + 1}`;
		byFn.set(key, (byFn.get(key) ?? 0) + us);
		const pkg = ['(garbage collector)', '(program)'].includes(name) ? name : packageOf(n.callFrame.url, packageDist);
		byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
	}
	const ms = (us: number) => Math.round(us / 1000);
	const pct = (us: number) => (total ? Math.round((1000 * us) / total) / 10 : 0);
	const sorted = (m: Map<string, number>) =>
		[...m.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([k, v]) => ({ what: k, ms: ms(v), pct: pct(v) }));
	const packageUs = byPkg.get(PACKAGE_NAME) ?? 0;
	return {
		busyMs: ms(total),
		idleMs: ms(idle),
		packageMs: ms(packageUs),
		packagePct: pct(packageUs),
		byPackage: sorted(byPkg),
		byFunction: sorted(byFn),
	};
}

/**
 * @param packageDir the package folder n8n loaded (its dist/ is "this package" in the split; n8n resolves the
 *   symlink in its nodes folder, so the profile names the real path)
 * @param windows cases to report separately, e.g. the cap sweep's 1,000 mps run
 */
export function summariseProfiles(
	dir: string,
	options: { packageDir?: string; windows?: ProfileWindow[]; top?: number } = {},
): Record<string, unknown> | undefined {
	if (!fs.existsSync(dir)) return undefined;
	const top = options.top ?? 25;
	const packageDist = options.packageDir
		? path.join(fs.realpathSync(options.packageDir), 'dist') + path.sep
		: undefined;
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
	const summaries = files.map((file) => {
		const prof = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
		const whole = summarise(prof, selfTimes(prof), packageDist, top);
		const windows = (options.windows ?? [])
			.filter((w) => w.toUs > prof.startTime && w.fromUs < prof.endTime)
			.map((w) => {
				const s = summarise(prof, selfTimes(prof, w.fromUs, w.toUs), packageDist, 12);
				return {
					label: w.label,
					wallMs: Math.round((w.toUs - w.fromUs) / 1000),
					...s,
					byFunction: s.byFunction.slice(0, 12),
				};
			});
		return { file, wallMs: Math.round((prof.endTime - prof.startTime) / 1000), ...whole, windows };
	});
	return { dir, profiles: summaries };
}
