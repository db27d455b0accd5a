/** A synthetic template list shaped like GET /{waba}/message_templates, for the poll's tests and measurements. */
const TOPICS = [
	'order',
	'shipping',
	'delivery',
	'payment',
	'invoice',
	'appointment',
	'reservation',
	'ticket',
	'account',
	'travel',
];
const ACTIONS = [
	'confirmation',
	'update',
	'reminder',
	'delayed',
	'cancelled',
	'ready_for_pickup',
	'received',
	'changed',
];
const LANGUAGES = ['en_US', 'pt_BR', 'es', 'de'];
const STATUSES = [
	'APPROVED',
	'APPROVED',
	'APPROVED',
	'APPROVED',
	'APPROVED',
	'APPROVED',
	'PENDING',
	'REJECTED',
	'PAUSED',
];
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
