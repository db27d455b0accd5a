/**
 * Record From Item and Check: consent that arrives with the item (the shop's "send me WhatsApp updates"
 * checkbox on the order) is recorded as an opt-in event with its proof, then the item is checked as usual.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	decideConsent,
	validateConsentEvent,
	type ConsentEvent,
	type ConsentEventInput,
} from '../../shared/domain/consent';
import type { ConsentLedger } from '../../shared/io/ledger';
import { checkItems, eventsOf } from './check.operation';
import { failedItem, readProof, readPurpose, recordItemEvents, refusal } from './common';

/** The item's consent could not be recorded (and so was not checked either). */
export const FAILURE_TITLE = 'Not recorded';

export const description: INodeProperties[] = [
	{
		displayName: 'Consent Given',
		name: 'consentGiven',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: ['checkFromItem'] } },
		description:
			'Whether the item says the person agreed: map the shop’s checkbox field here (an expression such as the order’s whatsapp_updates field). True records an opt-in with the proof below.',
	},
];

const TRUTHY = new Set(['true', 'yes', 'y', 'on', '1', 'checked', 'x']);

/** Checkbox values as shops send them: true, "true", "yes", "on", 1, "1". */
export function isTicked(value: unknown): boolean {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number') return value === 1;
	if (typeof value === 'string') return TRUTHY.has(value.trim().toLowerCase());
	return false;
}

/** What an item asks to record (nothing, an opt-in or an opt-out) and what its output says about it. */
interface ItemConsent {
	input?: ConsentEventInput;
	note: Record<string, unknown>;
}

/** The run's items read one by one, then recorded in one batch, then checked. */
interface Batch {
	inputs: ConsentEventInput[];
	/** For each input, its item's index. */
	indexes: number[];
	failed: Map<number, INodeExecutionData>;
	extra: Map<number, Record<string, unknown>>;
}

export async function execute(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	const batch: Batch = { inputs: [], indexes: [], failed: new Map(), extra: new Map() };
	const eventsByKey = new Map<string, Promise<ConsentEvent[]>>();
	const now = Date.now();
	for (let i = 0; i < this.getInputData().length; i++) {
		try {
			const { input, note } = await readItemConsent(this, ledger, i, now, eventsByKey);
			batch.extra.set(i, { consentFromItem: note });
			if (!input) continue;
			batch.inputs.push(input);
			batch.indexes.push(i);
		} catch (error) {
			batch.failed.set(i, failedItem(this, error, i, FAILURE_TITLE));
		}
	}
	if (batch.inputs.length > 0) await recordBatch(this, ledger, batch);
	return await checkItems(this, ledger, { failed: batch.failed, extra: batch.extra });
}

/**
 * The item's checkbox as an event to record: a ticked box an opt-in with its proof (unless the person's latest record
 * is an opt-out the item may not undo), an unticked one nothing or, with Unticked Means Opt-Out, an opt-out.
 */
async function readItemConsent(
	ctx: IExecuteFunctions,
	ledger: ConsentLedger,
	i: number,
	now: number,
	eventsByKey: Map<string, Promise<ConsentEvent[]>>,
): Promise<ItemConsent> {
	const contact = ctx.getNodeParameter('contact', i, '');
	const purpose = readPurpose(ctx, i);
	const given = isTicked(ctx.getNodeParameter('consentGiven', i, false));
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const proof = readProof(ctx, i, 'checkFromItem');
	if (!given) {
		if (options.untickedMeansOptOut !== true)
			return { note: { given: false, recorded: null, note: 'Not ticked: earlier records stand' } };
		const optOut: ConsentEventInput = {
			contact,
			purpose,
			action: 'optOut',
			source: proof.source,
			proofReference: proof.proofReference,
			capturedAt: proof.capturedAt,
		};
		return { input: optOut, note: { given: false, recorded: 'optOut' } };
	}
	const input: ConsentEventInput = { contact, purpose, action: 'optIn', ...proof };
	const checked = validateConsentEvent(input, now);
	if (!checked.ok) throw refusal(ctx, `The item's consent cannot be recorded: ${checked.reason}`, checked.fix, i);
	if (options.respectOptOut !== false) {
		const current = decideConsent(await eventsOf(ledger, ledger.contactKey(contact).key, eventsByKey), purpose, now);
		if (current.reason === 'optedOut' || current.reason === 'erased') {
			return {
				note: {
					given: true,
					recorded: null,
					note: `Not recorded: the person withdrew on ${current.since} and a ticked box on the item does not undo that (option Item Cannot Undo an Opt-Out)`,
				},
			};
		}
	}
	return { input, note: { given: true, recorded: 'optIn' } };
}

/** Records the batch's events; a refused event fails its item, a failed insert the items it did not store. */
async function recordBatch(ctx: IExecuteFunctions, ledger: ConsentLedger, batch: Batch): Promise<void> {
	const wording = { title: FAILURE_TITLE, refusedPrefix: "The item's consent cannot be recorded: " };
	await recordItemEvents(ctx, ledger, batch.inputs, batch.indexes, wording, {
		failed: (i, item) => batch.failed.set(i, item),
		recorded: (i, event) => {
			const previous = (batch.extra.get(i)?.consentFromItem ?? {}) as IDataObject;
			batch.extra.set(i, { consentFromItem: { ...previous, eventId: event.eventId, capturedAt: event.capturedAt } });
		},
	});
}
