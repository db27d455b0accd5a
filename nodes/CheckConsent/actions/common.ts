/** What every Check Consent operation shares: the ledger, the item's parameters, item errors under Continue On Fail. */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import {
	describeDecision,
	isConsentPurpose,
	type ConsentDecision,
	type ConsentEventInput,
	type ConsentPolicyOptions,
	type ConsentPurpose,
} from '../../shared/domain/consent';
import {
	CLOUD_LEDGER_CREDENTIAL_TYPE,
	type ConsentLedger,
	LEDGER_CREDENTIAL_TYPE,
	RecordingInterrupted,
	type RecordedEvent,
	type RecordResult,
} from '../../shared/io/ledger';
import { errorItem, fieldsOfNodeError, itemRefusal, toNodeError, type ErrorOutcome } from '../../shared/n8n/errors';
import { openLedger } from '../../shared/n8n/ledger';

/** The ledger of the credential the node's Credential option names (version 1 nodes: the ledger-only one). */
export async function openLedgerOfNode(ctx: IExecuteFunctions): Promise<ConsentLedger> {
	const fromCloud = ctx.getNodeParameter('authentication', 0, 'ledgerOnly') === 'whatsAppCloudApi';
	return await openLedger(ctx, fromCloud ? CLOUD_LEDGER_CREDENTIAL_TYPE : LEDGER_CREDENTIAL_TYPE);
}

export function refusal(ctx: IExecuteFunctions, message: string, fix: string, itemIndex: number): NodeOperationError {
	return itemRefusal(ctx.getNode(), itemIndex, message, fix);
}

/**
 * An item's failure: thrown as a node error with the item index (the run stops), or under Continue On Fail the
 * error item that answers the item, titled with what did not happen (e.g. 'Not checked').
 */
export function failedItem(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
	title: string,
): INodeExecutionData {
	return failedItems(ctx, error, [itemIndex], title)[0];
}

/** failedItem for a failure that several items share (a batch insert, the ledger itself); the first item is named. */
function failedItems(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndexes: readonly number[],
	title: string,
	outcome: ErrorOutcome = 'not_done',
): INodeExecutionData[] {
	const nodeError = toNodeError(ctx.getNode(), error, itemIndexes[0]);
	if (!ctx.continueOnFail()) throw nodeError;
	return itemIndexes.map((i) => errorItem(i, fieldsOfNodeError(nodeError, title, outcome)));
}

/**
 * A recording that failed, for items `itemIndexes` (one per event given to recordEvents). Part-way
 * (RecordingInterrupted): the stored part is handed back for the caller's answers, the other items fail, with
 * outcome 'unknown' where the request got no answer; otherwise every item fails. Without Continue On Fail the run
 * stops with the error, which says how many were recorded.
 */
function failedRecording(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndexes: readonly number[],
	title: string,
): { stored?: RecordResult; failed: Array<[number, INodeExecutionData]> } {
	const withItems = (indexes: readonly number[], outcome: ErrorOutcome): Array<[number, INodeExecutionData]> => {
		if (indexes.length === 0) return [];
		const items = failedItems(ctx, error, indexes, title, outcome);
		return indexes.map((i, n) => [i, items[n]]);
	};
	if (!(error instanceof RecordingInterrupted)) return { failed: withItems(itemIndexes, 'not_done') };
	const itemsOf = (eventIndexes: number[]) => eventIndexes.map((n) => itemIndexes[n]);
	const failed = [
		...withItems(itemsOf(error.uncertainIndexes), 'unknown'),
		...withItems(itemsOf(error.notStoredIndexes), 'not_done'),
	];
	return { stored: error.partial, failed };
}

/** Says so in the output pane when events were recorded but their state rows (not consent itself) were not updated. */
function warnIfStateNotUpdated(ctx: IExecuteFunctions, result: RecordResult): void {
	if (!result.stateNotUpdated) return;
	ctx.addExecutionHints({
		type: 'warning',
		location: 'outputPane',
		message: `The consent events were recorded, but the contact state rows were not updated (${result.stateNotUpdated.message}). Consent checks read the events, so they are right; the state shown in Get History and the Data tables screen catches up with the contact's next event.`,
	});
}

/** How a recording operation answers its items (see recordItemEvents). */
export interface RecordingAnswers {
	/** The item's error item (a refused event, or one the recording did not store). */
	failed(itemIndex: number, item: INodeExecutionData): void;
	recorded(itemIndex: number, event: RecordedEvent): void;
}

/**
 * Records one event per item (item `itemIndexes[n]` gave `inputs[n]`) and answers every one of those items: its
 * recorded event, or an error item titled `title` for an event the ledger refused (message `refusedPrefix` + the
 * reason) or did not store (failedRecording). Warns in the output pane when the state rows lag.
 */
export async function recordItemEvents(
	ctx: IExecuteFunctions,
	ledger: ConsentLedger,
	inputs: ConsentEventInput[],
	itemIndexes: readonly number[],
	wording: { title: string; refusedPrefix: string },
	answers: RecordingAnswers,
): Promise<void> {
	let result: RecordResult;
	try {
		result = await ledger.recordEvents(inputs);
	} catch (error) {
		const { stored, failed } = failedRecording(ctx, error, itemIndexes, wording.title);
		for (const [i, item] of failed) answers.failed(i, item);
		if (!stored) return;
		result = stored;
	}
	warnIfStateNotUpdated(ctx, result);
	for (const refused of result.refused) {
		const i = itemIndexes[refused.index];
		const error = refusal(ctx, `${wording.refusedPrefix}${refused.reason}`, refused.fix, i);
		answers.failed(i, failedItem(ctx, error, i, wording.title));
	}
	result.recorded.forEach((event, n) => answers.recorded(itemIndexes[result.recordedIndexes[n]], event));
}

export function readPurpose(ctx: IExecuteFunctions, itemIndex: number): ConsentPurpose {
	const purpose = String(ctx.getNodeParameter('purpose', itemIndex, 'allUtility'));
	if (!isConsentPurpose(purpose)) {
		throw refusal(
			ctx,
			`"${purpose}" is not a consent purpose`,
			'Pick a notification type or All Utility Notifications.',
			itemIndex,
		);
	}
	return purpose;
}

/** The consent policy of the check's options: how old an opt-in may be. */
export function readConsentPolicy(ctx: IExecuteFunctions, itemIndex: number): ConsentPolicyOptions {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const months = Number(options.maxAgeMonths ?? 0);
	return { maxAgeMonths: Number.isFinite(months) && months > 0 ? months : 0 };
}

/** The proof fields shared by the recording operations. */
export function readProof(
	ctx: IExecuteFunctions,
	itemIndex: number,
	operation: string,
): Omit<ConsentEventInput, 'contact' | 'purpose' | 'action'> {
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
