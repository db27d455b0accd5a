/**
 * Idempotency claims in batches, a little ahead of the pacer: when an item's turn comes, it and the next items due
 * within CLAIM_AHEAD_MS are claimed together (SendKeyStore.claimMany), and the batch after is started half-way, so
 * the ledger work of later items overlaps with the sending of earlier ones. Outcomes are recorded in batches too.
 *
 * Bounded on purpose: a claim is written at most CLAIM_AHEAD_MS before its send, so another run never takes it for
 * a dead attempt (stale), and a process that dies leaves at most one batch of claims "unknown" (never re-sent).
 */
import { sleep } from 'n8n-workflow';

import type { Claim, SendKeyIds, SendKeyStore } from '../../shared/io/ledger/sendKeys';
import type { ClaimOptions } from '../../shared/domain/idempotency';
import { KEYS_PER_READ } from '../../shared/io/ledger/ledgerBatch';

export const CLAIM_AHEAD_MS = 2000;
/** An outcome waits at most this long for others to be written with (other runs see the claim pending meanwhile). */
export const COMPLETE_WITHIN_MS = 1000;

interface Completion {
	claimId: string;
	status: 'sent' | 'failed';
	messageId?: string;
	ids: SendKeyIds;
	claimedAt: number;
	/** Told when recording the outcome failed (the send's output then carries a warning). */
	onError?: (message: string) => void;
}

export class ClaimAhead {
	private readonly claims = new Map<number, Promise<{ claim: Claim; claimedAt: number } | Error>>();
	private buffer: Completion[] = [];
	/** Counts flushes, so a timed flush does not write a later buffer early. */
	private generation = 0;
	private readonly flushes: Array<Promise<void>> = [];

	constructor(
		private readonly store: SendKeyStore,
		private readonly keys: ReadonlyArray<SendKeyIds | undefined>,
		private readonly slots: readonly number[],
		private readonly options: () => ClaimOptions,
		private readonly batchSize: number = KEYS_PER_READ,
	) {}

	/** The item's claim was already written (a batch took it): its outcome must be recorded even when skipped. */
	has(position: number): boolean {
		return this.claims.has(position);
	}

	async claim(position: number): Promise<{ claim: Claim; claimedAt: number } | Error> {
		if (!this.claims.has(position)) this.startBatch(position);
		const next = position + Math.ceil(this.batchSize / 2);
		if (next < this.keys.length && !this.claims.has(next) && this.slots[next] <= Date.now() + CLAIM_AHEAD_MS)
			this.startBatch(next);
		return await this.claims.get(position)!;
	}

	private startBatch(from: number): void {
		const batch: number[] = [];
		const seen = new Set<string>();
		const horizon = Date.now() + CLAIM_AHEAD_MS;
		for (let i = from; i < this.keys.length && batch.length < this.batchSize; i++) {
			const ids = this.keys[i];
			if (!ids || this.claims.has(i)) continue;
			if (i !== from && this.slots[i] > horizon) break;
			// A key repeated in this run is claimed at its own turn, once the first one's outcome is known.
			if (seen.has(ids.key)) continue;
			seen.add(ids.key);
			batch.push(i);
		}
		const options = this.options();
		const result = this.store.claimMany(
			batch.map((i) => this.keys[i]!),
			options,
		);
		batch.forEach((i, n) => {
			this.claims.set(
				i,
				result.then(
					(list) => ({ claim: list[n], claimedAt: options.now }),
					(error: unknown) => (error instanceof Error ? error : new Error(String(error))),
				),
			);
		});
	}

	/** Queues an outcome; written with the others of its batch. */
	complete(completion: Completion): void {
		this.buffer.push(completion);
		if (this.buffer.length >= this.batchSize) this.flush();
		else if (this.buffer.length === 1) {
			const generation = this.generation;
			void sleep(COMPLETE_WITHIN_MS).then(() => {
				if (this.generation === generation) this.flush();
			});
		}
	}

	private flush(): void {
		const part = this.buffer;
		this.buffer = [];
		this.generation++;
		if (part.length === 0) return;
		this.flushes.push(
			this.store.completeMany(part).catch((error: Error) => {
				for (const c of part) c.onError?.(error.message);
			}),
		);
	}

	/** Writes what is left; resolves when every outcome is recorded (or its failure reported). */
	async finish(): Promise<void> {
		this.flush();
		await Promise.all(this.flushes);
	}
}
