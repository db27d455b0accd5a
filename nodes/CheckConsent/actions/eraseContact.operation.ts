/**
 * Erase Contact (GDPR Art. 17): deletes the contact's events and state rows and keeps one tombstone — the
 * keyed hash of the contact id and an 'erase' action, no number, no wording — so the person is not messaged
 * again until they opt in anew. The same person's other ids (a phone number and its business-scoped user id, linked
 * by the Session Window Trigger) are erased with it, and so are the send keys (Send Notification's idempotency
 * records) of every one of those ids.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { eraseSendKeys, type ConsentLedger } from '../../shared/io/ledger';
import { forEachItem } from '../../shared/n8n/perItem';

export const FAILURE_TITLE = 'Not erased';

/** Only the Contact, which every operation has. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	return await forEachItem(this, FAILURE_TITLE, async (i) => {
		const result = await ledger.erase(this.getNodeParameter('contact', i, ''));
		// Send Notification's idempotency keys of the contact and its linked ids: keyed hashes and message ids.
		let deletedSendKeys = 0;
		for (const contactKey of result.erasedContactKeys ?? [result.contactKey]) {
			deletedSendKeys += await eraseSendKeys(ledger.client, contactKey);
		}
		return {
			erased: true,
			contactKey: result.contactKey,
			deletedEvents: result.deletedEvents,
			deletedStateRows: result.deletedStateRows,
			deletedSendKeys,
			linkedIdsErased: result.linkedIdsErased ?? 0,
			kept: {
				eventId: result.tombstoneEventId,
				what: 'A keyed hash of the contact id and the erasure time, so later checks answer Not Consented',
			},
			erasedAt: result.erasedAt,
		};
	});
}
