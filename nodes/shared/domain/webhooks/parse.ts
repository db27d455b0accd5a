/** The signed body read as a WhatsApp Business Account webhook payload: size, JSON, and Meta's envelope. */
import { isRecord } from '../guards';

/** Meta documents webhook payloads of at most 3 MB; anything larger is not Meta (refused before any HMAC). */
export const MAX_WEBHOOK_BYTES = 3 * 1024 * 1024;

/** Why a body of this size (Content-Length or the bytes read) is refused, if it is. */
export function oversizeProblem(bytes: number | undefined, maxBytes = MAX_WEBHOOK_BYTES): string | undefined {
	if (bytes === undefined || !Number.isFinite(bytes) || bytes <= maxBytes) return undefined;
	return `the body is ${bytes} bytes, more than the ${maxBytes} bytes (3 MB) a Meta webhook can have`;
}

export interface WebhookPayload {
	object: string;
	entry: Array<Record<string, unknown>>;
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
