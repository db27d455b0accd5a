/** Edit: Check Draft on the new content, then POST /{template-id}; Meta reviews the template again. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readTemplate, TEMPLATE_FIELDS } from '../../shared/io/templates';
import { getCloudCredentials, graphRequest } from '../../shared/io/transport';
import { forEachItem } from '../../shared/n8n/perItem';
import {
	checkBeforeReview,
	describeTemplate,
	draftProperties,
	graphFailure,
	readDraft,
	readTemplateOrFail,
} from './common';
import { reviewOptions } from './submitForReview.operation';

export const description: INodeProperties[] = [
	{
		displayName: 'Template ID',
		name: 'templateId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '1689556908129832',
		description: 'The ID Meta gave the template (Submit for Review and Get return it)',
		displayOptions: { show: { operation: ['edit'] } },
	},
	...draftProperties(['edit'], false),
	reviewOptions('edit'),
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials = await getCloudCredentials(this);
	return await forEachItem(this, 'Template not changed', async (i) => {
		const templateId = String(this.getNodeParameter('templateId', i, '')).trim();
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const current = await readTemplateOrFail(this, credentials, templateId, i, TEMPLATE_FIELDS.state);
		// The name and language of an existing template cannot change; they come from Meta.
		const draft = {
			...readDraft(this, i),
			name: String(current.name),
			language: String(current.language),
			category: 'UTILITY',
		};
		const check = checkBeforeReview(this, draft, options, 'changed', i);
		const body: IDataObject = { components: draft.components as unknown as IDataObject[] };
		if (draft.parameter_format) body.parameter_format = draft.parameter_format;
		if (draft.message_send_ttl_seconds !== undefined) body.message_send_ttl_seconds = draft.message_send_ttl_seconds;
		const response = await graphRequest<IDataObject>(this, credentials, { method: 'POST', path: templateId, body });
		if (response.error || !response.data) throw graphFailure(this, response, `the edit of template ${templateId}`, i);
		const after = await readTemplate(this, credentials, templateId);
		const template = after.data ? describeTemplate(after.data) : { id: templateId };
		return {
			success: response.data.success === true,
			...template,
			warnings: check.warnings as unknown as IDataObject[],
		};
	});
}
