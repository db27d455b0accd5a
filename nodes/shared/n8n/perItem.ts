/**
 * The per-item loop of the nodes whose operations answer each input item on its own (Check Consent's Erase Contact
 * and Get History, every Notification Template operation).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, fieldsOfNodeError, toNodeError } from './errors';

/**
 * Runs `one` for every item, honouring continue-on-fail (the shared error item, titled `title`: the item's
 * operation was not done); every output item is paired with its input.
 */
export async function forEachItem(
	ctx: IExecuteFunctions,
	title: string,
	one: (i: number) => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[][]> {
	const out: INodeExecutionData[] = [];
	const items = ctx.getInputData();
	for (let i = 0; i < items.length; i++) {
		try {
			const result = await one(i);
			for (const json of Array.isArray(result) ? result : [result]) out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = toNodeError(ctx.getNode(), error, i);
			if (!ctx.continueOnFail()) throw nodeError;
			out.push(errorItem(i, fieldsOfNodeError(nodeError, title, 'not_done')));
		}
	}
	return [out];
}
