/**
 * Delivery statuses (`messages` field, `value.statuses[]`) read into events, with the correlation key Send
 * Notification sent along, and error 131050 (the person stopped marketing messages) as an opt-out request.
 */
import { isRecord } from '../guards';
import type { ConsentRequestEvent, Correlation, StatusEvent } from './events';
import {
	base,
	bool,
	compact,
	contactFromParts,
	derivedBase,
	iso,
	mapErrors,
	rec,
	str,
	type ChangeContext,
	type Json,
} from './reading';

/** Meta's error code for "this person stopped marketing messages from the business". */
const MARKETING_STOPPED = 131050;

/**
 * Reads back the biz_opaque_callback_data that Send Notification writes: `{"key","execution","item"}`.
 * Anything else (another sender's free text) is returned as the key.
 */
export function parseCorrelation(data: unknown): Correlation | undefined {
	if (typeof data !== 'string' || data === '') return undefined;
	try {
		const parsed: unknown = JSON.parse(data);
		if (isRecord(parsed) && ('execution' in parsed || 'key' in parsed || 'item' in parsed)) {
			const item = Number(parsed.item);
			return compact({
				raw: data,
				key: str(parsed.key),
				executionId: str(parsed.execution),
				itemIndex: parsed.item !== undefined && Number.isInteger(item) ? item : undefined,
			});
		}
	} catch {
		// not JSON: someone else's reference
	}
	return { raw: data, key: data };
}

function pricingOf(pricing: Json): NonNullable<StatusEvent['pricing']> {
	return compact({
		category: str(pricing.category),
		type: str(pricing.type),
		billable: bool(pricing.billable),
		pricingModel: str(pricing.pricing_model),
	});
}

function conversationOf(conversation: Json): NonNullable<StatusEvent['conversation']> {
	return compact({
		id: str(conversation.id),
		expiresAt: iso(conversation.expiration_timestamp),
		originType: str(rec(conversation.origin)?.type),
	});
}

export function readStatus(ctx: ChangeContext, status: Json): StatusEvent {
	const id = str(status.id) ?? '';
	const state = str(status.status) ?? 'unknown';
	const pricing = rec(status.pricing);
	const conversation = rec(status.conversation);
	const errors = mapErrors(status.errors);
	const event: StatusEvent = {
		...base(ctx, 'statusUpdate', `status:${id}:${state}`, iso(status.timestamp)),
		event: 'statusUpdate',
		messageId: id,
		status: state,
		contact: contactFromParts(str(status.recipient_id), str(status.recipient_user_id), {
			parentUserId: str(status.recipient_parent_user_id),
		}),
		recipientType: str(status.recipient_type),
		pricing: pricing ? pricingOf(pricing) : undefined,
		conversation: conversation ? conversationOf(conversation) : undefined,
		errors,
		error: errors?.[0],
		correlation: parseCorrelation(status.biz_opaque_callback_data),
		raw: status,
	};
	return compact(event);
}

/** A failed status with error 131050 as an opt-out request of marketing messages; otherwise nothing. */
export function marketingOptOutOf(status: StatusEvent): ConsentRequestEvent | undefined {
	if (status.status !== 'failed' || !status.errors?.some((e) => e.code === MARKETING_STOPPED)) return undefined;
	return compact({
		...derivedBase(status, 'optOutRequest', `optOutRequest:${status.messageId}:131050`),
		source: 'error131050' as const,
		scope: 'marketing' as const,
		messageId: status.messageId,
		evidence: status.error?.details ?? status.error?.message,
		correlation: status.correlation,
	});
}
