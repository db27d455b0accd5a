import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { sessionWindowTriggerProperties } from '../description';
import { assertLedgerSectionOn } from '../ledgerCredential';
import { ACK_BODY, receiveWebhook } from '../receive';
import { checkExists, create, remove } from '../registration';

/**
 * What every version of the trigger describes alike: all but the version and the credentials. In this file (named
 * after the node) so that n8n's lint checks it as the node's description.
 */
export const sessionWindowTriggerBaseDescription: Omit<INodeTypeDescription, 'version' | 'credentials'> = {
	displayName: 'WhatsApp Session Window Trigger',
	name: 'whatsAppSessionWindowTrigger',
	// Relative to the version folders (v1/, v2/); the entry file re-bases it (n8n resolves icons relative to the file it loads).
	icon: { light: 'file:../../icons/whatsapp.svg', dark: 'file:../../icons/whatsapp.dark.svg' },
	group: ['trigger'],
	subtitle: '={{ $parameter["registration"] === "manual" ? "Manual callback set-up" : "Registers its callback" }}',
	description:
		"Starts when Meta's signed WhatsApp webhooks report an inbound message, an opened or renewed 24-hour window, a delivery status, an opt-out or a template change",
	defaults: { name: 'WhatsApp Session Window Trigger' },
	inputs: [],
	outputs: [NodeConnectionTypes.Main],
	webhooks: [
		{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'webhook' },
		// n8n answers a delivery once its execution is stored; responseData is the body Meta gets.
		{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: ACK_BODY, path: 'webhook' },
	],
	properties: sessionWindowTriggerProperties,
};

/**
 * Version 2 (the current one): one credential. Record in Consent Ledger writes to the ledger of the WhatsApp Cloud API
 * credential's Consent Ledger section; activation refuses while that section is off.
 */
export class WhatsAppSessionWindowTriggerV2 implements INodeType {
	description: INodeTypeDescription = {
		...sessionWindowTriggerBaseDescription,
		// Icon, group and subtitle as in the base: the community lint reads them in the class's own description.
		icon: { light: 'file:../../icons/whatsapp.svg', dark: 'file:../../icons/whatsapp.dark.svg' },
		group: ['trigger'],
		subtitle: sessionWindowTriggerBaseDescription.subtitle,
		// 2: one credential (the ledger in the WhatsApp Cloud API credential); otherwise as 1.1.
		version: 2,
		credentials: [{ name: 'whatsAppCloudApi', required: true }],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				await assertLedgerSectionOn(this);
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
