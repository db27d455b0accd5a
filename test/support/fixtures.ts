/** Fixtures several unit test files build the same way. */
import type { WebhookPayload } from '../../nodes/shared/domain/webhooks';
import type { CloudCredentials } from '../../nodes/shared/io/transport';

/** A WhatsApp Cloud API credential for Graph calls to a test host (no App Secret, no verify token). */
export const GRAPH_TEST_CREDENTIALS: CloudCredentials = {
	businessAccountId: '102290129340398',
	phoneNumberId: '106540352242922',
	graphApiVersion: 'v24.0',
	baseUrl: 'https://graph.example.test',
	appSecret: '',
	webhookVerifyToken: '',
};

/** A `messages` webhook body as Meta sends it: one entry of the account `wabaId`, one change with `value`. */
export function messagesPayload(value: Record<string, unknown>, wabaId = 'WABA'): WebhookPayload {
	return { object: 'whatsapp_business_account', entry: [{ id: wabaId, changes: [{ field: 'messages', value }] }] };
}
