/** Phase one of sending: everything that can be checked before a single message goes out. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { decideConsent, type ConsentDecision, type ConsentEvent } from '../../shared/consent';
import { checkContent, type ContentFinding } from '../../shared/contentPolicy';
import type { ConsentLedger, ServiceWindowRecord } from '../../shared/ledger';
import { eventsOfKeys, serviceWindowsOfKeys } from '../../shared/ledgerBatch';
import { checkTemplateEligibility, getNotificationType, type NotificationType } from '../../shared/notificationTypes';
import { normalisePhone, type BareDigitsReading } from '../../shared/phone';
import { estimateCost, type CostEstimate, type RateCard } from '../../shared/pricing';
import { sendKeyIds, type SendKeyIds } from '../../shared/sendKeys';
import { buildTemplateComponents, slotValuesFromMapper, type MessageTemplate } from '../../shared/templates';
import type { CloudCredentials } from '../../shared/transport';
import { locatorKey, lookupTemplate, readLocator, type TemplateLookup } from './templateSource';

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
	/** Set when Use Consent Ledger is on. */
	ledger?: ConsentLedger;
	/** Idempotent sending is on (ledger set and a window above 0). */
	idempotent: boolean;
	workflowId: string;
	skipWithoutConsent: boolean;
	messageMode: 'template' | 'auto';
	now: () => number;
	/** The ledger rows of every recipient of the run, read in a few batched requests (prefetchLedger). */
	prefetched?: { events: Map<string, ConsentEvent[]>; windows: Map<string, ServiceWindowRecord> };
}

/** The item's recipient in E.164, or undefined when it is unusable (prepareSend then refuses it with the reason). */
function recipientE164(ctx: IExecuteFunctions, itemIndex: number): string | undefined {
	try {
		const raw = ctx.getNodeParameter('recipient', itemIndex, '') as unknown;
		if (raw !== null && typeof raw === 'object') return undefined;
		const phone = normalisePhone(String(raw ?? ''), { bareDigits: recipientReading(ctx, itemIndex) });
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
	const events = await eventsOfKeys(ledger, keys);
	const windows = await serviceWindowsOfKeys(ledger, keys);
	context.prefetched = { events, windows };
}

async function consentOf(context: PrepareContext, ledger: ConsentLedger, e164: string, type: NotificationType): Promise<ConsentDecision> {
	const { key } = ledger.contactKey(e164);
	const events = context.prefetched?.events.get(key);
	if (!events) return await ledger.currentConsent(e164, type.value);
	return { ...decideConsent(events, type.value, context.now()), contactKey: key } as ConsentDecision;
}

async function windowOf(context: PrepareContext, ledger: ConsentLedger, e164: string): Promise<ServiceWindowRecord> {
	return context.prefetched?.windows.get(ledger.contactKey(e164).key) ?? (await ledger.serviceWindowOf(e164));
}

function refuse(ctx: IExecuteFunctions, itemIndex: number, problem: string, fix: string): never {
	throw new NodeOperationError(ctx.getNode(), problem, { itemIndex, description: fix });
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
	const phone = normalisePhone(recipientInput, { bareDigits: reading });
	if (!phone.ok) {
		const isBareDigits = phone.problem === 'noCountryCode' && /^\d+$/.test(recipientInput.trim());
		const hint = isBareDigits ? BARE_DIGITS_HINT[reading] : '';
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
	const template = lookup.template;

	const eligibility = checkTemplateEligibility(type, template);
	if (!eligibility.allowed) {
		refuse(
			this,
			itemIndex,
			`Template "${template.name}" (${template.language}) cannot be sent as ${type.name}: ${eligibility.problem}`,
			eligibility.fix ?? 'Choose another template',
		);
	}

	const values = slotValuesFromMapper(this.getNodeParameter('variables.value', itemIndex, {}));
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
		to: phone.e164,
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
			to: phone.e164,
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
	};
}
