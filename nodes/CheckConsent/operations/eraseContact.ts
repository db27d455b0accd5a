/**
 * Erase Contact (GDPR Art. 17): deletes the contact's events and state rows and keeps one tombstone — the
 * keyed hash of the contact id and an 'erase' action, no number, no wording — so the person is not messaged
 * again until they opt in anew. The contact's send keys (Send Notification's idempotency records) go too.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ConsentLedger } from '../../shared/ledger';
import { eraseSendKeys } from '../../shared/sendKeys';
import { errorItem, toNodeError } from './common';

export async function eraseContact(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const results: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const result = await ledger.erase(this.getNodeParameter('contact', i, ''));
			// Send Notification's idempotency keys of the contact: keyed hashes and the message ids sent to them.
			const deletedSendKeys = await eraseSendKeys(ledger.client, result.contactKey);
			results.push({
				json: {
					erased: true,
					contactKey: result.contactKey,
					deletedEvents: result.deletedEvents,
					deletedStateRows: result.deletedStateRows,
					deletedSendKeys,
					kept: {
						eventId: result.tombstoneEventId,
						what: 'A keyed hash of the contact id and the erasure time, so later checks answer Not Consented',
					},
					erasedAt: result.erasedAt,
				},
				pairedItem: { item: i },
			});
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!this.continueOnFail()) throw nodeError;
			results.push(errorItem(nodeError, i));
		}
	}
	return [results];
}
