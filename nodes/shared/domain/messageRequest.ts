/**
 * The body of a POST /{phone-number-id}/messages request for a notification: the template message, the same text as
 * a free-form message (Message Mode Auto inside an open window), and the data Meta echoes in its status webhooks.
 */

type Body = Record<string, unknown>;

/** Meta's limit for biz_opaque_callback_data. */
export const CALLBACK_DATA_MAX = 512;

/** The addressing field of a message body: `to` for a phone number, `recipient` for a BSUID (Meta, 2026). */
export function addressOf(to: string, isBsuid: boolean): Body {
	return isBsuid ? { recipient: to } : { to };
}

export interface TemplateMessage {
	to: string;
	isBsuid: boolean;
	templateName: string;
	language: string;
	components: Array<Record<string, unknown>>;
}

export function templateMessageBody(message: TemplateMessage): Body {
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		...addressOf(message.to, message.isBsuid),
		type: 'template',
		template: {
			name: message.templateName,
			language: { code: message.language },
			...(message.components.length ? { components: message.components } : {}),
		},
	};
}

/** The template's text as a free-form message, with the template body's callback data and reply context. */
export function freeFormMessageBody(templateBody: Body, to: string, isBsuid: boolean, text: string): Body {
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		...addressOf(to, isBsuid),
		type: 'text',
		text: { preview_url: false, body: text },
		biz_opaque_callback_data: templateBody.biz_opaque_callback_data,
		...(templateBody.context ? { context: templateBody.context } : {}),
	};
}

/** What Meta echoes with every status of the message: the Correlation Key (if any), the execution and the item. */
export function correlationData(correlationKey: string, executionId: unknown, itemIndex: number): string {
	return JSON.stringify({
		...(correlationKey ? { key: correlationKey } : {}),
		execution: executionId,
		item: itemIndex,
	});
}

/** A WhatsApp message id (wamid.…), as Customer Service Resumption's reference message must be. */
export function isWhatsAppMessageId(reference: string): boolean {
	return /^wamid\.[A-Za-z0-9+/=_-]+$/.test(reference);
}

/** The customer service window as the ledger last saw it: open while its expiry is in the future. */
export function serviceWindowAt(
	windowExpiresAt: string | undefined,
	nowMs: number,
): { open: boolean; expiresAt?: string } {
	const expires = windowExpiresAt ? Date.parse(windowExpiresAt) : NaN;
	return { open: Number.isFinite(expires) && expires > nowMs, expiresAt: windowExpiresAt };
}
