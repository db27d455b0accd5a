/** Summarises V8 .cpuprofile files (n8n started with --cpu-prof): self time by function, and by package. */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
}

function packageOf(url: string): string {
	if (!url) return '(native/GC/idle)';
	const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g);
	if (m) return m[m.length - 1].replace('node_modules/', '');
	if (url.includes('/work/main/dist/') || url.includes('n8n-nodes-whatsapp-notifications')) return 'n8n-nodes-whatsapp-notifications';
	if (url.startsWith('node:')) return 'node core';
	return url.split('/').slice(-2).join('/');
}

export function summariseProfiles(dir: string, top = 25): Record<string, unknown> | undefined {
	if (!fs.existsSync(dir)) return undefined;
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
	const summaries = files.map((file) => {
		const prof = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
			nodes: ProfileNode[];
			samples: number[];
			timeDeltas: number[];
			startTime: number;
			endTime: number;
		};
		const byId = new Map(prof.nodes.map((n) => [n.id, n]));
		const selfUs = new Map<number, number>();
		prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
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
			const pkg = ['(garbage collector)', '(program)'].includes(name) ? name : packageOf(n.callFrame.url);
			byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
		}
		const ms = (us: number) => Math.round(us / 1000);
		const sorted = (m: Map<string, number>) =>
			[...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => ({ what: k, ms: ms(v), pct: Math.round((1000 * v) / total) / 10 }));
		return { file, wallMs: ms(prof.endTime - prof.startTime), busyMs: ms(total), idleMs: ms(idle), byPackage: sorted(byPkg), byFunction: sorted(byFn) };
	});
	return { dir, profiles: summaries };
}
