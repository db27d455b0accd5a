/**
 * The labelled template-draft corpus (test/fixtures/templateCorpus/) and Check Draft's precision and recall on it,
 * for the report script and the unit tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { checkTemplateDraft, type DraftCheckResult, type TemplateDraft } from '../nodes/shared/domain/templateDraft';

export interface CorpusEntry {
	id: string;
	label: 'approved' | 'rejected' | 'marketing';
	metaReason: string;
	expectedRules: string[];
	source: string;
	basis: string;
	note: string;
	draft: TemplateDraft;
}

export function loadCorpus(which: 'corpus' | 'holdout' = 'corpus'): CorpusEntry[] {
	const file = join(__dirname, '..', 'test', 'fixtures', 'templateCorpus', `${which}.json`);
	return (JSON.parse(readFileSync(file, 'utf8')) as { drafts: CorpusEntry[] }).drafts;
}

export function firedRules(result: DraftCheckResult): Set<string> {
	const fired = new Set(result.errors.map((finding) => finding.rule as string));
	// The estimate is reported as its own rule only where the content policy did not already catch the draft.
	if (result.marketingRisk.level === 'high' && !fired.has('contentPolicy')) fired.add('marketingRisk');
	return fired;
}

interface Counts {
	tp: number;
	fp: number;
	fn: number;
}

/** Per rule: precision = fired on a draft Meta did not approve as UTILITY / fired; recall = fired where expected / expected. */
interface RuleCounts {
	fired: number;
	firedOnBad: number;
	expected: number;
	caught: number;
}

export const ratio = (a: number, b: number): string =>
	b === 0 ? '   –  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`;

export function evaluate(corpus: CorpusEntry[]) {
	const perRule = new Map<string, RuleCounts>();
	const counts = (rule: string): RuleCounts => {
		let c = perRule.get(rule);
		if (!c) perRule.set(rule, (c = { fired: 0, firedOnBad: 0, expected: 0, caught: 0 }));
		return c;
	};
	const overall: Counts & { tn: number } = { tp: 0, fp: 0, fn: 0, tn: 0 };
	const misses: string[] = [];
	const falseAlarms: string[] = [];
	let approvedWithErrors = 0;
	for (const entry of corpus) {
		const result = checkTemplateDraft(entry.draft);
		const fired = firedRules(result);
		const expected = new Set(entry.expectedRules);
		for (const rule of new Set([...fired, ...expected])) {
			const c = counts(rule);
			if (fired.has(rule)) c.fired++;
			if (fired.has(rule) && entry.label !== 'approved') c.firedOnBad++;
			if (expected.has(rule)) c.expected++;
			if (expected.has(rule) && fired.has(rule)) c.caught++;
		}
		const predictedBad = result.errors.length > 0 || result.marketingRisk.level === 'high';
		const actuallyBad = entry.label !== 'approved';
		if (entry.label === 'approved' && result.errors.length > 0) approvedWithErrors++;
		if (predictedBad && actuallyBad) overall.tp++;
		else if (predictedBad) {
			overall.fp++;
			falseAlarms.push(
				`${entry.id}: ${[...fired].join(', ')} — ${result.errors[0]?.problem ?? `marketing risk ${result.marketingRisk.score}: ${result.marketingRisk.phrases.map((p) => p.phrase).join(', ')}`}`,
			);
		} else if (actuallyBad) {
			overall.fn++;
			misses.push(
				`${entry.id} (${entry.label}, ${entry.metaReason}): nothing fired; marketing risk ${result.marketingRisk.level} (${result.marketingRisk.score}) — ${entry.draft.components
					.map((c) => c.text ?? '')
					.join(' | ')
					.slice(0, 110)}`,
			);
		} else overall.tn++;
		for (const rule of expected) {
			if (!fired.has(rule) && predictedBad && actuallyBad) {
				misses.push(`${entry.id}: caught, but not by ${rule} (fired: ${[...fired].join(', ')})`);
			}
		}
	}
	return { perRule, overall, misses, falseAlarms, approvedWithErrors, total: corpus.length };
}
