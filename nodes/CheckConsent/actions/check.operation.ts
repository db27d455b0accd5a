/** Check: per item, contact + purpose → consent, folded from the ledger's events; optionally split into two outputs. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { decideConsent, type ConsentEvent } from '../../shared/domain/consent';
import { peopleOfKeys, type ConsentLedger } from '../../shared/io/ledger';
import { consentJson, failedItem, readConsentPolicy, readPurpose } from './common';

/** The operations that end in a check (their parameters: Split Output and the check's options). */
export const CHECK_OPERATIONS = ['check', 'checkFromItem'];

export const FAILURE_TITLE = 'Not checked';

export const description: INodeProperties[] = [
	{
		displayName: 'Split Output',
		name: 'splitOutput',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: CHECK_OPERATIONS } },
		description:
			'Whether to route items to two outputs, Consented and Not Consented, instead of one output with a consent field',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: CHECK_OPERATIONS } },
		options: [
			{
				displayName: 'Consent Newer Than (Months)',
				name: 'maxAgeMonths',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Treat opt-ins older than this many months as expired (0 = no limit). Opt-outs never expire.',
			},
			{
				displayName: 'Item Cannot Undo an Opt-Out',
				name: 'respectOptOut',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '/operation': ['checkFromItem'] } },
				description:
					'Whether a ticked box on the item is not recorded while the person’s latest record is an opt-out (e.g. they replied STOP after the box was stored in their profile). Turn off only if the box is unticked by default and ticked anew for every order.',
			},
			{
				displayName: 'Unticked Means Opt-Out',
				name: 'untickedMeansOptOut',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/operation': ['checkFromItem'] } },
				description:
					'Whether an item with Consent Given false records an opt-out. Off: an unticked box only leaves earlier records as they are.',
			},
		],
	},
];

export interface CheckOutcome {
	/** Items that already failed earlier (continue-on-fail), by index. */
	failed?: Map<number, INodeExecutionData>;
	/** Extra fields per item, e.g. what was recorded. */
	extra?: Map<number, Record<string, unknown>>;
}

export async function execute(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	return await checkItems(this, ledger);
}

/** Checks every item that has not failed yet; `outcome` carries what an earlier step (Record From Item) did. */
export async function checkItems(
	ctx: IExecuteFunctions,
	ledger: ConsentLedger,
	outcome: CheckOutcome = {},
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const splitOutput = items.length > 0 && ctx.getNodeParameter('splitOutput', 0, false) === true;
	const consented: INodeExecutionData[] = [];
	const notConsented: INodeExecutionData[] = [];
	// One read per contact per execution: the same customer on several items costs one lookup (its events and those
	// of its linked ids: phone number ↔ business-scoped user id).
	const eventsByKey = new Map<string, Promise<ConsentEvent[]>>();
	const now = Date.now();
	await prefetchEvents(ctx, ledger, outcome, eventsByKey);

	for (let i = 0; i < items.length; i++) {
		const failed = outcome.failed?.get(i);
		if (failed) {
			notConsented.push(failed);
			continue;
		}
		try {
			const purpose = readPurpose(ctx, i);
			const policy = readConsentPolicy(ctx, i);
			const { key } = ledger.contactKey(ctx.getNodeParameter('contact', i, ''));
			const decision = decideConsent(await eventsOf(ledger, key, eventsByKey), purpose, now, policy);
			const json = { ...items[i].json, ...(outcome.extra?.get(i) ?? {}), consent: consentJson(decision, policy) };
			(decision.granted ? consented : notConsented).push({ json, pairedItem: { item: i } });
		} catch (error) {
			notConsented.push(failedItem(ctx, error, i, FAILURE_TITLE));
		}
	}

	if (splitOutput) return [consented, notConsented];
	const all = [...consented, ...notConsented];
	all.sort((a, b) => itemIndexOf(a) - itemIndexOf(b));
	return [all];
}

/** The events of a contact and its linked ids, read once per execution (`cache`: by contact key). */
export async function eventsOf(
	ledger: ConsentLedger,
	key: string,
	cache: Map<string, Promise<ConsentEvent[]>>,
): Promise<ConsentEvent[]> {
	let pending = cache.get(key);
	if (!pending) {
		pending = ledger.eventsOfIdentity(key);
		cache.set(key, pending);
	}
	return await pending;
}

/**
 * Reads the events of every item's contact and its linked ids in a few batched requests (KEYS_PER_READ contacts
 * each) instead of two per contact. Unusable contacts are left to the loop, which reports them per item; so is a failed batched read.
 */
async function prefetchEvents(
	ctx: IExecuteFunctions,
	ledger: ConsentLedger,
	outcome: CheckOutcome,
	eventsByKey: Map<string, Promise<ConsentEvent[]>>,
): Promise<void> {
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
