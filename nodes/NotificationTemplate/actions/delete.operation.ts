/** Delete: by name (every language) or by ID (one language): DELETE /{waba-id}/message_templates?name=…[&hsm_id=…]. */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { TEMPLATE_FIELDS } from '../../shared/io/templates';
import { getCloudCredentials, graphRequest } from '../../shared/io/transport';
import { forEachItem } from '../../shared/n8n/perItem';
import { graphFailure, readTemplateOrFail } from './common';

export const description: INodeProperties[] = [
	{
		displayName: 'Delete By',
		name: 'deleteBy',
		type: 'options',
		default: 'name',
		options: [
			{ name: 'Name (All Languages)', value: 'name', description: 'Deletes the template in every language' },
			{ name: 'ID (One Language)', value: 'id', description: 'Deletes only this language version' },
		],
		displayOptions: { show: { operation: ['delete'] } },
	},
	{
		displayName: 'Template Name',
		name: 'deleteName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'order_shipped_v1',
		displayOptions: { show: { operation: ['delete'], deleteBy: ['name'] } },
	},
	{
		displayName: 'Template ID',
		name: 'deleteId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '1689556908129832',
		displayOptions: { show: { operation: ['delete'], deleteBy: ['id'] } },
	},
	{
		displayName:
			'A deleted name cannot be used again for 30 days, and messages already sent with the template are still delivered',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['delete'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials = await getCloudCredentials(this);
	return await forEachItem(this, 'Template not deleted', async (i) => {
		const by = this.getNodeParameter('deleteBy', i, 'name') as string;
		const qs: IDataObject = {};
		if (by === 'id') {
			const id = String(this.getNodeParameter('deleteId', i, '')).trim();
			if (!/^\d+$/.test(id)) {
				throw new NodeOperationError(this.getNode(), `"${id}" is not a template ID`, {
					itemIndex: i,
					description: 'A template ID is a number such as 1689556908129832; Get returns it.',
				});
			}
			// Meta needs the name together with the ID (hsm_id).
			const current = await readTemplateOrFail(this, credentials, id, i, TEMPLATE_FIELDS.state);
			qs.name = current.name;
			qs.hsm_id = id;
		} else {
			qs.name = String(this.getNodeParameter('deleteName', i, '')).trim();
		}
		const response = await graphRequest<IDataObject>(this, credentials, {
			method: 'DELETE',
			path: `${credentials.businessAccountId}/message_templates`,
			qs,
		});
		if (response.error || !response.data)
			throw graphFailure(this, response, `deleting template "${String(qs.name)}"`, i);
		return {
			deleted: response.data.success === true,
			name: qs.name,
			...(qs.hsm_id ? { id: qs.hsm_id } : { allLanguages: true }),
		};
	});
}
