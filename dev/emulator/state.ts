/** Everything the emulator remembers: options, clock, templates, logs, windows, limits, faults, subscriptions. */
import { randomBytes } from 'node:crypto';

import type { FaultSpec } from './faults';
import { DEFAULT_TEMPLATES, cloneSeed, type SeedTemplate, type StoredTemplate } from './templates';
import type { Json } from '../json';

export interface PhoneNumberSeed {
	id: string;
	display_phone_number: string;
	verified_name: string;
	throughput?: { level: string };
	quality_rating?: string;
}

export interface EmulatorOptions {
	/** Default 127.0.0.1. */
	host?: string;
	/** 0 = a free port (default 0 for the API, 8099 for the CLI). */
	port?: number;
	/** Default 'emulator-access-token'. */
	accessToken?: string;
	/** Default '102290129340398'. */
	wabaId?: string;
	/** Default 'Emulated WhatsApp Business Account'. */
	wabaName?: string;
	/** Default one number: id '106540352242922', '+1 555-010-0100', 'Emulated Shop'. */
	phoneNumbers?: PhoneNumberSeed[];
	/** Signs webhooks (X-Hub-Signature-256). Default 'emulator-app-secret'. */
	appSecret?: string;
	/** The app the token belongs to (subscribed_apps listing). Default '1234567890123456'. */
	appId?: string;
	/** Added to every Graph answer. Default 0. */
	latencyMs?: number;
	/** Max POST /messages per phone number in any 1 s sliding window, then 130429. Default 80; 0 disables. */
	throughputCapMps?: number;
	/** Pair limit: one message per N seconds to the same recipient, with `pairBurst` of credit. Default 6; 0 disables. */
	pairLimitSeconds?: number;
	/** Pair limit burst: how many messages a (phone number, recipient) pair may send back-to-back. Default 45. */
	pairBurst?: number;
	/** Delay before a created template is reviewed. Default 1000. */
	reviewDelayMs?: number;
	/** Delay from approval to the impending re-categorisation notice, and from it to the completed change. Default 2000. */
	recategoriseDelayMs?: number;
	/** Default DEFAULT_TEMPLATES. */
	templates?: SeedTemplate[];
	/** Post sent/delivered status webhooks for accepted messages. Default true. */
	statusWebhooks?: boolean;
	/** Also post a `read` status after `delivered`. Default false. */
	readStatuses?: boolean;
	/** Real-time delay between acceptance and `sent`, and between successive statuses. Default 20. */
	statusDelayMs?: number;
	/** Webhook delivery attempts before giving up. Default 5. */
	webhookMaxAttempts?: number;
	/** First redelivery delay; doubles each attempt. Default 200. */
	webhookRetryBaseMs?: number;
	/** Per-attempt timeout of a webhook POST. Default 5000. */
	webhookTimeoutMs?: number;
	/** Request log entries kept (oldest dropped). Default 200000. */
	maxLogEntries?: number;
}

export type ResolvedOptions = Required<EmulatorOptions>;

export const DEFAULT_PHONE_NUMBER: PhoneNumberSeed = {
	id: '106540352242922',
	display_phone_number: '+1 555-010-0100',
	verified_name: 'Emulated Shop',
	throughput: { level: 'STANDARD' },
	quality_rating: 'GREEN',
};

