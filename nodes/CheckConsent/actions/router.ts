/** Runs the node's operation on the consent ledger; an operation it does not know is refused, never run as another. */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { ConsentLedger } from '../../shared/io/ledger';
import { errorItem, fieldsOfNodeError, type NodeError } from '../../shared/n8n/errors';
import { assertAgentMayRun } from '../agentTool';
import * as check from './check.operation';
import * as checkFromItem from './checkFromItem.operation';
import { openLedgerOfNode } from './common';
import * as eraseContact from './eraseContact.operation';
import * as getHistory from './getHistory.operation';
import * as record from './record.operation';

interface Operation {
	execute: (this: IExecuteFunctions, ledger: ConsentLedger) => Promise<INodeExecutionData[][]>;
	/** The title of its error items: what did not happen. */
	failureTitle: string;
}

const OPERATIONS = new Map<string, Operation>([
	['check', { execute: check.execute, failureTitle: check.FAILURE_TITLE }],
	['checkFromItem', { execute: checkFromItem.execute, failureTitle: checkFromItem.FAILURE_TITLE }],
	['recordOptIn', { execute: record.executeOptIn, failureTitle: record.FAILURE_TITLE }],
	['recordOptOut', { execute: record.executeOptOut, failureTitle: record.FAILURE_TITLE }],
	['getHistory', { execute: getHistory.execute, failureTitle: getHistory.FAILURE_TITLE }],
	['eraseContact', { execute: eraseContact.execute, failureTitle: eraseContact.FAILURE_TITLE }],
]);

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	assertAgentMayRun(this, operation);
	const run = OPERATIONS.get(operation);
	if (!run) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, {
			description:
				'Pick one of the node’s operations: Check, Erase Contact, Get History, Record From Item and Check, Record Opt-In or Record Opt-Out.',
		});
	}
	const ledger = await openLedgerOfNode(this);
	return await run.execute.call(this, ledger);
}

/**
 * A run that stopped as a whole (no ledger, an unknown operation): no item has an answer. Thrown under Continue On
 * Fail, n8n would pass the input through unchanged, on Check's first output (Consented); so every item gets the
 * error instead, on the Not Consented side.
 */
export function failedRunItems(ctx: IExecuteFunctions, error: NodeError): INodeExecutionData[][] {
	const operation = String(ctx.getNodeParameter('operation', 0, ''));
	const title = OPERATIONS.get(operation)?.failureTitle ?? 'Operation not run';
	const failed = ctx.getInputData().map((_, i) => errorItem(i, fieldsOfNodeError(error, title, 'not_done')));
	const split = check.CHECK_OPERATIONS.includes(operation) && ctx.getNodeParameter('splitOutput', 0, false) === true;
	return split ? [[], failed] : [failed];
}
