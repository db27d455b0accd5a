import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { accountReadFix } from '../shared/domain/metaErrors';
import { listTemplates, TEMPLATE_FIELDS } from '../shared/io/templates';
import { getCloudCredentials } from '../shared/io/transport';
import { graphApiError } from '../shared/n8n/errors';

/** The distinct template names of the account, for the "Template Names" filter. */
export async function getTemplateNames(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const credentials = await getCloudCredentials(this);
	const all = await listTemplates<{ name?: string; language?: string }>(this, credentials, {
		fields: TEMPLATE_FIELDS.state,
	});
	if (all.error) {
		throw graphApiError(this.getNode(), all.error, all.statusCode ?? 400, 'listing templates', {
			description: accountReadFix(all.error),
		});
	}
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
