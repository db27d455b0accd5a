import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CLOUD_LEDGER_CREDENTIAL_TYPE } from '../../shared/io/ledger';
import { sendNotifications } from '../actions/send.operation';
import { failedRun, sendNotificationMethods } from '../common';
import { sendNotificationProperties } from '../description';

/**
 * Version 2 (the current one): one credential. Use Consent Ledger reads the ledger from the WhatsApp Cloud API
 * credential's Consent Ledger section, whose authentication sends the Meta token only to Meta and the n8n API key only
 * to n8n's public API.
 */
export class WhatsAppSendNotificationV2 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Send Notification',
		name: 'whatsAppSendNotification',
		// Relative to this file; the entry file re-bases it (n8n resolves icons relative to the file it loads).
		icon: { light: 'file:../../icons/whatsapp.svg', dark: 'file:../../icons/whatsapp.dark.svg' },
		group: ['output'],
		// 2: one credential (the ledger in the WhatsApp Cloud API credential); otherwise as 1.1.
		version: 2,
		subtitle: '={{ $parameter["notificationType"] ? "Send " + $parameter["notificationType"] : "Send notification" }}',
		description:
			'Send an approved WhatsApp template as one of the ten allowed notification types, checked, paced and priced',
		defaults: { name: 'WhatsApp Send Notification' },
		inputs: [NodeConnectionTypes.Main],
		// With Quiet Hours on (1.1 and later), a second output holds the items deferred to the end of the recipient's night.
		outputs: `={{ $parameter["quietHours"] === true ? [{ type: "${NodeConnectionTypes.Main}" }, { type: "${NodeConnectionTypes.Main}", displayName: "Deferred" }] : ["${NodeConnectionTypes.Main}"] }}`,
		usableAsTool: true,
		credentials: [{ name: 'whatsAppCloudApi', required: true }],
		properties: sendNotificationProperties,
	};

	methods = sendNotificationMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await sendNotifications.call(this, CLOUD_LEDGER_CREDENTIAL_TYPE);
		} catch (caught) {
			return failedRun(this, caught, this.continueOnFail());
		}
	}
}
