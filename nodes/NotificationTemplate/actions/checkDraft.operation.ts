/** Check Draft: the offline check of a template draft; no call to Meta. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { checkTemplateDraft } from '../../shared/domain/templateDraft';
import type { NotificationTypeValue } from '../../shared/domain/notificationTypes';
import { forEachItem } from '../../shared/n8n/perItem';
import { checkJson, draftProperties, readDraft } from './common';

export const description: INodeProperties[] = [...draftProperties(['checkDraft'], true)];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await forEachItem(this, 'Draft not checked', async (i) => {
		const draft = readDraft(this, i);
		const notificationType = this.getNodeParameter('notificationType', i, '') as NotificationTypeValue | '';
		return { ...checkJson(checkTemplateDraft(draft, { notificationType })), draft: draft as unknown as IDataObject };
	});
}