export function resolveOptions(o: EmulatorOptions = {}): ResolvedOptions {
	return {
		host: o.host ?? '127.0.0.1',
		port: o.port ?? 0,
		accessToken: o.accessToken ?? 'emulator-access-token',
		wabaId: o.wabaId ?? '102290129340398',
		wabaName: o.wabaName ?? 'Emulated WhatsApp Business Account',
		phoneNumbers: (o.phoneNumbers ?? [DEFAULT_PHONE_NUMBER]).map((p) => ({
			throughput: { level: 'STANDARD' },
			quality_rating: 'GREEN',
			...p,
		})),
		appSecret: o.appSecret ?? 'emulator-app-secret',
		appId: o.appId ?? '1234567890123456',
		latencyMs: o.latencyMs ?? 0,
		throughputCapMps: o.throughputCapMps ?? 80,
		pairLimitSeconds: o.pairLimitSeconds ?? 6,
		pairBurst: o.pairBurst ?? 45,
		reviewDelayMs: o.reviewDelayMs ?? 1000,
		recategoriseDelayMs: o.recategoriseDelayMs ?? 2000,
		templates: o.templates ?? DEFAULT_TEMPLATES,
		statusWebhooks: o.statusWebhooks ?? true,
		readStatuses: o.readStatuses ?? false,
		statusDelayMs: o.statusDelayMs ?? 20,
		webhookMaxAttempts: o.webhookMaxAttempts ?? 5,
		webhookRetryBaseMs: o.webhookRetryBaseMs ?? 200,
		webhookTimeoutMs: o.webhookTimeoutMs ?? 5000,
		maxLogEntries: o.maxLogEntries ?? 200000,
	};
}

/** Options changeable at run time through POST /_emulator/config. */
export const RUNTIME_KEYS = [
	'latencyMs',
	'throughputCapMps',
	'pairLimitSeconds',
	'pairBurst',
	'statusWebhooks',
	'readStatuses',
	'statusDelayMs',
	'reviewDelayMs',
	'recategoriseDelayMs',
	'webhookMaxAttempts',
	'webhookRetryBaseMs',
	'webhookTimeoutMs',
] as const;

export interface RequestLogEntry {
	seq: number;
	/** Real time, ms. */
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
	status: number;
	response: unknown;
	/** Fault applied to this request, if any. */
	fault?: string;
}

export interface AcceptedMessage {
	wamid: string;
	phoneNumberId: string;
	to: string;
	waId: string;
	type: string;
	template?: { name: string; language: string; id: string; category: string };
	/** The request body as sent. */
	body: Json;
	/** Emulator clock, ms. */
	acceptedAt: number;
	biz_opaque_callback_data?: string;
	context?: unknown;
	pricing?: Record<string, unknown>;
	/** Statuses posted so far (sent, delivered, read, failed). */
	statuses: string[];
}

export interface InboundMessage {
	wamid: string;
	phoneNumberId: string;
	from: string;
	name: string;
	type: string;
	message: Record<string, unknown>;
	/** Emulator clock, ms. */
	receivedAt: number;
}

export interface Subscription {
	appId: string;
	override_callback_uri?: string;
	verify_token?: string;
}

export interface WebhookAttempt {
	deliveryId: number;
	attempt: number;
	url: string;
	field: string;
	/** 0 = connection error / timeout. */
	statusCode: number;
	ok: boolean;
	error?: string;
	/** Real time, ms. */
	at: number;
	/** The payload (parsed), shared by all attempts of the delivery. */
	payload: unknown;
}

export interface Stats {
	requests: number;
	byStatus: Record<string, number>;
	/** Graph error answers by error code, e.g. {"130429": 3, "131056": 1}. */
	errors: Record<string, number>;
	faults: Record<string, number>;
	messagesAccepted: number;
	/** 130429 answers from the throughput cap (not from injected faults). */
	throughputRejections: number;
	/** 131056 answers from the pair limit. */
	pairRejections: number;
	webhooks: { attempts: number; delivered: number; failedAttempts: number; givenUp: number };
}

export function emptyStats(): Stats {
	return {
		requests: 0,
		byStatus: {},
		errors: {},
		faults: {},
		messagesAccepted: 0,
		throughputRejections: 0,
		pairRejections: 0,
		webhooks: { attempts: 0, delivered: 0, failedAttempts: 0, givenUp: 0 },
	};
}

export const WINDOW_MS = 24 * 60 * 60 * 1000;

