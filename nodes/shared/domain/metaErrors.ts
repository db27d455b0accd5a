/**
 * Meta Graph / WhatsApp Cloud API error codes as data: the one table that every Graph call of this package
 * (sending, template reads, the template poll, webhook registration) reads for its retry and outcome
 * decisions. Meta asks integrators to build logic on `code` (+ `error_data.details`), never on the title
 * text or the HTTP status, so everything keys on the code.
 *
 * `retry` is advice for a person; `retryable` says whether this package may re-send on its own:
 * only when waiting helps. `retryClass` picks the back-off schedule and says what an HTTP 5xx answer with
 * this code means for a message (see outcomeOfErrorAnswer).
 */
import { isRecord } from './guards';

export type RetryAdvice = 'retry' | 'retry-later' | 'no-retry';

/**
 * - rate-limit: the app, account or number was throttled; the request was refused before it was processed.
 * - pair-limit: 131056, too many messages to one user; refused, retried after 4^n s (capped).
 * - unavailable: the service said it was down or overloaded; refused before it was processed.
 * - unknown-server-error: Meta failed for a reason it does not know (codes 1 and 131000); after an HTTP 5xx
 *   nobody can tell whether the message went out.
 * - maintenance: 131057, the account is being upgraded; refused, retried after about a minute.
 */
export type RetryClass = 'rate-limit' | 'pair-limit' | 'unavailable' | 'unknown-server-error' | 'maintenance';

export interface MetaErrorInfo {
	code: number;
	title: string;
	meaning: string;
	retry: RetryAdvice;
	retryable: boolean;
	retryClass?: RetryClass;
	userMessage: string;
}

type ErrorRow = Omit<MetaErrorInfo, 'code'>;

const FIX_CREDENTIALS =
	'Check the access token in the WhatsApp credential (a System User token that does not expire is recommended).';
const FIX_PERMISSIONS =
	'Give the token the whatsapp_business_messaging and whatsapp_business_management permissions and access to this WhatsApp Business Account.';

