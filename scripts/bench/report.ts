/** Turns the bench results into the printed table (also used for the README's Performance section). */
import type { Json } from '../../dev/json';

function table(headers: string[], rows: Array<Array<string | number>>): string {
	const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
	const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
	const line = (r: string[]) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
	return [line(cells[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join(
		'\n',
	);
}

const ok = (pass: boolean | undefined) => (pass === undefined ? 'n/a' : pass ? 'met' : 'MISSED');

export function renderReport(r: Json): string {
	const out: string[] = [];
	out.push(
		`n8n ${r.environment.n8nVersion} · Node ${r.environment.nodeVersion} · ${r.environment.cpus} cores · emulator latency ${r.settings.latencyMs} ms · load avg at start ${r.environment.loadAtStart.join(' / ')}`,
	);
	if (r.environment.n8nEnv)
		out.push(
			`n8n environment: ${Object.entries(r.environment.n8nEnv as Record<string, string>)
				.map(([k, v]) => `${k}=${v}`)
				.join(' ')}`,
		);
	const h = r.headToHead;
	if (h) {
		out.push(
			'',
			`### Built-in WhatsApp node vs Send Notification (${h.items} items, ${r.settings.latencyMs} ms per Graph request)`,
		);
		const rows = (h.rows as Json[]).map((x) => [
			x.label,
			x.emulatorConfig?.throughputCapMps ?? '-',
			x.totalSeconds,
			x.messagesPerSecond,
			`${x.accepted}/${x.items}`,
			x.apiCallsPerMessage,
			x.memory?.peakRssMb,
			x.err130429,
			x.error ? `ERROR: ${x.error}` : '',
		]);
		out.push(
			table(
				['workflow', 'cap mps', 'total s', 'msgs/s', 'accepted', 'API calls/msg', 'n8n peak RSS MB', '130429', 'note'],
				rows,
			),
		);
		for (const ratio of h.ratios as Json[])
			out.push(`ratio ${ratio.label}: ${ratio.value}× (target ≥ 10×: ${ok(ratio.pass)})`);
	}
	const f = r.floor;
	if (f) {
		out.push(
			'',
			`### Floor: n8n's HTTP Request node, one POST per item (${f.items} items, ${r.settings.latencyMs} ms per Graph request)`,
		);
		const rows = (f.rows as Json[]).map((x) => [
			x.label,
			x.emulatorConfig?.throughputCapMps ?? '-',
			x.totalSeconds ?? '-',
			x.messagesPerSecond ?? '-',
			x.sendRateMps ?? '-',
			`${x.accepted ?? '-'}/${x.items ?? '-'}`,
			x.apiCallsPerMessage ?? '-',
			x.memory?.peakRssMb ?? '-',
			x.err130429 ?? '-',
			x.error ? `ERROR: ${x.error}` : '',
		]);
		out.push(
			table(
				[
					'workflow',
					'cap mps',
					'total s',
					'msgs/s',
					'send rate mps',
					'accepted',
					'API calls/msg',
					'n8n peak RSS MB',
					'130429',
					'note',
				],
				rows,
			),
		);
		for (const ratio of f.ratios as Json[]) out.push(`ratio ${ratio.label}: ${ratio.value}×`);
	}
	const c = r.capSweep;
	if (c) {
		out.push('', '### Cap sweep (Send Notification; emulator cap = node messagesPerSecond)');
		const rows = (c.rows as Json[]).map((x) => [
			x.cap,
			x.items,
			x.sendSpanSeconds,
			x.sendRateMps,
			`${x.percentOfCap} %`,
			`${x.maxInAnySecond} / ${x.maxInAnySecondAllPosts ?? '-'}`,
			x.err130429,
			x.apiCallsPerMessage,
			x.totalSeconds,
			x.memory?.peakRssMb,
			`${ok(x.pass)}${x.error ? ` ERROR: ${x.error}` : ''}`,
		]);
		out.push(
			table(
				[
					'cap mps',
					'items',
					'send span s',
					'achieved mps',
					'% of cap',
					'max in 1 s (accepted / all POSTs)',
					'130429',
					'API calls/msg',
					'total s',
					'peak RSS MB',
					'≥95 %, 0×130429',
				],
				rows,
			),
		);
	}
	const p = r.pairLimit;
	if (p) {
		out.push(
			'',
			`### Pair limit (${p.items} messages to ${p.recipients} recipients, grouped; emulator ${p.emulatorPairLimitSeconds} s per pair; node pairSpacingSeconds ${p.nodePairSpacingSeconds}; lower bound ${p.lowerBoundSeconds} s)`,
		);
		out.push(
			table(
				['emulator burst', 'total s', 'total / bound', 'min same-recipient gap ms', '131056', 'accepted', 'result'],
				((p.variants ?? []) as Json[]).map((x) => [
					x.emulatorPairBurst,
					x.totalSeconds ?? '-',
					x.ratioToBound ?? '-',
					x.minSameRecipientGapMs ?? '-',
					x.err131056 ?? '-',
					`${x.accepted}/${x.items}`,
					`${ok(x.pass)}${x.error ? ` ERROR: ${x.error}` : ''}`,
				]),
			),
		);
	}
	const w = r.ingestion;
	if (w) {
		out.push(
			'',
			`### Webhook ingestion (${w.events} signed status webhooks, ${w.concurrency} concurrent senders; done = every execution reached the next node)`,
		);
		const rows = (w.rows as Json[]).map((x) => [
			x.label,
			x.eventsPerSecond ?? '-',
			x.postSeconds ?? '-',
			x.processedSeconds ?? '-',
			x.processed ?? '-',
			x.non2xx ?? '-',
			x.memory?.peakRssMb ?? '-',
			x.error ?? x.note ?? '',
		]);
		out.push(
			table(['trigger', 'events/s', 'posting s', 'processed s', 'executions', 'non-2xx', 'peak RSS MB', 'note'], rows),
		);
		if (w.ratio !== undefined)
			out.push(`Session Window Trigger / bare Webhook: ${w.ratio} (target ≥ 0.90: ${ok(w.pass)})`);
	}
	const q = r.poll;
	if (q) {
		out.push('', '### Template Status Poll');
		if (q.skipped) out.push(`skipped: ${q.skipped}`);
		else if (q.error) out.push(`ERROR: ${q.error}`);
		else {
			out.push(
				table(
					['poll', 'templates', 'seconds', 'pages', 'Graph requests', 'snapshot bytes'],
					(q.runs as Json[]).map((x) => [x.kind, q.templates, x.seconds, x.pages, x.requests, q.snapshotBytes]),
				),
			);
		}
	}
	const lin = r.linearity;
	if (lin) {
		out.push('', '### Linear work on item data (in-process, the package code itself)');
		out.push(
			table(
				['case', 'size', 'ms', 'limit ms', 'slot probes', 'result'],
				(lin.rows as Json[]).map((x) => [x.label, x.size, x.ms, x.limitMs, x.workUnits ?? '-', ok(x.pass)]),
			),
		);
	}
	const prof = r.profile?.profiles as Json[] | undefined;
	if (prof?.length) {
		out.push('', '### n8n CPU profile (--profile; self time over the whole n8n run)');
		for (const p of prof) {
			out.push(`${p.file}: busy ${p.busyMs} ms of ${p.wallMs} ms; this package ${p.packageMs} ms (${p.packagePct} %)`);
			out.push(
				table(
					['package', 'self ms', '%'],
					(p.byPackage as Json[]).slice(0, 12).map((x) => [x.what, x.ms, x.pct]),
				),
			);
			out.push(
				table(
					['function', 'self ms', '%'],
					(p.byFunction as Json[]).slice(0, 15).map((x) => [x.what.slice(0, 110), x.ms, x.pct]),
				),
			);
			const windows = (p.windows ?? []) as Json[];
			if (windows.length === 0) continue;
			out.push('', 'Per case (self time while its webhook call ran; % of busy time):');
			out.push(
				table(
					['case', 'wall ms', 'busy ms', 'this package ms', 'this package %', 'top packages'],
					windows.map((w) => [
						w.label,
						w.wallMs,
						w.busyMs,
						w.packageMs,
						w.packagePct,
						(w.byPackage as Json[])
							.slice(0, 4)
							.map((x) => `${x.what} ${x.pct} %`)
							.join(', '),
					]),
				),
			);
		}
	}
	if (r.targets) {
		out.push('', '### Targets (issue 9)');
		out.push(
			table(
				['target', 'measured', 'result'],
				(r.targets as Json[]).map((t) => [t.target, t.measured, ok(t.pass)]),
			),
		);
	}
	const l = r.ledger;
	if (l) {
		out.push(
			'',
			`### Consent ledger (Check Consent of ${l.checkItems} items; ${l.sendItems} notifications at 1,000 mps)`,
		);
		const rows = (l.rows as Json[]).map((x) => [
			x.contacts,
			x.check?.msPerItem ?? `ERROR: ${x.check?.error ?? ''}`,
			x.check?.ledgerRequestsPerItem ?? '-',
			x.sendWithout?.msPerItem ?? '-',
			x.sendWith?.msPerItem ?? '-',
			x.sendThroughputRatio ?? '-',
			x.sendWith?.ledgerRequestsPerItem ?? '-',
			Object.entries((x.size?.tablesMiB ?? {}) as Record<string, number>)
				.map(([k, v]) => `${k} ${v}`)
				.join(', '),
			x.size?.databaseMiB ?? '-',
			[x.check?.error, x.sendWith?.error, x.sendWithout?.error].filter(Boolean).join('; ').slice(0, 200),
		]);
		out.push(
			table(
				[
					'contacts',
					'Check ms/item',
					'Check requests/item',
					'Send ms/item without ledger',
					'Send ms/item with ledger',
					'with/without throughput',
					'Send ledger requests/item',
					'tables MiB',
					'database MiB',
					'note',
				],
				rows,
			),
		);
	}
	return out.join('\n');
}