export class EmulatorState {
	options: ResolvedOptions;
	/** Emulator clock = real time + offset. */
	clockOffsetMs = 0;
	templates = new Map<string, StoredTemplate>();
	requests: RequestLogEntry[] = [];
	seq = 0;
	messages: AcceptedMessage[] = [];
	messagesById = new Map<string, AcceptedMessage>();
	inbound: InboundMessage[] = [];
	/** `${phoneNumberId}:${waId}` → last inbound (emulator ms). */
	windows = new Map<string, number>();
	/** phone number id → send timestamps within the last second (ring-ish queue). */
	throughput = new Map<string, { ts: number[]; head: number }>();
	/** `${phoneNumberId}:${waId}` → theoretical arrival time (GCRA) in emulator ms. */
	pairTat = new Map<string, number>();
	faults: FaultSpec[] = [];
	subscription: Subscription | null = null;
	webhookTargets: Array<{ url: string }> = [];
	deliveries: WebhookAttempt[] = [];
	stats: Stats = emptyStats();
	private nextTemplateId = 2000000000000001;

	constructor(public readonly initialOptions: ResolvedOptions) {
		this.options = { ...initialOptions };
		this.seedTemplates();
	}

	now(): number {
		return Date.now() + this.clockOffsetMs;
	}

	nowSec(): number {
		return Math.floor(this.now() / 1000);
	}

	seedTemplates(): void {
		this.templates.clear();
		this.options.templates.forEach((t) => this.addTemplate(t));
	}

	newTemplateId(): string {
		let id: string;
		do id = String(this.nextTemplateId++);
		while (this.templates.has(id));
		return id;
	}

	addTemplate(t: SeedTemplate): StoredTemplate {
		const stored = cloneSeed(t, t.id ?? this.newTemplateId());
		this.templates.set(stored.id, stored);
		return stored;
	}

	findTemplate(name: string, language: string): StoredTemplate | undefined {
		for (const t of this.templates.values()) if (t.name === name && t.language === language) return t;
		return undefined;
	}

	phoneNumber(id: string): PhoneNumberSeed | undefined {
		return this.options.phoneNumbers.find((p) => p.id === id);
	}

	windowKey(phoneNumberId: string, waId: string): string {
		return `${phoneNumberId}:${waId}`;
	}

	windowOpen(phoneNumberId: string, waId: string): boolean {
		const last = this.windows.get(this.windowKey(phoneNumberId, waId));
		return last !== undefined && this.now() < last + WINDOW_MS;
	}

	log(entry: RequestLogEntry): void {
		this.requests.push(entry);
		if (this.requests.length > this.options.maxLogEntries) {
			this.requests.splice(0, Math.ceil(this.options.maxLogEntries / 2));
		}
	}

	countError(code: number): void {
		const k = String(code);
		this.stats.errors[k] = (this.stats.errors[k] ?? 0) + 1;
	}

	/** Back to the seed state (keeps the listening port). */
	reset(): void {
		this.options = { ...this.initialOptions };
		this.clockOffsetMs = 0;
		this.seedTemplates();
		this.requests = [];
		this.seq = 0;
		this.messages = [];
		this.messagesById.clear();
		this.inbound = [];
		this.windows.clear();
		this.throughput.clear();
		this.pairTat.clear();
		this.faults = [];
		this.subscription = null;
		this.webhookTargets = [];
		this.deliveries = [];
		this.stats = emptyStats();
	}
}

/** `wamid.` + base64, shaped like Meta's (HBgL… prefix, recipient digits inside). */
export function newWamid(waId: string): string {
	const buf = Buffer.concat([
		Buffer.from([0x1c, 0x18, 0x0b]),
		Buffer.from(waId.slice(0, 15), 'ascii'),
		Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]),
		Buffer.from(randomBytes(9).toString('hex').toUpperCase(), 'ascii'),
		Buffer.from([0x00]),
	]);
	return `wamid.${buf.toString('base64')}`;
}
