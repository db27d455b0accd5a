import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeGraphError } from '../shared/domain/metaErrors';
import { getCloudCredentials, graphGetAllPages } from '../shared/io/transport';

/** The distinct template names of the account, for the "Template Names" filter. */
export async function getTemplateNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const credentials = await getCloudCredentials(this);
	const all = await graphGetAllPages<{ name?: string; language?: string }>(
		this,
		credentials,
		`${credentials.businessAccountId}/message_templates`,
		{ fields: 'name,language', limit: 1000 },
	);
	if (all.error) throw new NodeOperationError(this.getNode(), describeGraphError(all.error, 'listing templates'));
	const languages = new Map<string, string[]>();
	for (const t of all.items) {
		if (typeof t.name !== 'string' || !t.name) continue;
		const list = languages.get(t.name) ?? [];
		if (typeof t.language === 'string') list.push(t.language);
		languages.set(t.name, list);
	}
	return [...languages.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([name, langs]) => ({ name, value: name, description: langs.join(', ') }));
}
