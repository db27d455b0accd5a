import type { INodeProperties } from 'n8n-workflow';

import { ALL_UTILITY, MIN_WORDING_LENGTH, PURPOSE_OPTIONS } from '../shared/domain/consent';

export const CHECK_OPERATIONS = ['check', 'checkFromItem'];
const RECORDING_OPERATIONS = ['recordOptIn', 'checkFromItem'];

const purposeOptions = PURPOSE_OPTIONS.map((p) => ({ name: p.name, value: p.value, description: p.description }));

const credentialChoices = [
	{
		name: 'WhatsApp Cloud API',
		value: 'whatsAppCloudApi',
		description: 'The ledger set up in the Consent Ledger section of the WhatsApp Cloud API credential (one credential for every node)',
	},
	{
		name: 'Ledger Only',
		value: 'ledgerOnly',
		description: 'The separate WhatsApp Notifications Ledger API credential (no Meta token)',
	},
];

export const checkConsentProperties: INodeProperties[] = [
	// Which credential holds the ledger. Version 1 had only the ledger credential, so its default stays Ledger Only.
	{
		displayName: 'Credential',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		default: 'ledgerOnly',
		options: credentialChoices,
		displayOptions: { show: { '@version': [1] } },
	},
	{
		displayName: 'Credential',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		default: 'whatsAppCloudApi',
		options: credentialChoices,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'check',
		options: [
			{
				name: 'Check',
				value: 'check',
				action: 'Check consent',
				description: 'Look up whether the contact opted in for the notification type (an opt-out always wins)',
			},
			{
				name: 'Erase Contact',
				value: 'eraseContact',
				action: 'Erase a contact',
				description:
					'GDPR right to erasure: delete the contact’s records and those of its linked ID (phone number or business-scoped user ID), keeping only a hashed marker so they are not messaged again',
			},
			{
				name: 'Get History',
				value: 'getHistory',
				action: 'Get consent history',
				description: 'Every consent event of the contact and of its linked ID: what a GDPR access request needs',
			},
			{
				name: 'Record From Item and Check',
				value: 'checkFromItem',
				action: 'Record consent from the item and check',
				description:
					'Take consent from the item (e.g. the shop’s “send me WhatsApp updates” checkbox), record it with its proof, then check',
			},
			{
				name: 'Record Opt-In',
				value: 'recordOptIn',
				action: 'Record an opt in',
				description: 'Store a provable opt-in: source and the exact wording the person agreed to',
			},
			{
				name: 'Record Opt-Out',
				value: 'recordOptOut',
				action: 'Record an opt out',
				description: 'Store a withdrawal; later checks for the purpose answer Not Consented',
			},
		],
	},
	{
		displayName: 'Contact',
		name: 'contact',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+49 151 23456789',
		description:
			'The customer’s WhatsApp number in international format, or their business-scoped user ID (e.g. US.13491208655302741918). Consent recorded under the other ID of the same person (linked by the Session Window Trigger) counts too.',
	},
	{
		displayName: 'Purpose',
		name: 'purpose',
		type: 'options',
		default: ALL_UTILITY,
		options: purposeOptions,
		displayOptions: { show: { operation: ['check', 'checkFromItem', 'recordOptIn', 'recordOptOut'] } },
		description:
			'The notification type the consent is for. An opt-in or opt-out for All Utility Notifications covers every type.',
	},
	{
		displayName: 'Consent Given',
		name: 'consentGiven',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: ['checkFromItem'] } },
		description:
			'Whether the item says the person agreed: map the shop’s checkbox field here (an expression such as the order’s whatsapp_updates field). True records an opt-in with the proof below.',
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'checkout form',
		displayOptions: { show: { operation: RECORDING_OPERATIONS } },
		description:
			'Where the person opted in, e.g. checkout form, account settings page, WhatsApp reply, paper form in store. Vague values such as "unknown" are refused.',
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'string',
		default: '',
		placeholder: 'WhatsApp reply STOP',
		displayOptions: { show: { operation: ['recordOptOut'] } },
		description: 'Where the person opted out (optional: an opt-out is never refused for missing details)',
	},
	{
		displayName: 'Proof Wording',
		name: 'proofWording',
		type: 'string',
		required: true,
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'Send me order and delivery updates from Example Shop on WhatsApp',
		displayOptions: { show: { operation: RECORDING_OPERATIONS } },
		description: `The exact text shown next to the checkbox or button the person used, naming your business (at least ${MIN_WORDING_LENGTH} characters). "Yes" or "true" is refused.`,
	},
	{
		displayName: 'Proof Version',
		name: 'proofVersion',
		type: 'string',
		default: '',
		placeholder: 'checkout-v3 (2026-10-01)',
		displayOptions: { show: { operation: RECORDING_OPERATIONS } },
		description: 'The version of that wording or form, so you can show what exactly was displayed',
	},
	{
		displayName: 'Proof Reference',
		name: 'proofReference',
		type: 'string',
		default: '',
		placeholder: 'https://shop.example.com/checkout or order SO-1001 or wamid.HBg…',
		displayOptions: { show: { operation: ['recordOptIn', 'checkFromItem', 'recordOptOut'] } },
		description: 'The page, order number or WhatsApp message ID where it happened',
	},
	{
		displayName: 'Captured At',
		name: 'capturedAt',
		type: 'string',
		default: '',
		placeholder: '2026-11-25T10:15:00Z',
		displayOptions: { show: { operation: ['recordOptIn', 'checkFromItem', 'recordOptOut'] } },
		description:
			'When the person acted (ISO 8601 or Unix time), e.g. the order’s creation time. Empty means now.',
	},
	{
		displayName: 'Split Output',
		name: 'splitOutput',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: CHECK_OPERATIONS } },
		description:
			'Whether to route items to two outputs, Consented and Not Consented, instead of one output with a consent field',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: CHECK_OPERATIONS } },
		options: [
			{
				displayName: 'Consent Newer Than (Months)',
				name: 'maxAgeMonths',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'Treat opt-ins older than this many months as expired (0 = no limit). Opt-outs never expire.',
			},
			{
				displayName: 'Item Cannot Undo an Opt-Out',
				name: 'respectOptOut',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '/operation': ['checkFromItem'] } },
				description:
					'Whether a ticked box on the item is not recorded while the person’s latest record is an opt-out (e.g. they replied STOP after the box was stored in their profile). Turn off only if the box is unticked by default and ticked anew for every order.',
			},
			{
				displayName: 'Unticked Means Opt-Out',
				name: 'untickedMeansOptOut',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/operation': ['checkFromItem'] } },
				description:
					'Whether an item with Consent Given false records an opt-out. Off: an unticked box only leaves earlier records as they are.',
			},
		],
	},
];
