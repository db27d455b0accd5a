/**
 * One webhook call: GET = Meta's verification handshake; POST = raw body → signature → parse → dedupe → events.
 * Refused calls (bad signature, malformed body) are answered here and start no execution. Accepted calls start one
 * execution with one item per event, and n8n answers 200 once it is stored; with "Record in Consent Ledger" the
 * answer goes out here first and the new events are then written to the ledger (ledgerRecording.ts).
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { createHash, timingSafeEqual } from 'crypto';

import { compileKeywords, splitKeywordList } from '../shared/optOutKeywords';
import { getCloudCredentials } from '../shared/transport';
import {
	SIGNATURE_HEADER,
	parseWebhookBody,
	processWebhook,
	selectedEventNames,
	verifySignature,
	type SignatureCheck,
	type WebhookEvent,
} from '../shared/webhooks';
import { recordInLedger, readPolicy } from './ledgerRecording';
import { APP_SECRET_TTL_MS, triggerMemory, type TriggerMemory } from './memory';

/** The body of the 200 that acknowledges a delivery, whether this node answers early or n8n answers (responseData). */
export const ACK_BODY = 'EVENT_RECEIVED';

/** The parts of n8n's request and response objects this node uses. */
interface RawRequest {
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
	headers: Record<string, string | string[] | undefined>;
}
interface PlainResponse {
	status(code: number): PlainResponse;
	type(contentType: string): PlainResponse;
	send(body: string): PlainResponse;
	end(): void;
}

function reply(ctx: IWebhookFunctions, code: number, body: string): IWebhookResponseData {
	const res = ctx.getResponseObject() as unknown as PlainResponse;
	res.status(code).type('text/plain').send(body);
	return { noWebhookResponse: true };
}

function sameSecret(a: string, b: string): boolean {
	const ha = createHash('sha256').update(a).digest();
	const hb = createHash('sha256').update(b).digest();
	return timingSafeEqual(ha, hb) && a.length === b.length;
}

function logContext(ctx: IWebhookFunctions): IDataObject {
	return { workflowId: ctx.getWorkflow().id, node: ctx.getNode().name };
}

async function handshake(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = ctx.getQueryData() as IDataObject;
	const mode = query['hub.mode'];
	const token = query['hub.verify_token'];
	const challenge = query['hub.challenge'];
	if (mode !== 'subscribe' || typeof challenge !== 'string' || typeof token !== 'string') {
		return reply(
			ctx,
			400,
			'This is a WhatsApp Session Window Trigger callback. Meta calls it with hub.mode=subscribe, hub.verify_token and hub.challenge.',
		);
	}
	const credentials = await getCloudCredentials(ctx);
	if (!credentials.webhookVerifyToken || !sameSecret(token, credentials.webhookVerifyToken)) {
		ctx.logger.warn(
			credentials.webhookVerifyToken
				? 'WhatsApp webhook verification refused: hub.verify_token does not match the Webhook Verify Token of the credential'
				: 'WhatsApp webhook verification refused: the credential has no Webhook Verify Token',
			logContext(ctx),
		);
		return reply(ctx, 403, 'The verify token does not match the Webhook Verify Token of the WhatsApp Cloud API credential.');
	}
	return reply(ctx, 200, challenge);
}

function readLedgerPolicy(ctx: IWebhookFunctions) {
	return readPolicy({
		optInKeywords: ctx.getNodeParameter('optInKeywords', 'resume') as string,
		invitationWording: ctx.getNodeParameter('invitationWording', '') as string,
		marketingOptOut: ctx.getNodeParameter('marketingOptOut', 'ignore') as string,
	});
}

/**
 * Reading the credential costs n8n a database read and an expression sandbox on every call, which more than halved
 * the trigger's rate in the benchmark; so the App Secret is kept for APP_SECRET_TTL_MS. A signature that does not
 * match the kept secret is checked again against a fresh read, so a new App Secret works at once; a replaced one
 * is still accepted until the kept copy expires.
 */
