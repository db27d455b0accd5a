import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { sessionWindowTriggerProperties } from '../description';
import { assertLedgerSectionOn } from '../ledgerCredential';
import { ACK_BODY, receiveWebhook } from '../receive';
import { checkExists, create, remove } from '../registration';

/**
 * Version 2 (the current one): one credential. Record in Consent Ledger writes to the ledger of the WhatsApp Cloud API
 * credential's Consent Ledger section; activation refuses while that section is off.
 */
export class WhatsAppSessionWindowTriggerV2 implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Session Window Trigger',
		name: 'whatsAppSessionWindowTrigger',
		// Relative to this file; the entry file re-bases it (n8n resolves icons relative to the file it loads).
		icon: { light: 'file:../../icons/whatsapp.svg', dark: 'file:../../icons/whatsapp.dark.svg' },
		group: ['trigger'],
		// 2: one credential (the ledger in the WhatsApp Cloud API credential); otherwise as 1.1.
		version: 2,
		subtitle: '={{ $parameter["registration"] === "manual" ? "Manual callback set-up" : "Registers its callback" }}',
		description:
			"Starts when Meta's signed WhatsApp webhooks report an inbound message, an opened or renewed 24-hour window, a delivery status, an opt-out or a template change",
		defaults: { name: 'WhatsApp Session Window Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'whatsAppCloudApi', required: true }],
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'webhook' },
			// n8n answers a delivery once its execution is stored; responseData is the body Meta gets.
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: ACK_BODY, path: 'webhook' },
		],
		properties: sessionWindowTriggerProperties,
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
