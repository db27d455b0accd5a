/** Phase one of sending: everything that can be checked before a single message goes out. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { decideConsent, normaliseContact, type ConsentDecision } from '../../shared/domain/consent';
import { checkContent, type ContentFinding } from '../../shared/domain/contentPolicy';
import type { ConsentLedger, ServiceWindowRecord } from '../../shared/io/ledger';
import { peopleOfKeys, type PersonLedger } from '../../shared/io/ledgerBatch';
import { checkTemplateEligibility, getNotificationType, type NotificationType } from '../../shared/domain/notificationTypes';
import { normalisePhone, type BareDigitsReading } from '../../shared/domain/phone';
import { estimateCost, type CostEstimate, type RateCard } from '../../shared/domain/pricing';
import { sendKeyIds, type SendKeyIds } from '../../shared/io/sendKeys';
import { buildTemplateComponents, slotValuesFromMapper, type MessageTemplate } from '../../shared/domain/templates';
import type { CloudCredentials } from '../../shared/io/transport';
import {
	DEFAULT_COUNTRY_HINT,
	localiseDateTimes,
	pickTranslation,
	readDefaultCountry,
	readLanguageRequest,
	readQuietHours,
	readRecipientZone,
} from './customerData';
import { locatorKey, lookupTemplate, lookupTranslations, readLocator, type TemplateLookup, type TranslationsLookup } from './templateSource';
import type { LanguageChoice } from '../../shared/domain/locale';
import { localTimeIn, quietHoursAt, type ResolvedTimeZone } from '../../shared/domain/localTime';

/** Meta's limit for biz_opaque_callback_data. */
const CALLBACK_DATA_MAX = 512;

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
		const input = String(raw ?? '');
		const phone = businessScopedUserId(input) ?? normalisePhone(input, { bareDigits: recipientReading(ctx, itemIndex), defaultCountry: readDefaultCountry(ctx, itemIndex).plan });
		return phone.ok ? phone.e164 : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Reads the consent events and window rows of all the run's recipients up front: KEYS_PER_READ contacts per
 * request instead of two requests per item. Same freshness as before (all items were prepared before the first
 * send); a recipient missing from the prefetch is read on its own.
 */
