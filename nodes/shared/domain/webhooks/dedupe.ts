/**
 * Bounded memories of one trigger in one n8n process: the changes seen recently (duplicate suppression) and the last
 * inbound time per contact (window opened vs renewed). Both forget the least recently used entries first.
 */
import { SERVICE_WINDOW_MS } from '../window';

/**
 * Remembers recently seen keys: at most `capacity` of them, each for at most `ttlMs` (least recently seen is
 * forgotten first). One instance lives per trigger in one n8n process: it catches Meta's redeliveries and
 * duplicates that arrive while the process runs; it does not survive a restart and is not shared between
 * n8n processes (queue-mode webhook processes each keep their own).
 *
 * A key is first *claimed* (in flight: a copy arriving meanwhile is a duplicate) and only *committed* (seen) once
 * its delivery was handed off; a delivery that fails is *released*, so Meta's redelivery is processed again.
 */
export class RecentKeys {
	private readonly seen = new Map<string, number>();
	private readonly inFlight = new Set<string>();

	constructor(
		readonly capacity = 50_000,
		readonly ttlMs = 7 * SERVICE_WINDOW_MS,
	) {}

	get size(): number {
		return this.seen.size;
	}

	/** Keys claimed and neither committed nor released yet. */
	get pending(): number {
		return this.inFlight.size;
	}

	private isSeen(key: string, now: number): boolean {
		const at = this.seen.get(key);
		return at !== undefined && now - at < this.ttlMs;
	}

	/** False when the key was seen within the TTL or is in flight; otherwise claims it and returns true. */
	claim(key: string, now: number): boolean {
		if (this.inFlight.has(key) || this.isSeen(key, now)) return false;
		this.inFlight.add(key);
		return true;
	}

	/** The claimed keys were handed off: remember them as seen. */
	commit(keys: readonly string[], now: number): void {
		for (const key of keys) {
			if (!this.inFlight.delete(key)) continue;
			this.seen.delete(key);
			this.seen.set(key, now);
		}
		while (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
	}

	/** The claimed keys were not handed off: forget them, so a redelivery is processed again. */
	release(keys: readonly string[]): void {
		for (const key of keys) this.inFlight.delete(key);
	}

	/** Claim and commit in one step. True when the key was seen within the TTL (or is in flight). */
	seenBefore(key: string, now: number): boolean {
		if (!this.claim(key, now)) return true;
		this.commit([key], now);
		return false;
	}
}

/**
 * The last inbound message time per (business phone number, contact), bounded like RecentKeys. Decides
 * "opened" (no inbound within 24 h known to this process) vs "renewed".
 */
export class WindowTracker {
	private readonly last = new Map<string, number>();

	constructor(readonly capacity = 100_000) {}

	get(key: string): number | undefined {
		return this.last.get(key);
	}

	/** Records an inbound time; returns the previous one. Older times never move the window back. */
	record(key: string, atMs: number): { previous?: number; advanced: boolean } {
		const previous = this.last.get(key);
		if (previous !== undefined && previous >= atMs) return { previous, advanced: false };
		this.last.delete(key);
		this.last.set(key, atMs);
		while (this.last.size > this.capacity) this.last.delete(this.last.keys().next().value as string);
		return { previous, advanced: true };
	}

	/** Undoes records of a delivery that was not handed off (unless a later record moved the time on since). */
	undo(records: readonly WindowRecord[]): void {
		for (const { key, atMs, previous } of records) {
			if (this.last.get(key) !== atMs) continue;
			if (previous === undefined) this.last.delete(key);
			else this.last.set(key, previous);
		}
	}
}

/** One advance of a WindowTracker, kept so that it can be undone. */
export interface WindowRecord {
	key: string;
	atMs: number;
	previous?: number;
}
