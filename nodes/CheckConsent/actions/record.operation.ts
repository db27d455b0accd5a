/** Record Opt-In and Record Opt-Out: validate every item first, then one insert for the whole batch. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	MIN_WORDING_LENGTH,
	validateConsentEvent,
	type ConsentAction,
	type ConsentEventInput,
} from '../../shared/domain/consent';
import type { ConsentLedger, RecordedEvent } from '../../shared/io/ledger';
import { failedItem, readProof, readPurpose, recordItemEvents, refusal } from './common';

/** The operations that record an opt-in with its proof (Record From Item and Check records one too). */
const RECORDING_OPERATIONS = ['recordOptIn', 'checkFromItem'];
/** Every operation that records an event. */
const RECORD_OPERATIONS = ['recordOptIn', 'checkFromItem', 'recordOptOut'];

export const FAILURE_TITLE = 'Not recorded';

/** The proof of a recorded event (Record Opt-In, Record Opt-Out and Record From Item and Check). */
export const description: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'source',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'checkout form',
		displayOptions: { show: { operation: RECORDING_OPERATIONS } },
		description:
			'Where the person opted in, e.g. checkout form, account settings page, WhatsApp reply, paper form in store. Vague values such as "unknown" are refused.',
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'string',
		default: '',
		placeholder: 'WhatsApp reply STOP',
		displayOptions: { show: { operation: ['recordOptOut'] } },
		description: 'Where the person opted out (optional: an opt-out is never refused for missing details)',
	},
	{
		displayName: 'Proof Wording',
		name: 'proofWording',
		type: 'string',
		required: true,
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'Send me order and delivery updates from Example Shop on WhatsApp',
		displayOptions: { show: { operation: RECORDING_OPERATIONS } },
		description: `The exact text shown next to the checkbox or button the person used, naming your business (at least ${MIN_WORDING_LENGTH} characters). "Yes" or "true" is refused.`,
	},
	{
		displayName: 'Proof Version',
		name: 'proofVersion',
		type: 'string',
		default: '',
		placeholder: 'checkout-v3 (2026-10-01)',
		displayOptions: { show: { operation: RECORDING_OPERATIONS } },
		description: 'The version of that wording or form, so you can show what exactly was displayed',
	},
	{
		displayName: 'Proof Reference',
		name: 'proofReference',
		type: 'string',
		default: '',
		placeholder: 'https://shop.example.com/checkout or order SO-1001 or wamid.HBg…',
		displayOptions: { show: { operation: RECORD_OPERATIONS } },
		description: 'The page, order number or WhatsApp message ID where it happened',
	},
	{
		displayName: 'Captured At',
		name: 'capturedAt',
		type: 'string',
		default: '',
		placeholder: '2026-11-25T10:15:00Z',
		displayOptions: { show: { operation: RECORD_OPERATIONS } },
		description: 'When the person acted (ISO 8601 or Unix time), e.g. the order’s creation time. Empty means now.',
	},
];

export async function executeOptIn(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	return await recordConsent(this, ledger, 'optIn');
}

export async function executeOptOut(this: IExecuteFunctions, ledger: ConsentLedger): Promise<INodeExecutionData[][]> {
	return await recordConsent(this, ledger, 'optOut');
}

async function recordConsent(
	ctx: IExecuteFunctions,
	ledger: ConsentLedger,
	action: Extract<ConsentAction, 'optIn' | 'optOut'>,
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const results: INodeExecutionData[] = new Array(items.length);
	const { inputs, indexes } = readEvents(ctx, action, results);
	if (inputs.length === 0) return [results.filter((r) => r !== undefined)];
	const wording = { title: FAILURE_TITLE, refusedPrefix: 'Not recorded: ' };
	await recordItemEvents(ctx, ledger, inputs, indexes, wording, {
		failed: (i, item) => {
			results[i] = item;
		},
		recorded: (i, event) => {
			results[i] = { json: { ...items[i].json, recorded: recordedJson(event) }, pairedItem: { item: i } };
		},
	});
	return [results.filter((r) => r !== undefined)];
}

/** Every item's event, validated before anything is written; an invalid item fails alone (its slot in `results`). */
function readEvents(
	ctx: IExecuteFunctions,
	action: Extract<ConsentAction, 'optIn' | 'optOut'>,
	results: INodeExecutionData[],
): { inputs: ConsentEventInput[]; indexes: number[] } {
	const operation = action === 'optIn' ? 'recordOptIn' : 'recordOptOut';
	const inputs: ConsentEventInput[] = [];
	const indexes: number[] = [];
	const now = Date.now();
	for (let i = 0; i < results.length; i++) {
		try {
			const input: ConsentEventInput = {
				contact: ctx.getNodeParameter('contact', i, ''),
				purpose: readPurpose(ctx, i),
				action,
				...readProof(ctx, i, operation),
			};
			const checked = validateConsentEvent(input, now);
			if (!checked.ok) throw refusal(ctx, `Not recorded: ${checked.reason}`, checked.fix, i);
			inputs.push(input);
			indexes.push(i);
		} catch (error) {
			results[i] = failedItem(ctx, error, i, FAILURE_TITLE);
		}
	}
	return { inputs, indexes };
}

function recordedJson(event: RecordedEvent): IDataObject {
	return {
		eventId: event.eventId,
		contact: event.contactId,
		contactKey: event.contactKey,
		purpose: event.purpose,
		action: event.action,
		source: event.source,
		proof: { wording: event.proofWording, version: event.proofVersion, reference: event.proofReference },
		capturedAt: event.capturedAt,
		recordedAt: event.recordedAt,
	};
}
