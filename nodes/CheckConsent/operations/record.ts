/** Record Opt-In and Record Opt-Out: validate every item first, then one insert for the whole batch. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { validateConsentEvent, type ConsentAction, type ConsentEventInput } from '../../shared/domain/consent';
import type { ConsentLedger } from '../../shared/io/ledger';
import { errorItem, readProof, readPurpose, refusal, toNodeError } from './common';

export async function recordConsent(
	this: IExecuteFunctions,
	ledger: ConsentLedger,
	action: Extract<ConsentAction, 'optIn' | 'optOut'>,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = action === 'optIn' ? 'recordOptIn' : 'recordOptOut';
	const results: INodeExecutionData[] = new Array(items.length);
	const inputs: ConsentEventInput[] = [];
	const indexes: number[] = [];
	const now = Date.now();

	for (let i = 0; i < items.length; i++) {
		try {
			const input: ConsentEventInput = {
				contact: this.getNodeParameter('contact', i, ''),
				purpose: readPurpose(this, i),
				action,
				...readProof(this, i, operation),
			};
			const checked = validateConsentEvent(input, now);
			if (!checked.ok) throw refusal(this, `Not recorded: ${checked.reason}`, checked.fix, i);
			inputs.push(input);
			indexes.push(i);
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			results[i] = errorItem(nodeError, i);
		}
	}

	if (inputs.length > 0) {
		let recorded;
		try {
			recorded = await ledger.recordEvents(inputs);
		} catch (error) {
			const nodeError = toNodeError(this, error, indexes[0]);
			if (!this.continueOnFail()) throw nodeError;
			for (const i of indexes) results[i] = errorItem(nodeError, i);
			return [results];
		}
		for (const refused of recorded.refused) {
			const i = indexes[refused.index];
			const nodeError = refusal(this, `Not recorded: ${refused.reason}`, refused.fix, i);
			if (!this.continueOnFail()) throw nodeError;
			results[i] = errorItem(nodeError, i);
		}
		recorded.recorded.forEach((event, n) => {
			const i = indexes[recorded.recordedIndexes[n]];
			results[i] = {
				json: {
					...items[i].json,
					recorded: {
						eventId: event.eventId,
						contact: event.contactId,
						contactKey: event.contactKey,
						purpose: event.purpose,
						action: event.action,
						source: event.source,
						proof: { wording: event.proofWording, version: event.proofVersion, reference: event.proofReference },
						capturedAt: event.capturedAt,
						recordedAt: event.recordedAt,
					},
				},
				pairedItem: { item: i },
			};
		});
	}
	return [results.filter((r) => r !== undefined)];
}
