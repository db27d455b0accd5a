import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { accountReadFix } from '../../shared/domain/metaErrors';
import {
	checkTemplateEligibility,
	getNotificationType,
	normaliseCategory,
} from '../../shared/domain/notificationTypes';
import type { MessageTemplate } from '../../shared/domain/templates';
import { listTemplates, TEMPLATE_FIELDS } from '../../shared/io/templates';
import { getCloudCredentials, graphRequest, type GraphPage } from '../../shared/io/transport';
import { graphApiError } from '../../shared/n8n/errors';

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
	if (res.error) {
		throw graphApiError(this.getNode(), res.error, res.statusCode, 'listing phone numbers', {
			description: accountReadFix(res.error),
		});
	}
	const needle = (filter ?? '').toLowerCase();
	const results = (res.data?.data ?? [])
		.map((number) => ({
			name: `${number.display_phone_number ?? number.id} · ${number.verified_name ?? 'unnamed'}`,
			value: number.id,
		}))
		.filter((r) => !needle || r.name.toLowerCase().includes(needle) || r.value.includes(needle));
	return { results };
}

/**
 * Lists the APPROVED templates whose category fits the chosen notification type, reading all of Meta's pages
 * (the editor's filter then narrows them; Meta's own `name` filter is a contains-search too).
 */
export async function searchTemplates(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const credentials = await getCloudCredentials(this);
	const typeValue = String(this.getCurrentNodeParameter('notificationType') ?? '');
	const type = getNotificationType(typeValue);
	const all = await listTemplates<MessageTemplate>(this, credentials, {
		fields: TEMPLATE_FIELDS.state,
		status: 'APPROVED',
		name: filter ? filter.trim().toLowerCase() : undefined,
		// The page size this search has always asked for (the editor's e2e test reads its paging with it).
		pageSize: 250,
	});
	if (all.error) {
		throw graphApiError(this.getNode(), all.error, all.statusCode ?? 400, 'listing templates', {
			description: accountReadFix(all.error),
		});
	}
	const results = all.items
		.filter((t) => (type ? checkTemplateEligibility(type, t).allowed : normaliseCategory(t.category) === 'UTILITY'))
		.sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language))
		.map((t) => ({ name: `${t.name} · ${t.language} · ${String(t.category).toUpperCase()}`, value: t.id }));
	return { results };
}
