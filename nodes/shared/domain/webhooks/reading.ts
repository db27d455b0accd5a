/** What every reader of a webhook change shares: typed reads of Meta's JSON, the change's context, contacts, errors. */
import { lookupMetaError } from '../metaErrors';
import { isRecord } from '../guards';
import { toEpochMs } from '../window';
import type { EventBase, MappedError, WebhookContact, WebhookEventName } from './events';

export type Json = Record<string, unknown>;

/** A string, or a finite number as a string (Meta sends some ids and timestamps either way). */
export function str(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/** A boolean as Meta sent it; anything else (a missing field included) is undefined. */
export function bool(value: unknown): boolean | undefined {
	return typeof value === 'boolean' ? value : undefined;
}

export function rec(value: unknown): Json | undefined {
	return isRecord(value) ? value : undefined;
}

/** The records of a JSON array (anything else: none). */
export function records(value: unknown): Json[] {
	return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** A Meta timestamp (Unix seconds or ms, or a date string) as ISO. */
export function iso(value: unknown): string | undefined {
	const ms = toEpochMs(value as string | number | undefined);
	return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** The object without its undefined fields (output items stay free of empty keys). */
export function compact<T extends object>(obj: T): T {
	for (const key of Object.keys(obj) as Array<keyof T>) if (obj[key] === undefined) delete obj[key];
	return obj;
}

/** Where a change came from: its entry (business account, time) and its metadata (business phone number). */
export interface ChangeContext {
	businessAccountId: string;
	field: string;
	phoneNumberId?: string;
	displayPhoneNumber?: string;
	entryTime?: string;
}

/** The fields every event has; `occurredAt` falls back to the entry's time. */
export function base(
	ctx: ChangeContext,
	event: WebhookEventName,
	eventId: string,
	occurredAt: string | undefined,
): EventBase {
	return compact({
		event,
		eventId,
		occurredAt: occurredAt ?? ctx.entryTime ?? '',
		businessAccountId: ctx.businessAccountId,
		phoneNumberId: ctx.phoneNumberId,
		displayPhoneNumber: ctx.displayPhoneNumber,
		field: ctx.field,
	});
}

/**
 * The fields an event derived from another one takes from it (a window or consent request from a message, an opt-out
 * request from a status), under its own name and id; in the order every event starts with.
 */
export function derivedBase<E extends WebhookEventName>(
	from: EventBase & { contact: WebhookContact },
	event: E,
	eventId: string,
): EventBase & { event: E; contact: WebhookContact } {
	return {
		event,
		eventId,
		occurredAt: from.occurredAt,
		businessAccountId: from.businessAccountId,
		phoneNumberId: from.phoneNumberId,
		displayPhoneNumber: from.displayPhoneNumber,
		field: from.field,
		contact: from.contact,
	};
}

export function contactFromParts(
	waId: string | undefined,
	userId: string | undefined,
	extra: Partial<WebhookContact> = {},
): WebhookContact {
	return compact({ key: waId ?? userId ?? 'unknown', waId, userId, ...extra });
}

/** Meta's `errors` array, each explained through the package's Meta error table. */
export function mapErrors(errors: unknown): MappedError[] | undefined {
	if (!Array.isArray(errors) || errors.length === 0) return undefined;
	return errors.filter(isRecord).map((e) => {
		const code = typeof e.code === 'number' ? e.code : Number.isInteger(Number(e.code)) ? Number(e.code) : undefined;
		const info = lookupMetaError(code);
		return compact({
			code,
			title: str(e.title),
			message: str(e.message),
			details: str(rec(e.error_data)?.details),
			href: str(e.href),
			meaning: info.meaning,
			retry: info.retry,
			userMessage: info.userMessage,
		});
	});
}
