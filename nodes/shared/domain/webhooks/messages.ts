/** Inbound messages (`messages` field, `value.messages[]`) read into events, and the opt-out/opt-in keywords in them. */
import { matchKeyword, matchPayload, type KeywordMatch, type compileKeywords } from '../optOutKeywords';
import type { ConsentRequestEvent, MessageReceivedEvent, WebhookContact } from './events';
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

/** The opt-out / opt-in keyword lists of a trigger, as compileKeywords() builds them. */
export type CompiledKeywords = ReturnType<typeof compileKeywords>;

/** Message types whose content is text the user typed or tapped. */
function messageText(message: Json, type: string): { text?: string; payload?: string; interactive?: Json } {
	const body = rec(message[type]);
	switch (type) {
		case 'text':
			return { text: str(body?.body) };
		case 'button':
			return { text: str(body?.text), payload: str(body?.payload) };
		case 'interactive': {
			const kind = str(body?.type);
			const reply = kind ? rec(body?.[kind]) : undefined;
			return { text: str(reply?.title), payload: str(reply?.id), interactive: body };
		}
		case 'image':
		case 'video':
		case 'document':
			return { text: str(body?.caption) };
		default:
			return {};
	}
}

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** The sender among `value.contacts[]`: by wa_id, else by business-scoped user id, else the only one. */
function findContact(contacts: Json[], message: Json): WebhookContact {
	const from = str(message.from);
	const fromUserId = str(message.from_user_id) ?? str(message.user_id);
	const match =
		contacts.find((c) => from !== undefined && str(c.wa_id) === from) ??
		contacts.find((c) => fromUserId !== undefined && str(c.user_id) === fromUserId) ??
		(contacts.length === 1 ? contacts[0] : undefined);
	const waId = str(match?.wa_id) ?? from;
	const userId = str(match?.user_id) ?? fromUserId;
	const profile = rec(match?.profile);
	return contactFromParts(waId, userId, {
		name: str(profile?.name),
		username: str(profile?.username) ?? str(match?.username),
		parentUserId: str(match?.parent_user_id) ?? str(message.from_parent_user_id),
	});
}

function mediaOf(body: Json): NonNullable<MessageReceivedEvent['media']> {
	return compact({
		id: str(body.id),
		mimeType: str(body.mime_type),
		sha256: str(body.sha256),
		caption: str(body.caption),
		filename: str(body.filename),
		url: str(body.url),
		voice: bool(body.voice),
		animated: bool(body.animated),
	});
}

function contextOf(context: Json): NonNullable<MessageReceivedEvent['context']> {
	return compact({
		messageId: str(context.id),
		from: str(context.from),
		forwarded: bool(context.forwarded),
		frequentlyForwarded: bool(context.frequently_forwarded),
		referredProduct: rec(context.referred_product),
	});
}

/** The type-specific content (media, location, contacts, reaction, order, system) as the event's own fields. */
function addTypedContent(event: MessageReceivedEvent, message: Json, type: string): void {
	const body = rec(message[type]);
	if (MEDIA_TYPES.has(type) && body) event.media = mediaOf(body);
	if (type === 'location') event.location = body;
	if (type === 'contacts') event.contacts = Array.isArray(message.contacts) ? message.contacts : undefined;
	if (type === 'reaction') event.reaction = compact({ messageId: str(body?.message_id), emoji: str(body?.emoji) });
	if (type === 'order') event.order = body;
	if (type === 'system') event.system = body;
}

export function readMessage(ctx: ChangeContext, message: Json, contacts: Json[]): MessageReceivedEvent {
	const type = str(message.type) ?? 'unknown';
	const id = str(message.id) ?? '';
	const { text, payload, interactive } = messageText(message, type);
	const context = rec(message.context);
	const referral = rec(message.referral);
	const event: MessageReceivedEvent = {
		...base(ctx, 'messageReceived', `message:${id}`, iso(message.timestamp)),
		event: 'messageReceived',
		messageId: id,
		type,
		contact: findContact(contacts, message),
		text,
		payload,
		interactive,
		fromAdReferral: referral !== undefined,
		message,
	};
	addTypedContent(event, message, type);
	if (context) event.context = contextOf(context);
	if (referral) event.referral = referral;
	const errors = mapErrors(message.errors);
	if (errors) event.errors = errors;
	return compact(event);
}

/** The opt-out / opt-in keyword or button in a message, if it is one. */
export function consentRequestOf(
	msg: MessageReceivedEvent,
	keywords: CompiledKeywords | undefined,
): ConsentRequestEvent | undefined {
	if (msg.type === 'system' || msg.type === 'reaction') return undefined;
	let match: KeywordMatch | undefined;
	let source: ConsentRequestEvent['source'] = 'keyword';
	let evidence: string | undefined;
	if (msg.payload !== undefined) {
		match = matchPayload(msg.payload, keywords);
		source = 'buttonPayload';
		evidence = msg.payload;
	}
	// A tapped button is judged by its payload/id alone: a "Cancel" button with id "cancel-booking" is no opt-out.
	if (
		msg.payload === undefined &&
		msg.text !== undefined &&
		(msg.type === 'text' || msg.type === 'button' || msg.type === 'interactive')
	) {
		match = matchKeyword(msg.text, keywords);
		source = msg.type === 'text' ? 'keyword' : 'buttonPayload';
		evidence = msg.text;
	}
	if (!match) return undefined;
	const name: ConsentRequestEvent['event'] = match.intent === 'optOut' ? 'optOutRequest' : 'optInRequest';
	return compact<ConsentRequestEvent>({
		...derivedBase(msg, name, `${name}:${msg.messageId}`),
		source,
		scope: 'all' as const,
		keyword: match.keyword,
		language: match.language,
		messageId: msg.messageId,
		evidence,
	});
}
