import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { ConsentLedger } from '../shared/io/ledger';
import { assertAgentMayRun, withAgentSafeOperations } from './agentTool';
import { checkConsentProperties } from './description';
import { checkConsent } from './operations/check';
import { checkConsentFromItem } from './operations/checkFromItem';
import { errorItem, openLedgerOfNode, toNodeError } from './operations/common';
import { eraseContact } from './operations/eraseContact';
import { getHistory } from './operations/getHistory';
import { recordConsent } from './operations/record';

export class WhatsAppCheckConsent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Check Consent',
		name: 'whatsAppCheckConsent',
		icon: { light: 'file:../icons/whatsapp.svg', dark: 'file:../icons/whatsapp.dark.svg' },
		group: ['transform'],
		// 1.1: Credential (WhatsApp Cloud API or Ledger Only) defaults to the WhatsApp Cloud API credential's ledger;
		// version 1 nodes keep Ledger Only.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle:
			'={{ { check: "Check", checkFromItem: "Record from item and check", recordOptIn: "Record opt-in", recordOptOut: "Record opt-out", getHistory: "Get history", eraseContact: "Erase contact" }[$parameter["operation"]] }}',
		description:
			'Look up and record WhatsApp opt-ins and opt-outs in a consent ledger shared by every workflow (n8n Data tables)',
		defaults: { name: 'WhatsApp Check Consent' },
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ ["check", "checkFromItem"].includes($parameter["operation"]) && $parameter["splitOutput"] === true ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Consented" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Not Consented" }] : [{ "type": "${NodeConnectionTypes.Main}" }] }}`,
		usableAsTool: true,
		credentials: [
			{ name: 'whatsAppCloudApi', required: true, displayOptions: { show: { authentication: ['whatsAppCloudApi'] } } },
			{ name: 'whatsAppNotificationsLedgerApi', required: true, displayOptions: { show: { authentication: ['ledgerOnly'] } } },
		],
		properties: withAgentSafeOperations(checkConsentProperties),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		assertAgentMayRun(this, operation);
		let ledger: ConsentLedger;
		try {
			ledger = await openLedgerOfNode(this);
		} catch (caught) {
			const error = toNodeError(this, caught, undefined);
			// Without the ledger no item has an answer. Thrown under Continue On Fail, n8n would pass the input through
			// unchanged, on Check's first output (Consented); so every item gets the error, on the Not Consented side.
			if (!this.continueOnFail()) throw error;
			const failed = this.getInputData().map((_, i) => errorItem(error, i));
			const split = ['check', 'checkFromItem'].includes(operation) && this.getNodeParameter('splitOutput', 0, false) === true;
			return split ? [[], failed] : [failed];
		}
		switch (operation) {
			case 'recordOptIn':
				return await recordConsent.call(this, ledger, 'optIn');
			case 'recordOptOut':
				return await recordConsent.call(this, ledger, 'optOut');
			case 'getHistory':
				return await getHistory.call(this, ledger);
			case 'eraseContact':
				return await eraseContact.call(this, ledger);
			case 'checkFromItem':
				return await checkConsentFromItem.call(this, ledger);
			default:
				return await checkConsent.call(this, ledger);
		}
	}
}
