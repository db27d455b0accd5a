/** Logging a webhook trigger can afford under a flood: throttled, and without phone numbers or message text. */

/**
 * At most one log line per `intervalMs`; the lines held back meanwhile are counted and reported with the next one.
 * Keeps a flood of forged or oversized calls from flooding n8n's log.
 */
export class LogThrottle {
	private lastAt: number | undefined;
	private held = 0;

	constructor(readonly intervalMs = 60_000) {}

	/** undefined: stay silent (counted); a number: log now, that many lines were held back since the last one. */
	take(now: number): number | undefined {
		if (this.lastAt !== undefined && now - this.lastAt < this.intervalMs) {
			this.held++;
			return undefined;
		}
		const held = this.held;
		this.held = 0;
		this.lastAt = now;
		return held;
	}
}

/** Longest text taken into a log line from an error message. */
const MAX_LOGGED_TEXT = 300;
/** A run of 7 or more digits, optionally with + and the separators people write in phone numbers, not inside a word. */
const NUMBER_RUN = /(?<![\w.])\+?\d[\d ().-]{5,}\d(?![\w])/g;
/** A quoted value ("…", “…”, or '…' not inside a word): where APIs echo what they were given. */
const QUOTED = /"[^"\n]{1,300}"|“[^”\n]{1,300}”|(?<!\w)'[^'\n]{1,300}'(?!\w)/g;

/**
 * Error text fit for n8n's log: shortened, and every phone-number-like run of digits replaced by "[number]"
 * (n8n's API and the phone rules echo contact ids into their messages). With `quoted`, quoted values are replaced
 * by "…" too (for messages of other systems, which quote message text or names they were given). Log ids, never
 * numbers or message text.
 */
export function redactForLog(text: string, options: { quoted?: boolean } = {}): string {
	let short = text.length > MAX_LOGGED_TEXT ? `${text.slice(0, MAX_LOGGED_TEXT)}…` : text;
	if (options.quoted) short = short.replace(QUOTED, '"…"');
	return short.replace(NUMBER_RUN, (run) => (run.replace(/\D/g, '').length >= 7 ? '[number]' : run));
}
