/** Submit for Review: Check Draft first, then POST /{waba-id}/message_templates as UTILITY. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { UTILITY_TTL_MAX_SECONDS, UTILITY_TTL_MIN_SECONDS } from '../../shared/domain/templateDraft';
import { getCloudCredentials, graphRequest } from '../../shared/io/transport';
import { forEachItem } from '../../shared/n8n/perItem';
import { checkBeforeReview, draftProperties, graphFailure, readDraft } from './common';

export function reviewOptions(operation: string): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: [operation] } },
		options: [
			{
				displayName: 'Submit Despite Warnings',
				name: 'allowWarnings',
				type: 'boolean',
				default: false,
				description: 'Whether to submit a draft whose check found warnings (never one with errors)',
			},
			{
				displayName: 'Time-to-Live (Seconds)',
				name: 'messageSendTtlSeconds',
				type: 'number',
				typeOptions: { minValue: UTILITY_TTL_MIN_SECONDS, maxValue: UTILITY_TTL_MAX_SECONDS },
				default: 3600,
				description:
					"For time-sensitive notifications (appointment reminders, alerts, travel updates): Meta stops trying to deliver after this many seconds (30 to 43,200). Without it Meta's default is 30 days.",
			},
		],
	};
}

export const description: INodeProperties[] = [
	...draftProperties(['submitForReview'], true),
	reviewOptions('submitForReview'),
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const credentials = await getCloudCredentials(this);
	return await forEachItem(this, 'Template not submitted', async (i) => {
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const draft = { ...readDraft(this, i), category: 'UTILITY' };
		const check = checkBeforeReview(this, draft, options, 'submitted', i);
		const response = await graphRequest<IDataObject>(this, credentials, {
			method: 'POST',
			path: `${credentials.businessAccountId}/message_templates`,
			body: draft as unknown as IDataObject,
		});
		if (response.error || !response.data)
			throw graphFailure(this, response, `the template "${draft.name}" (${draft.language})`, i);
		return {
			id: response.data.id,
			name: draft.name,
			language: draft.language,
			status: response.data.status,
			category: response.data.category,
			warnings: check.warnings as unknown as IDataObject[],
			marketingRisk: check.marketingRisk as unknown as IDataObject,
		};
	});
}
