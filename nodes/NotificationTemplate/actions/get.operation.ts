/** Get: a template by ID, or every language of a name, with status, category, quality and rejection. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getCloudCredentials, graphGetAllPages, graphRequest } from '../../shared/io/transport';
import { describeTemplate, forEachItem, graphFailure, TEMPLATE_FIELDS } from './common';

export const description: INodeProperties[] = [
	{
		displayName: 'Get By',
		name: 'getBy',
		type: 'options',
		default: 'id',
		options: [
			{ name: 'ID', value: 'id' },
			{ name: 'Name (All Languages)', value: 'name', description: 'One item per language' },
		],
		displayOptions: { show: { operation: ['get'] } },
	},
	{
		displayName: 'Template ID',
		name: 'getId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '1689556908129832',
		displayOptions: { show: { operation: ['get'], getBy: ['id'] } },
	},
	{
		displayName: 'Template Name',
		name: 'getName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'order_shipped_v1',
		displayOptions: { show: { operation: ['get'], getBy: ['name'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials = await getCloudCredentials(this);
	return await forEachItem(this, async (i) => {
		if (this.getNodeParameter('getBy', i, 'id') === 'name') {
			const name = String(this.getNodeParameter('getName', i, '')).trim();
			const read = await graphGetAllPages<IDataObject>(this, credentials, `${credentials.businessAccountId}/message_templates`, { name, fields: TEMPLATE_FIELDS, limit: 100 });
			if (read.error) throw graphFailure(this, { statusCode: read.statusCode ?? 400, error: read.error }, `listing templates named "${name}"`, i);
			// Meta's name filter matches parts of names; keep the exact name only.
			return read.items.filter((template) => template.name === name).map(describeTemplate);
		}
		const id = String(this.getNodeParameter('getId', i, '')).trim();
		const response = await graphRequest<IDataObject>(this, credentials, { method: 'GET', path: id, qs: { fields: TEMPLATE_FIELDS } });
		if (response.error || !response.data) throw graphFailure(this, response, `reading template ${id}`, i);
		return describeTemplate(response.data);
	});
}
