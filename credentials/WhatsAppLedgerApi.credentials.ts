import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * The consent ledger lives in n8n's own Data tables, reached through n8n's public REST API with an n8n API key.
 * Every workflow and queue-mode worker that uses this credential shares the same opt-ins and opt-outs.
 */
export class WhatsAppLedgerApi implements ICredentialType {
	name = 'whatsAppNotificationsLedgerApi';

	displayName = 'WhatsApp Notifications Ledger API';

	icon: Icon = { light: 'file:../nodes/icons/whatsapp.svg', dark: 'file:../nodes/icons/whatsapp.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-whatsapp-notifications/n8n-nodes-whatsapp-notifications#check-consent-and-the-consent-ledger';

	properties: INodeProperties[] = [
		{
			displayName: 'N8n Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://localhost:5678',
			required: true,
			placeholder: 'http://localhost:5678',
			description:
				'The address of this n8n instance as seen from n8n itself (and from queue-mode workers), without /api/v1. If SSRF protection is on, allow this host with N8N_SSRF_ALLOWED_HOSTNAMES.',
		},
		{
			displayName: 'N8n API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An n8n API key (Settings → n8n API) with the data table scopes: dataTable:list/create/read, dataTableColumn:read/create, dataTableRow:read/create/update/upsert/delete',
		},
		{
			displayName: 'Contact Key Secret',
			name: 'contactKeySecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A long random string (at least 16 characters). Contacts are stored under an HMAC of their number with this secret, so an erased contact leaves no readable number behind. Never change it: earlier records could no longer be found.',
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			description:
				"The n8n project that holds the ledger tables (the part after /projects/ in the project's address). Empty: the API key owner's personal project. Tables of the same name in other projects are never used; if there are any, the ledger asks for this ID.",
		},
		{
			displayName: 'Table Name Prefix',
			name: 'tablePrefix',
			type: 'string',
			default: 'whatsapp',
			description:
				'The ledger tables are <prefix>_consent_events and <prefix>_contact_state. Use another prefix to keep a separate ledger (e.g. for tests).',
		},
	];

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
					message:
						'n8n refused the API key. Create a new key under Settings → n8n API and paste it here.',
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
