/** Opening the consent ledger from a node: the one place that reads which workflow and execution write to it. */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { ConsentLedger, LedgerError, type LedgerCredentialType } from '../io/ledger';
import { toNodeError } from './errors';

/** The ledger behind `credentialType`; a credential or table problem becomes a node error that names the fix. */
export async function openLedger(ctx: IExecuteFunctions, credentialType: LedgerCredentialType): Promise<ConsentLedger> {
	try {
		return await ConsentLedger.open(
			ctx,
			{ workflowId: String(ctx.getWorkflow().id ?? ''), executionId: String(ctx.getExecutionId() ?? '') },
			credentialType,
		);
	} catch (error) {
		if (error instanceof LedgerError) throw toNodeError(ctx.getNode(), error);
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			description: 'Check the consent ledger settings of the credential',
		});
	}
}
