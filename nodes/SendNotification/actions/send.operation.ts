/**
 * Send Notification's one operation. Its execute runs three steps, one file each: prepare.ts checks every item and
 * builds its request, dispatch.ts sends the due ones paced, answer.ts gives one output item per input, in input order.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { parseRateCardOverride, type RateCard } from '../../shared/domain/pricing';
import { runPacingFromOptions, type RunPacing } from '../../shared/domain/pacing';
import { runProgressNote } from '../../shared/domain/sendFailures';
import type { LedgerCredentialType } from '../../shared/io/ledger';
import { SendKeyStore } from '../../shared/io/ledger/sendKeys';
import { GraphNetworkError, getCloudCredentials, type CloudCredentials } from '../../shared/io/transport';
import { graphApiError, toNodeError, type NodeError } from '../../shared/n8n/errors';
import { openLedger } from '../../shared/n8n/ledger';
import { deferredItem, dryRunItem, outcomeItem, refusedItem, skippedItem } from './answer';
import { isQuietHoursOn } from './customerData';
import { dispatchSends, type SendOutcome } from './dispatch';
import { prefetchLedger, prepareSend, type PrepareContext, type PreparedSend } from './prepare';
import type { TemplateLookup } from './templateSource';

/** What one run decides once, from the credential and the first item's options. */
interface RunSettings {
	context: PrepareContext;
	pacing: RunPacing;
	dryRun: boolean;
	continueOnFail: boolean;
	keyStore?: SendKeyStore;
}

/** Send Notification's run; `ledgerCredential`: where the consent ledger's settings come from (by node version). */
export async function sendNotifications(
	this: IExecuteFunctions,
	ledgerCredential: LedgerCredentialType,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const run = await readRunSettings(this, ledgerCredential, items.length);
	const results: INodeExecutionData[] = new Array(items.length);
	const prepared = await prepareItems(this, items.length, run, results);

	// Quiet Hours: items inside the recipient's night leave by the Deferred output, as they came in plus sendAt.
	const quietHoursOn = items.length > 0 && isQuietHoursOn(this);
	const deferred = quietHoursOn ? prepared.filter((send) => send.deferred) : [];
	const due = prepared.filter((send) => !deferred.includes(send));
	const answer = (): INodeExecutionData[][] => {
		const main = results.filter((item) => item !== undefined);
		return quietHoursOn ? [main, deferred.map((send) => deferredItem(items[send.itemIndex], send))] : [main];
	};

	if (run.dryRun) {
		for (const send of due) results[send.itemIndex] = dryRunItem(send, run.context.credentials);
		return answer();
	}
	const outcomes = await dispatchSends(this, run.context.credentials, due, {
		...run.pacing,
		stopOnFirstFailure: !run.continueOnFail,
		keyStore: run.keyStore,
	});
	if (!run.continueOnFail) throwFirstFailure(this, outcomes);
	for (const outcome of outcomes) results[outcome.send.itemIndex] = outcomeItem(outcome);
	return answer();
}

/** Credentials, rate card, ledger and pacing: read once per run (pacing is a property of the whole run). */
async function readRunSettings(
	ctx: IExecuteFunctions,
	ledgerCredential: LedgerCredentialType,
	itemCount: number,
): Promise<RunSettings> {
	const credentials = await getCloudCredentials(ctx);
	const continueOnFail = ctx.continueOnFail();
	const useLedger = itemCount > 0 && ctx.getNodeParameter('useConsentLedger', 0, false) === true;
	const options = (itemCount ? ctx.getNodeParameter('options', 0, {}) : {}) as IDataObject;
	const idempotencyWindowHours = Math.max(0, Number(options.idempotencyWindowHours ?? 24));
	const workflowId = String(ctx.getWorkflow().id ?? '');
	const context: PrepareContext = {
		credentials,
		rateCard: readRateCard(ctx),
		templateCache: new Map<string, Promise<TemplateLookup>>(),
		ledger: useLedger ? await openLedger(ctx, ledgerCredential) : undefined,
		skipWithoutConsent: useLedger && ctx.getNodeParameter('skipWithoutConsent', 0, true) === true,
		messageMode: useLedger && ctx.getNodeParameter('messageMode', 0, 'template') === 'auto' ? 'auto' : 'template',
		now: () => Date.now(),
		idempotent: useLedger && idempotencyWindowHours > 0,
		workflowId,
	};
	const keyStore =
		context.ledger && context.idempotent
			? new SendKeyStore(
					context.ledger.client,
					{ workflowId, executionId: String(ctx.getExecutionId() ?? '') },
					idempotencyWindowHours * 3600 * 1000,
				)
			: undefined;
	return { context, pacing: runPacingFromOptions(options), dryRun: options.dryRun === true, continueOnFail, keyStore };
}

