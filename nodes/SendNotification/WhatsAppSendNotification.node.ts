import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { sendNotifications } from './actions/send';
import { sendNotificationProperties } from './description';
import { searchSenders, searchTemplates } from './methods/listSearch';
import { getTemplateVariables } from './methods/resourceMapping';

export class WhatsAppSendNotification implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Send Notification',
		name: 'whatsAppSendNotification',
		icon: { light: 'file:../icons/whatsapp.svg', dark: 'file:../icons/whatsapp.dark.svg' },
		group: ['output'],
		// 1.1: a Recipient Phone Number without '+' or '00' is refused unless Recipient Format is WhatsApp ID or a
		// Default Country places it; 1.1 also has Template Language, Recipient Time Zone and Quiet Hours.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ $parameter["notificationType"] ? "Send " + $parameter["notificationType"] : "Send notification" }}',
		description:
			'Send an approved WhatsApp template as one of the ten allowed notification types, checked, paced and priced',
		defaults: { name: 'WhatsApp Send Notification' },
		inputs: [NodeConnectionTypes.Main],
		// With Quiet Hours on (1.1), a second output holds the items deferred to the end of the recipient's night.
		outputs: `={{ $parameter["quietHours"] === true ? [{ type: "${NodeConnectionTypes.Main}" }, { type: "${NodeConnectionTypes.Main}", displayName: "Deferred" }] : ["${NodeConnectionTypes.Main}"] }}`,
		usableAsTool: true,
		credentials: [
			{ name: 'whatsAppCloudApi', required: true },
			{
				name: 'whatsAppNotificationsLedgerApi',
				required: true,
				displayOptions: { show: { useConsentLedger: [true] } },
			},
		],
		properties: sendNotificationProperties,
	};

	methods = {
		listSearch: { searchSenders, searchTemplates },
		resourceMapping: { getTemplateVariables },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await sendNotifications.call(this);
		} catch (caught) {
			// Item problems already are error items under Continue On Fail; what gets here stopped the whole run. Thrown,
			// n8n would pass the input on unchanged, as if sent: so every item says so instead.
			const error =
				caught instanceof NodeOperationError || caught instanceof NodeApiError
					? caught
					: new NodeOperationError(this.getNode(), caught as Error);
			if (!this.continueOnFail()) throw error;
			// Before the first send (credentials, ledger, options) nothing went out; later, some messages may have.
			const beforeSending = error.context.itemIndex === undefined;
			const json = {
				error: {
					code: null,
					title: beforeSending ? 'Refused before sending' : 'Run stopped while sending',
					message: error.message,
					description: beforeSending
						? (error.description ?? null)
						: 'Some messages of this run may have been sent: check the executions and Meta’s delivery statuses before sending again.',
					retryable: false,
					outcome: beforeSending ? 'not_sent' : 'unknown',
					fbtrace_id: null,
				},
			};
			return [this.getInputData().map((_, i) => ({ json, pairedItem: { item: i } }))];
		}
	}
}
