import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as checkDraft from './actions/checkDraft.operation';
import * as deleteTemplate from './actions/delete.operation';
import * as edit from './actions/edit.operation';
import * as get from './actions/get.operation';
import { router } from './actions/router';
import * as submitForReview from './actions/submitForReview.operation';
import { errorItem, fieldsOfNodeError, toNodeError } from '../shared/n8n/errors';

export class WhatsAppNotificationTemplate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Notification Template',
		name: 'whatsAppNotificationTemplate',
		icon: { light: 'file:../icons/whatsapp.svg', dark: 'file:../icons/whatsapp.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { checkDraft: "Check draft", submitForReview: "Submit for review", edit: "Edit", delete: "Delete", get: "Get" }[$parameter["operation"]] }}',
		description:
			'Check a WhatsApp notification template offline, submit it to Meta for review, edit, delete or read it',
		defaults: { name: 'WhatsApp Notification Template' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{ name: 'whatsAppCloudApi', required: true, displayOptions: { hide: { operation: ['checkDraft'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'checkDraft',
				options: [
					{
						name: 'Check Draft',
						value: 'checkDraft',
						action: 'Check a template draft',
						description: "Check a draft against Meta's rules offline, without calling Meta",
					},
					{
						name: 'Delete',
						value: 'delete',
						action: 'Delete a template',
						description: 'Delete a template by name (all languages) or by ID',
					},
					{
						name: 'Edit',
						value: 'edit',
						action: 'Edit a template',
						description: 'Check and change the content of a template; Meta reviews it again',
					},
					{
						name: 'Get',
						value: 'get',
						action: 'Get a template',
						description: 'Read a template with its status, category, quality and rejection reason',
					},
					{
						name: 'Submit for Review',
						value: 'submitForReview',
						action: 'Submit a template for review',
						description: 'Check the draft, then create it as a UTILITY template for Meta to review',
					},
				],
			},
			...checkDraft.description,
			...submitForReview.description,
			...edit.description,
			...deleteTemplate.description,
			...get.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await router.call(this);
		} catch (caught) {
			// Item errors already are error items under Continue On Fail; what gets here stopped the whole run (e.g. an
			// unknown operation). Thrown, n8n would pass the input on unchanged, as if submitted: every item says so instead.
			const error = toNodeError(this.getNode(), caught, 0);
			if (!this.continueOnFail()) throw error;
			return [
				this.getInputData().map((_, i) => errorItem(i, fieldsOfNodeError(error, 'Operation not run', 'not_done'))),
			];
		}
	}
}
