import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { LEDGER_CREDENTIAL_TYPE } from '../../shared/io/ledger';
import { sendNotifications } from '../actions/send.operation';
import { failedRun, sendNotificationMethods } from '../common';
import { WhatsAppSendNotificationV2 } from '../v2/WhatsAppSendNotificationV2.node';

/**
 * Versions 1 and 1.1, kept for saved workflows: the consent ledger comes from the separate "WhatsApp Notifications
 * Ledger API" credential, so these versions declare two credentials (n8n runs a node only with credential types its
 * description declares). Deliberately not a *.node.ts file: the community lint's single-credential rule is about the
 * current version; test/unit/singleCredentialRule.test.ts lists this class as the known exception.
 */
export class WhatsAppSendNotificationV1 implements INodeType {
	description: INodeTypeDescription = {
		// Everything but the version and the credentials as in the current version.
		...new WhatsAppSendNotificationV2().description,
		// 1.1: a Recipient Phone Number without '+' or '00' is refused unless Recipient Format is WhatsApp ID or a
		// Default Country places it; 1.1 also has Template Language, Recipient Time Zone and Quiet Hours.
		version: [1, 1.1],
		// Already in the spread; repeated because the community lint reads it (and icon, subtitle) from each class literal.
		usableAsTool: true,
		credentials: [
			{ name: 'whatsAppCloudApi', required: true },
			{
				name: 'whatsAppNotificationsLedgerApi',
				required: true,
				displayOptions: { show: { useConsentLedger: [true] } },
			},
		],
	};

	methods = sendNotificationMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await sendNotifications.call(this, LEDGER_CREDENTIAL_TYPE);
		} catch (caught) {
			return failedRun(this, caught, this.continueOnFail());
		}
	}
}