async function checkSignature(
	ctx: IWebhookFunctions,
	memory: TriggerMemory,
	raw: Buffer | undefined,
	header: string | string[] | undefined,
): Promise<SignatureCheck> {
	const kept = memory.appSecret;
	if (kept && Date.now() - kept.readAtMs < APP_SECRET_TTL_MS) {
		const check = verifySignature(raw, header, kept.value);
		if (check.valid) return check;
	}
	const { appSecret } = await getCloudCredentials(ctx);
	memory.appSecret = { value: appSecret, readAtMs: Date.now() };
	return verifySignature(raw, header, appSecret);
}

export async function receiveWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	if (this.getWebhookName() === 'setup') return await handshake(this);

	const req = this.getRequestObject() as unknown as RawRequest;
	if (!req.rawBody && typeof req.readRawBody === 'function') await req.readRawBody();
	const raw = req.rawBody;

	const memory = triggerMemory(`${this.getWorkflow().id ?? ''}:${this.getNode().id}:${this.getMode()}`);
	const signature = await checkSignature(this, memory, raw, req.headers[SIGNATURE_HEADER]);
	if (!signature.valid) {
		this.logger.warn(`WhatsApp webhook refused (401): ${signature.reason}`, logContext(this));
		return reply(this, 401, `Invalid signature: ${signature.reason}.`);
	}

	const parsed = parseWebhookBody(raw as Buffer);
	if (!parsed.ok) {
		this.logger.warn(`WhatsApp webhook refused (400): ${parsed.reason}`, logContext(this));
		return reply(this, 400, `Bad request: ${parsed.reason}.`);
	}

	const options = this.getNodeParameter('options', {}) as IDataObject;
	const keywords = compileKeywords({
		useDefaults: options.useDefaultKeywords !== false,
		extraOptOut: splitKeywordList(options.extraOptOutKeywords as string),
		extraOptIn: splitKeywordList(options.extraOptInKeywords as string),
	});
	const result = processWebhook(parsed.payload, {
		dedupe: memory.dedupe,
		windows: memory.windows,
		keywords,
		now: Date.now(),
	});
	if (result.duplicates.length > 0) {
		this.logger.debug(`WhatsApp webhook: ${result.duplicates.length} duplicate change(s) dropped`, {
			...logContext(this),
			duplicates: result.duplicates.slice(0, 20),
		});
	}

	const wanted = selectedEventNames((this.getNodeParameter('events', []) as string[]) ?? []);
	const statuses = new Set((options.statuses as string[] | undefined) ?? ['sent', 'delivered', 'read', 'failed', 'played']);
	const events = result.events.filter(
		(event: WebhookEvent) => wanted.has(event.event) && (event.event !== 'statusUpdate' || statuses.has(event.status)),
	);

	const ledgerOn = this.getNodeParameter('recordInLedger', false) === true;
	let notes: Map<WebhookEvent, IDataObject> | undefined;
	if (ledgerOn) {
		// The ledger is written over HTTP (n8n's API), which can be slow: Meta gets its 200 first.
		reply(this, 200, ACK_BODY);
		// Only verified, new events reach this point, so a forged or repeated call writes nothing. Every new event
		// is considered, not only the selected ones: an opt-out is honoured whatever starts the workflow. A ledger
		// failure is logged and reported on the items; it never drops the event.
		try {
			notes = await recordInLedger(this, result.events, readLedgerPolicy(this), Date.now());
		} catch (error) {
			// recordInLedger reports ledger failures per event; this only guards against the unexpected.
			this.logger.error(`WhatsApp trigger: consent ledger recording failed: ${(error as Error).message}`, logContext(this));
		}
	}

	const items: INodeExecutionData[] = events.map((event) => {
		const note = notes?.get(event);
		return { json: (note ? { ...event, ledger: note } : event) as unknown as IDataObject };
	});
	const workflowData = items.length > 0 ? [items] : undefined;
	// Without the ledger, n8n answers 200 as soon as the execution is stored (milliseconds), like its own triggers:
	// a sender that outpaces n8n then waits instead of piling up executions in memory.
	if (ledgerOn) return { noWebhookResponse: true, workflowData };
	return { webhookResponse: ACK_BODY, workflowData };
}
