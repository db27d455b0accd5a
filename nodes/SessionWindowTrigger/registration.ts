/**
 * Callback registration through Meta's subscribed_apps edge of the WhatsApp Business Account:
 * POST /{waba-id}/subscribed_apps {override_callback_uri, verify_token} points the account's messages webhooks at
 * this workflow (Meta first calls the URL with the verify token); on deactivation the override is dropped again
 * by subscribing without one, which keeps the app subscribed with its own callback URL.
 */
import type { IHookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { describeGraphError } from '../shared/errors';
import type { GraphError } from '../shared/metaErrors';
import { getCloudCredentials, graphRequest, type CloudCredentials } from '../shared/transport';

interface SubscribedApp {
	override_callback_uri?: string;
	whatsapp_business_api_data?: { id?: string; name?: string };
}

function isAutomatic(ctx: IHookFunctions): boolean {
	return ctx.getNodeParameter('registration', 'automatic') === 'automatic';
}

function callbackUrl(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n did not give this trigger a webhook URL');
	return url;
}

function graphFailure(ctx: IHookFunctions, statusCode: number, error: GraphError | undefined, whileDoing: string): NodeApiError {
	const graphError: GraphError = error ?? { message: `HTTP ${statusCode}` };
	return new NodeApiError(ctx.getNode(), { error: graphError } as unknown as JsonObject, {
		message: describeGraphError(graphError, whileDoing),
		httpCode: String(statusCode),
	});
}

async function subscriptions(ctx: IHookFunctions, credentials: CloudCredentials): Promise<SubscribedApp[]> {
	if (!credentials.businessAccountId) {
		throw new NodeOperationError(ctx.getNode(), 'The WhatsApp Cloud API credential has no WhatsApp Business Account ID');
	}
	const res = await graphRequest<{ data?: SubscribedApp[] }>(ctx, credentials, {
		method: 'GET',
		path: `${credentials.businessAccountId}/subscribed_apps`,
	});
	if (res.error || !res.data) throw graphFailure(ctx, res.statusCode, res.error, 'to list the webhook subscriptions of the WhatsApp Business Account');
	return Array.isArray(res.data.data) ? res.data.data : [];
}

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	if (!isAutomatic(this)) return true;
	const credentials = await getCloudCredentials(this);
	const url = callbackUrl(this);
	const list = await subscriptions(this, credentials);
	return list.some((app) => app.override_callback_uri === url);
}

export async function create(this: IHookFunctions): Promise<boolean> {
	if (!isAutomatic(this)) return true;
	const credentials = await getCloudCredentials(this);
	if (!credentials.webhookVerifyToken) {
		throw new NodeOperationError(this.getNode(), 'The credential has no Webhook Verify Token', {
			description: 'Meta checks the callback URL with this token. Choose any string and enter it as Webhook Verify Token in the WhatsApp Cloud API credential.',
		});
	}
	if (!credentials.appSecret) {
		throw new NodeOperationError(this.getNode(), 'The credential has no App Secret', {
			description:
				"Every webhook call is checked against the app secret (X-Hub-Signature-256); without it all calls would be refused. Copy it from Meta's App Dashboard → App settings → Basic.",
		});
	}
	if (!credentials.businessAccountId) {
		throw new NodeOperationError(this.getNode(), 'The WhatsApp Cloud API credential has no WhatsApp Business Account ID');
	}
	const url = callbackUrl(this);
	const res = await graphRequest(this, credentials, {
		method: 'POST',
		path: `${credentials.businessAccountId}/subscribed_apps`,
		body: { override_callback_uri: url, verify_token: credentials.webhookVerifyToken },
	});
	if (res.error) {
		throw graphFailure(
			this,
			res.statusCode,
			res.error,
			`to send this account's webhooks to ${url} (Meta must reach this URL over https and get the verify token back)`,
		);
	}
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	if (!isAutomatic(this)) return true;
	const credentials = await getCloudCredentials(this);
	const url = callbackUrl(this);
	const list = await subscriptions(this, credentials);
	// Only undo our own override: another workflow or system may have taken the account over since.
	if (list.some((app) => app.override_callback_uri === url)) {
		const res = await graphRequest(this, credentials, {
			method: 'POST',
			path: `${credentials.businessAccountId}/subscribed_apps`,
			body: {},
		});
		if (res.error) throw graphFailure(this, res.statusCode, res.error, 'to remove the webhook callback override');
	}
	return true;
}
