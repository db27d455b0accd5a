/** What every version of Send Notification shares: the load-options methods and the end of a failed run. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, toNodeError } from '../shared/n8n/errors';
import { searchSenders, searchTemplates } from './methods/listSearch';
import { getTemplateVariables } from './methods/resourceMapping';

export const sendNotificationMethods = {
	listSearch: { searchSenders, searchTemplates },
	resourceMapping: { getTemplateVariables },
};

/**
 * A run that stopped as a whole. Item problems already are error items under Continue On Fail; thrown under it, n8n
 * would pass the input on unchanged, as if sent: so every item says so instead.
 */
export function failedRun(ctx: IExecuteFunctions, caught: unknown, continueOnFail: boolean): INodeExecutionData[][] {
	const error = toNodeError(ctx.getNode(), caught);
	if (!continueOnFail) throw error;
	// Before the first send (credentials, ledger, options) nothing went out; later, some messages may have.
	const beforeSending = error.context.itemIndex === undefined;
	const fields = {
		code: null,
		title: beforeSending ? 'Refused before sending' : 'Run stopped while sending',
		message: error.message,
		description: beforeSending
			? (error.description ?? null)
			: 'Some messages of this run may have been sent: check the executions and Meta’s delivery statuses before sending again.',
		retryable: false,
		outcome: beforeSending ? ('not_sent' as const) : ('unknown' as const),
		fbtrace_id: null,
	};
	return [ctx.getInputData().map((_, i) => errorItem(i, fields))];
}
