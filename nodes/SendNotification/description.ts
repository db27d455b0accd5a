import type { INodeProperties } from 'n8n-workflow';

import { NOTIFICATION_TYPES } from '../shared/domain/notificationTypes';
import {
	DEFAULT_MESSAGES_PER_SECOND,
	DEFAULT_PAIR_SPACING_SECONDS,
	MAX_MESSAGES_PER_SECOND,
} from '../shared/domain/pacing';

export const sendNotificationProperties: INodeProperties[] = [
	{
		displayName: 'Notification Type',
		name: 'notificationType',
		type: 'options',
		required: true,
		noDataExpression: true,
		// No silent default: the user states what the message is for, and templates are checked against it.
		default: '',
		options: [
			{ name: '— Choose the Kind of Notification —', value: '', description: 'Required' },
			...NOTIFICATION_TYPES.map((type) => ({ name: type.name, value: type.value, description: type.description })),
		],
		description:
			'What this notification is about. Only templates whose Meta category fits this type can be sent; promotional content is refused.',
	},
	{
		displayName: 'Sender',
		name: 'sender',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description: "The business phone number that sends. Empty uses the credential's default phone number ID.",
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a phone number...',
				typeOptions: { searchListMethod: 'searchSenders', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '106540352242922',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^\\d+$',
							errorMessage: 'A phone number ID has digits only (not the phone number itself)',
						},
					},
				],
			},
		],
	},
	{
		displayName: 'Recipient Phone Number',
		name: 'recipient',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+49 151 23456789',
		description:
			'The customer’s WhatsApp number in international format (spaces, dashes, dots and brackets are removed; 00 is read as +), a national number with Default Country set, or a business-scoped user ID (e.g. US.13491208655302741918) for users who share a username instead of a number',
		hint: 'Include the country code, e.g. +44 7700 900123, or set Default Country',
	},
	{
		displayName: 'Recipient Format',
		name: 'recipientFormat',
		type: 'options',
		default: 'international',
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
		options: [
			{
				name: 'International (+ or 00)',
				value: 'international',
				description:
					'Only numbers written with + or 00 and the country code, e.g. +55 51 98765-4321. A number without them is refused, because WhatsApp would deliver it in another country.',
			},
			{
				name: 'WhatsApp ID (Digits with Country Code)',
				value: 'whatsAppId',
				description:
					'Digits only, country code first and no +, as Meta sends them in webhooks (wa_id, e.g. 4512345678 for Denmark); + and 00 numbers are accepted too. Numbers with spaces, dashes or brackets are still refused.',
			},
		],
		description: 'How to read a Recipient Phone Number that has no + or 00 in front',
	},
	{
		displayName: 'Default Country',
		name: 'defaultCountry',
		type: 'string',
		default: '',
		placeholder: '={{ $json.billing.country }}',
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
		description:
			'Two-letter ISO country code (e.g. DE, BR, US) used to read numbers written without + or 00 the national way, e.g. 0151 2345678 in DE becomes +49 151 2345678. Per item, so it can come from the order. Empty: such numbers are refused.',
		hint: 'WooCommerce: billing.country; Shopify: billing_address.country_code',
	},
	{
		displayName: 'Template',
		name: 'template',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'An APPROVED template whose category fits the notification type. The list shows only those.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a template...',
				typeOptions: { searchListMethod: 'searchTemplates', searchable: true },
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: 'shipping_update/en_US',
				hint: 'Template name, then / and the language code (the language can be left out when the template has one)',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[a-z0-9_]+(\\/[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})?)?$',
							errorMessage:
								'Use the template name in lower case, optionally followed by /language, e.g. shipping_update/en_US',
						},
					},
				],
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '1387372356726668',
				validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'A template ID has digits only' } }],
			},
		],
	},
	{
		displayName: 'Template Language',
		name: 'templateLanguage',
		type: 'options',
		default: 'asSelected',
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
		options: [
			{ name: 'As Selected', value: 'asSelected', description: 'Send the template in the language chosen above' },
			{
				name: 'Match Recipient',
				value: 'matchRecipient',
				description:
					'Per item, send the approved translation of this template that best fits the Recipient Language (exact, else the same language in another region, else the language chosen above)',
			},
		],
		description: 'Which translation of the template to send',
	},
	{
		displayName: 'Recipient Language',
		name: 'recipientLanguage',
		type: 'string',
		default: '',
		placeholder: '={{ $json.customer_locale }}',
		displayOptions: { show: { templateLanguage: ['matchRecipient'], '@version': [{ _cnd: { gte: 1.1 } }] } },
		description:
			'The customer’s locale, e.g. pt-BR, pt_BR or de. Empty: the language chosen with the template. The output says which language was sent and why.',
	},
	{
		displayName: 'Template Variables',
		name: 'variables',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['template.value'],
			resourceMapper: {
				resourceMapperMethod: 'getTemplateVariables',
				mode: 'add',
				fieldWords: { singular: 'variable', plural: 'variables' },
				addAllFields: true,
				multiKeyMatch: false,
				supportAutoMap: false,
				noFieldsError: 'This template has no variables: nothing to fill in.',
			},
		},
		description: 'The values for the template’s placeholders, buttons and media header',
	},
	{
		displayName: 'Reference Message ID',
		name: 'referenceMessageId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA',
		description:
			'The ID (wamid) of the last message of the conversation you are resuming. WhatsApp shows the notification as a reply to it.',
		displayOptions: { show: { notificationType: ['customerServiceResumption'] } },
	},
	{
		displayName: 'Recipient Time Zone',
		name: 'recipientTimeZone',
		type: 'string',
		default: '',
		placeholder: '={{ $json.start.timeZone }}',
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
		description:
			'IANA time zone of the recipient, e.g. Europe/Lisbon (a calendar event has one). Empty: the zone of the phone number’s country when it has only one, else Default Time Zone (Options), else the workflow’s time zone. Used for Quiet Hours and date_time variables; the output says which zone and why.',
	},
	{
		displayName: 'Quiet Hours',
		name: 'quietHours',
		type: 'boolean',
		default: false,
		noDataExpression: true,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
		description:
			'Whether to hold back notifications that fall in the recipient’s night. They go to a second output, Deferred, with sendAt (the end of the quiet hours): connect a Wait node that resumes at the sendAt field and loops back here.',
	},
	{
		displayName: 'Quiet From',
		name: 'quietHoursStart',
		type: 'string',
		default: '21:00',
		placeholder: '21:00',
		displayOptions: { show: { quietHours: [true], '@version': [{ _cnd: { gte: 1.1 } }] } },
		description: 'Start of the quiet hours, 24-hour clock in the recipient’s local time',
	},
	{
		displayName: 'Quiet Until',
		name: 'quietHoursEnd',
		type: 'string',
		default: '08:00',
		placeholder: '08:00',
		displayOptions: { show: { quietHours: [true], '@version': [{ _cnd: { gte: 1.1 } }] } },
		description:
			'End of the quiet hours (deferred notifications are due then), 24-hour clock in the recipient’s local time',
	},
	{
		displayName: 'Send Anyway For',
		name: 'quietHoursExemptTypes',
		type: 'multiOptions',
		default: [],
		displayOptions: { show: { quietHours: [true], '@version': [{ _cnd: { gte: 1.1 } }] } },
		options: NOTIFICATION_TYPES.map((type) => ({ name: type.name, value: type.value })),
		description: 'Notification types sent even during quiet hours, e.g. Alert Update for fraud or outage alerts',
	},
	{
		displayName: 'Use Consent Ledger',
		name: 'useConsentLedger',
		type: 'boolean',
		default: false,
		description:
			'Whether to look up each contact in the consent ledger (shared with Check Consent and the Session Window Trigger) before sending',
	},
	{
		displayName:
			'The ledger’s n8n address, API key and Contact Key Secret come from the WhatsApp Cloud API credential: turn on Consent Ledger there',
		name: 'consentLedgerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }], useConsentLedger: [true] } },
	},
	{
		displayName: 'Skip Contacts Without Consent',
		name: 'skipWithoutConsent',
		type: 'boolean',
		default: true,
		displayOptions: { show: { useConsentLedger: [true] } },
		description:
			'Whether to pass items whose contact has no opt-in for this notification type (or opted out) to the output as skipped, without sending',
	},
	{
		displayName: 'Message Mode',
		name: 'messageMode',
		type: 'options',
		default: 'template',
		displayOptions: { show: { useConsentLedger: [true] } },
		options: [
			{
				name: 'Always Template',
				value: 'template',
				description: 'Send the approved template',
			},
			{
				name: 'Auto',
				value: 'auto',
				description:
					'Inside the 24-hour customer service window send the template’s text as a plain free-form message (no media header or buttons); outside it, or if Meta says the window is closed (131047), send the template. It saves nothing: since 2026-10-01 a free-form message costs the market’s utility rate, like the template.',
			},
		],
		description: 'The ledger knows each contact’s last inbound message, recorded by the Session Window Trigger',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Content Check',
				name: 'contentCheck',
				type: 'options',
				default: 'block',
				options: [
					{ name: 'Block', value: 'block', description: 'Refuse messages that read as promotional' },
					{ name: 'Warn', value: 'warn', description: 'Send, and list the findings in the output' },
					{ name: 'Off', value: 'off', description: 'Do not check the rendered text' },
				],
				description:
					'Checks the rendered text for content notifications may not carry: sales, discounts, recommendations, re-engagement, rating or share requests, surveys, cold-call openers',
			},
			{
				displayName: 'Correlation Key',
				name: 'correlationKey',
				type: 'string',
				default: '',
				placeholder: '={{ $json.orderId }}',
				description:
					'Your reference (e.g. an order ID). Sent in biz_opaque_callback_data with the execution ID and item index, so delivery statuses can be traced back.',
			},
			{
				displayName: 'Default Time Zone',
				name: 'defaultTimeZone',
				type: 'string',
				default: '',
				placeholder: 'America/Sao_Paulo',
				description:
					'IANA time zone for recipients whose zone is neither given nor known from their phone number’s country. Empty: the workflow’s time zone.',
			},
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description: 'Whether to validate and render only: returns the exact request body and text, and sends nothing',
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				placeholder: '={{ $json.orderId }}-shipped',
				description:
					'With the consent ledger: a notification already sent under this key is not sent again (the earlier message ID is returned with duplicate: true), even when n8n retries the execution or a worker dies. The key alone counts, across every workflow, recipient and template using this ledger, so include the event and the recipient; a different message under a used key fails as a collision. Empty: derived from the workflow, recipient, sender, type, template and language plus the Correlation Key (or else the message content).',
			},
			{
				displayName: 'Idempotency Window (Hours)',
				name: 'idempotencyWindowHours',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 720 },
				default: 24,
				description:
					'How long a sent key blocks the same notification. 0 turns idempotency off. Needs Use Consent Ledger.',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 3,
				description:
					'How often to retry a message Meta certainly did not accept (rate limits, temporary errors), with back-off (at most 30 s between tries, 60 s for the per-user pair limit)',
			},
			{
				displayName: 'Messages per Second',
				name: 'messagesPerSecond',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_MESSAGES_PER_SECOND },
				default: DEFAULT_MESSAGES_PER_SECOND,
				description:
					"Pace of sending across items. Meta's default throughput is 80 per second per number; high-volume numbers get up to 1000.",
			},
			{
				displayName: 'Minimum Seconds Between Messages to the Same Recipient',
				name: 'pairSpacingSeconds',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 3600 },
				default: DEFAULT_PAIR_SPACING_SECONDS,
				description: "Meta's pair limit is about one message every 6 seconds to the same customer",
			},
			{
				displayName: 'Rate Card (JSON)',
				name: 'rateCard',
				type: 'json',
				default: '',
				description:
					'Your own per-message rate card, replacing the bundled Meta USD card: {"effective","currency","source","markets":{"Germany":{"utility":0.0456}},"countries":{"DE":{"market":"Germany","calling_code":"49"}}}',
			},
			{
				displayName: 'Request Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 300 },
				default: 30,
				description: 'How long to wait for Meta to answer one message',
			},
			{
				displayName: 'Retry When Outcome Is Unknown',
				name: 'retryUnknownOutcome',
				type: 'boolean',
				default: false,
				description:
					'Whether to re-send when the connection broke or timed out before Meta answered, or Meta answered with an unknown server error (HTTP 5xx with code 1 or 131000). Meta may already have accepted the first attempt, so this can send the message twice.',
			},
		],
	},
];
