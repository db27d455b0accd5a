/**
 * The diff engine of the Template Status Poll: a compact snapshot of every template of an account, and the
 * events between two snapshots (created, approved, rejected, paused, disabled, unpaused, reinstated, deleted,
 * category changed, category change pending, quality changed), each with what it means for Send Notification.
 *
 * Pure functions, no n8n runtime calls. A read that is not complete is never diffed: a missing page would
 * otherwise look like deleted templates.
 */
import { NOTIFICATION_TYPES, checkTemplateEligibility, normaliseCategory } from './notificationTypes';
import { rejectionAdvice } from './templates';

export type TemplateEventKind =
	| 'created'
	| 'approved'
	| 'rejected'
	| 'paused'
	| 'disabled'
	| 'unpaused'
	| 'reinstated'
	| 'statusChanged'
	| 'deleted'
	| 'categoryChanged'
	| 'categoryChangePending'
	| 'qualityChanged'
	| 'snapshot';

/** Every kind a user can choose in "Events" (snapshot is only produced on request at the first poll). */
export const TEMPLATE_EVENT_KINDS: ReadonlyArray<{ value: TemplateEventKind; name: string; description: string }> = [
	{ value: 'created', name: 'Created', description: 'A template appeared in the account' },
	{ value: 'approved', name: 'Approved', description: 'Meta approved a template after review or appeal' },
	{ value: 'rejected', name: 'Rejected', description: 'Meta rejected a template (reason and recommendation)' },
	{ value: 'paused', name: 'Paused', description: 'Meta paused a template for low quality (first, second pause)' },
	{ value: 'disabled', name: 'Disabled', description: 'Meta disabled a template for good' },
	{ value: 'unpaused', name: 'Unpaused', description: 'A paused template is approved again' },
	{
		value: 'reinstated',
		name: 'Reinstated',
		description: 'A disabled, archived or otherwise blocked template is approved again',
	},
	{
		value: 'statusChanged',
		name: 'Other Status Change',
		description: 'Any other status change, e.g. archived, in appeal, pending deletion, back in review',
	},
	{ value: 'deleted', name: 'Deleted', description: 'A template is gone from the account' },
	{ value: 'categoryChanged', name: 'Category Changed', description: 'Meta moved a template to another category' },
	{
		value: 'categoryChangePending',
		name: 'Category Change Pending',
		description: 'Meta announced it will move a template to another category (correct_category)',
	},
	{ value: 'qualityChanged', name: 'Quality Changed', description: 'The quality score of a template changed' },
];

/** What the poll keeps per template. */
export interface TemplateState {
	id: string;
	name: string;
	language: string;
	status: string;
	category: string;
	/** Meta's announced category ('' when none). */
	correctCategory: string;
	/** GREEN | YELLOW | RED | UNKNOWN. */
	quality: string;
	/** '' when NONE / absent. */
	rejectedReason: string;
	/** How many times this poll has seen the template enter PAUSED. */
	pauses: number;
}

export type Snapshot = Map<string, TemplateState>;

/** The result of reading the account's template list. `complete` is false when any page is missing. */
export interface TemplateRead {
	complete: boolean;
	templates: TemplateState[];
}