export const META_ERRORS: Readonly<Record<number, ErrorRow>> = {
	0: {
		title: 'AuthException',
		meaning: 'The access token could not be validated (invalid or expired).',
		retry: 'no-retry',
		retryable: false,
		userMessage: FIX_CREDENTIALS,
	},
	1: {
		title: 'API Unknown',
		meaning: 'Meta reported an unknown error, possibly a temporary outage.',
		retry: 'retry',
		retryable: true,
		retryClass: 'unknown-server-error',
		userMessage: 'Retry with backoff; if it persists, check the WhatsApp Business Platform status page.',
	},
	2: {
		title: 'API Service',
		meaning: 'Temporary downtime or overload at Meta.',
		retry: 'retry',
		retryable: true,
		retryClass: 'unavailable',
		userMessage: 'Retry with backoff; if it persists, check the WhatsApp Business Platform status page.',
	},
	3: {
		title: 'API Method',
		meaning: 'The app lacks the capability or permission for this call.',
		retry: 'no-retry',
		retryable: false,
		userMessage: FIX_PERMISSIONS,
	},
	4: {
		title: 'API Too Many Calls',
		meaning: 'The app reached its API call rate limit.',
		retry: 'retry',
		retryable: true,
		retryClass: 'rate-limit',
		userMessage:
			'Wait and retry with backoff; reduce the number of API calls (see the X-Business-Use-Case-Usage header).',
	},
	17: {
		title: 'API User Too Many Calls',
		meaning: 'The user of the access token reached its Graph API call rate limit.',
		retry: 'retry',
		retryable: true,
		retryClass: 'rate-limit',
		userMessage: 'Wait and retry with backoff; make fewer calls with this token (e.g. poll templates less often).',
	},
	32: {
		title: 'Page-level throttling',
		meaning: 'Calls made with this token for one page or account reached their rate limit.',
		retry: 'retry',
		retryable: true,
		retryClass: 'rate-limit',
		userMessage: 'Wait and retry with backoff; spread the calls over time.',
	},
	613: {
		title: 'Calls within one hour exceeded',
		meaning: 'A custom rate limit of this endpoint was reached (calls per hour).',
		retry: 'retry',
		retryable: true,
		retryClass: 'rate-limit',
		userMessage: 'Wait and retry later; make fewer calls per hour to this endpoint.',
	},
	10: {
		title: 'API Permission Denied',
		meaning: 'Permission is not granted or has been removed.',
		retry: 'no-retry',
		retryable: false,
		userMessage: FIX_PERMISSIONS,
	},
	100: {
		title: 'Invalid parameter',
		meaning: 'A request parameter is invalid or misspelled.',
		retry: 'no-retry',
		retryable: false,
		userMessage:
			'Check the request parameters named in the error details (e.g. the phone number ID and the template fields).',
	},
	190: {
		title: 'Access token has expired',
		meaning: 'The access token has expired or was invalidated.',
		retry: 'no-retry',
		retryable: false,
		userMessage: `Create a new access token. ${FIX_CREDENTIALS}`,
	},
	200: {
		title: 'API Permission',
		meaning: 'A permission needed for this call is missing (codes 200–299).',
		retry: 'no-retry',
		retryable: false,
		userMessage: FIX_PERMISSIONS,
	},
	368: {
		title: 'Temporarily blocked for policies violations',
		meaning: 'The WhatsApp Business Account is temporarily blocked for violating WhatsApp policies.',
		retry: 'no-retry',
		retryable: false,
		userMessage:
			'Check the policy enforcement notice in WhatsApp Manager and appeal or fix the violation before sending again.',
	},
	80007: {
		title: 'Rate limit issues',
		meaning: 'The WhatsApp Business Account reached its Business Use Case rate limit.',
		retry: 'retry',
		retryable: true,
		retryClass: 'rate-limit',
		userMessage: 'Wait and retry with backoff; spread requests over time.',
	},
	130429: {
		title: 'Rate limit hit',
		meaning: 'The phone number sent more messages per second than its throughput allows (80 or 1,000 mps).',
		retry: 'retry',
		retryable: true,
		retryClass: 'rate-limit',
		userMessage: 'Retry after a short backoff and lower the messages-per-second setting.',
	},
	130472: {
		title: "User's number is part of an experiment",
		meaning: 'Meta did not deliver the marketing message because the user is part of a Meta experiment.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Nothing to fix; the message was intentionally not delivered. Do not re-send it.',
	},
	131000: {
		title: 'Something went wrong',
		meaning: 'The message failed for an unknown reason at Meta.',
		retry: 'retry',
		retryable: true,
		retryClass: 'unknown-server-error',
		userMessage: 'Retry a limited number of times; if it persists, contact Meta support with the fbtrace_id.',
	},
	131008: {
		title: 'Required parameter is missing',
		meaning: 'The request is missing a required parameter.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Fill in every template variable and required field; the error details name the missing one.',
	},
	131009: {
		title: 'Parameter value is not valid',
		meaning: 'A parameter value is invalid (e.g. the phone number or a template field).',
		retry: 'no-retry',
		retryable: false,
		userMessage:
			'Correct the value named in the error details; phone numbers must be international (+ and country code).',
	},
	131016: {
		title: 'Service unavailable',
		meaning: 'A WhatsApp service is temporarily unavailable.',
		retry: 'retry',
		retryable: true,
		retryClass: 'unavailable',
		userMessage: 'Retry with backoff; check the WhatsApp Business Platform status page.',
	},
	131021: {
		title: 'Recipient cannot be sender',
		meaning: 'The message was addressed to the business phone number itself.',
		retry: 'no-retry',
		retryable: false,
		userMessage: "Use the customer's phone number as the recipient, not your business number.",
	},
	131026: {
		title: 'Message undeliverable',
		meaning:
			'The recipient cannot receive the message: not on WhatsApp, an outdated app, terms not accepted, or the business is blocked.',
		retry: 'no-retry',
		retryable: false,
		userMessage:
			'Check that the number uses WhatsApp and reach the customer on another channel; do not retry right away.',
	},
	131031: {
		title: 'Account has been locked',
		meaning: 'The business account is locked for a policy violation or a failed two-step verification PIN.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Resolve the lock in WhatsApp Manager (policy appeal or correct two-step verification PIN).',
	},
	131042: {
		title: 'Business eligibility payment issue',
		meaning: 'There is a problem with the payment method of the WhatsApp Business Account.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Add or fix the payment method and credit line in Meta Business Manager.',
	},
	131047: {
		title: 'Re-engagement message',
		meaning: 'More than 24 hours have passed since the customer last messaged, so free-form messages are not allowed.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Send an approved template instead of a free-form message.',
	},
	131048: {
		title: 'Spam rate limit hit',
		meaning: 'Messages were restricted because too many recipients blocked or reported them.',
		retry: 'retry-later',
		retryable: false,
		userMessage:
			'Reduce volume, send only to users who opted in, and check the phone number quality rating before sending again.',
	},
	131049: {
		title: 'Meta chose not to deliver',
		meaning: 'Not delivered to maintain healthy ecosystem engagement (per-user marketing message limit).',
		retry: 'retry-later',
		retryable: false,
		userMessage:
			'Do not retry immediately; wait at least 24 hours, and make sure the template is really a notification.',
	},
	131050: {
		title: 'User stopped marketing messages',
		meaning: 'The user opted out of marketing messages from this business.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Record the marketing opt-out for this user and stop sending them marketing messages.',
	},
	131051: {
		title: 'Unsupported message type',
		meaning: 'The message type is not supported.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Send a supported message type.',
	},
	131052: {
		title: 'Media download error',
		meaning: 'The media sent by the user could not be downloaded.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Ask the user to send the media again by another means.',
	},
	131053: {
		title: 'Media upload error',
		meaning: 'The media in the message could not be uploaded or fetched (unsupported type or unreachable link).',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Check the header media: a public https link or a valid media ID of a supported type and size.',
	},
	131056: {
		title: '(Business Account, Consumer Account) pair rate limit hit',
		meaning: 'Too many messages were sent to the same user in a short time.',
		retry: 'retry',
		retryable: true,
		retryClass: 'pair-limit',
		userMessage:
			'Wait before sending to this user again (4^n seconds, at most 60 s apart here); keep about 6 seconds between messages to one user.',
	},
	131057: {
		title: 'Account in maintenance mode',
		meaning: 'The business account is in maintenance mode, e.g. during a throughput upgrade.',
		retry: 'retry',
		retryable: true,
		retryClass: 'maintenance',
		userMessage: 'Retry after about a minute.',
	},
	131059: {
		title: 'Invalid paging cursor',
		meaning: 'The template list was requested with an invalid or expired paging cursor (v24.0+).',
		retry: 'retry',
		retryable: false,
		userMessage: 'Reload the template list from the first page, without the before/after cursor.',
	},
	131061: {
		title: 'Max-price template not allowed',
		meaning: 'A template with a maximum price (bid cap) was sent through /messages (2026; detail uncertain).',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'This template must be sent through the Marketing Messages API, not as a notification.',
	},
	131062: {
		title: 'Business-scoped user ID not supported here',
		meaning:
			'The recipient was given as a business-scoped user ID (the `recipient` field, 2026) for a message that needs a phone number: one-tap, zero-tap and copy-code authentication templates.',
		retry: 'no-retry',
		retryable: false,
		userMessage: "Send this message to the user's phone number; a business-scoped user ID cannot receive it.",
	},
	131063: {
		title: 'Marketing messages disabled on Cloud API',
		meaning: 'The account disabled marketing templates on /messages; they must go through the Marketing Messages API.',
		retry: 'no-retry',
		retryable: false,
		userMessage:
			'Use a UTILITY template for notifications; marketing templates must be sent through the Marketing Messages API.',
	},
	132000: {
		title: 'Template param count mismatch',
		meaning: "The number of variables sent does not match the template's placeholders.",
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Reload the template and fill in exactly one value per placeholder.',
	},
	132001: {
		title: 'Template does not exist',
		meaning: 'No template with this name exists in this language (or it is not approved yet).',
		retry: 'no-retry',
		retryable: false,
		userMessage:
			'Reload the template list and pick the template and language exactly as approved (e.g. en_US, not en).',
	},
	132005: {
		title: 'Template hydrated text too long',
		meaning: 'The text with the variables filled in is longer than Meta allows.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Shorten the variable values.',
	},
	132007: {
		title: 'Template format character policy violated',
		meaning: 'A variable contains characters that the template policy forbids (e.g. new lines, tabs, many spaces).',
		retry: 'no-retry',
		retryable: false,
		userMessage:
			'Remove new lines (also U+2028/U+2029), tabs, other control characters and runs of more than 4 spaces (no-break spaces count) from the variable values.',
	},
	132012: {
		title: 'Template parameter format mismatch',
		meaning: 'A variable does not have the format the template expects (e.g. text vs. media, named vs. positional).',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Reload the template and provide each variable in the expected format.',
	},
	132015: {
		title: 'Template is paused',
		meaning: 'The template is paused because of low quality.',
		retry: 'retry-later',
		retryable: false,
		userMessage:
			'Wait until the template is APPROVED again (3 h after the first pause, 6 h after the second) and improve its content.',
	},
	132016: {
		title: 'Template is disabled',
		meaning: 'The template was disabled after repeated pauses for low quality.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Create and use a new template; disabled templates cannot be sent.',
	},
	133004: {
		title: 'Server temporarily unavailable',
		meaning: 'The WhatsApp server is temporarily unavailable.',
		retry: 'retry',
		retryable: true,
		retryClass: 'unavailable',
		userMessage: 'Retry with backoff.',
	},
	133010: {
		title: 'Phone number not registered',
		meaning: 'The business phone number is not registered on the WhatsApp Business Platform.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Register the phone number (POST /<PHONE_NUMBER_ID>/register) before sending.',
	},
	135000: {
		title: 'Generic user error',
		meaning: 'The message failed because of an unknown error in the request.',
		retry: 'no-retry',
		retryable: false,
		userMessage: 'Check the request parameters; if it persists, contact Meta support with the fbtrace_id.',
	},
};

