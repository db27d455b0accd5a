/**
 * One webhook call: GET = Meta's verification handshake; POST = raw body → signature → parse → dedupe → events.
 * Refused calls (oversized, unsigned, bad signature, malformed body) are answered here and start no execution.
 * Accepted calls start one execution with one item per event, and n8n answers 200 once it is stored; with "Record
 * in Consent Ledger" the new events are written to the ledger first (ledgerRecording.ts), and a delivery whose
 * opt-out or opt-in could not be written is answered 503 so that Meta redelivers it.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { createHash, timingSafeEqual } from 'crypto';

import { compileKeywords, splitKeywordList } from '../shared/domain/optOutKeywords';
import { getCloudCredentials } from '../shared/io/transport';
import {
	SIGNATURE_HEADER,
	oversizeProblem,
	parseWebhookBody,
	processWebhook,
	redactForLog,
	selectedEventNames,
	signatureHeaderProblem,
	verifySignature,
	type ProcessResult,
	type SignatureCheck,
	type WebhookEvent,
	type WebhookPayload,
} from '../shared/domain/webhooks';
import {
	isConsentRequest,
	readTriggerLedgerPolicy,
	type LedgerNote,
	type TriggerLedgerPolicy,
} from '../shared/domain/webhookConsent';
import { recordInLedger } from './ledgerRecording';
import { DEDUPE_TTL_MS, needsAppSecretRead, triggerMemory, type KeptSecrets, type TriggerMemory } from './memory';

/** The body of the 200 that acknowledges a delivery, whether this node answers early or n8n answers (responseData). */
export const ACK_BODY = 'EVENT_RECEIVED';

/** The parts of n8n's request and response objects this node uses. */
interface RawRequest {
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
	headers: Record<string, string | string[] | undefined>;
}
interface AnsweredResponse {
	statusCode: number;
	end: (...args: unknown[]) => unknown;
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
	// The same kept, throttled credential read as for deliveries: wrong tokens cannot make n8n read it on every call.
	const memory = triggerMemory(memoryKey(ctx));
	let secrets = await currentSecrets(ctx, memory, false);
	if (!secrets.verifyToken || !sameSecret(token, secrets.verifyToken))
		secrets = await currentSecrets(ctx, memory, true);
	if (!secrets.verifyToken || !sameSecret(token, secrets.verifyToken)) {
		return refuse(
			ctx,
			memory,
			403,
			secrets.verifyToken
				? 'verification: hub.verify_token does not match the Webhook Verify Token of the credential'
				: 'verification: the credential has no Webhook Verify Token',
			'The verify token does not match the Webhook Verify Token of the WhatsApp Cloud API credential.',
		);
	}
	return reply(ctx, 200, challenge);
}

function memoryKey(ctx: IWebhookFunctions): string {
	return `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}:${ctx.getMode()}`;
}

function ledgerPolicyOf(ctx: IWebhookFunctions): TriggerLedgerPolicy {
	return readTriggerLedgerPolicy({
		optInKeywords: ctx.getNodeParameter('optInKeywords', 'resume') as string,
		invitationWording: ctx.getNodeParameter('invitationWording', '') as string,
		marketingOptOut: ctx.getNodeParameter('marketingOptOut', 'ignore') as string,
	});
}

/** App Secret and verify token from the credential, read by one call at a time: concurrent callers share the read. */
async function readSecrets(ctx: IWebhookFunctions, memory: TriggerMemory): Promise<KeptSecrets> {
	if (!memory.appSecretRead) {
		memory.appSecretRead = (async () => {
			try {
				const { appSecret, webhookVerifyToken } = await getCloudCredentials(ctx);
				memory.appSecret = { value: appSecret, verifyToken: webhookVerifyToken, readAtMs: Date.now() };
				return memory.appSecret;
			} finally {
				memory.appSecretRead = undefined;
			}
		})();
	}
	return await memory.appSecretRead;
}

/** The kept secrets if fresh (and, after a mismatch, not re-readable yet); otherwise a fresh read. */
async function currentSecrets(
	ctx: IWebhookFunctions,
	memory: TriggerMemory,
	afterMismatch: boolean,
): Promise<KeptSecrets> {
	const kept = memory.appSecret;
	if (kept && !needsAppSecretRead(kept, Date.now(), afterMismatch)) return kept;
	return await readSecrets(ctx, memory);
}

/**
 * Reading the credential costs n8n a database read and an expression sandbox on every call, a large part of the
 * trigger's time (README, Performance); so the App Secret is kept for APP_SECRET_TTL_MS. A signature that does not
 * match the kept secret is checked against a fresh read only when the kept copy is older than APP_SECRET_REREAD_MS
 * (memory.ts): a new App Secret works within seconds, and a flood of forged calls reads the credential at most
 * that often. A replaced secret is still accepted until the kept copy expires.
 */
async function checkSignature(
	ctx: IWebhookFunctions,
	memory: TriggerMemory,
	raw: Buffer | undefined,
	header: string | string[] | undefined,
): Promise<SignatureCheck> {
	const first = await currentSecrets(ctx, memory, false);
	const check = verifySignature(raw, header, first.value);
	if (check.valid) return check;
	const second = await currentSecrets(ctx, memory, true);
	return second === first ? check : verifySignature(raw, header, second.value);
}

