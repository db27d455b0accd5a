/**
 * Phase two of sending: paced, concurrent delivery to Meta with retries only where a message was certainly
 * not accepted. Every prepared item ends in exactly one outcome.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import {
	connectionRetryDelayMs,
	lookupMetaError,
	NO_RETRY,
	outcomeOfErrorAnswer,
	retryDelayMs,
	type GraphError,
} from '../../shared/domain/metaErrors';
import { RollingWindow, SendScheduler } from '../../shared/domain/pacing';
import { LedgerError } from '../../shared/io/ledger';
import type { SendKeyStore } from '../../shared/io/sendKeys';
import { ClaimAhead } from './claimAhead';
import { GraphNetworkError, graphRequest, type CloudCredentials } from '../../shared/io/transport';
import type { PreparedSend } from './prepare';

export interface DispatchSettings {
	messagesPerSecond: number;
	pairSpacingMs: number;
	maxRetries: number;
	retryUnknownOutcome: boolean;
	timeoutMs: number;
	/** Without continue-on-fail the first failure stops items that have not started yet. */
	stopOnFirstFailure: boolean;
	/** Idempotency keys in the ledger; undefined when idempotent sending is off. */
	keyStore?: SendKeyStore;
}

export type SendOutcome =
	| {
			status: 'sent';
			send: PreparedSend;
			messageId: string;
			waId?: string;
			messageStatus?: string;
			acceptedAt: string;
			attempts: number;
			messageType: 'template' | 'text';
			idempotencyWarning?: string;
			/** Set when a free-form attempt was refused because the window had closed, and the template went instead. */
			fallback?: string;
		}
	| { status: 'duplicate'; send: PreparedSend; messageId: string; sentAt: string }
	| { status: 'failed'; send: PreparedSend; failure: SendFailure; attempts: number }
	| { status: 'skipped'; send: PreparedSend };

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

interface MessagesResponse {
	contacts?: Array<{ input?: string; wa_id?: string }>;
	messages?: Array<{ id?: string; message_status?: string }>;
}