const UNKNOWN_TITLE = 'Unknown error';

export function lookupMetaError(code: number | undefined): MetaErrorInfo {
	if (typeof code === 'number' && Number.isInteger(code)) {
		const row = code >= 200 && code <= 299 ? META_ERRORS[200] : META_ERRORS[code];
		if (row) return { code, ...row };
	}
	const shown = code === undefined ? 'without a code' : `with code ${code}`;
	return {
		code: typeof code === 'number' ? code : -1,
		title: UNKNOWN_TITLE,
		meaning: `Meta returned an error ${shown} that this node does not know.`,
		retry: 'no-retry',
		retryable: false,
		userMessage:
			'Read the error message and details from Meta, and look the code up in the WhatsApp Cloud API error-code reference.',
	};
}

export interface GraphError {
	message: string;
	type?: string;
	code?: number;
	error_subcode?: number;
	error_data?: { details?: string; messaging_product?: string };
	fbtrace_id?: string;
}

function toInteger(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isInteger(value)) return value;
	if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
	return undefined;
}

/**
 * Reads Meta's error envelope `{error:{…}}` (sync responses), an `errors[]` array (status
 * webhooks) or a bare error object; strings are parsed as JSON. The code is recovered from a
 * "(#131047) …" message when the field is missing.
 */
