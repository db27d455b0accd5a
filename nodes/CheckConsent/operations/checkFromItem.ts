/**
 * Record From Item and Check: consent that arrives with the item (the shop's "send me WhatsApp updates"
 * checkbox on the order) is recorded as an opt-in event with its proof, then the item is checked as usual.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	decideConsent,
	validateConsentEvent,
	type ConsentEvent,
	type ConsentEventInput,
} from '../../shared/domain/consent';
import type { ConsentLedger } from '../../shared/io/ledger';
import { checkConsent } from './check';
import { errorItem, readProof, readPurpose, refusal, toNodeError } from './common';

const TRUTHY = new Set(['true', 'yes', 'y', 'on', '1', 'checked', 'x']);

/** Checkbox values as shops send them: true, "true", "yes", "on", 1, "1". */
export function isTicked(value: unknown): boolean {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number') return value === 1;
	if (typeof value === 'string') return TRUTHY.has(value.trim().toLowerCase());
	return false;
}

export async function checkConsentFromItem(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const failed = new Map<number, INodeExecutionData>();
	const extra = new Map<number, Record<string, unknown>>();
	const inputs: ConsentEventInput[] = [];
	const indexes: number[] = [];
	const eventsByKey = new Map<string, Promise<ConsentEvent[]>>();
	const now = Date.now();

	for (let i = 0; i < items.length; i++) {
		try {
			const contact = this.getNodeParameter('contact', i, '');
			const purpose = readPurpose(this, i);
			const given = isTicked(this.getNodeParameter('consentGiven', i, false));
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const respectOptOut = options.respectOptOut !== false;
			const untickedMeansOptOut = options.untickedMeansOptOut === true;
			const proof = readProof(this, i, 'checkFromItem');
			if (!given) {
				if (untickedMeansOptOut) {
					inputs.push({ contact, purpose, action: 'optOut', source: proof.source, proofReference: proof.proofReference, capturedAt: proof.capturedAt });
					indexes.push(i);
					extra.set(i, { consentFromItem: { given: false, recorded: 'optOut' } });
				} else {
					extra.set(i, { consentFromItem: { given: false, recorded: null, note: 'Not ticked: earlier records stand' } });
				}
				continue;
			}
			const input: ConsentEventInput = { contact, purpose, action: 'optIn', ...proof };
			const checked = validateConsentEvent(input, now);
			if (!checked.ok) throw refusal(this, `The item's consent cannot be recorded: ${checked.reason}`, checked.fix, i);
			if (respectOptOut) {
				const { key } = ledger.contactKey(contact);
				let pending = eventsByKey.get(key);
				if (!pending) {
					pending = ledger.eventsOfIdentity(key);
					eventsByKey.set(key, pending);
				}
				const current = decideConsent(await pending, purpose, now);
				if (current.reason === 'optedOut' || current.reason === 'erased') {
					extra.set(i, {
						consentFromItem: {
							given: true,
							recorded: null,
							note: `Not recorded: the person withdrew on ${current.since} and a ticked box on the item does not undo that (option Item Cannot Undo an Opt-Out)`,
						},
					});
					continue;
				}
			}
			inputs.push(input);
			indexes.push(i);
			extra.set(i, { consentFromItem: { given: true, recorded: 'optIn' } });
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			failed.set(i, errorItem(nodeError, i));
		}
	}

	if (inputs.length > 0) {
		try {
			const result = await ledger.recordEvents(inputs);
			for (const refused of result.refused) {
				const i = indexes[refused.index];
				const nodeError = refusal(this, `The item's consent cannot be recorded: ${refused.reason}`, refused.fix, i);
				if (!this.continueOnFail()) throw nodeError;
				failed.set(i, errorItem(nodeError, i));
			}
			result.recorded.forEach((event, n) => {
				const i = indexes[result.recordedIndexes[n]];
				const previous = (extra.get(i)?.consentFromItem ?? {}) as IDataObject;
				extra.set(i, { consentFromItem: { ...previous, eventId: event.eventId, capturedAt: event.capturedAt } });
			});
		} catch (error) {
			const nodeError = toNodeError(this, error, indexes[0]);
			if (!this.continueOnFail()) throw nodeError;
			for (const i of indexes) failed.set(i, errorItem(nodeError, i));
		}
	}

	return await checkConsent.call(this, ledger, { failed, extra });
}
