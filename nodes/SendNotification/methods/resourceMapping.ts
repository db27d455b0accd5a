import type { ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';

import { describeTemplateSlots } from '../../shared/domain/templates';
import { getCloudCredentials } from '../../shared/io/transport';
import { lookupTemplate, readLocator } from '../actions/templateSource';

/** One field per placeholder, media header and button value of the selected template. */
export async function getTemplateVariables(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const locator = readLocator(this.getNodeParameter('template', undefined));
	if (!locator.value) return { fields: [], emptyFieldsNotice: 'Select a template first.' };
	const credentials = await getCloudCredentials(this);
	const lookup = await lookupTemplate(this, credentials, locator);
	if (!lookup.ok) return { fields: [], emptyFieldsNotice: `${lookup.problem}. ${lookup.fix}.` };
	const fields: ResourceMapperField[] = describeTemplateSlots(lookup.template).map((slot) => ({
		id: slot.key,
		displayName: slot.label,
		required: slot.required,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
		type: 'string',
	}));
	return { fields, emptyFieldsNotice: 'This template has no variables: nothing to fill in.' };
}
