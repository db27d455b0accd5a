/**
 * Meta's X-Hub-Signature-256: an HMAC-SHA256 of the raw request bytes with the app's secret. Checked before the body
 * is read as JSON, so a forged call is refused before any work.
 */
import { createHmac, timingSafeEqual } from 'crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const SIGNATURE_PREFIX = 'sha256=';

function hmacOf(rawBody: Buffer | string, appSecret: string): Buffer {
	return createHmac('sha256', appSecret).update(rawBody).digest();
}

/** The header value Meta sends for these bytes: `sha256=<hex>`. */
export function computeSignature(rawBody: Buffer | string, appSecret: string): string {
	return `${SIGNATURE_PREFIX}${hmacOf(rawBody, appSecret).toString('hex')}`;
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
	if (!given.toLowerCase().startsWith(SIGNATURE_PREFIX))
		return `the ${SIGNATURE_HEADER} header does not start with "${SIGNATURE_PREFIX}"`;
	if (!/^[0-9a-f]{64}$/i.test(given.slice(SIGNATURE_PREFIX.length)))
		return `the ${SIGNATURE_HEADER} header is not a SHA-256 hex digest`;
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
	const expected = hmacOf(rawBody, appSecret);
	const got = Buffer.from(hex, 'hex');
	if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
		return {
			valid: false,
			reason: 'the signature does not match the body (wrong App Secret, or the body was altered)',
		};
	}
	return { valid: true };
}