/** A refusal: answered at once, logged at most once a minute per trigger (with the count held back). */
function refuse(
	ctx: IWebhookFunctions,
	memory: TriggerMemory,
	code: number,
	reason: string,
	body: string,
): IWebhookResponseData {
	const held = memory.refusalLog.take(Date.now());
	if (held !== undefined) {
		const more = held > 0 ? ` (${held} more refused since the last warning)` : '';
		ctx.logger.warn(`WhatsApp webhook refused (${code}): ${redactForLog(reason)}${more}`, logContext(ctx));
	}
	return reply(ctx, code, body);
}

function headerValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

/**
 * What is refused before the credential is read or any HMAC computed: a body over Meta's 3 MB (by Content-Length,
 * before reading it) and a missing or malformed signature header.
 */
function cheapRefusal(req: RawRequest): { code: number; reason: string; body: string } | undefined {
	const declared = headerValue(req.headers['content-length']);
	const oversize = oversizeProblem(declared === undefined ? req.rawBody?.length : Number(declared));
	if (oversize) return { code: 413, reason: oversize, body: `Payload too large: ${oversize}.` };
	const problem = signatureHeaderProblem(req.headers[SIGNATURE_HEADER]);
	if (problem) return { code: 401, reason: problem, body: `Invalid signature: ${problem}.` };
	return undefined;
}

/**
 * The delivery's duplicate keys are claimed (in flight) until n8n answers it: n8n answers 2xx only once the execution
 * is stored, so then the keys are remembered as seen; any other answer (n8n could not store it) releases them, so
 * Meta's redelivery is processed again. n8n's answer is caught where it ends the response, which it does even when
 * Meta has hung up meanwhile (a timeout): the stored execution then still counts, and the redelivery is a duplicate.
 */
function settleWhenAnswered(ctx: IWebhookFunctions, memory: TriggerMemory, result: ProcessResult): void {
	const res = ctx.getResponseObject() as unknown as AnsweredResponse;
	const end = res.end;
	let settled = false;
	res.end = function (this: unknown, ...args: unknown[]) {
		if (!settled) {
			settled = true;
			if (res.statusCode >= 200 && res.statusCode < 300) memory.dedupe.commit(result.claimed, Date.now());
			else giveBack(memory, result);
		}
		return end.apply(this, args);
	};
}

/** Forgets a delivery that was not handed off: its changes count as new when Meta redelivers them. */
function giveBack(memory: TriggerMemory, result: ProcessResult): void {
	memory.dedupe.release(result.claimed);
	memory.windows.undo(result.windowRecords);
}

function consentWriteFailed(
	events: readonly WebhookEvent[],
	notes: Map<WebhookEvent, LedgerNote> | undefined,
): WebhookEvent[] {
	return events.filter((event) => {
		if (!isConsentRequest(event)) return false;
		const note = notes?.get(event);
		return !note || (note.recorded === false && note.error !== undefined);
	});
}

/** The events the workflow asked for: the selected "Events", and of status updates the selected "Statuses". */
function wantedEvents(ctx: IWebhookFunctions, result: ProcessResult, options: IDataObject): WebhookEvent[] {
	const wanted = selectedEventNames((ctx.getNodeParameter('events', []) as string[]) ?? []);
	const statuses = new Set(
		(options.statuses as string[] | undefined) ?? ['sent', 'delivered', 'read', 'failed', 'played'],
	);
	return result.events.filter(
		(event: WebhookEvent) => wanted.has(event.event) && (event.event !== 'statusUpdate' || statuses.has(event.status)),
	);
}

/**
 * The delivery's events written to the consent ledger: the notes for the items, or (an opt-out or opt-in could not be
 * written) the 503 that makes Meta redeliver.
 */
async function recordDelivery(
	ctx: IWebhookFunctions,
	memory: TriggerMemory,
	result: ProcessResult,
): Promise<{ notes?: Map<WebhookEvent, LedgerNote>; refusal?: IWebhookResponseData }> {
	let notes: Map<WebhookEvent, LedgerNote> | undefined;
	// Only verified, new events reach this point, so a forged or repeated call writes nothing. Every new event
	// is considered, not only the selected ones: an opt-out is honoured whatever starts the workflow.
	try {
		notes = await recordInLedger(ctx, result.events, ledgerPolicyOf(ctx), Date.now());
	} catch (error) {
		// recordInLedger reports ledger failures per event; this only guards against the unexpected.
		ctx.logger.error(
			`WhatsApp trigger: consent ledger recording failed: ${redactForLog((error as Error).message, { quoted: true })}`,
			logContext(ctx),
		);
	}
	const unrecorded = consentWriteFailed(result.events, notes);
	if (unrecorded.length === 0) return { notes };
	// An opt-out Meta has had its 200 for is never sent again: answer 503 so that Meta redelivers (for up to
	// 7 days), and forget the delivery so that the redelivery is processed. Consent already written by this
	// call is found in the ledger then (same wamid) and not written twice.
	giveBack(memory, result);
	ctx.logger.error(
		`WhatsApp trigger: ${unrecorded.length} opt-out/opt-in request(s) could not be written to the consent ledger; answered 503 so that Meta redelivers`,
		{ ...logContext(ctx), eventIds: unrecorded.map((event) => event.eventId) },
	);
	return {
		refusal: reply(
			ctx,
			503,
			'The consent ledger could not record an opt-out or opt-in from this delivery; it was not accepted. Redeliver it later.',
		),
	};
}

