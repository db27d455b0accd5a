/**
 * The consent ledger's settings (n8n's address and API key, the Contact Key Secret, project and table prefix), one
 * list for both credentials that hold them: the ledger-only WhatsApp Notifications Ledger API credential, and the
 * Consent Ledger section of the WhatsApp Cloud API credential. Field names differ where the Cloud API credential
 * already has a Base URL of its own (Meta's), so saved credentials of both keep their values.
 */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

export interface LedgerPropertiesOptions {
	/** The fields of n8n's address and API key: baseUrl / apiKey alone, n8nBaseUrl / n8nApiKey next to Meta's. */
	baseUrlName: string;
	apiKeyName: string;
	/** When to show the fields (the Cloud API credential: only with Consent Ledger on). */
	displayOptions?: IDisplayOptions;
	/** Appended to the n8n Base URL's description (where the credential's other secrets go). */
	baseUrlNote?: string;
	/** Appended to the Contact Key Secret's description. */
	contactKeySecretNote?: string;
}

export function ledgerProperties(options: LedgerPropertiesOptions): INodeProperties[] {
	const shown = options.displayOptions ? { displayOptions: options.displayOptions } : {};
	return [
		{
			displayName: 'N8n Base URL',
			name: options.baseUrlName,
			type: 'string',
			default: 'http://localhost:5678',
			required: true,
			placeholder: 'http://localhost:5678',
			...shown,
			description: `The address of this n8n instance as seen from n8n itself (and from queue-mode workers), without /api/v1. If SSRF protection is on, allow this host with N8N_SSRF_ALLOWED_HOSTNAMES.${options.baseUrlNote ?? ''}`,
		},
		{
			displayName: 'N8n API Key',
			name: options.apiKeyName,
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			...shown,
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
			...shown,
			description: `A long random string (at least 16 characters). Contacts are stored under an HMAC of their number with this secret, so an erased contact leaves no readable number behind. Never change it: earlier records could no longer be found.${options.contactKeySecretNote ?? ''}`,
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			...shown,
			description:
				"The n8n project that holds the ledger tables (the part after /projects/ in the project's address). Empty: the API key owner's personal project. Tables of the same name in other projects are never used; if there are any, the ledger asks for this ID.",
		},
		{
			displayName: 'Table Name Prefix',
			name: 'tablePrefix',
			type: 'string',
			default: 'whatsapp',
			...shown,
			description:
				'The ledger tables are <prefix>_consent_events and <prefix>_contact_state. Use another prefix to keep a separate ledger (e.g. for tests).',
		},
	];
}
