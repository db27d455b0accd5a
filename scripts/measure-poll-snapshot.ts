/**
 * Measures the Template Status Poll's snapshot (what it keeps in n8n's static data) for 6,000 templates,
 * Meta's cap per account. Run: npx tsx scripts/measure-poll-snapshot.ts [count]
 * Also exports the synthetic template list the unit and e2e tests use.
 */
import { decodeSnapshot, encodeSnapshot, toTemplateState, type TemplateState } from '../nodes/shared/templateDiff';

const TOPICS = ['order', 'shipping', 'delivery', 'payment', 'invoice', 'appointment', 'reservation', 'ticket', 'account', 'travel'];
const ACTIONS = ['confirmation', 'update', 'reminder', 'delayed', 'cancelled', 'ready_for_pickup', 'received', 'changed'];
const LANGUAGES = ['en_US', 'pt_BR', 'es', 'de'];
const STATUSES = ['APPROVED', 'APPROVED', 'APPROVED', 'APPROVED', 'APPROVED', 'APPROVED', 'PENDING', 'REJECTED', 'PAUSED'];
const QUALITY = ['GREEN', 'GREEN', 'GREEN', 'YELLOW', 'UNKNOWN', 'RED'];

/** `count` templates shaped like GET /{waba}/message_templates items: ~25-character names, 4 languages each. */
export function syntheticTemplates(count: number, firstId = 3_000_000_000_000_000): Array<Record<string, unknown>> {
	const out: Array<Record<string, unknown>> = [];
	for (let i = 0; i < count; i++) {
		const n = Math.floor(i / LANGUAGES.length);
		const status = STATUSES[n % STATUSES.length];
		out.push({
			id: String(firstId + i),
			name: `${TOPICS[n % TOPICS.length]}_${ACTIONS[Math.floor(n / TOPICS.length) % ACTIONS.length]}_v${Math.floor(n / 80) + 1}`,
			language: LANGUAGES[i % LANGUAGES.length],
			status,
			category: n % 7 === 0 ? 'MARKETING' : 'UTILITY',
			quality_score: { score: QUALITY[n % QUALITY.length] },
			rejected_reason: status === 'REJECTED' ? 'PROMOTIONAL' : 'NONE',
		});
	}
	return out;
}

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
