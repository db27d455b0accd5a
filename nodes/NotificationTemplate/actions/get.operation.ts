/** Get: a template by ID, or every language of a name, with status, category, quality and rejection. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listTemplatesNamed } from '../../shared/io/templates';
import { getCloudCredentials } from '../../shared/io/transport';
import { forEachItem } from '../../shared/n8n/perItem';
import { describeTemplate, graphFailure, readTemplateOrFail } from './common';

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
	return await forEachItem(this, 'Template not read', async (i) => {
		if (this.getNodeParameter('getBy', i, 'id') === 'name') {
			const name = String(this.getNodeParameter('getName', i, '')).trim();
			const read = await listTemplatesNamed(this, credentials, name);
			if (read.error)
				throw graphFailure(
					this,
					{ statusCode: read.statusCode ?? 400, error: read.error },
					`listing templates named "${name}"`,
					i,
				);
			return read.items.map(describeTemplate);
		}
		const id = String(this.getNodeParameter('getId', i, '')).trim();
		return describeTemplate(await readTemplateOrFail(this, credentials, id, i));
	});
}