export async function prefetchLedger(ctx: IExecuteFunctions, itemCount: number, context: PrepareContext): Promise<void> {
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

async function consentOf(context: PrepareContext, ledger: ConsentLedger, e164: string, type: NotificationType): Promise<ConsentDecision> {
	const { key } = ledger.contactKey(e164);
	const person = context.prefetched?.get(key);
	if (!person) return await ledger.currentConsent(e164, type.value);
	return { ...decideConsent(person.events, type.value, context.now()), contactKey: key } as ConsentDecision;
}

async function windowOf(context: PrepareContext, ledger: ConsentLedger, e164: string): Promise<ServiceWindowRecord> {
	return context.prefetched?.get(ledger.contactKey(e164).key)?.window ?? (await ledger.serviceWindowOf(e164));
}

function refuse(ctx: IExecuteFunctions, itemIndex: number, problem: string, fix: string): never {
	throw new NodeOperationError(ctx.getNode(), problem, { itemIndex, description: fix });
}

/** A BSUID as the consent ledger accepts it, as a recipient: `e164` holds the id (the contact key everywhere). */
function businessScopedUserId(input: string) {
	const contact = normaliseContact(input);
	if (!contact.ok || contact.kind !== 'userId') return undefined;
	return { ok: true as const, e164: contact.id, callingCode: '', national: undefined, bsuidCountry: contact.id.slice(0, 2) };
}

/** Written without '+' or '00' (a national number), where Default Country would help. */
function looksNational(input: string): boolean {
	const text = input.trim().replace(/^tel:\s*/i, '');
	return /^[(\d]/.test(text) && !text.startsWith('00');
}

/** The addressing field of a message body: `to` for a phone number, `recipient` for a BSUID (Meta, 2026). */
function addressOf(to: string, isBsuid: boolean): IDataObject {
	return isBsuid ? { recipient: to } : { to };
}

/** Where a bare digit string is refused, the way out if the field really holds Meta's wa_id. */
const BARE_DIGITS_HINT: Readonly<Record<BareDigitsReading, string>> = {
	refuse: 'If this field holds WhatsApp IDs from Meta’s webhooks (wa_id), set Recipient Format to WhatsApp ID.',
	whatsAppIdFrom11Digits:
		'If it is a WhatsApp ID from Meta’s webhooks (wa_id), add + in front, or use a new Send Notification node (version 1.1) with Recipient Format set to WhatsApp ID.',
	whatsAppId: '',
};

/**
 * Version 1 read an unformatted digit string of 11+ digits as international (kept for saved workflows);
 * from 1.1 only + / 00, unless Recipient Format says the field holds WhatsApp IDs.
 */
function recipientReading(ctx: IExecuteFunctions, itemIndex: number): BareDigitsReading {
	if (ctx.getNode().typeVersion < 1.1) return 'whatsAppIdFrom11Digits';
	const format = ctx.getNodeParameter('recipientFormat', itemIndex, 'international') as string;
	if (format === 'whatsAppId') return 'whatsAppId';
	if (format === 'international') return 'refuse';
	refuse(ctx, itemIndex, `Unknown Recipient Format "${String(format)}"`, 'Choose International (+ or 00) or WhatsApp ID');
}

export async function prepareSend(
	this: IExecuteFunctions,
	itemIndex: number,
	context: PrepareContext,
): Promise<PreparedSend | SkippedSend> {
	const typeValue = this.getNodeParameter('notificationType', itemIndex, '') as string;
	const type = getNotificationType(typeValue);
	if (!type) {
		refuse(
			this,
			itemIndex,
			typeValue ? `Unknown notification type "${typeValue}"` : 'No notification type is chosen',
			'Choose the Notification Type that says what this message is about (e.g. Shipping Status)',
		);
	}

	const senderId =
		String(this.getNodeParameter('sender', itemIndex, '', { extractValue: true }) ?? '').trim() ||
		context.credentials.phoneNumberId;
	if (!senderId) {
		refuse(this, itemIndex, 'No sender phone number', "Choose a Sender, or set the Default Phone Number ID in the credential");
	}
	if (!/^\d+$/.test(senderId)) {
		refuse(this, itemIndex, `"${senderId}" is not a phone number ID`, 'Use the numeric phone number ID from WhatsApp Manager, not the phone number');
	}

	const recipientRaw = this.getNodeParameter('recipient', itemIndex, '') as unknown;
	if (recipientRaw !== null && typeof recipientRaw === 'object') {
		refuse(
			this,
			itemIndex,
			`Recipient Phone Number is ${Array.isArray(recipientRaw) ? 'a list' : 'an object'}, not a phone number`,
			`Map the field that holds the number itself, e.g. {{ $json.customer.phone }} instead of {{ $json.customer }}. Got: ${JSON.stringify(recipientRaw).slice(0, 120)}`,
		);
	}
	const recipientInput = String(recipientRaw ?? '');
	const reading = recipientReading(this, itemIndex);
	const defaultCountry = readDefaultCountry(this, itemIndex);
	// A business-scoped user id (username users without a shared number) is sent as `recipient`, not `to`.
	const bsuid = businessScopedUserId(recipientInput);
	const phone = bsuid ? bsuid : normalisePhone(recipientInput, { bareDigits: reading, defaultCountry: defaultCountry.plan });
	if (!phone.ok) {
		if (defaultCountry.unusable && looksNational(recipientInput)) {
			refuse(this, itemIndex, `${defaultCountry.unusable.problem}, so "${recipientInput}" cannot be placed`, defaultCountry.unusable.fix);
		}
		const isBareDigits = phone.problem === 'noCountryCode' && /^\d+$/.test(recipientInput.trim());
		const national = !defaultCountry.plan && !defaultCountry.unusable && reading === 'refuse' && looksNational(recipientInput);
		const hint = [isBareDigits ? BARE_DIGITS_HINT[reading] : '', national ? DEFAULT_COUNTRY_HINT : ''].filter(Boolean).join(' ');
		refuse(this, itemIndex, `Invalid recipient phone number "${recipientInput}"`, hint ? `${phone.reason} ${hint}` : phone.reason);
	}

	let consent: ConsentDecision | undefined;
	let serviceWindow: PreparedSend['serviceWindow'];
	if (context.ledger) {
		consent = await consentOf(context, context.ledger, phone.e164, type);
		if (!consent.granted && context.skipWithoutConsent) {
			return {
				itemIndex,
				skipped: {
					skipped: 'no consent',
					recipient: recipientInput,
					to: phone.e164,
					notificationType: type.value,
					consent: { ...consent },
				},
			};
		}
		const window = await windowOf(context, context.ledger, phone.e164);
		const expires = window.windowExpiresAt ? Date.parse(window.windowExpiresAt) : NaN;
		serviceWindow = { open: Number.isFinite(expires) && expires > context.now(), expiresAt: window.windowExpiresAt };
	}

	const locator = readLocator(this.getNodeParameter('template', itemIndex));
	const cacheKey = locatorKey(locator);
	let lookupPromise = context.templateCache.get(cacheKey);
	if (!lookupPromise) {
		lookupPromise = lookupTemplate(this, context.credentials, locator);
		context.templateCache.set(cacheKey, lookupPromise);
	}
	const lookup = await lookupPromise;
	if (!lookup.ok) refuse(this, itemIndex, lookup.problem, lookup.fix);
	const { template, language } = await translationFor(this, itemIndex, context, lookup.template);
	const recipientZone = readRecipientZone(this, itemIndex, {
		country: bsuid ? bsuid.bsuidCountry : phone.national?.country,
		e164: phone.e164,
		callingCode: phone.callingCode,
	});

	const eligibility = checkTemplateEligibility(type, template);
	if (!eligibility.allowed) {
		refuse(
			this,
			itemIndex,
			`Template "${template.name}" (${template.language}) cannot be sent as ${type.name}: ${eligibility.problem}`,
			eligibility.fix ?? 'Choose another template',
		);
	}

	const rawValues = slotValuesFromMapper(this.getNodeParameter('variables.value', itemIndex, {}));
	const values = recipientZone ? localiseDateTimes(rawValues, recipientZone.zone, template.language) : rawValues;
	const built = buildTemplateComponents(template, values);
	if (built.issues.length > 0) {
		const lines = built.issues.map((issue) => `${issue.slot ? `${issue.slot}: ` : ''}${issue.problem}`);
		refuse(
			this,
			itemIndex,
			`The variables do not fit template "${template.name}": ${lines.join('; ')}`,
			built.issues.map((issue) => issue.fix).join(' '),
		);
	}

	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const contentCheck = String(options.contentCheck ?? 'block');
	const findings = contentCheck === 'off' ? [] : checkContent(built.renderedText);
	if (findings.length > 0 && contentCheck === 'block') {
		const first = findings[0];
		refuse(
			this,
			itemIndex,
			`The message reads as promotional, which notifications may not be: "${first.phrase}" (${first.ruleDescription})`,
			'Remove promotional wording from the variables or the template. Promotional messages need a MARKETING template and marketing consent; set Content Check to Warn only if this is a false alarm.',
		);
	}

	const body: IDataObject = {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		...addressOf(phone.e164, bsuid !== undefined),
		type: 'template',
		template: {
			name: template.name,
			language: { code: template.language },
			...(built.components.length ? { components: built.components } : {}),
		},
	};

	if (type.requiresReferenceMessage) {
		const reference = String(this.getNodeParameter('referenceMessageId', itemIndex, '') ?? '').trim();
		if (!reference) {
			refuse(
				this,
				itemIndex,
				'Customer Service Resumption needs the ID of the last message of the conversation',
				'Set Reference Message ID to the wamid of the customer’s last message (e.g. from the Session Window Trigger)',
			);
		}
		if (!/^wamid\.[A-Za-z0-9+/=_-]+$/.test(reference)) {
			refuse(this, itemIndex, `"${reference}" is not a WhatsApp message ID`, 'A message ID starts with "wamid."');
		}
		body.context = { message_id: reference };
	}

	const correlationKey = String(options.correlationKey ?? '').trim();
	const correlation = JSON.stringify({
		...(correlationKey ? { key: correlationKey } : {}),
		execution: this.getExecutionId(),
		item: itemIndex,
	});
	if (correlation.length > CALLBACK_DATA_MAX) {
		refuse(this, itemIndex, `The Correlation Key is too long (${correlationKey.length} characters)`, 'Keep it under 400 characters; Meta echoes at most 512');
	}
	body.biz_opaque_callback_data = correlation;

	// Auto inside the window: the template's text as a free-form message (billed like the utility template since
	// 2026-10-01, see the README's Cost section); the template stays ready as the fallback (131047).
	let freeFormBody: IDataObject | undefined;
	if (context.messageMode === 'auto' && serviceWindow?.open) {
		freeFormBody = {
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			...addressOf(phone.e164, bsuid !== undefined),
			type: 'text',
			text: { preview_url: false, body: built.renderedText },
			biz_opaque_callback_data: body.biz_opaque_callback_data,
			...(body.context ? { context: body.context } : {}),
		};
	}

	const explicitKey = String(options.idempotencyKey ?? '').trim() || undefined;
	const sendKey =
		context.idempotent && context.ledger
			? sendKeyIds(
					{
						workflowId: context.workflowId,
						explicitKey,
						correlationKey: correlationKey || undefined,
						// The ledger's canonical id, so the contactKey matches the consent rows (Erase Contact).
						recipient: context.ledger.contactKey(phone.e164).id,
						senderId,
						notificationType: type.value,
						templateName: template.name,
						templateLanguage: template.language,
						body,
					},
					context.ledger.client.settings.contactKeySecret,
				)
			: undefined;

	return {
		itemIndex,
		recipientInput,
		to: phone.e164,
		senderId,
		type,
		template,
		body,
		renderedText: built.renderedText,
		// Priced by the rules in force now (Meta's free-message rules changed on 2026-10-01, see pricingRules.json).
		cost: estimateCost(phone.e164, freeFormBody ? 'service' : template.category, context.rateCard, {
			insideServiceWindow: serviceWindow?.open === true,
			sentAt: context.now(),
		}),
		correlation,
		contentWarnings: findings,
		freeFormBody,
		consent,
		serviceWindow,
		idempotencyKey: sendKey?.key,
		sendKey,
		explicitIdempotencyKey: explicitKey !== undefined,
		...(language ? { language } : {}),
		...(recipientZone ? { recipientTime: { ...recipientZone, localTime: localTimeIn(context.now(), recipientZone.zone) } } : {}),
		...deferral(this, itemIndex, type.value, recipientZone, context.now()),
	};
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
