/**
 * The one way errors leave this package's nodes: Meta's answers become a NodeApiError worded by the error table
 * (describeGraphError), ledger and network failures a node error with their fix, and under Continue On Fail every
 * node returns the same error item.
 */
import type { IDataObject, INode, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { describeGraphError, type GraphError } from '../domain/metaErrors';
import { LedgerError } from '../io/ledger';
import { GraphNetworkError } from '../io/transport';

export type NodeError = NodeOperationError | NodeApiError;

/**
 * Meta refused a Graph call: Meta's message and the error table's advice, with the HTTP status and item.
 * `options.message` replaces the error table's wording where the caller already worded the refusal.
 */
export function graphApiError(
	node: INode,
	error: GraphError | undefined,
	httpCode: number,
	whileDoing: string,
	options: { itemIndex?: number; description?: string; message?: string } = {},
): NodeApiError {
	const graphError: GraphError = error ?? { message: `HTTP ${httpCode}` };
	return new NodeApiError(node, { error: graphError } as unknown as JsonObject, {
		message: options.message ?? describeGraphError(graphError, whileDoing),
		description: options.description,
		httpCode: String(httpCode),
		itemIndex: options.itemIndex,
	});
}

/** Anything thrown while handling an item (or a run, without itemIndex) as an n8n error that says how to fix it. */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeError {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof LedgerError) {
		if (error.httpCode) {
			const body = (
				error.responseBody && typeof error.responseBody === 'object' ? error.responseBody : { message: error.message }
			) as JsonObject;
			return new NodeApiError(node, body, {
				message: error.message,
				description: error.fix,
				httpCode: String(error.httpCode),
				itemIndex,
			});
		}
		return keepMessage(
			new NodeOperationError(node, error.message, { description: error.fix, itemIndex }),
			error.message,
		);
	}
	if (error instanceof GraphNetworkError) {
		const nodeError = new NodeOperationError(node, error.message, {
			description: `Check the Base URL and Graph API version in the WhatsApp Cloud API credential, and that the server is reachable from n8n. Details: ${error.details}`,
			itemIndex,
		});
		return keepMessage(nodeError, error.message);
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/**
 * n8n replaces a message that mentions a Node.js error code (ECONNRESET, ETIMEDOUT …) with its generic sentence
 * ("The connection to the server was closed unexpectedly …"); ours names the server and what was done, so it stays.
 */
function keepMessage(nodeError: NodeOperationError, message: string): NodeOperationError {
	nodeError.message = message;
	return nodeError;
}

/** Bad item input: what is wrong (the message) and how to fix it (the description), on the item. */
export function itemRefusal(node: INode, itemIndex: number, problem: string, fix: string): NodeOperationError {
	return new NodeOperationError(node, problem, { itemIndex, description: fix });
}

/**
 * What became of the item's effect: `not_sent` (no message went out), `unknown` (one may have: check before
 * repeating), `not_done` (the item's non-sending operation, e.g. a ledger write or a template edit, did not happen).
 */
export type ErrorOutcome = 'not_sent' | 'unknown' | 'not_done';

export interface ErrorFields {
	/** Meta's error code, or null when the failure is not Meta's. */
	code?: number | null;
	title: string;
	message: string;
	/** The fix. */
	description?: string | null;
	retryable?: boolean;
	outcome: ErrorOutcome;
	fbtrace_id?: string | null;
}

/**
 * The `error` object of an error item: the same seven fields, in the same order, from every node. `extra` adds
 * node-specific fields after them (Send Notification: `attempts`); it never replaces one of the seven.
 */
export function errorJson(fields: ErrorFields, extra: IDataObject = {}): IDataObject {
	const json: IDataObject = {
		code: fields.code ?? null,
		title: fields.title,
		message: fields.message,
		description: fields.description ?? null,
		retryable: fields.retryable ?? false,
		outcome: fields.outcome,
		fbtrace_id: fields.fbtrace_id ?? null,
	};
	for (const [key, value] of Object.entries(extra)) if (!(key in json)) json[key] = value;
	return json;
}

/**
 * An error item under Continue On Fail: `{ error, ...context }`, paired with the input item it answers;
 * `errorExtra` as in errorJson.
 */
export function errorItem(
	itemIndex: number,
	fields: ErrorFields,
	context: IDataObject = {},
	errorExtra: IDataObject = {},
): INodeExecutionData {
	return { json: { error: errorJson(fields, errorExtra), ...context }, pairedItem: { item: itemIndex } };
}

/** The error fields of a node error: Meta's code and trace id when Meta answered. */
export function fieldsOfNodeError(error: NodeError, title: string, outcome: ErrorOutcome): ErrorFields {
	const graphError = error instanceof NodeApiError ? graphErrorIn(error.errorResponse) : undefined;
	return {
		code: graphError?.code ?? null,
		title,
		message: error.message,
		description: error.description ?? null,
		retryable: false,
		outcome,
		fbtrace_id: graphError?.fbtrace_id ?? null,
	};
}

function graphErrorIn(response: unknown): GraphError | undefined {
	const candidate = (response as { error?: unknown } | undefined)?.error ?? response;
	if (!candidate || typeof candidate !== 'object') return undefined;
	const { code, message } = candidate as GraphError;
	return typeof code === 'number' && typeof message === 'string' ? (candidate as GraphError) : undefined;
}
