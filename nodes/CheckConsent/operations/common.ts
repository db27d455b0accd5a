/** What every Check Consent operation shares: the ledger, item errors with a fix, continue-on-fail. */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import {
	describeDecision,
	isConsentPurpose,
	type ConsentDecision,
	type ConsentEventInput,
	type ConsentPolicyOptions,
	type ConsentPurpose,
} from '../../shared/domain/consent';
import { CLOUD_LEDGER_CREDENTIAL_TYPE, type ConsentLedger, LEDGER_CREDENTIAL_TYPE, LedgerError } from '../../shared/io/ledger';
import { openLedger } from '../../shared/n8n/ledger';

/** The ledger of the credential the node's Credential option names (version 1 nodes: the ledger-only one). */
export async function openLedgerOfNode(ctx: IExecuteFunctions): Promise<ConsentLedger> {
	const fromCloud = ctx.getNodeParameter('authentication', 0, 'ledgerOnly') === 'whatsAppCloudApi';
	return await openLedger(ctx, fromCloud ? CLOUD_LEDGER_CREDENTIAL_TYPE : LEDGER_CREDENTIAL_TYPE);
}

/** Turns anything thrown while handling an item into an n8n error with the item index and a fix. */
export function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number | undefined): NodeOperationError | NodeApiError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof LedgerError) {
		if (error.httpCode) {
			const body = (error.responseBody && typeof error.responseBody === 'object' ? error.responseBody : { message: error.message }) as JsonObject;
			return new NodeApiError(ctx.getNode(), body, {
				message: error.message,
				description: error.fix,
				httpCode: String(error.httpCode),
				itemIndex,
			});
		}
		return new NodeOperationError(ctx.getNode(), error.message, { description: error.fix, itemIndex });
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

export function refusal(ctx: IExecuteFunctions, message: string, fix: string, itemIndex: number): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { description: fix, itemIndex });
}

export function errorItem(error: NodeOperationError | NodeApiError, itemIndex: number): INodeExecutionData {
	return {
		json: { error: { message: error.message, description: error.description ?? null } },
		pairedItem: { item: itemIndex },
	};
}

export function readPurpose(ctx: IExecuteFunctions, itemIndex: number): ConsentPurpose {
	const purpose = String(ctx.getNodeParameter('purpose', itemIndex, 'allUtility'));
	if (!isConsentPurpose(purpose)) {
		throw refusal(ctx, `"${purpose}" is not a consent purpose`, 'Pick a notification type or All Utility Notifications.', itemIndex);
	}
	return purpose;
}

export function readPolicy(ctx: IExecuteFunctions, itemIndex: number): ConsentPolicyOptions {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const months = Number(options.maxAgeMonths ?? 0);
	return { maxAgeMonths: Number.isFinite(months) && months > 0 ? months : 0 };
}

/** The proof fields shared by the recording operations. */
export function readProof(ctx: IExecuteFunctions, itemIndex: number, operation: string): Omit<ConsentEventInput, 'contact' | 'purpose' | 'action'> {
	const get = (name: string) => ctx.getNodeParameter(name, itemIndex, '') as unknown;
	const recording = operation === 'recordOptIn' || operation === 'checkFromItem';
	return {
		source: get('source'),
		proofWording: recording ? get('proofWording') : '',
		proofVersion: recording ? get('proofVersion') : '',
		proofReference: get('proofReference'),
		capturedAt: get('capturedAt'),
	};
}

export function consentJson(decision: ConsentDecision, policy: ConsentPolicyOptions): IDataObject {
	return {
		granted: decision.granted,
		purpose: decision.purpose,
		reason: decision.reason,
		message: describeDecision(decision, policy),
		since: decision.since ?? null,
		source: decision.source ?? null,
		proof: decision.proof ? { ...decision.proof } : null,
		decidedBy: decision.decidedBy ?? null,
		eventId: decision.eventId ?? null,
	};
}
