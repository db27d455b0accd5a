/**
 * Per-trigger memory of one n8n process: recently seen webhook changes (duplicates), the last inbound time per
 * contact (window opened vs renewed), the App Secret last read from the credential and the throttle of refusal logs.
 *
 * Why not workflow static data: n8n saves static data when an execution ends, and concurrent webhook executions
 * each save their own copy, so two deliveries arriving together would both miss each other's keys. This memory is
 * checked and updated synchronously before the execution starts, so concurrent deliveries to one process are
 * handled exactly once. It does not cover: a restart of n8n (memory is lost), several n8n processes (queue mode
 * webhook processes each have their own), or more distinct changes than the capacity within the TTL.
 */
import { LogThrottle, RecentKeys, WindowTracker } from '../shared/domain/webhooks';

/** Distinct changes remembered per trigger (about 150 bytes each). */
export const DEDUPE_CAPACITY = 20_000;
/** Meta redelivers for up to 7 days; older deliveries are dropped as stale, so nothing older needs remembering. */
export const DEDUPE_TTL_MS = 7 * 24 * 3600 * 1000;
/** Contacts whose last inbound time is remembered per trigger. */
export const WINDOW_CAPACITY = 50_000;

/** How long an App Secret read from the credential is used before it is read again (see receive.ts). */
export const APP_SECRET_TTL_MS = 60_000;
/** After a signature mismatch the credential is read again only if the kept copy is older than this. */
export const APP_SECRET_REREAD_MS = 10_000;
/** At most one refusal warning (401/400/413) per trigger in this interval; the others are counted. */
export const REFUSAL_LOG_INTERVAL_MS = 60_000;

export interface KeptSecrets {
	value: string;
	verifyToken: string;
	readAtMs: number;
}

export interface TriggerMemory {
	dedupe: RecentKeys;
	windows: WindowTracker;
	/** The credential's App Secret and Webhook Verify Token as last read, and when. */
	appSecret?: KeptSecrets;
	/** The credential read in progress: concurrent calls wait for it instead of reading again. */
	appSecretRead?: Promise<KeptSecrets>;
	refusalLog: LogThrottle;
	/** Changes dropped because they were older than Meta's 7-day redelivery horizon. */
	staleDropped: number;
}

/**
 * Whether the App Secret must be read from the credential: never read, the kept copy expired, or a signature did
 * not match a copy older than APP_SECRET_REREAD_MS (a rotated secret works within that time; forged calls cannot
 * make n8n read the credential more often).
 */
export function needsAppSecretRead(kept: TriggerMemory['appSecret'], now: number, afterMismatch: boolean): boolean {
	if (!kept) return true;
	const age = now - kept.readAtMs;
	if (age >= APP_SECRET_TTL_MS) return true;
	return afterMismatch && age >= APP_SECRET_REREAD_MS;
}

const memories = new Map<string, TriggerMemory>();
/** Bound on the number of triggers remembered (workflows come and go). */
const MAX_TRIGGERS = 200;

export function triggerMemory(key: string): TriggerMemory {
	let memory = memories.get(key);
	if (memory) {
		memories.delete(key);
		memories.set(key, memory);
		return memory;
	}
	memory = {
		dedupe: new RecentKeys(DEDUPE_CAPACITY, DEDUPE_TTL_MS),
		windows: new WindowTracker(WINDOW_CAPACITY),
		refusalLog: new LogThrottle(REFUSAL_LOG_INTERVAL_MS),
		staleDropped: 0,
	};
	memories.set(key, memory);
	while (memories.size > MAX_TRIGGERS) memories.delete(memories.keys().next().value as string);
	return memory;
}
