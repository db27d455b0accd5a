/**
 * Graph API error envelopes, shaped like Meta's:
 * `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,
 *   "error_data":{"messaging_product":"whatsapp","details":"…"},"fbtrace_id":"…"}}`.
 */
import { randomBytes } from 'node:crypto';

export interface GraphErrorBody {
	message: string;
	type: string;
	code: number;
	error_subcode?: number;
	is_transient?: boolean;
	error_user_title?: string;
	error_user_msg?: string;
	error_data?: { messaging_product: 'whatsapp'; details: string };
	fbtrace_id: string;
}

/** A thrown/returned Graph error: HTTP status + the `error` object. */
export class GraphError extends Error {
	constructor(
		public readonly httpStatus: number,
		public readonly body: GraphErrorBody,
	) {
		super(body.message);
	}
	toJSON(): { error: GraphErrorBody } {
		return { error: this.body };
	}
}

export function fbtraceId(): string {
	return randomBytes(8).toString('base64').replace(/[+/=]/g, 'A') + 'Emu';
}

interface Extra {
	type?: string;
	subcode?: number;
	transient?: boolean;
	userTitle?: string;
	userMsg?: string;
	/** WhatsApp errors carry `error_data.details`; plain Graph errors do not. */
	details?: string;
}

export function graphError(httpStatus: number, code: number, title: string, extra: Extra = {}): GraphError {
	// Key order as Meta sends it: message, type, code, error_subcode, …, error_data, fbtrace_id.
	const body = { message: `(#${code}) ${title}`, type: extra.type ?? 'OAuthException', code } as GraphErrorBody;
	if (extra.subcode !== undefined) body.error_subcode = extra.subcode;
	if (extra.transient) body.is_transient = true;
	if (extra.userTitle) body.error_user_title = extra.userTitle;
	if (extra.userMsg) body.error_user_msg = extra.userMsg;
	if (extra.details !== undefined) body.error_data = { messaging_product: 'whatsapp', details: extra.details };
	body.fbtrace_id = fbtraceId();
	return new GraphError(httpStatus, body);
}

/* ---------- the errors the emulator returns (one helper per code) ---------- */

export const errInvalidToken = (): GraphError => {
	const e = graphError(401, 190, '', {});
	e.body.message = 'Invalid OAuth access token - Cannot parse access token';
	return e;
};

export const errUnknownObject = (method: string, id: string): GraphError => {
	const e = graphError(400, 100, '', { type: 'GraphMethodException', subcode: 33 });
	e.body.message =
		`Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to ` +
		'missing permissions, or does not support this operation. Please read the Graph API documentation at ' +
		'https://developers.facebook.com/docs/graph-api';
	return e;
};

export const errNonexistingField = (field: string, nodeType: string): GraphError =>
	graphError(400, 100, `Tried accessing nonexisting field (${field}) on node type (${nodeType})`);

export const errUnknownPath = (path: string): GraphError => {
	const e = graphError(400, 2500, '', {});
	e.body.message = `Unknown path components: ${path}`;
	return e;
};

export const errParamRequired = (param: string): GraphError =>
	graphError(400, 100, `The parameter ${param} is required.`, { details: `The parameter ${param} is required.` });

export const errInvalidParameter = (details: string, extra: Omit<Extra, 'details'> = {}): GraphError =>
	graphError(400, 100, 'Invalid parameter', { details, ...extra });

export const errParamEnum = (param: string, allowed: string[], got: unknown): GraphError =>
	graphError(400, 100, `Param ${param} must be one of {${allowed.join(', ')}} - got "${String(got)}".`, {
		details: `Param ${param} must be one of {${allowed.join(', ')}} - got "${String(got)}".`,
	});

export const errRequiredParamMissing = (details: string): GraphError =>
	graphError(400, 131008, 'Required parameter is missing', { details });

export const errParamValueInvalid = (details: string): GraphError =>
	graphError(400, 131009, 'Parameter value is not valid', { details });

/** Meta (2026): a business-scoped user ID cannot receive this message (one-tap, zero-tap and copy-code authentication templates need a phone number). */
export const errBsuidNotSupported = (): GraphError =>
	graphError(400, 131062, 'Business-scoped User ID recipients are not supported for this message', {
		details: 'Business-scoped User ID recipients are not supported for this message. Send to the phone number instead.',
	});

export const errReengagement = (): GraphError =>
	graphError(400, 131047, 'Re-engagement message', {
		details:
			'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
	});

export const errTemplateParamCount = (details: string): GraphError =>
	graphError(400, 132000, 'Number of parameters does not match the expected number of params', { details });

export const errTemplateNotFound = (name: string, language: string): GraphError =>
	graphError(400, 132001, 'Template name does not exist in the translation', {
		details: `template name (${name}) does not exist in ${language}`,
	});

export const errTemplateParamFormat = (details: string): GraphError =>
	graphError(400, 132012, 'Parameter format does not match format in the created template', { details });

export const errTemplatePaused = (name: string): GraphError =>
	graphError(400, 132015, 'Template is Paused', {
		details: `Template ${name} is paused due to low quality so it cannot be sent in a template message.`,
	});

export const errTemplateDisabled = (name: string): GraphError =>
	graphError(400, 132016, 'Template is disabled', {
		details: `Template ${name} has been disabled due to low quality so it cannot be sent in a template message.`,
	});

export const errThroughput = (): GraphError =>
	graphError(429, 130429, 'Rate limit hit', {
		details: 'Cloud API message throughput has been reached.',
		transient: true,
	});

export const errPairRateLimit = (): GraphError =>
	graphError(429, 131056, '(Business Account, Consumer Account) pair rate limit hit', {
		details:
			'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
		transient: true,
	});

export const errAppRateLimit = (): GraphError =>
	graphError(429, 4, 'Application request limit reached', {
		subcode: 2446079,
		transient: true,
		details: 'Application request limit reached',
	});

export const errWabaRateLimit = (): GraphError =>
	graphError(
		429,
		80007,
		'There have been too many calls to this WhatsApp Business account. Wait a bit and try again.',
		{
			transient: true,
			details: 'Rate limit issues (WhatsApp Business Account rate limit)',
		},
	);

export const errUnknown = (): GraphError =>
	graphError(500, 131000, 'Something went wrong', { transient: true, details: 'Something went wrong' });

export const errServiceUnavailable = (): GraphError =>
	graphError(503, 131016, 'Service unavailable', { transient: true, details: 'A service is temporarily unavailable.' });

export const errInvalidCursor = (): GraphError =>
	graphError(400, 131059, 'Invalid pagination cursor', {
		details: 'The pagination cursor is invalid or expired. Retry the request without the before/after parameter.',
	});

export const errCallbackVerification = (why: string): GraphError =>
	graphError(400, 2200, `Callback verification failed with the following errors: ${why}`);
