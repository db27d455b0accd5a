import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { templateStatusPollProperties } from './description';
import { getTemplateNames } from './loadOptions';
import { pollTemplates } from './poll';

export class WhatsAppTemplateStatusPoll implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Template Status Poll',
		name: 'whatsAppTemplateStatusPoll',
		icon: { light: 'file:../icons/whatsapp.svg', dark: 'file:../icons/whatsapp.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Template approvals, pauses and re-categorisations',
		description:
			'Starts a workflow when Meta approves, rejects, pauses, disables, deletes or re-categorises a WhatsApp template',
		defaults: { name: 'WhatsApp Template Status Poll' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'whatsAppCloudApi', required: true }],
		properties: templateStatusPollProperties,
	};

	methods = {
		loadOptions: { getTemplateNames },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollTemplates.call(this);
	}
}
