/** Check: per item, contact + purpose → consent, folded from the ledger's events; optionally split into two outputs. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { decideConsent, type ConsentEvent } from '../../shared/domain/consent';
import type { ConsentLedger } from '../../shared/io/ledger';
import { peopleOfKeys } from '../../shared/io/ledgerBatch';
import { consentJson, errorItem, readPolicy, readPurpose, toNodeError } from './common';

export interface CheckOutcome {
	/** Items that already failed earlier (continue-on-fail), by index. */
	failed?: Map<number, INodeExecutionData>;
	/** Extra fields per item, e.g. what was recorded. */
	extra?: Map<number, Record<string, unknown>>;
}

export async function checkConsent(
	this: IExecuteFunctions,
	ledger: ConsentLedger,
	outcome: CheckOutcome = {},
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const splitOutput = items.length > 0 && this.getNodeParameter('splitOutput', 0, false) === true;
	const consented: INodeExecutionData[] = [];
	const notConsented: INodeExecutionData[] = [];
	// One read per contact per execution: the same customer on several items costs one lookup (its events and those
	// of its linked ids: phone number ↔ business-scoped user id).
	const eventsByKey = new Map<string, Promise<ConsentEvent[]>>();
	const now = Date.now();
	await prefetchEvents(this, ledger, outcome, eventsByKey);

	for (let i = 0; i < items.length; i++) {
		const failed = outcome.failed?.get(i);
		if (failed) {
			notConsented.push(failed);
			continue;
		}
		try {
			const purpose = readPurpose(this, i);
			const policy = readPolicy(this, i);
			const { key } = ledger.contactKey(this.getNodeParameter('contact', i, ''));
			let pending = eventsByKey.get(key);
			if (!pending) {
				pending = ledger.eventsOfIdentity(key);
				eventsByKey.set(key, pending);
			}
			const decision = decideConsent(await pending, purpose, now, policy);
			const json = { ...items[i].json, ...(outcome.extra?.get(i) ?? {}), consent: consentJson(decision, policy) };
			(decision.granted ? consented : notConsented).push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			notConsented.push(errorItem(nodeError, i));
		}
	}

	if (splitOutput) return [consented, notConsented];
	const all = [...consented, ...notConsented];
	all.sort((a, b) => itemIndexOf(a) - itemIndexOf(b));
	return [all];
}

/**
 * Reads the events of every item's contact and its linked ids in a few batched requests (KEYS_PER_READ contacts
 * each) instead of two per contact. Unusable contacts are left to the loop, which reports them per item; so is a failed batched read.
 */
async function prefetchEvents(ctx: IExecuteFunctions, ledger: ConsentLedger, outcome: CheckOutcome, eventsByKey: Map<string, Promise<ConsentEvent[]>>): Promise<void> {
	const keys = new Set<string>();
	const count = ctx.getInputData().length;
	for (let i = 0; i < count; i++) {
		if (outcome.failed?.has(i)) continue;
		try {
			keys.add(ledger.contactKey(ctx.getNodeParameter('contact', i, '')).key);
		} catch {
			// reported by the loop, with the item's index
		}
	}
	if (keys.size === 0) return;
	const read = await peopleOfKeys(ledger, keys).catch(() => undefined);
	for (const [key, person] of read ?? []) eventsByKey.set(key, Promise.resolve(person.events));
}

function itemIndexOf(item: INodeExecutionData): number {
	const paired = item.pairedItem;
	if (typeof paired === 'number') return paired;
	if (Array.isArray(paired)) return paired[0]?.item ?? 0;
	return paired?.item ?? 0;
}