function text(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** A separator-free, upper-case code (Meta enums), so nothing can break the snapshot encoding. */
function enumText(value: unknown): string {
	return text(value)
		.toUpperCase()
		.replace(/[\t\n\r]/g, ' ');
}

function qualityOf(raw: unknown): string {
	const score = raw && typeof raw === 'object' ? (raw as { score?: unknown }).score : raw;
	const value = enumText(score);
	return value === '' ? 'UNKNOWN' : value;
}

/** One template as returned by GET /{waba}/message_templates → the state this poll tracks. */
export function toTemplateState(raw: unknown): TemplateState | undefined {
	if (!raw || typeof raw !== 'object') return undefined;
	const t = raw as Record<string, unknown>;
	const id = text(t.id);
	if (!id) return undefined;
	const reason = enumText(t.rejected_reason);
	return {
		id,
		name: text(t.name).replace(/[\t\n\r]/g, ' ') || '(no name)',
		language: text(t.language).replace(/[\t\n\r]/g, ' '),
		status: enumText(t.status),
		category: enumText(t.category),
		correctCategory: enumText(t.correct_category),
		quality: qualityOf(t.quality_score),
		rejectedReason: reason === 'NONE' ? '' : reason,
		pauses: 0,
	};
}

/* ------------------------------------------------------------------ snapshot encoding */

/**
 * Snapshot format "t1": one line per template, sorted by name, fields separated by tabs, trailing empty fields
 * dropped: id, name, language, status, category, correctCategory, quality, rejectedReason, pauses. An empty name
 * means "the same name as the line before" (the languages of one template name follow each other).
 * Common enum values are stored as one-letter codes; anything else is stored verbatim (always longer than one
 * character, so codes and verbatim values never collide).
 */
export const SNAPSHOT_FORMAT = 't1';

const STATUS_CODES: Readonly<Record<string, string>> = {
	APPROVED: 'A',
	PENDING: 'P',
	REJECTED: 'R',
	PAUSED: 'S',
	DISABLED: 'D',
	IN_APPEAL: 'I',
	ARCHIVED: 'V',
	PENDING_DELETION: 'X',
	DELETED: 'Z',
	LIMIT_EXCEEDED: 'L',
};
const CATEGORY_CODES: Readonly<Record<string, string>> = { UTILITY: 'U', MARKETING: 'M', AUTHENTICATION: 'T' };
const QUALITY_CODES: Readonly<Record<string, string>> = { UNKNOWN: '', GREEN: 'G', YELLOW: 'Y', RED: 'R' };

function invert(table: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
	return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k]));
}
const STATUS_NAMES = invert(STATUS_CODES);
const CATEGORY_NAMES = invert(CATEGORY_CODES);
const QUALITY_NAMES = invert(QUALITY_CODES);

function code(table: Readonly<Record<string, string>>, value: string): string {
	if (Object.prototype.hasOwnProperty.call(table, value)) return table[value];
	// Verbatim values must not look like a code: pad single characters.
	return value.length === 1 ? `${value}_` : value;
}

function decode(names: Readonly<Record<string, string>>, value: string): string {
	if (Object.prototype.hasOwnProperty.call(names, value)) return names[value];
	return value.length === 2 && value.endsWith('_') ? value[0] : value;
}

export function encodeSnapshot(snapshot: Snapshot | TemplateState[]): string {
	const states = (Array.isArray(snapshot) ? [...snapshot] : [...snapshot.values()]).sort((a, b) =>
		a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
	);
	const lines = [SNAPSHOT_FORMAT];
	let previousName: string | undefined;
	for (const s of states) {
		const fields = [
			s.id,
			s.name === previousName ? '' : s.name,
			s.language,
			code(STATUS_CODES, s.status),
			code(CATEGORY_CODES, s.category),
			s.correctCategory ? code(CATEGORY_CODES, s.correctCategory) : '',
			code(QUALITY_CODES, s.quality),
			s.rejectedReason,
			s.pauses > 0 ? String(s.pauses) : '',
		];
		previousName = s.name;
		while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
		lines.push(fields.join('\t'));
	}
	return lines.join('\n');
}

/** Returns undefined for anything that is not a snapshot of this format (then the next poll is a baseline). */
export function decodeSnapshot(encoded: unknown): Snapshot | undefined {
	if (typeof encoded !== 'string') return undefined;
	const lines = encoded.split('\n');
	if (lines[0] !== SNAPSHOT_FORMAT) return undefined;
	const snapshot: Snapshot = new Map();
	let previousName = '';
	for (let i = 1; i < lines.length; i++) {
		if (lines[i] === '') continue;
		const f = lines[i].split('\t');
		const id = f[0];
		const name = f[1] ? f[1] : previousName;
		previousName = name;
		snapshot.set(id, {
			id,
			name,
			language: f[2] ?? '',
			status: decode(STATUS_NAMES, f[3] ?? ''),
			category: decode(CATEGORY_NAMES, f[4] ?? ''),
			correctCategory: f[5] ? decode(CATEGORY_NAMES, f[5]) : '',
			quality: decode(QUALITY_NAMES, f[6] ?? ''),
			rejectedReason: f[7] ?? '',
			pauses: f[8] ? Number(f[8]) || 0 : 0,
		});
	}
	return snapshot;
}

/* ------------------------------------------------------------------ what a template means for this package */

export interface Usability {
	usable: boolean;
	/** Short reason when not usable: the status, the category, or the announced move. */
	why?: string;
}