export function parseGraphError(body: unknown): GraphError | undefined {
	let parsed: unknown = body;
	if (typeof parsed === 'string') {
		try {
			parsed = JSON.parse(parsed);
		} catch {
			return undefined;
		}
	}
	if (!isRecord(parsed)) return undefined;

	let raw: unknown = parsed;
	if (isRecord(parsed.error)) raw = parsed.error;
	else if (Array.isArray(parsed.errors) && isRecord(parsed.errors[0])) raw = parsed.errors[0];
	if (!isRecord(raw)) return undefined;

	const messageText =
		typeof raw.message === 'string' ? raw.message : typeof raw.title === 'string' ? raw.title : undefined;
	let code = toInteger(raw.code);
	if (code === undefined && messageText) {
		const fromMessage = /^\(#(\d+)\)/.exec(messageText.trim());
		if (fromMessage) code = Number(fromMessage[1]);
	}
	if (messageText === undefined && code === undefined) return undefined;

	const result: GraphError = { message: messageText ?? `Error ${code}` };
	if (typeof raw.type === 'string') result.type = raw.type;
	if (code !== undefined) result.code = code;
	const subcode = toInteger(raw.error_subcode);
	if (subcode !== undefined) result.error_subcode = subcode;
	if (isRecord(raw.error_data)) {
		const errorData: GraphError['error_data'] = {};
		if (typeof raw.error_data.details === 'string') errorData.details = raw.error_data.details;
		if (typeof raw.error_data.messaging_product === 'string') {
			errorData.messaging_product = raw.error_data.messaging_product;
		}
		result.error_data = errorData;
	}
	if (typeof raw.fbtrace_id === 'string') result.fbtrace_id = raw.fbtrace_id;
	return result;
}

/** The back-off schedule of a code, from the table; undefined when it is never retried automatically. */
export function retryClassOf(code: number | undefined): RetryClass | undefined {
	const info = lookupMetaError(code);
	return info.retryable ? info.retryClass : undefined;
}

/** Meta throttled the call (app, user, page, account, number or pair limit). */
export function isRateLimitCode(code: number | undefined): boolean {
	const retryClass = retryClassOf(code);
	return retryClass === 'rate-limit' || retryClass === 'pair-limit';
}

/** Meta was down, overloaded, in maintenance or failed for an unknown reason: the same call may work later. */
export function isTransientServerCode(code: number | undefined): boolean {
	const retryClass = retryClassOf(code);
	return retryClass === 'unavailable' || retryClass === 'unknown-server-error' || retryClass === 'maintenance';
}

/**
 * Whether a failed read (a GET) is worth one more try: a GET changes nothing, so any HTTP 5xx is, and so is a code
 * the table calls transient. Rate limits are not: another request only spends more of the budget.
 */
export function isRetryableRead(httpStatus: number, code: number | undefined): boolean {
	return httpStatus >= 500 || isTransientServerCode(code);
}

/** 131059: the paging cursor expired (v24.0+); the table's advice is to read the list again from its first page. */
export function isExpiredCursorCode(code: number | undefined): boolean {
	return code === 131059;
}

/**
 * On an edge of the account (GET /{waba-id}/message_templates, /phone_numbers), 100 (invalid parameter) and 803
 * (unknown alias) mean that the WhatsApp Business Account ID in the credential is not one, or that the token cannot
 * see that account: the table's generic advice for 100 ("check the parameters") would not find that.
 */
export function isWrongAccountCode(code: number | undefined): boolean {
	return code === 100 || code === 803;
}

export const WRONG_ACCOUNT_FIX =
	'Check the WhatsApp Business Account ID in the credential: it must be the account (WABA) ID, not the phone number ID or the app ID, and the token must have whatsapp_business_management permission for it.';

/** The fix for a refused read of an account's edge: the account hint where the code means a wrong account, else the table's. */
export function accountReadFix(error: GraphError): string {
	return isWrongAccountCode(error.code) ? WRONG_ACCOUNT_FIX : lookupMetaError(error.code).userMessage;
}

/**
 * What an error answer to POST /messages means for the message: `not_sent` (Meta certainly did not accept it)
 * or `unknown` (it may have gone out).
 *
 * - 4xx with a Graph error: Meta refused the request (Meta documents its refusals as 4xx, e.g. code 1 as 400).
 * - 5xx with a code that says the request was refused before it was processed (rate limits, "service
 *   unavailable" 2 / 131016 / 133004, maintenance 131057, and every validation or permission code): not sent.
 * - 5xx with code 1 ("API Unknown: invalid request or possible server error") or 131000 ("Something went wrong:
 *   message failed to send due to an unknown error", HTTP 500): UNKNOWN. Meta's error-code reference
 *   (developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes) gives no guarantee
 *   that nothing was done: 131000 also names failures of internal GraphQL requests and server outages, it is
 *   reported by webhook for messages that were already accepted with a wamid, and the Cloud API has no
 *   idempotency key that would make a re-send safe. So these are re-sent only when "Retry When Outcome Is
 *   Unknown" is on, and their idempotency claim stays pending, like a timeout.
 * - Any answer without a Graph error code (a proxy or load balancer answered, not Meta): unknown.
 */
export function outcomeOfErrorAnswer(httpStatus: number, code: number | undefined): 'not_sent' | 'unknown' {
	if (code === undefined) return 'unknown';
	if (httpStatus < 500) return 'not_sent';
	return lookupMetaError(code).retryClass === 'unknown-server-error' || !isKnownCode(code) ? 'unknown' : 'not_sent';
}

function isKnownCode(code: number): boolean {
	return lookupMetaError(code).title !== UNKNOWN_TITLE;
}

/** Returned by retryDelayMs for codes that must not be re-sent automatically. */
export const NO_RETRY = -1;

const RATE_LIMIT_CAP_MS = 30_000;
const SERVER_ERROR_CAP_MS = 4_000;
/**
 * Meta's advice for 131056 is to wait 4^n seconds; at Max Retries 10 that is 4^9 s (3 days) before the last try.
 * The pair limit allows about one message per 6 s (bursts borrow from later), so after 64 s the pair has
 * room again: the wait is capped at 60 s (1, 4, 16, 60, 60 … s).
 */
export const PAIR_LIMIT_BACKOFF_CAP_MS = 60_000;
const MAINTENANCE_DELAY_MS = 60_000;
/** No answer arrived: 1, 2, 4 … s, at most 30 s between tries. */
const CONNECTION_RETRY_CAP_MS = 30_000;

function backoff(attempt: number, capMs: number, base = 2): number {
	const step = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
	return Math.min(1000 * base ** Math.min(step, 30), capMs);
}

/**
 * Wait before retry number `attempt` (0-based). Pure: no jitter, so callers may add their own.
 * Returns NO_RETRY (-1) when the code is not safe to re-send automatically.
 */
export function retryDelayMs(code: number, attempt: number): number {
	switch (retryClassOf(code)) {
		case 'pair-limit':
			return backoff(attempt, PAIR_LIMIT_BACKOFF_CAP_MS, 4);
		case 'rate-limit':
			return backoff(attempt, RATE_LIMIT_CAP_MS);
		case 'unavailable':
		case 'unknown-server-error':
			return backoff(attempt, SERVER_ERROR_CAP_MS);
		case 'maintenance':
			return MAINTENANCE_DELAY_MS;
		default:
			return NO_RETRY;
	}
}

/** Wait before retry number `attempt` after no answer arrived (refused connection, or an unknown outcome the user lets re-send). */
export function connectionRetryDelayMs(attempt: number): number {
	return backoff(attempt, CONNECTION_RETRY_CAP_MS);
}

/** Meta's error envelope as a sentence for users: what went wrong and what to do. */
export function describeGraphError(error: GraphError, whileDoing: string): string {
	const info = lookupMetaError(error.code);
	const details = error.error_data?.details ? ` ${error.error_data.details}` : '';
	return `Meta refused ${whileDoing}: ${error.message}${details} — ${info.userMessage}`;
}
