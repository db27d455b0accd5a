/** Injected faults: error answers, dropped connections, lost answers and slow answers. */
import {
	GraphError,
	errAppRateLimit,
	errInvalidParameter,
	errServiceUnavailable,
	errThroughput,
	errUnknown,
	errWabaRateLimit,
} from './graphErrors';

export const FAULT_KINDS = [
	'http429_4',
	'http429_80007',
	'http429_130429',
	'http500_131000',
	'http503_131016',
	'reset',
	'lost',
	'slow',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
	id: number;
	kind: FaultKind;
	/** Remaining matching requests this fault applies to; undefined = unlimited (until DELETE). */
	remaining?: number;
	/** Probability (0..1) a matching request is hit. Undefined = always. */
	rate?: number;
	/** Applies to Graph requests whose path contains this. Default '/messages'. */
	pathContains: string;
	/** Only for requests with this method (optional). */
	method?: string;
	/** For 'slow'. Default 2000. */
	delayMs: number;
	/** How many requests this fault hit. */
	hits: number;
}

let nextId = 1;

/**
 * Parses POST /_emulator/faults. `count` defaults to 1 unless `rate` is given (then the fault stays until
 * DELETE /_emulator/faults or until `count` hits if both are given).
 */
export function parseFault(body: Record<string, unknown>): FaultSpec {
	const kind = body.kind as FaultKind;
	if (!FAULT_KINDS.includes(kind)) {
		throw errInvalidParameter(`kind must be one of ${FAULT_KINDS.join(', ')}`);
	}
	const rate = body.rate === undefined ? undefined : Number(body.rate);
	if (rate !== undefined && (!(rate >= 0) || rate > 1)) throw errInvalidParameter('rate must be within 0..1');
	let remaining: number | undefined = body.count === undefined ? undefined : Number(body.count);
	if (remaining !== undefined && !(remaining >= 1)) throw errInvalidParameter('count must be >= 1');
	if (remaining === undefined && rate === undefined) remaining = 1;
	return {
		id: nextId++,
		kind,
		remaining,
		rate,
		pathContains: typeof body.pathContains === 'string' ? body.pathContains : '/messages',
		method: typeof body.method === 'string' ? body.method.toUpperCase() : undefined,
		delayMs: body.delayMs === undefined ? 2000 : Number(body.delayMs),
		hits: 0,
	};
}

/** Picks (and consumes) the first fault matching this request. */
export function takeFault(faults: FaultSpec[], method: string, path: string): FaultSpec | undefined {
	for (let i = 0; i < faults.length; i++) {
		const f = faults[i];
		if (!path.includes(f.pathContains)) continue;
		if (f.method && f.method !== method) continue;
		if (f.rate !== undefined && Math.random() >= f.rate) continue;
		f.hits++;
		if (f.remaining !== undefined && --f.remaining <= 0) faults.splice(i, 1);
		return f;
	}
	return undefined;
}

export function faultError(kind: FaultKind): GraphError | undefined {
	switch (kind) {
		case 'http429_4':
			return errAppRateLimit();
		case 'http429_80007':
			return errWabaRateLimit();
		case 'http429_130429':
			return errThroughput();
		case 'http500_131000':
			return errUnknown();
		case 'http503_131016':
			return errServiceUnavailable();
		default:
			return undefined;
	}
}
