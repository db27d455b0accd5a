/**
 * Callback registration through Meta's subscribed_apps edge of the WhatsApp Business Account:
 * POST /{waba-id}/subscribed_apps {override_callback_uri, verify_token} points the account's messages webhooks at
 * this workflow (Meta first calls the URL with the verify token); on deactivation the override is dropped again
 * by subscribing without one, which keeps the app subscribed with its own callback URL. "Listen for test event"
 * takes the override for the test URL and, when listening stops, puts back the override it replaced (usually the
 * active workflow's production URL), so production keeps receiving.
 */
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { describeGraphError } from '../shared/domain/metaErrors';
import { getCloudCredentials, graphRequest, type CloudCredentials } from '../shared/io/transport';
import { graphApiError } from '../shared/n8n/errors';

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

async function subscriptions(ctx: IHookFunctions, credentials: CloudCredentials): Promise<SubscribedApp[]> {
	if (!credentials.businessAccountId) {
		throw new NodeOperationError(
			ctx.getNode(),
			'The WhatsApp Cloud API credential has no WhatsApp Business Account ID',
		);
	}
	const res = await graphRequest<{ data?: SubscribedApp[] }>(ctx, credentials, {
		method: 'GET',
		path: `${credentials.businessAccountId}/subscribed_apps`,
	});
	if (res.error || !res.data)
		throw graphApiError(
			ctx.getNode(),
			res.error,
			res.statusCode,
			'to list the webhook subscriptions of the WhatsApp Business Account',
		);
	return Array.isArray(res.data.data) ? res.data.data : [];
}

/**
 * Subscribes the app to the account's webhooks: with `callbackUrl`, an override that points them at that URL (Meta
 * first checks it with the verify token); without, the app's own callback URL again.
 */
async function subscribe(ctx: IHookFunctions, credentials: CloudCredentials, callbackUrl?: string) {
	return await graphRequest(ctx, credentials, {
		method: 'POST',
		path: `${credentials.businessAccountId}/subscribed_apps`,
		body:
			callbackUrl === undefined
				? {}
				: { override_callback_uri: callbackUrl, verify_token: credentials.webhookVerifyToken },
	});
}

/**
 * Every POST is checked against the App Secret: without it every delivery would be refused (401) while the
 * workflow looks active. Refused at activation, with what to set.
 */
function requireAppSecret(ctx: IHookFunctions, credentials: CloudCredentials): void {
	if (credentials.appSecret) return;
	throw new NodeOperationError(
		ctx.getNode(),
		"The WhatsApp Cloud API credential has no App Secret: copy it from Meta's App Dashboard → App settings → Basic → App secret into the credential's App Secret field, then activate again",
		{
			description:
				'Every webhook call is checked against the app secret (X-Hub-Signature-256); without it every delivery would be refused with 401 while the workflow looked active.',
		},
	);
}

/** Listening for a test event in the editor (n8n registers the test URL with execution mode "manual"). */
function isTestListener(ctx: IHookFunctions): boolean {
	return ctx.getMode() === 'manual';
}

/** The override a test listener replaced, kept in the registration's static data until listening stops. */
interface ReplacedOverride {
	url: string;
	replacedBy: string;
}
const REPLACED_KEY = 'replacedCallbackOverride';

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	if (!isAutomatic(this)) {
		requireAppSecret(this, await getCloudCredentials(this));
		return true;
	}
	const credentials = await getCloudCredentials(this);
	const url = callbackUrl(this);
	const list = await subscriptions(this, credentials);
	return list.some((app) => app.override_callback_uri === url);
}

export async function create(this: IHookFunctions): Promise<boolean> {
	const credentials = await getCloudCredentials(this);
	if (!isAutomatic(this)) {
		requireAppSecret(this, credentials);
		return true;
	}
	if (!credentials.webhookVerifyToken) {
		throw new NodeOperationError(this.getNode(), 'The credential has no Webhook Verify Token', {
			description:
				'Meta checks the callback URL with this token. Choose any string and enter it as Webhook Verify Token in the WhatsApp Cloud API credential.',
		});
	}
	requireAppSecret(this, credentials);
	if (!credentials.businessAccountId) {
		throw new NodeOperationError(
			this.getNode(),
			'The WhatsApp Cloud API credential has no WhatsApp Business Account ID',
		);
	}
	const url = callbackUrl(this);
	if (isTestListener(this)) {
		const replaced = (await subscriptions(this, credentials)).find(
			(app) => app.override_callback_uri && app.override_callback_uri !== url,
		);
		const staticData = this.getWorkflowStaticData('node') as IDataObject;
		if (replaced?.override_callback_uri)
			staticData[REPLACED_KEY] = {
				url: replaced.override_callback_uri,
				replacedBy: url,
			} satisfies ReplacedOverride as unknown as IDataObject;
		else delete staticData[REPLACED_KEY];
	}
	const res = await subscribe(this, credentials, url);
	if (res.error) {
		throw graphApiError(
			this.getNode(),
			res.error,
			res.statusCode,
			`to send this account's webhooks to ${url} (Meta must reach this URL over https and get the verify token back)`,
		);
	}
	return true;
}

/**
 * Points the account back at the override a test listener replaced. Meta verifies it first (GET with the verify
 * token), which fails if that workflow was deactivated meanwhile: then the override is dropped as usual.
 */
async function restoreOverride(ctx: IHookFunctions, credentials: CloudCredentials, previous: string): Promise<boolean> {
	const res = await subscribe(ctx, credentials, previous);
	if (!res.error) return true;
	ctx.logger.warn(
		`WhatsApp trigger: the callback override that the test listener replaced could not be restored (${describeGraphError(res.error, 'to restore the callback override')}); the override is dropped instead`,
		{ workflowId: ctx.getWorkflow().id, node: ctx.getNode().name },
	);
	return false;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	if (!isAutomatic(this)) return true;
	const credentials = await getCloudCredentials(this);
	const url = callbackUrl(this);
	const list = await subscriptions(this, credentials);
	const staticData = this.getWorkflowStaticData('node') as IDataObject;
	const replaced = staticData[REPLACED_KEY] as ReplacedOverride | undefined;
	delete staticData[REPLACED_KEY];
	// Only undo our own override: another workflow or system may have taken the account over since.
	if (list.some((app) => app.override_callback_uri === url)) {
		if (replaced?.replacedBy === url && (await restoreOverride(this, credentials, replaced.url))) return true;
		const res = await subscribe(this, credentials);
		if (res.error)
			throw graphApiError(this.getNode(), res.error, res.statusCode, 'to remove the webhook callback override');
	}
	return true;
}
