/** Runs the chosen operation; an unknown operation is an error, never a silent default. */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as checkDraft from './checkDraft.operation';
import * as deleteTemplate from './delete.operation';
import * as edit from './edit.operation';
import * as get from './get.operation';
import * as submitForReview from './submitForReview.operation';

const OPERATIONS: Readonly<Record<string, (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>>> = {
	checkDraft: checkDraft.execute,
	submitForReview: submitForReview.execute,
	edit: edit.execute,
	delete: deleteTemplate.execute,
	get: get.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = Object.prototype.hasOwnProperty.call(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
	if (!run) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, {
			description: `Choose one of: ${Object.keys(OPERATIONS).join(', ')}.`,
		});
	}
	return await run.call(this);
}
