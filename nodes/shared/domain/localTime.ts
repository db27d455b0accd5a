/**
 * The recipient's local time, with luxon (DST and zone rules from the runtime's time zone database).
 * Which zone: the item's own (e.g. a calendar event's), else the phone number's country when that country keeps
 * one civil time, else the node's default. Quiet hours: a daily window in the recipient's local time (may cross
 * midnight); a message due inside it is deferred to the window's end, as a UTC instant and as local time.
 */
import { DateTime, IANAZone } from 'luxon';

export type TimeZoneSource = 'item' | 'phoneCountry' | 'nodeDefault' | 'workflow';

export interface ResolvedTimeZone {
	zone: string;
	source: TimeZoneSource;
	reason: string;
}

export function isValidTimeZone(zone: string): boolean {
	return IANAZone.isValidZone(zone);
}

export interface TimeZoneInputs {
	/** The item's Time Zone (IANA), already trimmed; '' when not given. */
	itemZone: string;
	/** The single zone of the recipient's country, with the country code; undefined when unknown or several. */
	countryZone?: { zone: string; country: string };
	/** The node's Default Time Zone; '' when not set. */
	nodeDefault: string;
	/** The workflow's time zone (n8n setting), the last resort. */
	workflowZone: string;
	/** Why no country zone applies (e.g. "the United States has several time zones"), for the reason text. */
	noCountryZoneBecause?: string;
}

export function resolveTimeZone(inputs: TimeZoneInputs): ResolvedTimeZone {
	if (inputs.itemZone) return { zone: inputs.itemZone, source: 'item', reason: 'Time Zone of the item' };
	if (inputs.countryZone) {
		return {
			zone: inputs.countryZone.zone,
			source: 'phoneCountry',
			reason: `The recipient's country (${inputs.countryZone.country}) has one time zone`,
		};
	}
	const why = inputs.noCountryZoneBecause ? `${inputs.noCountryZoneBecause}: ` : '';
	if (inputs.nodeDefault)
		return { zone: inputs.nodeDefault, source: 'nodeDefault', reason: `${why}the node's Default Time Zone` };
	return { zone: inputs.workflowZone, source: 'workflow', reason: `${why}the workflow's time zone` };
}

export interface ClockTime {
	hour: number;
	minute: number;
}

/** '21:00', '8:00', '07:30' → {hour, minute}; undefined when not a 24-hour clock time. */
export function parseClockTime(value: string): ClockTime | undefined {
	const match = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(value);
	if (!match) return undefined;
	const hour = Number(match[1]);
	const minute = Number(match[2]);
	if (hour > 23 || minute > 59) return undefined;
	return { hour, minute };
}

export interface QuietHoursDecision {
	inside: boolean;
	/** The recipient's local time now (ISO with offset). */
	localNow: string;
	/** When inside: the end of the quiet hours, as a UTC instant and in the recipient's zone. */
	sendAt?: { utc: string; local: string };
}

/** The local wall-clock time of an instant in a zone, ISO with offset. */
export function localTimeIn(nowMs: number, zone: string): string {
	return DateTime.fromMillis(nowMs, { zone }).toISO() ?? '';
}

const minutesOf = (t: ClockTime) => t.hour * 60 + t.minute;

/** Whether `nowMs` falls inside [start, end) local time in `zone` (crossing midnight when start > end). */
export function quietHoursAt(nowMs: number, zone: string, start: ClockTime, end: ClockTime): QuietHoursDecision {
	const local = DateTime.fromMillis(nowMs, { zone });
	const localNow = localTimeIn(nowMs, zone);
	const now = local.hour * 60 + local.minute;
	const from = minutesOf(start);
	const to = minutesOf(end);
	if (from === to) return { inside: false, localNow };
	const inside = from < to ? now >= from && now < to : now >= from || now < to;
	if (!inside) return { inside: false, localNow };
	// The end is later today, or tomorrow when the window started before midnight. Setting the wall clock time
	// (not adding hours) keeps it right across DST changes; a time inside a spring-forward gap moves forward.
	let endLocal = local.set({ hour: end.hour, minute: end.minute, second: 0, millisecond: 0 });
	if (endLocal.toMillis() <= nowMs) {
		endLocal = local.plus({ days: 1 }).set({ hour: end.hour, minute: end.minute, second: 0, millisecond: 0 });
	}
	return {
		inside: true,
		localNow,
		sendAt: { utc: endLocal.toUTC().toISO() ?? '', local: endLocal.toISO() ?? '' },
	};
}

/**
 * A date_time template value rendered for the recipient (Meta shows only the fallback text): an ISO timestamp in
 * the recipient's zone and language, e.g. "Friday, 5 December 2026 at 09:30". Undefined when not a timestamp.
 */
export function formatDateTimeFor(value: string, zone: string, locale: string): string | undefined {
	const parsed = DateTime.fromISO(value.trim(), { setZone: true });
	if (!parsed.isValid) return undefined;
	const hasTime = /T\d/.test(value);
	const inZone = parsed.setZone(zone).setLocale(locale.replace('_', '-'));
	return hasTime
		? inZone.toLocaleString({
				weekday: 'long',
				day: 'numeric',
				month: 'long',
				year: 'numeric',
				hour: 'numeric',
				minute: '2-digit',
			})
		: parsed
				.setLocale(locale.replace('_', '-'))
				.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}
