/**
 * Measures the Template Status Poll's snapshot (what it keeps in n8n's static data) for 6,000 templates,
 * Meta's cap per account. Run: npx tsx scripts/measure-poll-snapshot.ts [count]
 */
import { syntheticTemplates } from '../dev/syntheticTemplates';
import {
	decodeSnapshot,
	encodeSnapshot,
	toTemplateState,
	type TemplateState,
} from '../nodes/shared/domain/templateDiff';

if (require.main === module) {
	const count = Number(process.argv[2] ?? 6000);
	const raw = syntheticTemplates(count);
	const states = raw.map((t) => toTemplateState(t) as TemplateState);
	const started = process.hrtime.bigint();
	const encoded = encodeSnapshot(states);
	const decoded = decodeSnapshot(encoded);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const staticDataBytes = Buffer.byteLength(JSON.stringify({ snapshot: encoded }), 'utf8');
	const rawBytes = Buffer.byteLength(JSON.stringify(raw), 'utf8');
	const avgName = raw.reduce((sum, t) => sum + String(t.name).length, 0) / count;
	process.stdout.write(
		`${count} templates (average name ${avgName.toFixed(1)} characters): snapshot ${staticDataBytes} bytes ` +
			`(${(staticDataBytes / count).toFixed(1)} bytes per template; the list as JSON is ${rawBytes} bytes); ` +
			`encode + decode ${ms.toFixed(1)} ms; round trip ${decoded?.size === count ? 'ok' : 'FAILED'}\n`,
	);
}