function readRateCard(ctx: IExecuteFunctions): RateCard | undefined {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const raw = options.rateCard;
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
	const parsed = parseRateCardOverride(raw);
	if (!parsed.card) {
		throw new NodeOperationError(ctx.getNode(), `The Rate Card option is not usable: ${parsed.problem}`, {
			description: 'Fix the JSON or clear the option to use the bundled Meta rate card',
		});
	}
	return parsed.card;
}

/**
 * Step one for every item, before anything is sent: the sends to make. Skipped items (no consent) and, under
 * Continue On Fail, refused items take their place in `results`; otherwise the first refusal stops the run.
 */
async function prepareItems(
	ctx: IExecuteFunctions,
	itemCount: number,
	run: RunSettings,
	results: INodeExecutionData[],
): Promise<PreparedSend[]> {
	const prepared: PreparedSend[] = [];
	// A failed batched read is not fatal here: each item then reads on its own and reports its own error.
	await prefetchLedger(ctx, itemCount, run.context).catch(() => undefined);
	for (let i = 0; i < itemCount; i++) {
		try {
			const outcome = await prepareSend.call(ctx, i, run.context);
			if ('skipped' in outcome) results[i] = skippedItem(outcome);
			else prepared.push(outcome);
		} catch (caught) {
			const error = preparationError(ctx, caught, i, run.context.credentials);
			if (!run.continueOnFail) throw error;
			results[i] = refusedItem(i, error);
		}
	}
	return prepared;
}

/** Refusals are node errors already (kept as they are); a ledger or network failure says what to fix. */
function preparationError(
	ctx: IExecuteFunctions,
	caught: unknown,
	itemIndex: number,
	credentials: CloudCredentials,
): NodeError {
	if (caught instanceof GraphNetworkError) {
		// Only the template is read from Meta while preparing: the wording names it, and that nothing was sent.
		return new NodeOperationError(ctx.getNode(), `${caught.message} while reading the template`, {
			itemIndex,
			description: `Nothing was sent. Check the Base URL (${credentials.baseUrl}) and Graph API version in the WhatsApp Cloud API credential, and that the server is reachable from n8n. Details: ${caught.details}`,
		});
	}
	return toNodeError(ctx.getNode(), caught, itemIndex);
}

/** Without Continue On Fail, the first failed send stops the run, saying how many messages went out before it. */
function throwFirstFailure(ctx: IExecuteFunctions, outcomes: SendOutcome[]): void {
	const failed = outcomes.find((o) => o.status === 'failed');
	if (!failed || failed.status !== 'failed') return;
	const sent = outcomes.filter((o) => o.status === 'sent').length;
	const notAttempted = outcomes.filter((o) => o.status === 'skipped').length;
	const { failure, send } = failed;
	const message = `${failure.title}: ${failure.message}`;
	const description = `${failure.description}${runProgressNote(sent, notAttempted)}`;
	if (failure.graphError && failure.httpCode) {
		throw graphApiError(ctx.getNode(), failure.graphError, failure.httpCode, 'sending the message', {
			itemIndex: send.itemIndex,
			description,
			message,
		});
	}
	throw new NodeOperationError(ctx.getNode(), message, { description, itemIndex: send.itemIndex });
}
