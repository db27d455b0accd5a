/**
 * Pure send scheduler: decides *when* each send may start, the caller does the waiting.
 *
 * Two Meta limits are respected: the phone number's throughput (messages per second, error
 * 130429) and the pair rate limit of about one message per 6 s to the same user (131056).
 * A recipient that must wait for its pair spacing gets a later slot, but the earlier global
 * slots stay free for other recipients.
 */

export interface SendSchedulerOptions {
	messagesPerSecond: number;
	pairSpacingMs: number;
}

export class SendScheduler {
	private readonly globalSpacingMs: number;

	private readonly pairSpacingMs: number;

	/** Reserved send start times, ascending. */
	private reservedStarts: number[] = [];

	/** Latest reserved start per recipient. */
	private lastStartByRecipient = new Map<string, number>();

	constructor(opts: SendSchedulerOptions) {
		// Invalid settings fall back to the slow, safe side instead of sending unpaced.
		const mps = Number.isFinite(opts.messagesPerSecond) && opts.messagesPerSecond > 0 ? opts.messagesPerSecond : 1;
		this.globalSpacingMs = 1000 / mps;
		this.pairSpacingMs = Number.isFinite(opts.pairSpacingMs) && opts.pairSpacingMs > 0 ? opts.pairSpacingMs : 0;
	}

	reserve(recipient: string, now: number): number {
		this.forgetBefore(now);
		const lastForRecipient = this.lastStartByRecipient.get(recipient);
		let candidate = lastForRecipient === undefined ? now : Math.max(now, lastForRecipient + this.pairSpacingMs);

		// First gap in the reserved timeline that keeps globalSpacingMs to both neighbours.
		let insertAt = this.reservedStarts.length;
		for (let index = 0; index < this.reservedStarts.length; index++) {
			const reserved = this.reservedStarts[index];
			if (reserved + this.globalSpacingMs <= candidate) continue;
			if (candidate + this.globalSpacingMs <= reserved) {
				insertAt = index;
				break;
			}
			candidate = reserved + this.globalSpacingMs;
		}

		this.reservedStarts.splice(insertAt, 0, candidate);
		if (lastForRecipient === undefined || candidate > lastForRecipient) {
			this.lastStartByRecipient.set(recipient, candidate);
		}
		return candidate;
	}

	/**
	 * Gives back a recipient's pair-spacing slot when that send was certainly not delivered (a rejected attempt
	 * does not count against Meta's pair limit), so its retry is not pushed back by the spacing.
	 */
	releaseRecipientSlot(recipient: string, start: number): void {
		if (this.lastStartByRecipient.get(recipient) === start) this.lastStartByRecipient.delete(recipient);
	}

	/** Drops reservations that can no longer constrain a send starting at or after `now`. */
	private forgetBefore(now: number): void {
		let stale = 0;
		while (stale < this.reservedStarts.length && this.reservedStarts[stale] + this.globalSpacingMs <= now) stale++;
		if (stale > 0) this.reservedStarts.splice(0, stale);
		for (const [recipient, lastStart] of this.lastStartByRecipient) {
			if (lastStart + this.pairSpacingMs <= now) this.lastStartByRecipient.delete(recipient);
		}
	}
}

/**
 * Guarantees at most `limit` send starts in any `windowMs`, whatever timer lateness did to the planned
 * slots: a late timer followed by an on-time one would otherwise put limit + 1 requests into Meta's window.
 */
export class RollingWindow {
	private starts: number[] = [];

	private readonly limit: number;

	constructor(
		limit: number,
		private windowMs: number,
		/** The window never grows beyond this. */
		private readonly maxWindowMs = windowMs * 1.25,
	) {
		this.limit = Math.max(1, Math.floor(limit));
	}

	/**
	 * Meta still counted one request too many in its window (130429): the time between our request start and its
	 * arrival varies more than the margin allowed, so widen the window a little for the rest of the run.
	 */
	widen(byMs: number): void {
		this.windowMs = Math.min(this.maxWindowMs, this.windowMs + byMs);
	}

	get currentWindowMs(): number {
		return this.windowMs;
	}

	/** Earliest time, not before `now`, at which one more start keeps the limit. */
	nextAllowed(now: number): number {
		if (this.starts.length < this.limit) return now;
		return Math.max(now, this.starts[this.starts.length - this.limit] + this.windowMs);
	}

	record(at: number): void {
		this.starts.push(at);
		if (this.starts.length > this.limit * 4) this.starts = this.starts.slice(-this.limit);
	}
}
