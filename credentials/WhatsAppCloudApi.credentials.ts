import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { authenticateByDestination } from '../nodes/shared/io/destinationAuth';
import { ledgerProperties } from './ledgerProperties';

const ledgerOn = { show: { consentLedger: [true] } };

/**
 * Meta's WhatsApp Cloud API (Graph API): one business account and its default sending number; optionally the consent
 * ledger too (n8n's address, API key and contact key secret), so every node needs only this one credential. Each
 * secret is sent only to its own address (see authenticateByDestination).
 */
export class WhatsAppCloudApi implements ICredentialType {
	name = 'whatsAppCloudApi';

	displayName = 'WhatsApp Cloud API';

	icon: Icon = { light: 'file:../nodes/icons/whatsapp.svg', dark: 'file:../nodes/icons/whatsapp.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-whatsapp-notifications/n8n-nodes-whatsapp-notifications#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A system user access token with the whatsapp_business_messaging and whatsapp_business_management permissions',
		},
		{
			displayName: 'WhatsApp Business Account ID',
			name: 'businessAccountId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '102290129340398',
			description: 'The WhatsApp Business Account (WABA) ID shown in WhatsApp Manager → Account tools',
		},
		{
			displayName: 'Default Phone Number ID',
			name: 'phoneNumberId',
			type: 'string',
			default: '',
			placeholder: '106540352242922',
			description:
				'The ID (not the phone number itself) of the number that sends by default. Nodes can pick another number of the same account.',
		},
		{
			displayName: 'Graph API Version',
			name: 'graphApiVersion',
			type: 'string',
			default: 'v24.0',
			required: true,
			description: 'The Graph API version to call, for example v24.0',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			required: true,
			description: "Meta's Graph API address. Change it only to point at a WhatsApp Cloud API emulator or a proxy.",
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The Meta app secret. The Session Window Trigger uses it to check the X-Hub-Signature-256 of every webhook call.',
		},
		{
			displayName: 'Webhook Verify Token',
			name: 'webhookVerifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"A string you choose. The Session Window Trigger answers Meta's verification request only when Meta sends this token back.",
		},
		{
			displayName: 'Consent Ledger',
			name: 'consentLedger',
			type: 'boolean',
			default: false,
			description:
				"Whether to keep opt-ins, opt-outs, the 24-hour windows and the idempotency keys in this n8n's Data tables. Needed by Send Notification's Use Consent Ledger and the trigger's Record in Ledger.",
		},
		...ledgerProperties({
			baseUrlName: 'n8nBaseUrl',
			apiKeyName: 'n8nApiKey',
			displayOptions: ledgerOn,
			baseUrlNote:
				' The n8n API key is sent only to <this address>/api/v1/, the access token only to the Base URL above.',
			contactKeySecretNote: ' Use the same secret in every credential of the same ledger.',
		}),
	];

	// The Meta token only to the Graph API, the n8n API key only to n8n's public API, nothing to any other address.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return authenticateByDestination(credentials, requestOptions);
	}

	// Reads the business account itself, so that a wrong token and a wrong account ID both fail.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}/{{$credentials.graphApiVersion}}',
			url: '=/{{$credentials.businessAccountId}}',
			qs: { fields: 'id,name' },
		},
		// n8n applies each rule by its type (status rules to errors, body rules to 2xx answers); its type only
		// allows one kind per list, hence the cast.
		rules: [
			{
				// A 200 without the account's id (an HTML page, another API) is not the Graph API.
				type: 'responseSuccessBody',
				properties: {
					key: 'id',
					value: undefined,
					message:
						'Something answered at this Base URL, but not the Graph API (no account in the answer). Check the Base URL (https://graph.facebook.com) and the Graph API version.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Meta refused the access token (error 190: invalid or expired). Generate a new system user token and paste it here.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 400,
					message:
						'Meta found no WhatsApp Business Account with this ID that this token can read. Check the WhatsApp Business Account ID (WhatsApp Manager → Account tools) and that the token has the whatsapp_business_management permission.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The token is valid but lacks a permission. Give the system user whatsapp_business_management and whatsapp_business_messaging for this account.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'Nothing answered at this Base URL and Graph API version. Check both (for example https://graph.facebook.com and v24.0).',
				},
			},
		] as Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> as IAuthenticateRuleResponseCode[],
	};
}
