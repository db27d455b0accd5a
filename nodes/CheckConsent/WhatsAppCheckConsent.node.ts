import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { failedRunItems, router } from './actions/router';
import { toNodeError } from '../shared/n8n/errors';
import { withAgentSafeOperations } from './agentTool';
import { checkConsentProperties } from './description';

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
			{
				name: 'whatsAppNotificationsLedgerApi',
				required: true,
				displayOptions: { show: { authentication: ['ledgerOnly'] } },
			},
		],
		properties: withAgentSafeOperations(checkConsentProperties),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await router.call(this);
		} catch (caught) {
			// Item errors already are error items under Continue On Fail; what gets here stopped the whole run.
			const error = toNodeError(this.getNode(), caught);
			if (!this.continueOnFail()) throw error;
			return failedRunItems(this, error);
		}
	}
}
