/** Step one of an execute: everything that can be checked before a single message goes out. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { decideConsent, type ConsentDecision } from '../../shared/domain/consent';
import { checkContent, type ContentFinding } from '../../shared/domain/contentPolicy';
import type { LanguageChoice } from '../../shared/domain/locale';
import { localTimeIn, quietHoursAt, type ResolvedTimeZone } from '../../shared/domain/localTime';
import {
	CALLBACK_DATA_MAX,
	correlationData,
	freeFormMessageBody,
	isWhatsAppMessageId,
	serviceWindowAt,
	templateMessageBody,
} from '../../shared/domain/messageRequest';
import {
	checkTemplateEligibility,
	getNotificationType,
	type NotificationType,
} from '../../shared/domain/notificationTypes';
import type { BareDigitsReading } from '../../shared/domain/phone';
import { estimateCost, type CostEstimate, type RateCard } from '../../shared/domain/pricing';
import { readRecipient, type RecipientReading } from '../../shared/domain/recipient';
import {
	buildTemplateComponents,
	slotValuesFromMapper,
	type BuiltTemplate,
	type MessageTemplate,
} from '../../shared/domain/templates';
import type { ConsentLedger, ServiceWindowRecord } from '../../shared/io/ledger';
import { peopleOfKeys, type PersonLedger } from '../../shared/io/ledger/ledgerBatch';
import { sendKeyIds, type SendKeyIds } from '../../shared/io/ledger/sendKeys';
import type { CloudCredentials } from '../../shared/io/transport';
import {
	localiseDateTimes,
	pickTranslation,
	readDefaultCountry,
	readLanguageRequest,
	readQuietHours,
	readRecipientZone,
	refuse,
} from './customerData';
import {
	locatorKey,
	lookupTemplate,
	lookupTranslations,
	readLocator,
	type TemplateLookup,
	type TranslationsLookup,
} from './templateSource';

export interface PreparedSend {
	itemIndex: number;
	recipientInput: string;
	to: string;
	senderId: string;
	type: NotificationType;
	template: MessageTemplate;
	body: IDataObject;
	renderedText: string;
	cost: CostEstimate;
	correlation: string;
	contentWarnings: ContentFinding[];
	/** Message Mode Auto inside an open window: the same text as a free-form (service) message; `body` stays the fallback. */
	freeFormBody?: IDataObject;
	consent?: ConsentDecision;
	serviceWindow?: { open: boolean; expiresAt?: string };
	/** The keyed idempotency key (HMAC), when idempotent sending is on. */
	idempotencyKey?: string;
	/** Key, content fingerprint and recipient hash the send is claimed under. */
	sendKey?: SendKeyIds;
	/** The key came from the Idempotency Key option (its scope is the whole ledger). */
	explicitIdempotencyKey: boolean;
	/** Template Language: Match Recipient — what was asked for, what is sent, and why. */
	language?: { requested: string } & LanguageChoice;
	/** Version 1.1: the recipient's time zone and why. */
	recipientTime?: ResolvedTimeZone & { localTime: string };
	/** Inside the recipient's quiet hours: not sent now, due at the end of them. */
	deferred?: { sendAt: string; sendAtLocal: string; quietHours: string };
}

/** An item that is not sent, on purpose (no consent): it goes to the output as it is. */
export interface SkippedSend {
	itemIndex: number;
	skipped: IDataObject;
}

export interface PrepareContext {
	credentials: CloudCredentials;
	rateCard?: RateCard;
	/** One lookup per template per execution, shared by all items. */
	templateCache: Map<string, Promise<TemplateLookup>>;
	/** Template Language: Match Recipient — one listing of a template's translations per execution. */
	translationsCache?: Map<string, Promise<TranslationsLookup>>;
	/** Set when Use Consent Ledger is on. */
	ledger?: ConsentLedger;
	/** Idempotent sending is on (ledger set and a window above 0). */
	idempotent: boolean;
	workflowId: string;
	skipWithoutConsent: boolean;
	messageMode: 'template' | 'auto';
	now: () => number;
	/** The ledger rows of every recipient of the run, read in a few batched requests (prefetchLedger). */
	prefetched?: Map<string, PersonLedger>;
}