/** Whether Send Notification would accept the template now (APPROVED, UTILITY, no announced move away). */
export function usabilityOf(s: TemplateState): Usability {
	const summary = {
		id: s.id,
		name: s.name,
		language: s.language,
		status: s.status,
		category: s.category,
		correct_category: s.correctCategory || null,
	};
	if (NOTIFICATION_TYPES.some((type) => checkTemplateEligibility(type, summary).allowed)) return { usable: true };
	if (s.status !== 'APPROVED') return { usable: false, why: s.status || 'no status' };
	const category = normaliseCategory(s.category);
	if (category !== 'UTILITY')
		return { usable: false, why: category === 'UNKNOWN' ? s.category || 'no category' : category };
	return { usable: false, why: `moving to ${s.correctCategory}` };
}

function usabilitySentence(before: Usability | undefined, after: Usability): string {
	if (after.usable) {
		return before && before.usable ? 'Still usable by Send Notification.' : 'Now usable by Send Notification.';
	}
	if (before?.usable) return `No longer usable by Send Notification: ${after.why}.`;
	return `Not usable by Send Notification: ${after.why}.`;
}

/* ------------------------------------------------------------------ events */

export interface TemplateEvent {
	event: TemplateEventKind;
	templateId: string;
	name: string;
	language: string;
	status: string;
	category: string;
	correctCategory?: string;
	qualityScore: string;
	previousStatus?: string;
	previousCategory?: string;
	previousQualityScore?: string;
	/** rejected: Meta's reason and what to do about it. */
	reason?: string;
	recommendation?: string;
	/** paused: 1 = first pause (3 h), 2 = second pause (6 h), counted by this poll. */
	pause?: number;
	pauseLabel?: string;
	/** categoryChangePending: Meta's notice gives 24 h; the latest time the move is expected (estimate). */
	expectedChangeBy?: string;
	usableBySendNotification: boolean;
	wasUsableBySendNotification?: boolean;
	/** What the change means for this package, in one or two sentences. */
	meaning: string;
	detectedAt: string;
}

export { rejectionAdvice };

function pauseLabel(n: number): string {
	if (n <= 1) return 'first pause (3 hours)';
	if (n === 2) return 'second pause (6 hours); a third quality drop disables the template';
	return `pause number ${n}`;
}

/** Statuses from which APPROVED is a (first) approval rather than a reinstatement. */
const APPROVAL_FROM: ReadonlySet<string> = new Set(['', 'PENDING', 'IN_APPEAL', 'REJECTED']);

const HOUR_MS = 3600 * 1000;

function base(kind: TemplateEventKind, s: TemplateState, now: Date, before?: TemplateState): TemplateEvent {
	const after = usabilityOf(s);
	const prior = before ? usabilityOf(before) : undefined;
	const event: TemplateEvent = {
		event: kind,
		templateId: s.id,
		name: s.name,
		language: s.language,
		status: s.status,
		category: s.category,
		qualityScore: s.quality,
		usableBySendNotification: after.usable,
		meaning: usabilitySentence(prior, after),
		detectedAt: now.toISOString(),
	};
	if (s.correctCategory) event.correctCategory = s.correctCategory;
	if (prior) event.wasUsableBySendNotification = prior.usable;
	return event;
}

function withMeaning(event: TemplateEvent, lead: string): TemplateEvent {
	event.meaning = `${lead} ${event.meaning}`.trim();
	return event;
}

function statusEvent(s: TemplateState, now: Date, before: TemplateState | undefined): TemplateEvent | undefined {
	const from = before?.status ?? '';
	if (from === s.status) return undefined;
	if (!before && s.status === 'PENDING') return undefined;
	const e = base('statusChanged', s, now, before);
	if (before) e.previousStatus = from;
	switch (s.status) {
		case 'APPROVED': {
			if (from === 'PAUSED') {
				e.event = 'unpaused';
				return withMeaning(e, 'Meta lifted the pause.');
			}
			if (APPROVAL_FROM.has(from)) {
				e.event = 'approved';
				return withMeaning(e, `Meta approved the template as ${s.category}.`);
			}
			e.event = 'reinstated';
			return withMeaning(e, `The template is approved again (it was ${from}).`);
		}
		case 'REJECTED': {
			e.event = 'rejected';
			e.reason = s.rejectedReason || 'NONE';
			e.recommendation = rejectionAdvice(e.reason);
			return withMeaning(e, `Meta rejected the template (${e.reason}).`);
		}
		case 'PAUSED': {
			e.event = 'paused';
			e.pause = Math.max(1, s.pauses);
			e.pauseLabel = pauseLabel(e.pause);
			return withMeaning(e, `Meta paused the template for low quality: ${e.pauseLabel}; sends fail with error 132015.`);
		}
		case 'DISABLED': {
			e.event = 'disabled';
			return withMeaning(
				e,
				'Meta disabled the template after repeated low quality; it can never be sent again (error 132016) and must be replaced by a new template.',
			);
		}
		default:
			return withMeaning(e, `The status changed${from ? ` from ${from}` : ''} to ${s.status}.`);
	}
}

