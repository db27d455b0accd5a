/**
 * Meta's WhatsApp webhooks as plain functions: the X-Hub-Signature-256 check over the raw body, the payload read
 * into normalised events, and duplicate suppression with bounded memory. No n8n runtime calls.
 *
 * Pipeline (the Session Window Trigger runs exactly this):
 *   raw body → verifySignature → parseWebhookBody → processWebhook(payload, {dedupe, windows, keywords}) → events
 * Every event carries what a consent ledger needs (contact wa_id and/or business-scoped user id, the business
 * phone number and account, the message id, the time and the evidence text/payload).
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';

import { lookupMetaError } from './metaErrors';
import { compileKeywords, matchKeyword, matchPayload, type KeywordMatch } from './optOutKeywords';
import { SERVICE_WINDOW_MS, serviceWindow, toEpochMs } from './window';
import { isRecord } from './guards';

type Json = Record<string, unknown>;

/* ------------------------------------------------------------------ signature */

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const SIGNATURE_PREFIX = 'sha256=';

export function computeSignature(rawBody: Buffer | string, appSecret: string): string {
	return `${SIGNATURE_PREFIX}${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

/**
 * What is wrong with the signature header's form, if anything (missing, wrong prefix, not 64 hex digits). Cheap and
 * secret-free: the trigger runs it before reading the credential, so an unsigned flood costs no credential read.
 */
export function signatureHeaderProblem(header: string | string[] | undefined): string | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string' || value.trim() === '') return `the ${SIGNATURE_HEADER} header is missing`;
	const given = value.trim();
	if (!given.toLowerCase().startsWith(SIGNATURE_PREFIX)) return `the ${SIGNATURE_HEADER} header does not start with "${SIGNATURE_PREFIX}"`;
	if (!/^[0-9a-f]{64}$/i.test(given.slice(SIGNATURE_PREFIX.length))) return `the ${SIGNATURE_HEADER} header is not a SHA-256 hex digest`;
	return undefined;
}

/**
 * HMAC-SHA256 of the raw request bytes with the app secret, compared in constant time with the header
 * `sha256=<hex>`. Never re-serialise the JSON before calling this: any byte difference breaks the signature.
 */
export function verifySignature(
	rawBody: Buffer | string | undefined,
	header: string | string[] | undefined,
	appSecret: string,
): SignatureCheck {
	if (!appSecret) return { valid: false, reason: 'no App Secret is set in the WhatsApp Cloud API credential' };
	if (rawBody === undefined) return { valid: false, reason: 'the raw request body is not available' };
	const problem = signatureHeaderProblem(header);
	if (problem) return { valid: false, reason: problem };
	const value = (Array.isArray(header) ? header[0] : header) as string;
	const hex = value.trim().slice(SIGNATURE_PREFIX.length).toLowerCase();
	const expected = createHmac('sha256', appSecret).update(rawBody).digest();
	const got = Buffer.from(hex, 'hex');
	if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
		return { valid: false, reason: 'the signature does not match the body (wrong App Secret, or the body was altered)' };
	}
	return { valid: true };
}

/* ------------------------------------------------------------------ parsing */

/** Meta documents webhook payloads of at most 3 MB; anything larger is not Meta (refused before any HMAC). */
export const MAX_WEBHOOK_BYTES = 3 * 1024 * 1024;

/** Why a body of this size (Content-Length or the bytes read) is refused, if it is. */
export function oversizeProblem(bytes: number | undefined, maxBytes = MAX_WEBHOOK_BYTES): string | undefined {
	if (bytes === undefined || !Number.isFinite(bytes) || bytes <= maxBytes) return undefined;
	return `the body is ${bytes} bytes, more than the ${maxBytes} bytes (3 MB) a Meta webhook can have`;
}

export interface WebhookPayload {
	object: string;
	entry: Json[];
}

export type ParseResult = { ok: true; payload: WebhookPayload } | { ok: false; reason: string };

export function parseWebhookBody(rawBody: Buffer | string, maxBytes = MAX_WEBHOOK_BYTES): ParseResult {
	const size = typeof rawBody === 'string' ? Buffer.byteLength(rawBody) : rawBody.length;
	const oversize = oversizeProblem(size, maxBytes);
	if (oversize) return { ok: false, reason: oversize };
	let text = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		// Not JSON.parse's message: since Node 20 it quotes the body (phone numbers, message text) into the log.
		return { ok: false, reason: `the body (${size} bytes) is not valid JSON` };
	}
	if (!isRecord(parsed)) return { ok: false, reason: 'the body is not a JSON object' };
	if (parsed.object !== 'whatsapp_business_account') {
		return { ok: false, reason: `"object" is ${JSON.stringify(parsed.object)}, not "whatsapp_business_account"` };
	}
	if (!Array.isArray(parsed.entry)) return { ok: false, reason: '"entry" is not an array' };
	return { ok: true, payload: { object: parsed.object, entry: parsed.entry.filter(isRecord) } };
}

/* ------------------------------------------------------------------ events */

export type WebhookEventName =
	| 'messageReceived'
	| 'windowOpened'
	| 'windowRenewed'
	| 'statusUpdate'
	| 'optOutRequest'
	| 'optInRequest'
	| 'templateUpdate'
	| 'otherUpdate';

/** The trigger's "Events" choices and the event names each one lets through. */
export const EVENT_GROUPS: Readonly<Record<string, readonly WebhookEventName[]>> = {
	messageReceived: ['messageReceived'],
	window: ['windowOpened', 'windowRenewed'],
	statusUpdate: ['statusUpdate'],
	consent: ['optOutRequest', 'optInRequest'],
	templateUpdate: ['templateUpdate'],
	otherUpdate: ['otherUpdate'],
};

/** A WhatsApp user as Meta identifies them: phone-based wa_id and/or business-scoped user id (BSUID). */
export interface WebhookContact {
	/** wa_id if known, else the business-scoped user id: the key for windows and consent. */
	key: string;
	waId?: string;
	/** Business-scoped user id (e.g. "US.13491208655302741918"); users with a username may have no wa_id. */
	userId?: string;
	parentUserId?: string;
	username?: string;
	name?: string;
}

interface EventBase {
	event: WebhookEventName;
	/** Stable id of the event (what duplicates are recognised by). */
	eventId: string;
	/** When it happened at Meta (ISO), from the webhook's own timestamp. */
	occurredAt: string;
	businessAccountId: string;
	phoneNumberId?: string;
	displayPhoneNumber?: string;
	field: string;
}

export interface MessageReceivedEvent extends EventBase {
	event: 'messageReceived';
	messageId: string;
	type: string;
	contact: WebhookContact;
	/** Text body, caption, button/interactive title: whatever the user wrote or tapped. */
	text?: string;
	/** Quick-reply payload or interactive reply id. */
	payload?: string;
	interactive?: Json;
	media?: { id?: string; mimeType?: string; sha256?: string; caption?: string; filename?: string; url?: string; voice?: boolean; animated?: boolean };
	location?: Json;
	contacts?: unknown[];
	reaction?: { messageId?: string; emoji?: string };
	order?: Json;
	system?: Json;
	context?: { messageId?: string; from?: string; forwarded?: boolean; frequentlyForwarded?: boolean; referredProduct?: Json };
	referral?: Json;
	fromAdReferral: boolean;
	errors?: MappedError[];
	message: Json;
}

export interface WindowEvent extends EventBase {
	event: 'windowOpened' | 'windowRenewed';
	contact: WebhookContact;
	/** The inbound message that opened or renewed the window. */
	messageId: string;
	/** Last inbound message time = start of the 24 h customer-service window. */
	openedAt: string;
	/** openedAt + 24 h: free-form messages are allowed until then. */
	expiresAt: string;
	/** Whether the window is still open when the webhook was processed (Meta may redeliver late). */
	open: boolean;
	remainingMs: number;
	/** The previous inbound message time this process saw (renewals only). */
	previousOpenedAt?: string;
	previousExpiresAt?: string;
	fromAdReferral: boolean;
	/** Click-to-WhatsApp ad: reply before expiresAt and a 72 h free-entry-point window runs from the reply. */
	freeEntryPoint?: { replyBefore: string; expiresAtIfRepliedNow?: string; windowHours: 72 };
}

export interface MappedError {
	code?: number;
	title?: string;
	message?: string;
	details?: string;
	href?: string;
	meaning: string;
	retry: string;
	userMessage: string;
}

export interface Correlation {
	raw: string;
	key?: string;
	executionId?: string;
	itemIndex?: number;
}

export interface StatusEvent extends EventBase {
	event: 'statusUpdate';
	messageId: string;
	status: string;
	contact: WebhookContact;
	recipientType?: string;
	pricing?: { category?: string; type?: string; billable?: boolean; pricingModel?: string };
	conversation?: { id?: string; expiresAt?: string; originType?: string };
	errors?: MappedError[];
	/** The first error, mapped through the package's Meta error table. */
	error?: MappedError;
	correlation?: Correlation;
	/** The status object as Meta sent it. */
	raw: Json;
}

export interface ConsentEvent extends EventBase {
	event: 'optOutRequest' | 'optInRequest';
	contact: WebhookContact;
	/** keyword: typed text; buttonPayload: a tapped quick reply / interactive reply; error131050: Meta reported the user stopped marketing messages. */
	source: 'keyword' | 'buttonPayload' | 'error131050';
	/** 'marketing' for 131050 (the user stopped marketing only); 'all' for keywords. */
	scope: 'all' | 'marketing';
	keyword?: string;
	language?: string;
	messageId: string;
	/** The text or payload that was matched (evidence for the ledger). */
	evidence?: string;
	correlation?: Correlation;
}

export interface TemplateUpdateEvent extends EventBase {
	event: 'templateUpdate';
	updateType: 'status' | 'category' | 'quality';
	templateId: string;
	templateName?: string;
	language?: string;
	status?: string;
	reason?: string | null;
	rejectionInfo?: Json;
	/** The category now in force. For an impending change this is still the current one. */
	category?: string;
	previousCategory?: string;
	/** Impending change: the category the template will switch to at effectiveAt (not yet in force). */
	upcomingCategory?: string;
	effectiveAt?: string;
	/** True only for the completed category change (the one that switches the category). */
	categoryChanged?: boolean;
	previousQualityScore?: string;
	newQualityScore?: string;
	value: Json;
}

export interface OtherUpdateEvent extends EventBase {
	event: 'otherUpdate';
	value: unknown;
	errors?: MappedError[];
}

export type WebhookEvent = MessageReceivedEvent | WindowEvent | StatusEvent | ConsentEvent | TemplateUpdateEvent | OtherUpdateEvent;

/* ------------------------------------------------------------------ helpers */


function str(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

function rec(value: unknown): Json | undefined {
	return isRecord(value) ? value : undefined;
}

function iso(value: unknown): string | undefined {
	const ms = toEpochMs(value as string | number | undefined);
	return ms === undefined ? undefined : new Date(ms).toISOString();
}

function compact<T extends object>(obj: T): T {
	for (const key of Object.keys(obj) as Array<keyof T>) if (obj[key] === undefined) delete obj[key];
	return obj;
}

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

/**
 * Reads back the biz_opaque_callback_data that Send Notification writes: `{"key","execution","item"}`.
 * Anything else (another sender's free text) is returned as the key.
 */
export function parseCorrelation(data: unknown): Correlation | undefined {
	if (typeof data !== 'string' || data === '') return undefined;
	try {
		const parsed: unknown = JSON.parse(data);
		if (isRecord(parsed) && ('execution' in parsed || 'key' in parsed || 'item' in parsed)) {
			const item = Number(parsed.item);
			return compact({
				raw: data,
				key: str(parsed.key),
				executionId: str(parsed.execution),
				itemIndex: parsed.item !== undefined && Number.isInteger(item) ? item : undefined,
			});
		}
	} catch {
		// not JSON: someone else's reference
	}
	return { raw: data, key: data };
}

function contactFromParts(waId: string | undefined, userId: string | undefined, extra: Partial<WebhookContact> = {}): WebhookContact {
	return compact({ key: waId ?? userId ?? 'unknown', waId, userId, ...extra });
}

/* ------------------------------------------------------------------ dedupe */

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

/* ------------------------------------------------------------------ processing */

export interface ProcessOptions {
	/** Duplicate memory; omit to keep every change. */
	dedupe?: RecentKeys;
	/** Window memory; omit to report every window as opened. */
	windows?: WindowTracker;
	/** From compileKeywords(); defaults to the built-in lists. */
	keywords?: ReturnType<typeof compileKeywords>;
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

/** Message types whose content is text the user typed or tapped. */
function messageText(message: Json, type: string): { text?: string; payload?: string; interactive?: Json } {
	const body = rec(message[type]);
	switch (type) {
		case 'text':
			return { text: str(body?.body) };
		case 'button':
			return { text: str(body?.text), payload: str(body?.payload) };
		case 'interactive': {
			const kind = str(body?.type);
			const reply = kind ? rec(body?.[kind]) : undefined;
			return { text: str(reply?.title), payload: str(reply?.id), interactive: body };
		}
		case 'image':
		case 'video':
		case 'document':
			return { text: str(body?.caption) };
		default:
			return {};
	}
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

interface ChangeContext {
	businessAccountId: string;
	field: string;
	phoneNumberId?: string;
	displayPhoneNumber?: string;
	entryTime?: string;
}

function base(ctx: ChangeContext, event: WebhookEventName, eventId: string, occurredAt: string | undefined): EventBase {
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

function findContact(contacts: Json[], message: Json): WebhookContact {
	const from = str(message.from);
	const fromUserId = str(message.from_user_id) ?? str(message.user_id);
	const match =
		contacts.find((c) => from !== undefined && str(c.wa_id) === from) ??
		contacts.find((c) => fromUserId !== undefined && str(c.user_id) === fromUserId) ??
		(contacts.length === 1 ? contacts[0] : undefined);
	const waId = str(match?.wa_id) ?? from;
	const userId = str(match?.user_id) ?? fromUserId;
	const profile = rec(match?.profile);
	return contactFromParts(waId, userId, {
		name: str(profile?.name),
		username: str(profile?.username) ?? str(match?.username),
		parentUserId: str(match?.parent_user_id) ?? str(message.from_parent_user_id),
	});
}

function readMessage(ctx: ChangeContext, message: Json, contacts: Json[]): MessageReceivedEvent {
	const type = str(message.type) ?? 'unknown';
	const id = str(message.id) ?? '';
	const contact = findContact(contacts, message);
	const occurredAt = iso(message.timestamp);
	const { text, payload, interactive } = messageText(message, type);
	const body = rec(message[type]);
	const context = rec(message.context);
	const referral = rec(message.referral);
	const event: MessageReceivedEvent = {
		...base(ctx, 'messageReceived', `message:${id}`, occurredAt),
		event: 'messageReceived',
		messageId: id,
		type,
		contact,
		text,
		payload,
		interactive,
		fromAdReferral: referral !== undefined,
		message,
	};
	if (MEDIA_TYPES.has(type) && body) {
		event.media = compact({
			id: str(body.id),
			mimeType: str(body.mime_type),
			sha256: str(body.sha256),
			caption: str(body.caption),
			filename: str(body.filename),
			url: str(body.url),
			voice: typeof body.voice === 'boolean' ? body.voice : undefined,
			animated: typeof body.animated === 'boolean' ? body.animated : undefined,
		});
	}
	if (type === 'location') event.location = body;
	if (type === 'contacts') event.contacts = Array.isArray(message.contacts) ? message.contacts : undefined;
	if (type === 'reaction') event.reaction = compact({ messageId: str(body?.message_id), emoji: str(body?.emoji) });
	if (type === 'order') event.order = body;
	if (type === 'system') event.system = body;
	if (context) {
		event.context = compact({
			messageId: str(context.id),
			from: str(context.from),
			forwarded: typeof context.forwarded === 'boolean' ? context.forwarded : undefined,
			frequentlyForwarded: typeof context.frequently_forwarded === 'boolean' ? context.frequently_forwarded : undefined,
			referredProduct: rec(context.referred_product),
		});
	}
	if (referral) event.referral = referral;
	const errors = mapErrors(message.errors);
	if (errors) event.errors = errors;
	return compact(event);
}

function consentFromMessage(msg: MessageReceivedEvent, keywords: ProcessOptions['keywords']): ConsentEvent | undefined {
	if (msg.type === 'system' || msg.type === 'reaction') return undefined;
	let match: KeywordMatch | undefined;
	let source: ConsentEvent['source'] = 'keyword';
	let evidence: string | undefined;
	if (msg.payload !== undefined) {
		match = matchPayload(msg.payload, keywords);
		source = 'buttonPayload';
		evidence = msg.payload;
	}
	// A tapped button is judged by its payload/id alone: a "Cancel" button with id "cancel-booking" is no opt-out.
	if (msg.payload === undefined && msg.text !== undefined && (msg.type === 'text' || msg.type === 'button' || msg.type === 'interactive')) {
		match = matchKeyword(msg.text, keywords);
		source = msg.type === 'text' ? 'keyword' : 'buttonPayload';
		evidence = msg.text;
	}
	if (!match) return undefined;
	const name: ConsentEvent['event'] = match.intent === 'optOut' ? 'optOutRequest' : 'optInRequest';
	return compact<ConsentEvent>({
		event: name,
		eventId: `${name}:${msg.messageId}`,
		occurredAt: msg.occurredAt,
		businessAccountId: msg.businessAccountId,
		phoneNumberId: msg.phoneNumberId,
		displayPhoneNumber: msg.displayPhoneNumber,
		field: msg.field,
		contact: msg.contact,
		source,
		scope: 'all' as const,
		keyword: match.keyword,
		language: match.language,
		messageId: msg.messageId,
		evidence,
	});
}

function readStatus(ctx: ChangeContext, status: Json): StatusEvent {
	const id = str(status.id) ?? '';
	const state = str(status.status) ?? 'unknown';
	const pricing = rec(status.pricing);
	const conversation = rec(status.conversation);
	const errors = mapErrors(status.errors);
	const event: StatusEvent = {
		...base(ctx, 'statusUpdate', `status:${id}:${state}`, iso(status.timestamp)),
		event: 'statusUpdate',
		messageId: id,
		status: state,
		contact: contactFromParts(str(status.recipient_id), str(status.recipient_user_id), {
			parentUserId: str(status.recipient_parent_user_id),
		}),
		recipientType: str(status.recipient_type),
		pricing: pricing
			? compact({
					category: str(pricing.category),
					type: str(pricing.type),
					billable: typeof pricing.billable === 'boolean' ? pricing.billable : undefined,
					pricingModel: str(pricing.pricing_model),
				})
			: undefined,
		conversation: conversation
			? compact({
					id: str(conversation.id),
					expiresAt: iso(conversation.expiration_timestamp),
					originType: str(rec(conversation.origin)?.type),
				})
			: undefined,
		errors,
		error: errors?.[0],
		correlation: parseCorrelation(status.biz_opaque_callback_data),
		raw: status,
	};
	return compact(event);
}

function readTemplateChange(ctx: ChangeContext, value: Json): TemplateUpdateEvent | undefined {
	const templateId = str(value.message_template_id);
	if (templateId === undefined) return undefined;
	const common = {
		templateId,
		templateName: str(value.message_template_name),
		language: str(value.message_template_language),
		value,
	};
	if (ctx.field === 'message_template_status_update') {
		const status = str(value.event) ?? 'UNKNOWN';
		return compact({
			...base(ctx, 'templateUpdate', `template:${templateId}:status:${status}:${ctx.entryTime ?? ''}`, undefined),
			event: 'templateUpdate' as const,
			updateType: 'status' as const,
			...common,
			status,
			reason: value.reason === null ? null : str(value.reason),
			rejectionInfo: rec(value.rejection_info),
			category: str(value.message_template_category),
		});
	}
	if (ctx.field === 'template_category_update') {
		const completed = value.previous_category !== undefined && value.correct_category === undefined;
		if (completed) {
			return compact({
				...base(ctx, 'templateUpdate', `template:${templateId}:category:${str(value.new_category) ?? ''}:completed`, undefined),
				event: 'templateUpdate' as const,
				updateType: 'category' as const,
				...common,
				category: str(value.new_category),
				previousCategory: str(value.previous_category),
				categoryChanged: true,
			});
		}
		// Impending: new_category is the CURRENT category; correct_category takes effect at category_update_timestamp.
		return compact({
			...base(ctx, 'templateUpdate', `template:${templateId}:category:${str(value.correct_category) ?? ''}:impending`, undefined),
			event: 'templateUpdate' as const,
			updateType: 'category' as const,
			...common,
			category: str(value.new_category),
			upcomingCategory: str(value.correct_category),
			effectiveAt: iso(value.category_update_timestamp),
			categoryChanged: false,
		});
	}
	const previous = str(value.previous_quality_score);
	const next = str(value.new_quality_score);
	return compact({
		...base(ctx, 'templateUpdate', `template:${templateId}:quality:${previous ?? ''}>${next ?? ''}:${ctx.entryTime ?? ''}`, undefined),
		event: 'templateUpdate' as const,
		updateType: 'quality' as const,
		...common,
		previousQualityScore: previous,
		newQualityScore: next,
	});
}

const TEMPLATE_FIELDS = new Set(['message_template_status_update', 'template_category_update', 'message_template_quality_update']);

/** Messages that are not the user writing to the business and so do not open the service window. */
const NO_WINDOW_TYPES = new Set(['system']);

function windowKey(phoneNumberId: string | undefined, contact: WebhookContact): string {
	return `${phoneNumberId ?? ''}:${contact.key}`;
}

/**
 * Turns one verified payload into events. Each message, status and template change is recognised by its id
 * (message wamid; status wamid + status; template id + change) and dropped when `dedupe` saw it before, so a
 * redelivery or a repeat inside the same batch never yields an event twice. Statuses are not reordered:
 * each keeps its own timestamp.
 */
export function processWebhook(payload: WebhookPayload, opts: ProcessOptions): ProcessResult {
	const events: WebhookEvent[] = [];
	const duplicates: string[] = [];
	const stale: string[] = [];
	const claimed: string[] = [];
	const windowRecords: WindowRecord[] = [];
	let changes = 0;
	const keywords = opts.keywords;
	const oldestMs = opts.maxAgeMs === undefined ? undefined : opts.now - opts.maxAgeMs;
	const isNew = (key: string, occurredAt: string | undefined) => {
		changes++;
		const atMs = oldestMs === undefined ? undefined : toEpochMs(occurredAt);
		if (atMs !== undefined && oldestMs !== undefined && atMs < oldestMs) {
			stale.push(key);
			return false;
		}
		if (opts.dedupe && !opts.dedupe.claim(key, opts.now)) {
			duplicates.push(key);
			return false;
		}
		if (opts.dedupe) claimed.push(key);
		return true;
	};

	for (const entry of payload.entry) {
		const businessAccountId = str(entry.id) ?? '';
		const entryTime = iso(entry.time);
		const changeList = Array.isArray(entry.changes) ? entry.changes.filter(isRecord) : [];
		for (const change of changeList) {
			const field = str(change.field) ?? 'unknown';
			const value = rec(change.value) ?? {};
			const metadata = rec(value.metadata);
			const ctx: ChangeContext = {
				businessAccountId,
				field,
				phoneNumberId: str(metadata?.phone_number_id),
				displayPhoneNumber: str(metadata?.display_phone_number),
				entryTime,
			};

			if (field === 'messages') {
				const contacts = Array.isArray(value.contacts) ? value.contacts.filter(isRecord) : [];
				const messages = Array.isArray(value.messages) ? value.messages.filter(isRecord) : [];
				const statuses = Array.isArray(value.statuses) ? value.statuses.filter(isRecord) : [];
				// Window events: one per contact per delivery, for the newest message.
				const windowCandidates = new Map<string, MessageReceivedEvent>();
				for (const message of messages) {
					const msg = readMessage(ctx, message, contacts);
					if (!isNew(msg.eventId, msg.occurredAt)) continue;
					events.push(msg);
					const consent = consentFromMessage(msg, keywords);
					if (consent) events.push(consent);
					if (!NO_WINDOW_TYPES.has(msg.type) && toEpochMs(msg.occurredAt) !== undefined) {
						const key = windowKey(msg.phoneNumberId, msg.contact);
						const current = windowCandidates.get(key);
						if (!current || (toEpochMs(current.occurredAt) ?? 0) <= (toEpochMs(msg.occurredAt) ?? 0)) windowCandidates.set(key, msg);
					}
				}
				for (const [key, msg] of windowCandidates) {
					const window = windowEvent(key, msg, opts, windowRecords);
					if (window) events.push(window);
				}
				for (const status of statuses) {
					const st = readStatus(ctx, status);
					if (!isNew(st.eventId, st.occurredAt)) continue;
					events.push(st);
					if (st.status === 'failed' && st.errors?.some((e) => e.code === 131050)) {
						events.push(
							compact({
								event: 'optOutRequest' as const,
								eventId: `optOutRequest:${st.messageId}:131050`,
								occurredAt: st.occurredAt,
								businessAccountId: st.businessAccountId,
								phoneNumberId: st.phoneNumberId,
								displayPhoneNumber: st.displayPhoneNumber,
								field,
								contact: st.contact,
								source: 'error131050' as const,
								scope: 'marketing' as const,
								messageId: st.messageId,
								evidence: st.error?.details ?? st.error?.message,
								correlation: st.correlation,
							}),
						);
					}
				}
				if (messages.length === 0 && statuses.length === 0) {
					const errors = mapErrors(value.errors);
					const other = otherEvent(ctx, value, errors);
					if (isNew(other.eventId, other.occurredAt)) events.push(other);
				}
				continue;
			}

			if (TEMPLATE_FIELDS.has(field)) {
				const tpl = readTemplateChange(ctx, value);
				if (tpl && isNew(tpl.eventId, tpl.occurredAt)) events.push(tpl);
				continue;
			}

			const other = otherEvent(ctx, value, mapErrors(value.errors));
			if (isNew(other.eventId, other.occurredAt)) events.push(other);
		}
	}
	return { events, duplicates, stale, claimed, windowRecords, changes };
}

function otherEvent(ctx: ChangeContext, value: Json, errors: MappedError[] | undefined): OtherUpdateEvent {
	// No id of its own: the content is the identity (a redelivery is byte-identical).
	const fingerprint = createHash('sha256').update(`${ctx.businessAccountId}|${ctx.field}|${ctx.entryTime ?? ''}|${JSON.stringify(value)}`).digest('hex').slice(0, 32);
	return compact({ ...base(ctx, 'otherUpdate', `other:${ctx.field}:${fingerprint}`, undefined), event: 'otherUpdate' as const, value, errors });
}

function windowEvent(key: string, msg: MessageReceivedEvent, opts: ProcessOptions, records: WindowRecord[]): WindowEvent | undefined {
	const atMs = toEpochMs(msg.occurredAt);
	if (atMs === undefined) return undefined;
	const recorded = opts.windows?.record(key, atMs) ?? { advanced: true };
	// An older message arriving late does not move the window.
	if (!recorded.advanced) return undefined;
	if (opts.windows) records.push({ key, atMs, previous: recorded.previous });
	const previous = recorded.previous;
	const renewed = previous !== undefined && atMs < previous + SERVICE_WINDOW_MS;
	const state = serviceWindow(atMs, opts.now, { fromAdReferral: msg.fromAdReferral });
	const name = renewed ? 'windowRenewed' : 'windowOpened';
	const event: WindowEvent = {
		event: name,
		eventId: `${name}:${msg.messageId}`,
		occurredAt: msg.occurredAt,
		businessAccountId: msg.businessAccountId,
		phoneNumberId: msg.phoneNumberId,
		displayPhoneNumber: msg.displayPhoneNumber,
		field: msg.field,
		contact: msg.contact,
		messageId: msg.messageId,
		openedAt: state.opensAt,
		expiresAt: state.expiresAt,
		open: state.open,
		remainingMs: state.remainingMs,
		fromAdReferral: msg.fromAdReferral,
	};
	if (renewed && previous !== undefined) {
		event.previousOpenedAt = new Date(previous).toISOString();
		event.previousExpiresAt = new Date(previous + SERVICE_WINDOW_MS).toISOString();
	}
	if (msg.fromAdReferral) {
		// The 72 h run from the business's first reply, which must come within the 24 h window.
		event.freeEntryPoint = compact({
			replyBefore: state.expiresAt,
			expiresAtIfRepliedNow: state.open ? state.freeEntryPointExpiresAt : undefined,
			windowHours: 72 as const,
		});
	}
	return event;
}

/** The event names a set of "Events" choices lets through. */
export function selectedEventNames(choices: readonly string[]): Set<WebhookEventName> {
	const names = new Set<WebhookEventName>();
	for (const choice of choices) for (const name of EVENT_GROUPS[choice] ?? []) names.add(name);
	return names;
}

/* ------------------------------------------------------------------ logging */

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