/** The item's recipient in E.164, or undefined when it is unusable (prepareSend then refuses it with the reason). */
function recipientE164(ctx: IExecuteFunctions, itemIndex: number): string | undefined {
	try {
		const raw = ctx.getNodeParameter('recipient', itemIndex, '') as unknown;
		if (raw !== null && typeof raw === 'object') return undefined;
		// The same reading as prepareSend: a BSUID as it is, a phone number with the item's Default Country.
		const recipient = readRecipient(
			String(raw ?? ''),
			recipientReading(ctx, itemIndex),
			readDefaultCountry(ctx, itemIndex),
		);
		return recipient.ok ? recipient.e164 : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Reads the consent events and window rows of all the run's recipients up front: KEYS_PER_READ contacts per
 * request instead of two requests per item. Same freshness as before (all items were prepared before the first
 * send); a recipient missing from the prefetch is read on its own.
 */
export async function prefetchLedger(
	ctx: IExecuteFunctions,
	itemCount: number,
	context: PrepareContext,
): Promise<void> {
	const ledger = context.ledger;
	if (!ledger) return;
	const keys = new Set<string>();
	for (let i = 0; i < itemCount; i++) {
		const e164 = recipientE164(ctx, i);
		if (e164) keys.add(ledger.contactKey(e164).key);
	}
	if (keys.size === 0) return;
	context.prefetched = await peopleOfKeys(ledger, keys);
}

async function consentOf(
	context: PrepareContext,
	ledger: ConsentLedger,
	e164: string,
	type: NotificationType,
): Promise<ConsentDecision> {
	const { key } = ledger.contactKey(e164);
	const person = context.prefetched?.get(key);
	if (!person) return await ledger.currentConsent(e164, type.value);
	return { ...decideConsent(person.events, type.value, context.now()), contactKey: key } as ConsentDecision;
}

async function windowOf(context: PrepareContext, ledger: ConsentLedger, e164: string): Promise<ServiceWindowRecord> {
	return context.prefetched?.get(ledger.contactKey(e164).key)?.window ?? (await ledger.serviceWindowOf(e164));
}

/**
 * Version 1 read an unformatted digit string of 11+ digits as international (kept for saved workflows);
 * from 1.1 only + / 00, unless Recipient Format says the field holds WhatsApp IDs.
 */
function recipientReading(ctx: IExecuteFunctions, itemIndex: number): BareDigitsReading {
	if (ctx.getNode().typeVersion < 1.1) return 'whatsAppIdFrom11Digits';
	const format = ctx.getNodeParameter('recipientFormat', itemIndex, 'international') as string;
	if (format === 'whatsAppId') return 'whatsAppId';
	if (format === 'international') return 'refuse';
	refuse(
		ctx,
		itemIndex,
		`Unknown Recipient Format "${String(format)}"`,
		'Choose International (+ or 00) or WhatsApp ID',
	);
}

/** Checks one item and builds its request; a refusal is a NodeOperationError that names the item and the fix. */
export async function prepareSend(
	this: IExecuteFunctions,
	itemIndex: number,
	context: PrepareContext,
): Promise<PreparedSend | SkippedSend> {
	const type = readNotificationType(this, itemIndex);
	const senderId = readSender(this, itemIndex, context);
	const { input: recipientInput, recipient } = readItemRecipient(this, itemIndex);
	const ledgerState = context.ledger ? await checkLedger(context, context.ledger, recipient.e164, type) : {};
	if (ledgerState.consent && !ledgerState.consent.granted && context.skipWithoutConsent) {
		const skipped = {
			skipped: 'no consent',
			recipient: recipientInput,
			to: recipient.e164,
			notificationType: type.value,
			consent: { ...ledgerState.consent },
		};
		return { itemIndex, skipped };
	}
	const { template, language } = await resolveTemplate(this, itemIndex, context);
	const recipientZone = readRecipientZone(this, itemIndex, {
		country: recipient.country,
		e164: recipient.e164,
		callingCode: recipient.callingCode,
	});
	refuseIneligible(this, itemIndex, type, template);
	const built = fillTemplate(this, itemIndex, template, recipientZone);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const findings = checkPromotional(this, itemIndex, options, built.renderedText);

	const body = templateMessageBody({
		to: recipient.e164,
		isBsuid: recipient.isBsuid,
		templateName: template.name,
		language: template.language,
		components: built.components,
	}) as IDataObject;
	const reference = readReferenceMessage(this, itemIndex, type);
	if (reference) body.context = { message_id: reference };
	const correlationKey = String(options.correlationKey ?? '').trim();
	const correlation = readCorrelation(this, itemIndex, correlationKey);
	body.biz_opaque_callback_data = correlation;
	// Auto inside the window: the template's text as a free-form message (billed like the utility template since
	// 2026-10-01, see the README's Cost section); the template stays ready as the fallback (131047).
	const freeFormBody =
		context.messageMode === 'auto' && ledgerState.serviceWindow?.open
			? (freeFormMessageBody(body, recipient.e164, recipient.isBsuid, built.renderedText) as IDataObject)
			: undefined;
	const explicitKey = String(options.idempotencyKey ?? '').trim() || undefined;
	const sendKey = sendKeyFor(context, {
		explicitKey,
		correlationKey,
		recipient: recipient.e164,
		senderId,
		type,
		template,
		body,
	});

	return {
		itemIndex,
		recipientInput,
		to: recipient.e164,
		senderId,
		type,
		template,
		body,
		renderedText: built.renderedText,
		// Priced by the rules in force now (Meta's free-message rules changed on 2026-10-01, see pricingRules.json).
		cost: estimateCost(recipient.e164, freeFormBody ? 'service' : template.category, context.rateCard, {
			insideServiceWindow: ledgerState.serviceWindow?.open === true,
			sentAt: context.now(),
		}),
		correlation,
		contentWarnings: findings,
		freeFormBody,
		consent: ledgerState.consent,
		serviceWindow: ledgerState.serviceWindow,
		idempotencyKey: sendKey?.key,
		sendKey,
		explicitIdempotencyKey: explicitKey !== undefined,
		...(language ? { language } : {}),
		...(recipientZone
			? { recipientTime: { ...recipientZone, localTime: localTimeIn(context.now(), recipientZone.zone) } }
			: {}),
		...deferral(this, itemIndex, type.value, recipientZone, context.now()),
	};
}

function readNotificationType(ctx: IExecuteFunctions, itemIndex: number): NotificationType {
	const typeValue = ctx.getNodeParameter('notificationType', itemIndex, '') as string;
	const type = getNotificationType(typeValue);
	if (!type) {
		refuse(
			ctx,
			itemIndex,
			typeValue ? `Unknown notification type "${typeValue}"` : 'No notification type is chosen',
			'Choose the Notification Type that says what this message is about (e.g. Shipping Status)',
		);
	}
	return type;
}

/** The sender's phone number ID: the item's Sender, else the credential's default. */
function readSender(ctx: IExecuteFunctions, itemIndex: number, context: PrepareContext): string {
	const senderId =
		String(ctx.getNodeParameter('sender', itemIndex, '', { extractValue: true }) ?? '').trim() ||
		context.credentials.phoneNumberId;
	if (!senderId) {
		refuse(
			ctx,
			itemIndex,
			'No sender phone number',
			'Choose a Sender, or set the Default Phone Number ID in the credential',
		);
	}
	if (!/^\d+$/.test(senderId)) {
		refuse(
			ctx,
			itemIndex,
			`"${senderId}" is not a phone number ID`,
			'Use the numeric phone number ID from WhatsApp Manager, not the phone number',
		);
	}
	return senderId;
}

/** The item's Recipient Phone Number as written, and read (a BSUID is sent as `recipient`, not `to`). */
function readItemRecipient(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { input: string; recipient: Extract<RecipientReading, { ok: true }> } {
	const raw = ctx.getNodeParameter('recipient', itemIndex, '') as unknown;
	if (raw !== null && typeof raw === 'object') {
		refuse(
			ctx,
			itemIndex,
			`Recipient Phone Number is ${Array.isArray(raw) ? 'a list' : 'an object'}, not a phone number`,
			`Map the field that holds the number itself, e.g. {{ $json.customer.phone }} instead of {{ $json.customer }}. Got: ${JSON.stringify(raw).slice(0, 120)}`,
		);
	}
	const input = String(raw ?? '');
	const reading = recipientReading(ctx, itemIndex);
	const recipient = readRecipient(input, reading, readDefaultCountry(ctx, itemIndex));
	if (!recipient.ok) refuse(ctx, itemIndex, recipient.problem, recipient.fix);
	return { input, recipient };
}

/** Consent for this type and the customer service window, from the prefetched rows or the ledger. */
async function checkLedger(
	context: PrepareContext,
	ledger: ConsentLedger,
	e164: string,
	type: NotificationType,
): Promise<{ consent?: ConsentDecision; serviceWindow?: PreparedSend['serviceWindow'] }> {
	const consent = await consentOf(context, ledger, e164, type);
	// Without consent (and Skip on) the item is skipped: its window is not read.
	if (!consent.granted && context.skipWithoutConsent) return { consent };
	const window = await windowOf(context, ledger, e164);
	return { consent, serviceWindow: serviceWindowAt(window.windowExpiresAt, context.now()) };
}

/** The chosen template (looked up once per execution), in the recipient's language with Match Recipient. */
async function resolveTemplate(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: PrepareContext,
): Promise<{ template: MessageTemplate; language?: PreparedSend['language'] }> {
	const locator = readLocator(ctx.getNodeParameter('template', itemIndex));
	const cacheKey = locatorKey(locator);
	let lookupPromise = context.templateCache.get(cacheKey);
	if (!lookupPromise) {
		lookupPromise = lookupTemplate(ctx, context.credentials, locator);
		context.templateCache.set(cacheKey, lookupPromise);
	}
	const lookup = await lookupPromise;
	if (!lookup.ok) refuse(ctx, itemIndex, lookup.problem, lookup.fix);
	return await translationFor(ctx, itemIndex, context, lookup.template);
}

function refuseIneligible(
	ctx: IExecuteFunctions,
	itemIndex: number,
	type: NotificationType,
	template: MessageTemplate,
): void {
	const eligibility = checkTemplateEligibility(type, template);
	if (!eligibility.allowed) {
		refuse(
			ctx,
			itemIndex,
			`Template "${template.name}" (${template.language}) cannot be sent as ${type.name}: ${eligibility.problem}`,
			eligibility.fix ?? 'Choose another template',
		);
	}
}

/** The template's components from the item's variables (date_time values in the recipient's zone), or a refusal. */
function fillTemplate(
	ctx: IExecuteFunctions,
	itemIndex: number,
	template: MessageTemplate,
	zone: ResolvedTimeZone | undefined,
): BuiltTemplate {
	const rawValues = slotValuesFromMapper(ctx.getNodeParameter('variables.value', itemIndex, {}));
	const values = zone ? localiseDateTimes(rawValues, zone.zone, template.language) : rawValues;
	const built = buildTemplateComponents(template, values);
	if (built.issues.length > 0) {
		const lines = built.issues.map((issue) => `${issue.slot ? `${issue.slot}: ` : ''}${issue.problem}`);
		refuse(
			ctx,
			itemIndex,
			`The variables do not fit template "${template.name}": ${lines.join('; ')}`,
			built.issues.map((issue) => issue.fix).join(' '),
		);
	}
	return built;
}

/** Content Check: promotional wording refuses the item (Block), or only travels with it as a warning (Warn). */
function checkPromotional(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	renderedText: string,
): ContentFinding[] {
	const contentCheck = String(options.contentCheck ?? 'block');
	const findings = contentCheck === 'off' ? [] : checkContent(renderedText);
	if (findings.length > 0 && contentCheck === 'block') {
		const first = findings[0];
		refuse(
			ctx,
			itemIndex,
			`The message reads as promotional, which notifications may not be: "${first.phrase}" (${first.ruleDescription})`,
			'Remove promotional wording from the variables or the template. Promotional messages need a MARKETING template and marketing consent; set Content Check to Warn only if this is a false alarm.',
		);
	}
	return findings;
}

/** Customer Service Resumption answers the customer's last message: its wamid, required for that type only. */
function readReferenceMessage(ctx: IExecuteFunctions, itemIndex: number, type: NotificationType): string | undefined {
	if (!type.requiresReferenceMessage) return undefined;
	const reference = String(ctx.getNodeParameter('referenceMessageId', itemIndex, '') ?? '').trim();
	if (!reference) {
		refuse(
			ctx,
			itemIndex,
			'Customer Service Resumption needs the ID of the last message of the conversation',
			'Set Reference Message ID to the wamid of the customer’s last message (e.g. from the Session Window Trigger)',
		);
	}
	if (!isWhatsAppMessageId(reference)) {
		refuse(ctx, itemIndex, `"${reference}" is not a WhatsApp message ID`, 'A message ID starts with "wamid."');
	}
	return reference;
}

/** The callback data Meta echoes in its status webhooks, within Meta's limit. */
function readCorrelation(ctx: IExecuteFunctions, itemIndex: number, correlationKey: string): string {
	const correlation = correlationData(correlationKey, ctx.getExecutionId(), itemIndex);
	if (correlation.length > CALLBACK_DATA_MAX) {
		refuse(
			ctx,
			itemIndex,
			`The Correlation Key is too long (${correlationKey.length} characters)`,
			'Keep it under 400 characters; Meta echoes at most 512',
		);
	}
	return correlation;
}

/** The send's idempotency key, fingerprint and recipient hash, when idempotent sending is on. */
function sendKeyFor(
	context: PrepareContext,
	send: {
		explicitKey?: string;
		correlationKey: string;
		recipient: string;
		senderId: string;
		type: NotificationType;
		template: MessageTemplate;
		body: IDataObject;
	},
): SendKeyIds | undefined {
	if (!context.idempotent || !context.ledger) return undefined;
	return sendKeyIds(
		{
			workflowId: context.workflowId,
			explicitKey: send.explicitKey,
			correlationKey: send.correlationKey || undefined,
			// The ledger's canonical id, so the contactKey matches the consent rows (Erase Contact).
			recipient: context.ledger.contactKey(send.recipient).id,
			senderId: send.senderId,
			notificationType: send.type.value,
			templateName: send.template.name,
			templateLanguage: send.template.language,
			body: send.body,
		},
		context.ledger.client.settings.contactKeySecret,
	);
}

/** Template Language: Match Recipient picks the item's translation; the translations are listed once per execution. */
async function translationFor(
	ctx: IExecuteFunctions,
	itemIndex: number,
	context: PrepareContext,
	selected: MessageTemplate,
): Promise<{ template: MessageTemplate; language?: PreparedSend['language'] }> {
	const request = readLanguageRequest(ctx, itemIndex);
	if (request.mode !== 'matchRecipient') return { template: selected };
	const cache = (context.translationsCache ??= new Map());
	let listing = cache.get(selected.name);
	if (!listing) {
		listing = lookupTranslations(ctx, context.credentials, selected.name);
		cache.set(selected.name, listing);
	}
	const translations = await listing;
	if (!translations.ok) refuse(ctx, itemIndex, translations.problem, translations.fix);
	const picked = pickTranslation(request, selected, translations.translations);
	return { template: picked.template, language: { requested: request.text, ...picked.choice } };
}

/** Inside the recipient's quiet hours (Quiet Hours on, type not exempt): when to send instead. */
function deferral(
	ctx: IExecuteFunctions,
	itemIndex: number,
	typeValue: string,
	zone: ResolvedTimeZone | undefined,
	nowMs: number,
): Pick<PreparedSend, 'deferred'> {
	const quiet = zone ? readQuietHours(ctx, itemIndex, typeValue) : undefined;
	if (!zone || !quiet) return {};
	const decision = quietHoursAt(nowMs, zone.zone, quiet.start, quiet.end);
	if (!decision.inside || !decision.sendAt) return {};
	return { deferred: { sendAt: decision.sendAt.utc, sendAtLocal: decision.sendAt.local, quietHours: quiet.label } };
}
