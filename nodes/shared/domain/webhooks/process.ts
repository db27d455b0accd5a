/**
 * One verified payload → events. Each message, status and template change is recognised by its id (message wamid;
 * status wamid + status; template id + change) and dropped when the duplicate memory saw it before, so a redelivery
 * or a repeat inside the same batch never yields an event twice. Statuses are not reordered: each keeps its own
 * timestamp.
 */
import { createHash } from 'crypto';

import { toEpochMs } from '../window';
import type { RecentKeys, WindowRecord, WindowTracker } from './dedupe';
import { opensWindow, type MessageReceivedEvent, type OtherUpdateEvent, type WebhookEvent } from './events';
import { consentRequestOf, readMessage, type CompiledKeywords } from './messages';
import type { WebhookPayload } from './parse';
import { base, compact, iso, mapErrors, rec, records, str, type ChangeContext, type Json } from './reading';
import { marketingOptOutOf, readStatus } from './statuses';
import { TEMPLATE_WEBHOOK_FIELDS, readTemplateChange } from './templateChanges';
import { windowEvent, windowKey } from './windowEvents';

export interface ProcessOptions {
	/** Duplicate memory; omit to keep every change. */
	dedupe?: RecentKeys;
	/** Window memory; omit to report every window as opened. */
	windows?: WindowTracker;
	/** From compileKeywords(); defaults to the built-in lists. */
	keywords?: CompiledKeywords;
	/** Processing time (ms), for "is the window still open". */
	now: number;
	/**
	 * Changes whose own timestamp is older than this (ms before `now`) are dropped as stale: Meta stops redelivering
	 * after 7 days, and the duplicate memory keeps keys that long, so an older signed body can only be a replay.
	 */
	maxAgeMs?: number;
}

export interface ProcessResult {
	events: WebhookEvent[];
	/** Changes skipped because they were seen before (or twice in this delivery, or are in flight). */
	duplicates: string[];
	/** Changes skipped because their timestamp is older than `maxAgeMs` (their ids). */
	stale: string[];
	/** Keys claimed in `dedupe` by this delivery: commit them once it is handed off, release them if it fails. */
	claimed: string[];
	/** Window advances made in `windows`: undo them if the delivery fails. */
	windowRecords: WindowRecord[];
	/** Number of messages / statuses / template changes read. */
	changes: number;
}

/** One payload being processed: its options, the oldest time still accepted, and what it yielded so far. */
interface Delivery {
	opts: ProcessOptions;
	oldestMs?: number;
	result: ProcessResult;
}

export function processWebhook(payload: WebhookPayload, opts: ProcessOptions): ProcessResult {
	const delivery: Delivery = {
		opts,
		oldestMs: opts.maxAgeMs === undefined ? undefined : opts.now - opts.maxAgeMs,
		result: { events: [], duplicates: [], stale: [], claimed: [], windowRecords: [], changes: 0 },
	};
	for (const entry of payload.entry) {
		for (const change of records(entry.changes))
			readChange(delivery, changeContext(entry, change), rec(change.value) ?? {});
	}
	return delivery.result;
}

function changeContext(entry: Json, change: Json): ChangeContext {
	const metadata = rec(rec(change.value)?.metadata);
	return {
		businessAccountId: str(entry.id) ?? '',
		field: str(change.field) ?? 'unknown',
		phoneNumberId: str(metadata?.phone_number_id),
		displayPhoneNumber: str(metadata?.display_phone_number),
		entryTime: iso(entry.time),
	};
}

/** Counts the change and says whether it is new: not older than maxAgeMs, and not claimed before (then claims it). */
function isNew(delivery: Delivery, key: string, occurredAt: string | undefined): boolean {
	const { opts, oldestMs, result } = delivery;
	result.changes++;
	const atMs = oldestMs === undefined ? undefined : toEpochMs(occurredAt);
	if (atMs !== undefined && oldestMs !== undefined && atMs < oldestMs) {
		result.stale.push(key);
		return false;
	}
	if (opts.dedupe && !opts.dedupe.claim(key, opts.now)) {
		result.duplicates.push(key);
		return false;
	}
	if (opts.dedupe) result.claimed.push(key);
	return true;
}

function readChange(delivery: Delivery, ctx: ChangeContext, value: Json): void {
	if (ctx.field === 'messages') {
		const messages = records(value.messages);
		const statuses = records(value.statuses);
		readMessages(delivery, ctx, messages, records(value.contacts));
		readStatuses(delivery, ctx, statuses);
		// A messages change with neither (e.g. system-level errors) is passed on as it came.
		if (messages.length === 0 && statuses.length === 0) readOther(delivery, ctx, value);
		return;
	}
	if (TEMPLATE_WEBHOOK_FIELDS.has(ctx.field)) {
		const template = readTemplateChange(ctx, value);
		if (template && isNew(delivery, template.eventId, template.occurredAt)) delivery.result.events.push(template);
		return;
	}
	readOther(delivery, ctx, value);
}

/** Each new message, the opt-out/opt-in request it makes, then one window event per contact (its newest message). */
function readMessages(delivery: Delivery, ctx: ChangeContext, messages: Json[], contacts: Json[]): void {
	const { opts, result } = delivery;
	const newestPerWindow = new Map<string, MessageReceivedEvent>();
	for (const message of messages) {
		const msg = readMessage(ctx, message, contacts);
		if (!isNew(delivery, msg.eventId, msg.occurredAt)) continue;
		result.events.push(msg);
		const request = consentRequestOf(msg, opts.keywords);
		if (request) result.events.push(request);
		if (opensWindow(msg) && toEpochMs(msg.occurredAt) !== undefined) keepNewest(newestPerWindow, msg);
	}
	for (const [key, msg] of newestPerWindow) {
		const window = windowEvent(key, msg, opts.windows, opts.now, result.windowRecords);
		if (window) result.events.push(window);
	}
}

function keepNewest(newestPerWindow: Map<string, MessageReceivedEvent>, msg: MessageReceivedEvent): void {
	const key = windowKey(msg.phoneNumberId, msg.contact);
	const current = newestPerWindow.get(key);
	if (!current || (toEpochMs(current.occurredAt) ?? 0) <= (toEpochMs(msg.occurredAt) ?? 0))
		newestPerWindow.set(key, msg);
}

/** Each new status, and after a failed one with 131050 the marketing opt-out request it reports. */
function readStatuses(delivery: Delivery, ctx: ChangeContext, statuses: Json[]): void {
	for (const status of statuses) {
		const event = readStatus(ctx, status);
		if (!isNew(delivery, event.eventId, event.occurredAt)) continue;
		delivery.result.events.push(event);
		const optOut = marketingOptOutOf(event);
		if (optOut) delivery.result.events.push(optOut);
	}
}

function readOther(delivery: Delivery, ctx: ChangeContext, value: Json): void {
	const other = otherEvent(ctx, value);
	if (isNew(delivery, other.eventId, other.occurredAt)) delivery.result.events.push(other);
}

function otherEvent(ctx: ChangeContext, value: Json): OtherUpdateEvent {
	// No id of its own: the content is the identity (a redelivery is byte-identical).
	const fingerprint = createHash('sha256')
		.update(`${ctx.businessAccountId}|${ctx.field}|${ctx.entryTime ?? ''}|${JSON.stringify(value)}`)
		.digest('hex')
		.slice(0, 32);
	return compact({
		...base(ctx, 'otherUpdate', `other:${ctx.field}:${fingerprint}`, undefined),
		event: 'otherUpdate' as const,
		value,
		errors: mapErrors(value.errors),
	});
}
