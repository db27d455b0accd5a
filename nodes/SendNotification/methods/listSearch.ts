import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkTemplateEligibility, getNotificationType, normaliseCategory } from '../../shared/domain/notificationTypes';
import type { MessageTemplate } from '../../shared/domain/templates';
import { getCloudCredentials, graphGetAllPages, graphRequest, type GraphPage } from '../../shared/io/transport';
import { describeGraphError } from '../../shared/domain/metaErrors';

interface PhoneNumber {
	id: string;
	display_phone_number?: string;
	verified_name?: string;
}

export async function searchSenders(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const credentials = await getCloudCredentials(this);
	const res = await graphRequest<GraphPage<PhoneNumber>>(this, credentials, {
		method: 'GET',
		path: `${credentials.businessAccountId}/phone_numbers`,
		qs: { fields: 'id,display_phone_number,verified_name', limit: 100 },
	});
	if (res.error) throw new NodeOperationError(this.getNode(), describeGraphError(res.error, 'listing phone numbers'));
	const needle = (filter ?? '').toLowerCase();
	const results = (res.data?.data ?? [])
		.map((number) => ({
			name: `${number.display_phone_number ?? number.id} · ${number.verified_name ?? 'unnamed'}`,
			value: number.id,
		}))
		.filter((r) => !needle || r.name.toLowerCase().includes(needle) || r.value.includes(needle));
	return { results };
}

export const TEMPLATE_LIST_FIELDS = 'id,name,language,status,category,correct_category';

/**
 * Lists the APPROVED templates whose category fits the chosen notification type, reading all of Meta's pages
 * (the editor's filter then narrows them; Meta's own `name` filter is a contains-search too).
 */
export async function searchTemplates(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const credentials = await getCloudCredentials(this);
	const typeValue = String(this.getCurrentNodeParameter('notificationType') ?? '');
	const type = getNotificationType(typeValue);
	const qs: Record<string, string | number> = { fields: TEMPLATE_LIST_FIELDS, status: 'APPROVED', limit: 250 };
	if (filter) qs.name = filter.trim().toLowerCase();
	const all = await graphGetAllPages<MessageTemplate>(this, credentials, `${credentials.businessAccountId}/message_templates`, qs);
	if (all.error) throw new NodeOperationError(this.getNode(), describeGraphError(all.error, 'listing templates'));
	const results = all.items
		.filter((t) => (type ? checkTemplateEligibility(type, t).allowed : normaliseCategory(t.category) === 'UTILITY'))
		.sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language))
		.map((t) => ({ name: `${t.name} · ${t.language} · ${String(t.category).toUpperCase()}`, value: t.id }));
	return { results };
}