/** After dedupe: the ledger (when on), then the items for n8n. */
async function handOff(
	ctx: IWebhookFunctions,
	memory: TriggerMemory,
	result: ProcessResult,
	options: IDataObject,
): Promise<IWebhookResponseData> {
	const events = wantedEvents(ctx, result, options);
	let notes: Map<WebhookEvent, LedgerNote> | undefined;
	if (ctx.getNodeParameter('recordInLedger', false) === true) {
		const recorded = await recordDelivery(ctx, memory, result);
		if (recorded.refusal) return recorded.refusal;
		notes = recorded.notes;
	}
	const items: INodeExecutionData[] = events.map((event) => {
		const note = notes?.get(event);
		return { json: (note ? { ...event, ledger: note } : event) as unknown as IDataObject };
	});
	settleWhenAnswered(ctx, memory, result);
	// n8n answers 200 as soon as the execution is stored (milliseconds), like its own triggers: a sender that
	// outpaces n8n then waits instead of piling up executions in memory.
	return { webhookResponse: ACK_BODY, workflowData: items.length > 0 ? [items] : undefined };
}

/**
 * The verified payload of a delivery, or the refusal that answers it: too large (by Content-Length, then by the
 * bytes read), unsigned or wrongly signed, or not a WhatsApp Business Account payload.
 */
async function verifiedPayload(
	ctx: IWebhookFunctions,
	memory: TriggerMemory,
): Promise<{ payload: WebhookPayload } | { refusal: IWebhookResponseData }> {
	const req = ctx.getRequestObject() as unknown as RawRequest;
	const early = cheapRefusal(req);
	if (early) return { refusal: refuse(ctx, memory, early.code, early.reason, early.body) };
	if (!req.rawBody && typeof req.readRawBody === 'function') await req.readRawBody();
	const raw = req.rawBody;
	const oversize = oversizeProblem(raw?.length);
	if (oversize) return { refusal: refuse(ctx, memory, 413, oversize, `Payload too large: ${oversize}.`) };

	const signature = await checkSignature(ctx, memory, raw, req.headers[SIGNATURE_HEADER]);
	if (!signature.valid)
		return { refusal: refuse(ctx, memory, 401, signature.reason, `Invalid signature: ${signature.reason}.`) };

	const parsed = parseWebhookBody(raw as Buffer);
	if (!parsed.ok) return { refusal: refuse(ctx, memory, 400, parsed.reason, `Bad request: ${parsed.reason}.`) };
	return { payload: parsed.payload };
}

/** The payload's new events (this trigger's keywords, duplicate and window memory), with duplicates and stale changes logged. */
function newEvents(
	ctx: IWebhookFunctions,
	memory: TriggerMemory,
	payload: WebhookPayload,
	options: IDataObject,
): ProcessResult {
	const keywords = compileKeywords({
		useDefaults: options.useDefaultKeywords !== false,
		extraOptOut: splitKeywordList(options.extraOptOutKeywords as string),
		extraOptIn: splitKeywordList(options.extraOptInKeywords as string),
	});
	const result = processWebhook(payload, {
		dedupe: memory.dedupe,
		windows: memory.windows,
		keywords,
		now: Date.now(),
		maxAgeMs: DEDUPE_TTL_MS,
	});
	if (result.duplicates.length > 0) {
		ctx.logger.debug(`WhatsApp webhook: ${result.duplicates.length} duplicate change(s) dropped`, {
			...logContext(ctx),
			duplicates: result.duplicates.slice(0, 20),
		});
	}
	if (result.stale.length > 0) {
		memory.staleDropped += result.stale.length;
		ctx.logger.warn(
			`WhatsApp webhook: ${result.stale.length} change(s) older than Meta's 7-day redelivery horizon dropped (a replay, or a clock far off); ${memory.staleDropped} dropped by this trigger since n8n started`,
			{ ...logContext(ctx), stale: result.stale.slice(0, 20) },
		);
	}
	return result;
}

export async function receiveWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	if (this.getWebhookName() === 'setup') return await handshake(this);

	const memory = triggerMemory(memoryKey(this));
	const verified = await verifiedPayload(this, memory);
	if ('refusal' in verified) return verified.refusal;

	const options = this.getNodeParameter('options', {}) as IDataObject;
	const result = newEvents(this, memory, verified.payload, options);
	try {
		return await handOff(this, memory, result, options);
	} catch (error) {
		giveBack(memory, result);
		throw error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error);
	}
}
