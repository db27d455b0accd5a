import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { receiveWebhook } from '../receive';
import { checkExists, create, remove } from '../registration';
import { sessionWindowTriggerBaseDescription } from '../v2/WhatsAppSessionWindowTriggerV2.node';

/**
 * Versions 1 and 1.1, kept for saved workflows: Record in Consent Ledger uses the separate "WhatsApp Notifications
 * Ledger API" credential, so these versions declare two credentials (n8n runs a node only with credential types its
 * description declares). 1.1 behaves exactly as 1; it exists because n8n evaluates a binary-data expression in its
 * sandbox on every webhook call of a version-1 node. Deliberately not a *.node.ts file: the community lint's
 * single-credential rule is about the current version; test/unit/singleCredentialRule.test.ts lists this class.
 */
export class WhatsAppSessionWindowTriggerV1 implements INodeType {
	description: INodeTypeDescription = {
		...sessionWindowTriggerBaseDescription,
		// As in the base: the community lint reads the trigger group in the class's own description.
		group: ['trigger'],
		version: [1, 1.1],
		credentials: [
			{ name: 'whatsAppCloudApi', required: true },
			{ name: 'whatsAppNotificationsLedgerApi', required: true, displayOptions: { show: { recordInLedger: [true] } } },
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await checkExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await create.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await remove.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveWebhook.call(this);
	}
}
