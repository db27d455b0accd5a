/**
 * Step two of an execute (after prepare.ts): paced, concurrent delivery to Meta with retries only where a message
 * was certainly not accepted. Every prepared item ends in exactly one outcome.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { connectionRetryDelayMs } from '../../shared/domain/metaErrors';
import { ConcurrencyGate, RollingWindow, SendScheduler, type RunPacing } from '../../shared/domain/pacing';
import {
	collisionFailure,
	earlierAttemptFailure,
	failureFromGraph,
	failureFromNetwork,
	graphRetryDelayMs,
	idempotencyCheckFailure,
	noMessageIdFailure,
	type SendFailure,
} from '../../shared/domain/sendFailures';
import { LedgerError } from '../../shared/io/ledger';
import type { SendKeyStore } from '../../shared/io/ledger/sendKeys';
import { GraphNetworkError, graphRequest, type CloudCredentials } from '../../shared/io/transport';
import { toNodeError } from '../../shared/n8n/errors';
import { ClaimAhead } from './claimAhead';
import type { PreparedSend } from './prepare';

export type { SendFailure } from '../../shared/domain/sendFailures';

export interface DispatchSettings extends RunPacing {
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

type SentOutcome = Extract<SendOutcome, { status: 'sent' }>;

interface MessagesResponse {
	contacts?: Array<{ input?: string; wa_id?: string }>;
	messages?: Array<{ id?: string; message_status?: string }>;
}

/** One request to Meta: accepted (with Meta's ids) or a failure and how long to wait before a retry. */
type PostAnswer =
	| { accepted: Pick<SentOutcome, 'messageId' | 'waId' | 'messageStatus'> }
	| { failure: SendFailure; retryDelayMs: number };

/** The idempotency claim an item is sent under. */
interface HeldClaim {
	claimId: string;
	claimedAt: number;
}

const FALLBACK_NOTE = 'Free-form message refused (131047: the 24-hour window had closed); sent the template instead';

async function sleepUntil(time: number): Promise<void> {
	const wait = time - Date.now();
	if (wait > 0) await sleep(wait);
}

/** Sends every prepared item once (retries aside) and answers one outcome per item, in the order given. */
export async function dispatchSends(
	ctx: IExecuteFunctions,
	credentials: CloudCredentials,
	sends: PreparedSend[],
	settings: DispatchSettings,
): Promise<SendOutcome[]> {
	return await new Dispatch(ctx, credentials, sends, settings).run();
}

