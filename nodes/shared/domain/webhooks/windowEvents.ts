/** The 24 h customer-service window that an inbound message opens or renews, as `windowOpened`/`windowRenewed`. */
import { SERVICE_WINDOW_MS, serviceWindow, toEpochMs } from '../window';
import type { WindowRecord, WindowTracker } from './dedupe';
import type { MessageReceivedEvent, WebhookContact, WindowEvent } from './events';
import { compact, derivedBase } from './reading';

/** Windows are per business phone number and contact. */
export function windowKey(phoneNumberId: string | undefined, contact: WebhookContact): string {
	return `${phoneNumberId ?? ''}:${contact.key}`;
}

/**
 * The window event of a contact's newest message in a delivery. Renewed when `windows` knows an inbound message
 * within the 24 h before; nothing when an older message arrives late (it does not move the window). Each advance of
 * `windows` is added to `records`, so that a delivery that fails can be undone.
 */
export function windowEvent(
	key: string,
	msg: MessageReceivedEvent,
	windows: WindowTracker | undefined,
	now: number,
	records: WindowRecord[],
): WindowEvent | undefined {
	const atMs = toEpochMs(msg.occurredAt);
	if (atMs === undefined) return undefined;
	const recorded = windows?.record(key, atMs) ?? { advanced: true };
	// An older message arriving late does not move the window.
	if (!recorded.advanced) return undefined;
	if (windows) records.push({ key, atMs, previous: recorded.previous });
	const previous = recorded.previous;
	const renewed = previous !== undefined && atMs < previous + SERVICE_WINDOW_MS;
	const state = serviceWindow(atMs, now, { fromAdReferral: msg.fromAdReferral });
	const name = renewed ? 'windowRenewed' : 'windowOpened';
	const event: WindowEvent = {
		...derivedBase(msg, name, `${name}:${msg.messageId}`),
		messageId: msg.messageId,
		openedAt: state.opensAt,
		expiresAt: state.expiresAt,
		open: state.open,
		remainingMs: state.remainingMs,
		fromAdReferral: msg.fromAdReferral,
	};
	if (renewed && previous !== undefined) {
		event.previousOpenedAt = new Date(previous).toISOString();
		event.previousExpiresAt = new Date(previous + SERVICE_WINDOW_MS).toISOString();
	}
	if (msg.fromAdReferral) {
		// The 72 h run from the business's first reply, which must come within the 24 h window.
		event.freeEntryPoint = compact({
			replyBefore: state.expiresAt,
			expiresAtIfRepliedNow: state.open ? state.freeEntryPointExpiresAt : undefined,
			windowHours: 72 as const,
		});
	}
	return event;
}
