/** Samples the memory (RSS of the whole n8n process group) and the machine's load while a bench case runs. */
import fs from 'node:fs';
import os from 'node:os';

function readStatusKb(pid: number, field: string): number {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
		return m ? Number(m[1]) : 0;
	} catch {
		return 0;
	}
}

/** Pids whose process group is `pgid` (n8n is started detached, so its group holds it and its task runner). */
export function groupPids(pgid: number): number[] {
	const out: number[] = [];
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			// pid (comm) state ppid pgrp … — comm may contain spaces, so split after the last ')'.
			const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(rest[2]) === pgid) out.push(Number(name));
		} catch {
			// process ended while listing
		}
	}
	return out;
}

/** CPU time (user+sys, seconds) of a process group. */
export function groupCpuSeconds(pgid: number): number {
	const tick = 100; // USER_HZ on Linux
	let total = 0;
	for (const pid of groupPids(pgid)) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			total += (Number(rest[11]) + Number(rest[12])) / tick;
		} catch {
			// gone
		}
	}
	return total;
}

export function groupRssMb(pgid: number): number {
	return groupPids(pgid).reduce((sum, pid) => sum + readStatusKb(pid, 'VmRSS'), 0) / 1024;
}

export function hwmMb(pid: number): number {
	return readStatusKb(pid, 'VmHWM') / 1024;
}

/** Busy share of all CPUs over an interval, from /proc/stat. */
function cpuTimes(): { busy: number; total: number } {
	const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
	const v = line.trim().split(/\s+/).slice(1).map(Number);
	const idle = v[3] + (v[4] ?? 0);
	const total = v.reduce((a, b) => a + b, 0);
	return { busy: total - idle, total };
}

export interface Sample {
	peakRssMb: number;
	startRssMb: number;
	n8nCpuSeconds: number;
	/** Share of both cores busy (everything on the machine) during the case, 0..1. */
	machineBusy: number;
	loadAvg1: number;
}

export class Monitor {
	private timer?: NodeJS.Timeout;
	private peak = 0;
	private start = 0;
	private cpu0 = 0;
	private sys0 = cpuTimes();

	constructor(private readonly pgid: number) {}

	begin(): void {
		this.start = groupRssMb(this.pgid);
		this.peak = this.start;
		this.cpu0 = groupCpuSeconds(this.pgid);
		this.sys0 = cpuTimes();
		this.timer = setInterval(() => {
			this.peak = Math.max(this.peak, groupRssMb(this.pgid));
		}, 100);
		this.timer.unref();
	}

	end(): Sample {
		if (this.timer) clearInterval(this.timer);
		this.peak = Math.max(this.peak, groupRssMb(this.pgid));
		const sys = cpuTimes();
		const busy = (sys.busy - this.sys0.busy) / Math.max(1, sys.total - this.sys0.total);
		return {
			peakRssMb: round(this.peak, 0),
			startRssMb: round(this.start, 0),
			n8nCpuSeconds: round(groupCpuSeconds(this.pgid) - this.cpu0, 1),
			machineBusy: round(busy, 2),
			loadAvg1: round(os.loadavg()[0], 2),
		};
	}
}

export function round(x: number, digits = 1): number {
	const f = 10 ** digits;
	return Math.round(x * f) / f;
}
