/** Get History: every consent event of a contact and its current state (a GDPR access request's answer). */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ConsentLedger } from '../../shared/io/ledger';
import { errorItem, toNodeError } from './common';

export async function getHistory(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const results: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const contact = this.getNodeParameter('contact', i, '');
			const history = await ledger.history(contact);
			const state = await ledger.contactState(contact);
			const window = await ledger.serviceWindowOf(contact);
			results.push({
				json: {
					contact: history.contactId,
					contactKey: history.contactKey,
					eventCount: history.events.length,
					events: history.events.map((e) => ({ ...e })),
					state: state.map((s) => ({ ...s })),
					serviceWindow: { lastInboundAt: window.lastInboundAt ?? null, windowExpiresAt: window.windowExpiresAt ?? null },
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
