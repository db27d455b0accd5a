/**
 * The normalised events the Session Window Trigger emits, one output item each. The `event` strings are what
 * users' workflows read: never rename them. Every event carries what a consent ledger needs (contact wa_id and/or
 * business-scoped user id, the business phone number and account, the message id, the time and the evidence).
 */
type Json = Record<string, unknown>;

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

/** The event names a set of "Events" choices lets through. */
export function selectedEventNames(choices: readonly string[]): Set<WebhookEventName> {
	const names = new Set<WebhookEventName>();
	for (const choice of choices) for (const name of EVENT_GROUPS[choice] ?? []) names.add(name);
	return names;
}

/** Message types that are not the user writing to the business and so do not open the service window. */
export const NO_WINDOW_TYPES: ReadonlySet<string> = new Set(['system']);

/** Whether this inbound message opens (or renews) the 24 h customer-service window. */
export function opensWindow(message: Pick<MessageReceivedEvent, 'type'>): boolean {
	return !NO_WINDOW_TYPES.has(message.type);
}

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

export interface EventBase {
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
	media?: {
		id?: string;
		mimeType?: string;
		sha256?: string;
		caption?: string;
		filename?: string;
		url?: string;
		voice?: boolean;
		animated?: boolean;
	};
	location?: Json;
	contacts?: unknown[];
	reaction?: { messageId?: string; emoji?: string };
	order?: Json;
	system?: Json;
	context?: {
		messageId?: string;
		from?: string;
		forwarded?: boolean;
		frequentlyForwarded?: boolean;
		referredProduct?: Json;
	};
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

/**
 * An opt-out or opt-in *request* read from the webhook (a keyword, a tapped button, or error 131050): what the
 * person asked for, not yet a consent-ledger event (that is domain/consent's ConsentEvent).
 */
export interface ConsentRequestEvent extends EventBase {
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

export type WebhookEvent =
	| MessageReceivedEvent
	| WindowEvent
	| StatusEvent
	| ConsentRequestEvent
	| TemplateUpdateEvent
	| OtherUpdateEvent;
