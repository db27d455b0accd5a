import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { ledgerProperties } from './ledgerProperties';

/**
 * The consent ledger lives in n8n's own Data tables, reached through n8n's public REST API with an n8n API key.
 * Every workflow and queue-mode worker that uses this credential shares the same opt-ins and opt-outs.
 */
export class WhatsAppNotificationsLedgerApi implements ICredentialType {
	name = 'whatsAppNotificationsLedgerApi';

	displayName = 'WhatsApp Notifications Ledger API';

	icon: Icon = { light: 'file:../nodes/icons/whatsapp.svg', dark: 'file:../nodes/icons/whatsapp.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-whatsapp-notifications/n8n-nodes-whatsapp-notifications#check-consent-and-the-consent-ledger';

	properties: INodeProperties[] = ledgerProperties({ baseUrlName: 'baseUrl', apiKeyName: 'apiKey' });

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'X-N8N-API-KEY': '={{$credentials.apiKey}}',
			},
		},
	};

	// Lists data tables: proves the URL, the key and the dataTable:list scope in one call.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "").replace(/\\/api\\/v1$/, "")}}/api/v1',
			url: '/data-tables',
			qs: { limit: 1 },
		},
		// n8n applies each rule by its type (status rules to errors, body rules to 2xx answers); its type only
		// allows one kind per list, hence the cast.
		rules: [
			{
				// n8n answers unknown paths with its editor page (200, HTML): no `data` list means no public API here.
				type: 'responseSuccessBody',
				properties: {
					key: 'data',
					value: undefined,
					message:
						"No n8n public API at this address. Use n8n's own address (e.g. http://localhost:5678) and check the public API is not disabled.",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'n8n refused the API key. Create a new key under Settings → n8n API and paste it here.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API key works but may not list data tables. Give it the data table scopes (dataTable:*, dataTableColumn:*, dataTableRow:*).',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						"No n8n public API at this address. Use n8n's own address (e.g. http://localhost:5678) and check the public API is not disabled.",
				},
			},
		] as Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> as IAuthenticateRuleResponseCode[],
	};
}
