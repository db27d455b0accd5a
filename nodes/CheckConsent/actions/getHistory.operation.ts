/** Get History: every consent event of a contact and its current state (a GDPR access request's answer). */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ConsentLedger } from '../../shared/io/ledger';
import { forEachItem } from '../../shared/n8n/perItem';

export const FAILURE_TITLE = 'History not read';

/** Only the Contact, which every operation has. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	return await forEachItem(this, FAILURE_TITLE, async (i) => {
		const contact = this.getNodeParameter('contact', i, '');
		const history = await ledger.history(contact);
		const state = await ledger.contactState(contact);
		const window = await ledger.serviceWindowOf(contact);
		return {
			contact: history.contactId,
			contactKey: history.contactKey,
			eventCount: history.events.length,
			events: history.events.map((e) => ({ ...e })),
			state: state.map((s) => ({ ...s })),
			serviceWindow: { lastInboundAt: window.lastInboundAt ?? null, windowExpiresAt: window.windowExpiresAt ?? null },
		};
	});
}