/** The events of one template between two snapshots (`before` undefined = new template). */
export function templateEvents(before: TemplateState | undefined, s: TemplateState, now: Date): TemplateEvent[] {
	const events: TemplateEvent[] = [];
	if (!before) {
		events.push(withMeaning(base('created', s, now), `A new ${s.category} template in ${s.language} (${s.status}).`));
	}
	const status = statusEvent(s, now, before);
	if (status) events.push(status);
	if (before && before.category !== s.category) {
		const e = base('categoryChanged', s, now, before);
		e.previousCategory = before.category;
		events.push(
			withMeaning(
				e,
				`Meta moved the template from ${before.category} to ${s.category}; it is charged as ${s.category} from now on.`,
			),
		);
	}
	const announced = s.correctCategory && s.correctCategory !== s.category ? s.correctCategory : '';
	const announcedBefore =
		before && before.correctCategory && before.correctCategory !== before.category ? before.correctCategory : '';
	if (announced && announced !== announcedBefore) {
		const e = base('categoryChangePending', s, now, before);
		e.expectedChangeBy = new Date(now.getTime() + 24 * HOUR_MS).toISOString();
		events.push(
			withMeaning(
				e,
				`Meta will move the template from ${s.category} to ${announced} (Meta gives 24 hours' notice; expected by ${e.expectedChangeBy} at the latest, or at once for accounts warned for abuse).`,
			),
		);
	}
	if (before && before.quality !== s.quality) {
		const e = base('qualityChanged', s, now, before);
		e.previousQualityScore = before.quality;
		const lead =
			s.quality === 'RED'
				? `Quality dropped from ${before.quality} to RED: Meta may pause the template (3 h, then 6 h, then disable it).`
				: `Quality changed from ${before.quality} to ${s.quality}.`;
		events.push(withMeaning(e, lead));
	}
	return events;
}

export function deletedEvent(before: TemplateState, now: Date): TemplateEvent {
	const e = base('deleted', { ...before, status: 'DELETED' }, now, before);
	e.previousStatus = before.status;
	e.usableBySendNotification = false;
	e.meaning =
		before.status === 'APPROVED' && usabilityOf(before).usable
			? 'The template is gone from the account. No longer usable by Send Notification: deleted (sends fail with 132001); its name cannot be reused for 30 days.'
			: 'The template is gone from the account; its name cannot be reused for 30 days.';
	return e;
}

export function snapshotEvent(s: TemplateState, now: Date): TemplateEvent {
	const e = base('snapshot', s, now);
	if (s.status === 'REJECTED') {
		e.reason = s.rejectedReason || 'NONE';
		e.recommendation = rejectionAdvice(e.reason);
	}
	return withMeaning(e, `Current state: ${s.status}, ${s.category}, quality ${s.quality}.`);
}

export type DiffResult = { diffed: true; events: TemplateEvent[]; next: Snapshot } | { diffed: false; reason: string };

/**
 * Compares the previous snapshot with a read of the account. A partial read is refused (no events, no new
 * snapshot), so a page that failed can never produce "deleted" events. Pause counters carry over.
 */
export function diffTemplates(previous: Snapshot, read: TemplateRead, now: Date = new Date()): DiffResult {
	if (!read.complete) {
		return { diffed: false, reason: 'The template list was read only partly; it is not compared with the last one.' };
	}
	const next: Snapshot = new Map();
	const events: TemplateEvent[] = [];
	for (const raw of read.templates) {
		if (next.has(raw.id)) continue; // a template repeated across pages is counted once
		const before = previous.get(raw.id);
		const pauses = (before?.pauses ?? 0) + (raw.status === 'PAUSED' && before?.status !== 'PAUSED' ? 1 : 0);
		const current: TemplateState = { ...raw, pauses };
		next.set(current.id, current);
		events.push(...templateEvents(before, current, now));
	}
	for (const [id, before] of previous) {
		if (!next.has(id)) events.push(deletedEvent(before, now));
	}
	return { diffed: true, events, next };
}