/** One run's delivery: the pacing state shared by all its items, and the steps each item goes through. */
class Dispatch {
	private readonly scheduler: SendScheduler;
	private readonly gate: ConcurrencyGate;
	private readonly window: RollingWindow;
	/** Slots are reserved in input order up front, so pacing follows the order of the items. */
	private readonly firstSlots: number[];
	private readonly claims?: ClaimAhead;
	private stopped = false;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly credentials: CloudCredentials,
		private readonly sends: PreparedSend[],
		private readonly settings: DispatchSettings,
	) {
		this.scheduler = new SendScheduler({
			messagesPerSecond: settings.messagesPerSecond,
			// A small margin: request start and arrival at Meta differ by some milliseconds.
			pairSpacingMs: settings.pairSpacingMs > 0 ? settings.pairSpacingMs + 100 : 0,
		});
		this.gate = new ConcurrencyGate(Math.min(1000, Math.max(16, settings.messagesPerSecond)));
		// Meta counts arrivals, we can only count request starts; a start delayed by a busy event loop arrives late and
		// shares Meta's second with later ones. Hence 30 ms (3 %) of margin (why this much: README, Performance, "130429
		// at 80 mps"); each 130429 still widens the window for the rest of the run.
		this.window = new RollingWindow(settings.messagesPerSecond, 1030);
		this.firstSlots = sends.map((send) => this.scheduler.reserve(send.to, Date.now()));
		this.claims = settings.keyStore ? this.claimAhead(settings.keyStore) : undefined;
	}

	async run(): Promise<SendOutcome[]> {
		const outcomes = await Promise.all(this.sends.map((send, position) => this.deliver(send, position)));
		await this.claims?.finish();
		return outcomes;
	}

	private claimAhead(keyStore: SendKeyStore): ClaimAhead {
		const { settings } = this;
		return new ClaimAhead(
			keyStore,
			this.sends.map((send) => send.sendKey),
			this.firstSlots,
			() => ({
				resendUnknown: settings.retryUnknownOutcome,
				now: Date.now(),
				staleAfterMs: settings.timeoutMs * (settings.maxRetries + 1) + 60_000,
			}),
		);
	}

	/** One item: wait for its turn, claim its key, send it, record the outcome under the key. */
	private async deliver(send: PreparedSend, position: number): Promise<SendOutcome> {
		const slot = this.firstSlots[position];
		// Claim the key only when this item's turn comes (with the few due next), so a process that dies leaves few
		// claims "unknown".
		if (this.claims && send.sendKey) {
			await sleepUntil(slot);
			if (this.stopped && !this.claims.has(position)) return { status: 'skipped', send };
		}
		const claim = await this.claimKey(send, position);
		if (claim && 'status' in claim) return claim;
		const outcome = await this.attemptDelivery(send, slot);
		if (claim) this.completeClaim(send, claim, outcome);
		return outcome;
	}

	/** Claims the item's idempotency key; returns a final outcome when the item must not be sent. */
	private async claimKey(send: PreparedSend, position: number): Promise<SendOutcome | HeldClaim | undefined> {
		if (!this.claims || !send.sendKey) return undefined;
		const claimed = await this.claims.claim(position);
		if (claimed instanceof Error) {
			const fix = claimed instanceof LedgerError ? claimed.fix : 'Check the consent ledger settings of the credential.';
			return { status: 'failed', send, attempts: 0, failure: idempotencyCheckFailure(claimed.message, fix) };
		}
		const { claim } = claimed;
		const decision = claim.decision;
		if (decision.action === 'send') return { claimId: claim.claimId!, claimedAt: claimed.claimedAt };
		if (decision.action === 'duplicate')
			return { status: 'duplicate', send, messageId: decision.messageId, sentAt: decision.sentAt };
		if (decision.action === 'collision') {
			return {
				status: 'failed',
				send,
				attempts: 0,
				failure: collisionFailure(decision.reason, send.explicitIdempotencyKey),
			};
		}
		return {
			status: 'failed',
			send,
			attempts: 0,
			failure: earlierAttemptFailure(decision.action === 'inFlight', decision.reason),
		};
	}

	/** Records the outcome under the item's key. An unknown outcome keeps its pending claim, so a re-run reports it. */
	private completeClaim(send: PreparedSend, claim: HeldClaim, outcome: SendOutcome): void {
		if (!this.claims || !send.sendKey) return;
		const certainlyNotSent =
			outcome.status === 'skipped' || (outcome.status === 'failed' && outcome.failure.outcome === 'not_sent');
		const finalStatus = outcome.status === 'sent' ? 'sent' : certainlyNotSent ? 'failed' : undefined;
		if (!finalStatus) return;
		this.claims.complete({
			claimId: claim.claimId,
			status: finalStatus,
			messageId: outcome.status === 'sent' ? outcome.messageId : '',
			ids: send.sendKey,
			claimedAt: claim.claimedAt,
			onError: (message) => {
				if (outcome.status === 'sent')
					outcome.idempotencyWarning = `Sent, but the idempotency record could not be completed: ${message}`;
			},
		});
	}

	/** Sends at the item's slot, retrying while that is safe; a free-form message falls back to the template (131047). */
	private async attemptDelivery(send: PreparedSend, slot: number): Promise<SendOutcome> {
		let startAt = slot;
		let body = send.freeFormBody ?? send.body;
		let fallback: string | undefined;
		for (let attempt = 0; ; attempt++) {
			await sleepUntil(startAt);
			if (this.stopped) return { status: 'skipped', send };
			const answer = await this.postOnce(send, body, attempt);
			if ('accepted' in answer) {
				return {
					status: 'sent',
					send,
					...answer.accepted,
					acceptedAt: new Date().toISOString(),
					attempts: attempt + 1,
					messageType: body === send.body ? 'template' : 'text',
					...(fallback ? { fallback } : {}),
				};
			}
			const { failure } = answer;
			// The ledger thought the window was open but Meta says it closed: the template is the way to reach them.
			if (failure.code === 131047 && body !== send.body) {
				body = send.body;
				fallback = FALLBACK_NOTE;
				this.scheduler.releaseRecipientSlot(send.to, startAt);
				startAt = this.scheduler.reserve(send.to, Date.now());
				continue;
			}
			if (!failure.retryable || attempt >= this.settings.maxRetries || this.stopped) {
				if (this.settings.stopOnFirstFailure) this.stopped = true;
				return { status: 'failed', send, failure, attempts: attempt + 1 };
			}
			if (failure.outcome === 'not_sent') this.scheduler.releaseRecipientSlot(send.to, startAt);
			startAt = this.scheduler.reserve(send.to, Date.now() + answer.retryDelayMs);
		}
	}

	/** One POST to Meta, inside the in-flight bound and the rolling one-second window. */
	private async postOnce(send: PreparedSend, body: PreparedSend['body'], attempt: number): Promise<PostAnswer> {
		await this.gate.enter();
		try {
			await this.waitForWindow();
			const res = await graphRequest<MessagesResponse>(this.ctx, this.credentials, {
				method: 'POST',
				path: `${send.senderId}/messages`,
				body,
				timeoutMs: this.settings.timeoutMs,
			});
			if (res.data && !res.error) {
				const message = res.data.messages?.[0];
				if (message?.id)
					return {
						accepted: {
							messageId: message.id,
							waId: res.data.contacts?.[0]?.wa_id,
							messageStatus: message.message_status,
						},
					};
				return { failure: noMessageIdFailure(res.statusCode), retryDelayMs: 0 };
			}
			const failure = failureFromGraph(
				res.error ?? { message: `HTTP ${res.statusCode}` },
				res.statusCode,
				this.settings.retryUnknownOutcome,
			);
			if (failure.code === 130429) this.window.widen(20);
			return { failure, retryDelayMs: graphRetryDelayMs(failure, attempt) };
		} catch (error) {
			if (!(error instanceof GraphNetworkError)) throw toNodeError(this.ctx.getNode(), error, send.itemIndex);
			const failure = failureFromNetwork(error);
			if (failure.outcome === 'unknown' && this.settings.retryUnknownOutcome) failure.retryable = true;
			return { failure, retryDelayMs: connectionRetryDelayMs(attempt) };
		} finally {
			this.gate.leave();
		}
	}

	/** Waits until the rolling one-second window has room, then counts this start. */
	private async waitForWindow(): Promise<void> {
		for (
			let allowed = this.window.nextAllowed(Date.now());
			allowed > Date.now();
			allowed = this.window.nextAllowed(Date.now())
		) {
			await sleep(allowed - Date.now());
		}
		this.window.record(Date.now());
	}
}
