/**
 * Why a notification was not sent (or may have been), worded for the user: from Meta's answer, a failed connection,
 * or the idempotency record. Pure: the dispatcher decides when; this decides what the failure says and whether a
 * retry is safe.
 */
import {
	NO_RETRY,
	connectionRetryDelayMs,
	lookupMetaError,
	outcomeOfErrorAnswer,
	retryDelayMs,
	type GraphError,
} from './metaErrors';

export interface SendFailure {
	code?: number;
	title: string;
	message: string;
	description: string;
	retryable: boolean;
	/** not_sent: Meta certainly did not accept it; unknown: it may have been accepted. */
	outcome: 'not_sent' | 'unknown';
	httpCode?: number;
	fbtrace_id?: string;
	graphError?: GraphError;
}

export const UNKNOWN_OUTCOME_ADVICE =
	'Meta may have accepted this message. Check the delivery status (Session Window Trigger) before sending it again; enable "Retry When Outcome Is Unknown" only if a duplicate is acceptable.';

/** Meta answered with an error: the error table decides its wording, outcome and whether to retry. */
export function failureFromGraph(error: GraphError, httpCode: number, retryUnknownOutcome: boolean): SendFailure {
	const info = lookupMetaError(error.code);
	// The error table decides: e.g. a 5xx with 131000 may have gone out, a 5xx with 131016 did not.
	const outcome = outcomeOfErrorAnswer(httpCode, error.code);
	const unknown = outcome === 'unknown';
	return {
		code: error.code,
		title: info.title,
		message: error.message,
		description: [error.error_data?.details, info.meaning, unknown ? UNKNOWN_OUTCOME_ADVICE : info.userMessage]
			.filter(Boolean)
			.join(' — '),
		retryable: unknown ? retryUnknownOutcome : info.retryable,
		outcome,
		httpCode,
		fbtrace_id: error.fbtrace_id,
		graphError: error,
	};
}

/** What a failed connection tells: only a refused or unresolvable one proves nothing reached Meta. */
export interface ConnectionFailure {
	message: string;
	details?: string;
	certainlyNotSent: boolean;
}

export function failureFromNetwork(error: ConnectionFailure): SendFailure {
	return {
		title: error.certainlyNotSent ? 'Connection failed' : 'Outcome unknown',
		message: error.message,
		description:
			`${error.details ? `(${error.details}) ` : ''}` +
			(error.certainlyNotSent
				? 'Nothing reached Meta. Check the Base URL in the credential and the network.'
				: UNKNOWN_OUTCOME_ADVICE),
		retryable: error.certainlyNotSent,
		outcome: error.certainlyNotSent ? 'not_sent' : 'unknown',
	};
}

/** Meta answered 2xx without a message ID: it may have accepted the message. */
export function noMessageIdFailure(httpCode: number): SendFailure {
	return {
		title: 'Unexpected answer',
		message: 'Meta answered without a message ID',
		description: 'The message may have been accepted; check the delivery status before re-sending.',
		retryable: false,
		outcome: 'unknown',
		httpCode,
	};
}

/** How long to wait before re-sending after Meta's error (retryable failures only); the error table decides. */
export function graphRetryDelayMs(failure: SendFailure, attempt: number): number {
	if (!failure.retryable) return 0;
	const delay = failure.code === undefined ? NO_RETRY : retryDelayMs(failure.code, attempt);
	return delay === NO_RETRY ? connectionRetryDelayMs(attempt) : delay;
}

/** The ledger could not be asked whether the notification was already sent: nothing is sent. */
export function idempotencyCheckFailure(problem: string, fix: string): SendFailure {
	return {
		title: 'Idempotency check failed',
		message: `The consent ledger could not be asked whether this notification was already sent: ${problem}`,
		description: `Nothing was sent. ${fix} Idempotency Window 0 sends without the check.`,
		retryable: true,
		outcome: 'not_sent',
	};
}

/** An earlier attempt with the same key is still being sent, or never finished: not sent again. */
export function earlierAttemptFailure(inFlight: boolean, reason: string): SendFailure {
	return {
		title: inFlight ? 'Already being sent' : 'Outcome unknown',
		message: reason,
		description:
			'Not sent again. Check the delivery status of the earlier attempt (Session Window Trigger); turn on "Retry When Outcome Is Unknown" only if a duplicate is acceptable.',
		retryable: false,
		outcome: 'unknown',
	};
}

/** A key already used by a different message: never a quiet duplicate, always this error (nothing sent). */
export function collisionFailure(reason: string, explicitKey: boolean): SendFailure {
	return {
		title: 'Idempotency key collision',
		message: reason,
		description: explicitKey
			? 'Nothing was sent. An Idempotency Key names one message to one recipient, across every workflow that uses this ledger: build it from the recipient and the event (e.g. {{ $json.orderId }}-shipped-{{ $json.phone }}). If the earlier message was wrong and this one must go out, use a new key.'
			: 'Nothing was sent. Under one Correlation Key each notification to a recipient (same workflow, sender, type, template and language) may be sent once: name the event in the Correlation Key (e.g. {{ $json.orderId }}-delivered), or set an Idempotency Key per message. If the earlier message was wrong and this one must go out, use a new key.',
		retryable: false,
		outcome: 'not_sent',
	};
}

/** Appended to the error that stops a run: how far it got. */
export function runProgressNote(sent: number, notAttempted: number): string {
	return ` (${sent} message(s) of this run were sent, ${notAttempted} not attempted)`;
}