/** A baseline from a complete read (pause counters start at 1 for templates already paused). */
export function baselineOf(read: TemplateRead): Snapshot | undefined {
	if (!read.complete) return undefined;
	const snapshot: Snapshot = new Map();
	for (const t of read.templates) {
		if (!snapshot.has(t.id)) snapshot.set(t.id, { ...t, pauses: t.status === 'PAUSED' ? 1 : 0 });
	}
	return snapshot;
}

export interface EventFilter {
	/** Exact template names or template IDs; empty = all. */
	names?: string[];
	/** Event kinds; empty = all. */
	events?: string[];
}

export function filterEvents(events: TemplateEvent[], filter: EventFilter): TemplateEvent[] {
	const names = new Set((filter.names ?? []).map((n) => n.trim()).filter(Boolean));
	const kinds = new Set((filter.events ?? []).filter(Boolean));
	return events.filter(
		(e) =>
			(names.size === 0 || names.has(e.name) || names.has(e.templateId)) &&
			(kinds.size === 0 || e.event === 'snapshot' || kinds.has(e.event)),
	);
}

/* ------------------------------------------------------------------ Meta's rate limit on the listing */

export const DEFAULT_HOURLY_REQUEST_BUDGET = 200;

export interface PollTimeItem {
	mode?: string;
	value?: number;
	unit?: string;
	minute?: number;
	hour?: number;
	cronExpression?: string;
}

function countField(field: string, size: number): number | undefined {
	if (field === '*' || field === '?') return size;
	let total = 0;
	for (const part of field.split(',')) {
		const step = /^(\*|\d+-\d+)\/(\d+)$/.exec(part);
		if (step) {
			const [lo, hi] = step[1] === '*' ? [0, size - 1] : step[1].split('-').map(Number);
			total += Math.floor((hi - lo) / Number(step[2])) + 1;
			continue;
		}
		const range = /^(\d+)-(\d+)$/.exec(part);
		if (range) {
			total += Number(range[2]) - Number(range[1]) + 1;
			continue;
		}
		if (/^\d+$/.test(part)) {
			total += 1;
			continue;
		}
		return undefined;
	}
	return total;
}

/** Polls per hour of n8n's "Poll Times" (at its busiest hour); undefined when it cannot be worked out. */
export function pollsPerHour(items: PollTimeItem[] | undefined): number | undefined {
	if (!Array.isArray(items) || items.length === 0) return undefined;
	let total = 0;
	for (const item of items) {
		switch (item.mode) {
			case 'everyMinute':
				total += 60;
				break;
			case 'everyHour':
				total += 1;
				break;
			case 'everyX': {
				const value = Number(item.value) || 1;
				total += item.unit === 'minutes' ? 60 / value : item.unit === 'hours' ? 1 / value : 0;
				break;
			}
			case 'everyDay':
			case 'everyWeek':
			case 'everyMonth':
				total += 1;
				break;
			case 'custom': {
				const fields = String(item.cronExpression ?? '')
					.trim()
					.split(/\s+/);
				if (fields.length < 5) return undefined;
				const minute = fields[fields.length - 5];
				const perHour = countField(minute, 60);
				if (perHour === undefined) return undefined;
				total += perHour;
				break;
			}
			default:
				return undefined;
		}
	}
	return total;
}

export interface RateLimitEstimate {
	requestsPerPoll: number;
	pollsPerHour?: number;
	requestsPerHour?: number;
	budget: number;
	exceeded: boolean;
	warning?: string;
}

export function estimateRateLimit(
	requestsPerPoll: number,
	polls: number | undefined,
	budget: number,
): RateLimitEstimate {
	const estimate: RateLimitEstimate = { requestsPerPoll, budget, exceeded: false };
	if (polls === undefined) return estimate;
	estimate.pollsPerHour = Math.round(polls * 100) / 100;
	estimate.requestsPerHour = Math.ceil(requestsPerPoll * polls);
	if (estimate.requestsPerHour > budget) {
		estimate.exceeded = true;
		estimate.warning = `This trigger needs about ${estimate.requestsPerHour} template-list requests per hour (${requestsPerPoll} per poll × ${estimate.pollsPerHour} polls), more than Meta's ${budget} per hour for this app and account; Meta will answer with rate-limit errors (code 4 / 80007). Poll less often (every ${Math.ceil((60 * requestsPerPoll) / budget)} minutes or more).`;
	}
	return estimate;
}