/** Bounds the requests in flight; pacing decides when they start. */
class Gate {
	private active = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	async enter(): Promise<void> {
		if (this.active < this.limit) {
			this.active++;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	leave(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.active--;
	}
}

const UNKNOWN_OUTCOME_ADVICE =
	'Meta may have accepted this message. Check the delivery status (Session Window Trigger) before sending it again; enable "Retry When Outcome Is Unknown" only if a duplicate is acceptable.';

function failureFromGraph(error: GraphError, httpCode: number, retryUnknownOutcome: boolean): SendFailure {
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

function failureFromNetwork(error: GraphNetworkError): SendFailure {
	return {
		title: error.certainlyNotSent ? 'Connection failed' : 'Outcome unknown',
		message: error.message,
		description: `${error.details ? `(${error.details}) ` : ''}` + (error.certainlyNotSent
			? 'Nothing reached Meta. Check the Base URL in the credential and the network.'
			: UNKNOWN_OUTCOME_ADVICE),
		retryable: error.certainlyNotSent,
		outcome: error.certainlyNotSent ? 'not_sent' : 'unknown',
	};
}

export async function dispatchSends(
	ctx: IExecuteFunctions,
	credentials: CloudCredentials,
	sends: PreparedSend[],
	settings: DispatchSettings,
): Promise<SendOutcome[]> {
	const scheduler = new SendScheduler({
		messagesPerSecond: settings.messagesPerSecond,
		// A small margin: request start and arrival at Meta differ by some milliseconds.
		pairSpacingMs: settings.pairSpacingMs > 0 ? settings.pairSpacingMs + 100 : 0,
	});
	const gate = new Gate(Math.min(1000, Math.max(16, settings.messagesPerSecond)));
	// Meta counts arrivals, we can only count request starts; a start delayed by a busy event loop arrives late and
	// shares Meta's second with later ones. Hence 30 ms (3 %) of margin (why this much: README, Performance, "130429
	// at 80 mps"); each 130429 still widens the window for the rest of the run.
	const window = new RollingWindow(settings.messagesPerSecond, 1030);
	let stopped = false;

	// Slots are reserved in input order up front, so pacing follows the order of the items.
	const firstSlots = sends.map((send) => scheduler.reserve(send.to, Date.now()));

	const claims = settings.keyStore
		? new ClaimAhead(settings.keyStore, sends.map((send) => send.sendKey), firstSlots, () => ({
				resendUnknown: settings.retryUnknownOutcome,
				now: Date.now(),
				staleAfterMs: settings.timeoutMs * (settings.maxRetries + 1) + 60_000,
			}))
		: undefined;

	const deliver = async (send: PreparedSend, position: number): Promise<SendOutcome> => {
		const slot = firstSlots[position];
		// Claim the key only when this item's turn comes (with the few due next), so a process that dies leaves few
		// claims "unknown".
		if (claims && send.sendKey) {
			const wait = slot - Date.now();
			if (wait > 0) await sleep(wait);
			if (stopped && !claims.has(position)) return { status: 'skipped', send };
		}
		const claim = await claimKey(send, position);
		if (claim && 'status' in claim) return claim;
		const outcome = await attemptDelivery(send, slot);
		if (claim && claims && send.sendKey) {
			const certainlyNotSent = outcome.status === 'skipped' || (outcome.status === 'failed' && outcome.failure.outcome === 'not_sent');
			const finalStatus = outcome.status === 'sent' ? 'sent' : certainlyNotSent ? 'failed' : undefined;
			// An unknown outcome keeps its pending claim, so a re-run reports it instead of sending again.
			if (finalStatus) {
				claims.complete({
					claimId: claim.claimId,
					status: finalStatus,
					messageId: outcome.status === 'sent' ? outcome.messageId : '',
					ids: send.sendKey,
					claimedAt: claim.claimedAt,
					onError: (message) => {
						if (outcome.status === 'sent') outcome.idempotencyWarning = `Sent, but the idempotency record could not be completed: ${message}`;
					},
				});
			}
		}
		return outcome;
	};

	/** Claims the item's idempotency key; returns a final outcome when the item must not be sent. */
	const claimKey = async (send: PreparedSend, position: number): Promise<SendOutcome | { claimId: string; claimedAt: number } | undefined> => {
		if (!claims || !send.sendKey) return undefined;
		const claimed = await claims.claim(position);
		if (claimed instanceof Error) {
			const error = claimed;
			return {
				status: 'failed',
				send,
				attempts: 0,
				failure: {
					title: 'Idempotency check failed',
					message: `The consent ledger could not be asked whether this notification was already sent: ${(error as Error).message}`,
					description: `Nothing was sent. ${error instanceof LedgerError ? error.fix : 'Check the consent ledger settings of the credential.'} Idempotency Window 0 sends without the check.`,
					retryable: true,
					outcome: 'not_sent',
				},
			};
		}
		const claim = claimed.claim;
		const decision = claim.decision;
		if (decision.action === 'send') return { claimId: claim.claimId!, claimedAt: claimed.claimedAt };
		if (decision.action === 'duplicate') return { status: 'duplicate', send, messageId: decision.messageId, sentAt: decision.sentAt };
		if (decision.action === 'collision') {
			return { status: 'failed', send, attempts: 0, failure: collisionFailure(decision.reason, send.explicitIdempotencyKey) };
		}
		return {
			status: 'failed',
			send,
			attempts: 0,
			failure: {
				title: decision.action === 'inFlight' ? 'Already being sent' : 'Outcome unknown',
				message: decision.reason,
				description:
					'Not sent again. Check the delivery status of the earlier attempt (Session Window Trigger); turn on "Retry When Outcome Is Unknown" only if a duplicate is acceptable.',
				retryable: false,
				outcome: 'unknown',
			},
		};
	};

	const attemptDelivery = async (send: PreparedSend, slot: number): Promise<SendOutcome & { idempotencyWarning?: string }> => {
		let startAt = slot;
		let body = send.freeFormBody ?? send.body;
		let fallback: string | undefined;
		for (let attempt = 0; ; attempt++) {
			const wait = startAt - Date.now();
			if (wait > 0) await sleep(wait);
			if (stopped) return { status: 'skipped', send };
			await gate.enter();
			for (let allowed = window.nextAllowed(Date.now()); allowed > Date.now(); allowed = window.nextAllowed(Date.now())) {
				await sleep(allowed - Date.now());
			}
			window.record(Date.now());
			let failure: SendFailure;
			let retryDelay = 0;
			try {
				const res = await graphRequest<MessagesResponse>(ctx, credentials, {
					method: 'POST',
					path: `${send.senderId}/messages`,
					body,
					timeoutMs: settings.timeoutMs,
				});
				if (res.data && !res.error) {
					const message = res.data.messages?.[0];
					if (message?.id) {
						return {
							status: 'sent',
							send,
							messageId: message.id,
							waId: res.data.contacts?.[0]?.wa_id,
							messageStatus: message.message_status,
							acceptedAt: new Date().toISOString(),
							attempts: attempt + 1,
							messageType: body === send.body ? 'template' : 'text',
							...(fallback ? { fallback } : {}),
						};
					}
					failure = {
						title: 'Unexpected answer',
						message: 'Meta answered without a message ID',
						description: 'The message may have been accepted; check the delivery status before re-sending.',
						retryable: false,
						outcome: 'unknown',
						httpCode: res.statusCode,
					};
				} else {
					failure = failureFromGraph(res.error ?? { message: `HTTP ${res.statusCode}` }, res.statusCode, settings.retryUnknownOutcome);
					if (failure.code === 130429) window.widen(20);
					if (failure.retryable) {
						const delay = failure.code === undefined ? NO_RETRY : retryDelayMs(failure.code, attempt);
						retryDelay = delay === NO_RETRY ? connectionRetryDelayMs(attempt) : delay;
					}
				}
			} catch (error) {
				if (!(error instanceof GraphNetworkError)) {
					throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: send.itemIndex });
				}
				failure = failureFromNetwork(error);
				if (failure.outcome === 'unknown' && settings.retryUnknownOutcome) failure.retryable = true;
				retryDelay = connectionRetryDelayMs(attempt);
			} finally {
				gate.leave();
			}
			// The ledger thought the window was open but Meta says it closed: the template is the way to reach them.
			if (failure.code === 131047 && body !== send.body) {
				body = send.body;
				fallback = 'Free-form message refused (131047: the 24-hour window had closed); sent the template instead';
				scheduler.releaseRecipientSlot(send.to, startAt);
				startAt = scheduler.reserve(send.to, Date.now());
				continue;
			}
			if (!failure.retryable || attempt >= settings.maxRetries || stopped) {
				if (settings.stopOnFirstFailure) stopped = true;
				return { status: 'failed', send, failure: { ...failure, retryable: failure.retryable }, attempts: attempt + 1 };
			}
			if (failure.outcome === 'not_sent') scheduler.releaseRecipientSlot(send.to, startAt);
			startAt = scheduler.reserve(send.to, Date.now() + retryDelay);
		}
	};

	const outcomes = await Promise.all(sends.map((send, i) => deliver(send, i)));
	await claims?.finish();
	return outcomes;
}

/** A key already used by a different message: never a quiet duplicate, always this error (nothing sent). */
function collisionFailure(reason: string, explicitKey: boolean): SendFailure {
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

export function failureJson(failure: SendFailure): IDataObject {
	return {
		code: failure.code ?? null,
		title: failure.title,
		message: failure.message,
		description: failure.description,
		retryable: failure.retryable,
		outcome: failure.outcome,
		fbtrace_id: failure.fbtrace_id ?? null,
	};
}
