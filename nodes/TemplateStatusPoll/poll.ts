/** One poll: read all templates, compare with the stored snapshot, emit one item per change. */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	DEFAULT_HOURLY_REQUEST_BUDGET,
	baselineOf,
	decodeSnapshot,
	diffTemplates,
	encodeSnapshot,
	estimateRateLimit,
	filterEvents,
	pollsPerHour,
	snapshotEvent,
	toTemplateState,
	type PollTimeItem,
	type RateLimitEstimate,
	type Snapshot,
	type TemplateEvent,
} from '../shared/domain/templateDiff';
import { getCloudCredentials, type CloudCredentials } from '../shared/io/transport';
import { addContentChecks, type ContentRisk } from './contentRisk';
import { readTemplateList, type TemplateListRead } from './readTemplates';

/** How many templates a manual run (in the editor) shows. */
export const MANUAL_PREVIEW_COUNT = 20;

/** What the node keeps in the workflow's static data. */
interface PollState {
	format?: string;
	account?: string;
	snapshot?: string;
	templates?: number;
	pages?: number;
	updatedAt?: string;
	lastPollAt?: string;
}

function rateLimitOf(
	ctx: IPollFunctions,
	requestsPerPoll: number,
	budget: number,
	lastPollAt?: string,
): RateLimitEstimate {
	let polls: number | undefined;
	try {
		const pollTimes = ctx.getNodeParameter('pollTimes', {}) as { item?: PollTimeItem[] };
		polls = pollsPerHour(pollTimes.item);
	} catch {
		polls = undefined;
	}
	if (polls === undefined && lastPollAt) {
		const seconds = (Date.now() - Date.parse(lastPollAt)) / 1000;
		if (seconds > 0) polls = 3600 / seconds;
	}
	return estimateRateLimit(requestsPerPoll, polls, budget);
}

function toItem(event: TemplateEvent | IDataObject, extra: IDataObject = {}): INodeExecutionData {
	return { json: { ...(event as IDataObject), ...extra } };
}

interface PollSettings {
	names: string[];
	kinds: string[];
	budget: number;
	firstPoll: string;
	checkContent: boolean;
}

function readPollSettings(ctx: IPollFunctions): PollSettings {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	return {
		names: (ctx.getNodeParameter('templateNames', []) as string[]) ?? [],
		kinds: (ctx.getNodeParameter('events', []) as string[]) ?? [],
		budget:
			Number(options.hourlyRequestBudget) > 0 ? Number(options.hourlyRequestBudget) : DEFAULT_HOURLY_REQUEST_BUDGET,
		firstPoll: String(options.firstPoll ?? 'nothing'),
		checkContent: options.checkContent !== false,
	};
}

/** The editor's "Fetch Test Event": the current state of the first templates, so fields can be mapped. */
async function previewItems(
	ctx: IPollFunctions,
	credentials: CloudCredentials,
	settings: PollSettings,
	now: Date,
): Promise<INodeExecutionData[]> {
	const read = await readTemplateList(ctx, credentials, { firstPageOnly: true });
	const wanted = new Set(settings.names.filter(Boolean));
	const rateLimit = rateLimitOf(ctx, read.firstPage.length >= 1000 ? 2 : 1, settings.budget);
	const items: INodeExecutionData[] = [];
	for (const raw of read.firstPage) {
		const state = toTemplateState(raw);
		if (!state || (wanted.size > 0 && !wanted.has(state.name) && !wanted.has(state.id))) continue;
		items.push(
			toItem(snapshotEvent(state, now), {
				previousCategory: typeof raw.previous_category === 'string' ? raw.previous_category : undefined,
				rateLimit: rateLimit as unknown as IDataObject,
				...(rateLimit.warning ? { warning: rateLimit.warning } : {}),
			}),
		);
		if (items.length >= MANUAL_PREVIEW_COUNT) break;
	}
	if (items.length === 0) {
		items.push(
			toItem({
				event: 'snapshot',
				meaning: wanted.size
					? 'None of the chosen templates is on the first page of the template list.'
					: 'The account has no templates yet.',
				detectedAt: now.toISOString(),
			}),
		);
	}
	return items;
}

/** The first poll records a baseline (and maybe reports every template); later polls compare with the snapshot. */
function compareWithSnapshot(
	ctx: IPollFunctions,
	previous: Snapshot | undefined,
	read: TemplateListRead,
	firstPoll: string,
	now: Date,
): { events: TemplateEvent[]; next: Snapshot } {
	if (previous === undefined) {
		const next = baselineOf(read) ?? new Map();
		return { next, events: firstPoll === 'snapshot' ? [...next.values()].map((s) => snapshotEvent(s, now)) : [] };
	}
	const result = diffTemplates(previous, read, now);
	if (!result.diffed) throw new NodeOperationError(ctx.getNode(), result.reason);
	return { events: result.events, next: result.next };
}

function saveSnapshot(
	state: PollState,
	account: string,
	encoded: string,
	next: Snapshot,
	pages: number,
	now: Date,
): void {
	state.format = 't1';
	state.account = account;
	state.snapshot = encoded;
	state.templates = next.size;
	state.pages = pages;
	state.updatedAt = now.toISOString();
	state.lastPollAt = now.toISOString();
}

export async function pollTemplates(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const credentials = await getCloudCredentials(this);
	if (!credentials.businessAccountId) {
		throw new NodeOperationError(this.getNode(), 'The credential has no WhatsApp Business Account ID', {
			description: 'Fill in the WhatsApp Business Account ID in the "WhatsApp Cloud API" credential.',
		});
	}
	const settings = readPollSettings(this);
	const now = new Date();
	const started = Date.now();
	if (this.getMode() === 'manual') return [await previewItems(this, credentials, settings, now)];

	// Read, compare with the stored snapshot, store the new one.
	const read = await readTemplateList(this, credentials);
	const state = this.getWorkflowStaticData('node') as IDataObject & PollState;
	const previous: Snapshot | undefined =
		state.account === credentials.businessAccountId ? decodeSnapshot(state.snapshot) : undefined;
	const isBaseline = previous === undefined;
	const { events, next } = compareWithSnapshot(this, previous, read, settings.firstPoll, now);
	const encoded = encodeSnapshot(next);
	const rateLimit = rateLimitOf(this, read.pages, settings.budget, state.lastPollAt);
	saveSnapshot(state, credentials.businessAccountId, encoded, next, read.pages, now);

	// Emit: the baseline summary, or the chosen changes with their content checks.
	const emitted = filterEvents(events, { names: settings.names, events: settings.kinds });
	const extra: IDataObject = rateLimit.warning ? { warning: rateLimit.warning } : {};
	if (isBaseline && settings.firstPoll === 'summary') {
		return [
			[
				toItem({
					event: 'baseline',
					templates: next.size,
					pages: read.pages,
					requests: read.requests,
					durationMs: Date.now() - started,
					snapshotBytes: encoded.length,
					rateLimit: rateLimit as unknown as IDataObject,
					meaning: `Baseline of ${next.size} templates recorded; from the next poll on, changes are reported.`,
					detectedAt: now.toISOString(),
					...extra,
				}),
			],
		];
	}
	if (emitted.length === 0) return null;

	let risks = new Map<TemplateEvent, ContentRisk>();
	if (settings.checkContent && !isBaseline) risks = await addContentChecks(this, credentials, emitted);
	return [
		emitted.map((event) => {
			const risk = risks.get(event);
			return toItem(event, { ...(risk ? { contentCheck: risk as unknown as IDataObject } : {}), ...extra });
		}),
	];
}
