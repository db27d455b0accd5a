import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { sessionWindowTriggerProperties } from './description';
import { ACK_BODY, receiveWebhook } from './receive';
import { checkExists, create, remove } from './registration';

export class WhatsAppSessionWindowTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Session Window Trigger',
		name: 'whatsAppSessionWindowTrigger',
		icon: { light: 'file:../icons/whatsapp.svg', dark: 'file:../icons/whatsapp.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves exactly as 1. It exists because n8n evaluates a binary-data expression in its sandbox on every
		// webhook call of a version-1 node: about 10 % of n8n's main-thread time per delivery in the ingest profile.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ $parameter["registration"] === "manual" ? "Manual callback set-up" : "Registers its callback" }}',
		description:
			"Starts when Meta's signed WhatsApp webhooks report an inbound message, an opened or renewed 24-hour window, a delivery status, an opt-out or a template change",
		defaults: { name: 'WhatsApp Session Window Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'whatsAppCloudApi', required: true },
			{ name: 'whatsAppNotificationsLedgerApi', required: true, displayOptions: { show: { recordInLedger: [true] } } },
		],
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
