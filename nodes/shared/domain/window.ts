/**
 * The 24-hour customer-service window: every inbound message (or call) from the user opens or
 * resets it; while open, free-form messages are allowed (what they cost: pricingRules.json; since
 * 2026-10-01 neither they nor utility templates inside the window are free).
 * Free entry point (click-to-WhatsApp ad / Page CTA): replying within the 24 h window opens a
 * 72 h window, counted from the business's reply, in which all messages are free.
 */

export const SERVICE_WINDOW_MS = 24 * 3600 * 1000;
export const FREE_ENTRY_POINT_WINDOW_MS = 72 * 3600 * 1000;

/** Below this a number is taken as Unix seconds: Meta webhooks send `timestamp` as seconds. */
const SECONDS_THRESHOLD = 1e11;

export interface ServiceWindowState {
	open: boolean;
	opensAt: string;
	expiresAt: string;
	remainingMs: number;
	freeEntryPointExpiresAt?: string;
	/** Only when fromAdReferral: whether the 72 h free-entry-point window is running now. */
	freeEntryPointOpen?: boolean;
	/** Set when lastInboundAt could not be read; the window is then reported closed. */
	problem?: string;
}

export interface ServiceWindowOptions {
	fromAdReferral?: boolean;
	/** When the business first replied to the ad-referred message; the 72 h run from here. */
	firstReplyAt?: number | string | Date;
}

/** Accepts ms or s epoch numbers, numeric strings (webhook style) and ISO strings. */
export function toEpochMs(value: number | string | Date | undefined | null): number | undefined {
	if (value instanceof Date) {
		const ms = value.getTime();
		return Number.isFinite(ms) ? ms : undefined;
	}
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value < 0) return undefined;
		return value < SECONDS_THRESHOLD ? value * 1000 : value;
	}
	if (typeof value === 'string') {
		const trimmed = value.trim();
		if (trimmed === '') return undefined;
		if (/^\d+(\.\d+)?$/.test(trimmed)) return toEpochMs(Number(trimmed));
		const ms = Date.parse(trimmed);
		return Number.isFinite(ms) ? ms : undefined;
	}
	return undefined;
}

export function serviceWindow(
	lastInboundAt: number | string | Date,
	now: number,
	opts?: ServiceWindowOptions,
): ServiceWindowState {
	const openedMs = toEpochMs(lastInboundAt);
	if (openedMs === undefined || !Number.isFinite(now)) {
		return {
			open: false,
			opensAt: '',
			expiresAt: '',
			remainingMs: 0,
			problem: `The time of the last inbound message ("${String(lastInboundAt)}") is not a date. Pass an ISO date or a Unix timestamp in seconds or milliseconds.`,
		};
	}
	const expiresMs = openedMs + SERVICE_WINDOW_MS;
	// A message stamped slightly in the future (clock skew) still means the window is open.
	const open = now < expiresMs;
	const state: ServiceWindowState = {
		open,
		opensAt: new Date(openedMs).toISOString(),
		expiresAt: new Date(expiresMs).toISOString(),
		remainingMs: open ? expiresMs - now : 0,
	};

	if (opts?.fromAdReferral) {
		const replyMs = toEpochMs(opts.firstReplyAt);
		if (replyMs !== undefined && replyMs >= openedMs && replyMs < expiresMs) {
			const fepExpiresMs = replyMs + FREE_ENTRY_POINT_WINDOW_MS;
			state.freeEntryPointExpiresAt = new Date(fepExpiresMs).toISOString();
			state.freeEntryPointOpen = now < fepExpiresMs;
		} else if (replyMs === undefined && open) {
			// No reply yet: a reply sent now would start the 72 h.
			state.freeEntryPointExpiresAt = new Date(Math.max(now, openedMs) + FREE_ENTRY_POINT_WINDOW_MS).toISOString();
			state.freeEntryPointOpen = false;
		} else {
			// Reply came too late (or the window lapsed without one): no free entry point.
			state.freeEntryPointOpen = false;
		}
	}
	return state;
}
