/**
 * How good is Check Draft? Runs it on the labelled corpus (test/fixtures/templateCorpus/corpus.json: drafts from
 * Meta's documentation and published examples, each with its source) and prints precision and recall per rule
 * and overall, and every miss with its reason.
 *
 *   npm run template-check-report            # table + misses
 *   npm run template-check-report -- --json  # the figures as JSON
 *   npm run template-check-report -- --holdout  # the held-out drafts (written after the rules were tuned)
 *
 * A rule "fires" on a draft when it is among the errors; marketingRisk fires when the estimate is "high".
 * Overall: a draft is predicted "not approved as UTILITY" when it has errors or a high marketing risk.
 */
import { evaluate, loadCorpus, ratio } from '../dev/templateCorpus';

function main(): void {
	const corpus = loadCorpus(process.argv.includes('--holdout') ? 'holdout' : 'corpus');
	const report = evaluate(corpus);
	const byLabel = (label: string) => corpus.filter((entry) => entry.label === label).length;
	if (process.argv.includes('--json')) {
		console.log(JSON.stringify({ ...report, perRule: Object.fromEntries(report.perRule) }, null, 2));
		return;
	}
	console.log(
		`Check Draft on ${report.total} labelled drafts: ${byLabel('approved')} approved as UTILITY, ${byLabel('rejected')} rejected, ${byLabel('marketing')} approved as / moved to MARKETING\n`,
	);
	console.log('rule                 fired  on refused  expected  caught  precision  recall');
	for (const [rule, c] of [...report.perRule.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
		console.log(
			`${rule.padEnd(20)} ${String(c.fired).padStart(5)}  ${String(c.firedOnBad).padStart(10)}  ${String(c.expected).padStart(8)}  ${String(c.caught).padStart(6)}    ${ratio(c.firedOnBad, c.fired)}  ${ratio(c.caught, c.expected)}`,
		);
	}
	const o = report.overall;
	console.log(
		`\noverall (not approved as UTILITY): precision ${ratio(o.tp, o.tp + o.fp).trim()}, recall ${ratio(o.tp, o.tp + o.fn).trim()} (tp ${o.tp}, fp ${o.fp}, fn ${o.fn}, tn ${o.tn})`,
	);
	console.log(`approved UTILITY drafts flagged with an error: ${report.approvedWithErrors} of ${byLabel('approved')}`);
	if (report.falseAlarms.length) console.log(`\nfalse alarms:\n  ${report.falseAlarms.join('\n  ')}`);
	if (report.misses.length) console.log(`\nmisses:\n  ${report.misses.join('\n  ')}`);
}

if (require.main === module) main();
