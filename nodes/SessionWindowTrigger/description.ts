import type { INodeProperties } from 'n8n-workflow';

export const sessionWindowTriggerProperties: INodeProperties[] = [
	{
		displayName: 'Callback Registration',
		name: 'registration',
		type: 'options',
		noDataExpression: true,
		default: 'automatic',
		options: [
			{
				name: 'Automatic (Subscribed Apps Override)',
				value: 'automatic',
				description:
					"On activation, point the credential's WhatsApp Business Account at this workflow's URL (POST /{WABA ID}/subscribed_apps with override_callback_uri and the verify token); removed on deactivation",
			},
			{
				name: 'Manual (Meta App Dashboard)',
				value: 'manual',
				description: "Paste this workflow's URL and the verify token into Meta's App Dashboard yourself",
			},
		],
		description: 'How Meta learns where to send the webhooks',
	},
	{
		displayName:
			"Automatic: on activation the node registers this workflow's Production URL for the credential's WhatsApp Business Account and Meta checks it with the credential's Webhook Verify Token. The workflow must be reachable from the internet over https. Template webhooks (status, category, quality) always go to the app's own callback URL, so for Template Update events use manual set-up. Listening for a test event points the account at the Test URL until listening ends, then back at the Production URL.",
		name: 'automaticNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { registration: ['automatic'] } },
	},
	{
		displayName:
			"Manual set-up: in Meta's App Dashboard open WhatsApp → Configuration → Webhook → Edit. Callback URL: this node's Production URL (under Webhook URLs above). Verify token: exactly the text you entered as Webhook Verify Token in the selected WhatsApp Cloud API credential (n8n hides it after saving; if you no longer know it, type a new one in both places). Then subscribe the fields messages, message_template_status_update, template_category_update and message_template_quality_update. The credential needs its App Secret: activation is refused without it.",
		name: 'manualNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { registration: ['manual'] } },
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		default: ['messageReceived', 'window', 'statusUpdate', 'consent'],
		options: [
			{
				name: 'Message Received',
				value: 'messageReceived',
				description:
					'Every inbound message (text, buttons, interactive replies, media, location, contacts, reaction, order, system), one item each',
			},
			{
				name: 'Opt-Out / Opt-In Request',
				value: 'consent',
				description:
					'An inbound text or button payload that is an opt-out or opt-in keyword (STOP, PARAR, BAJA, ABMELDEN, START …), and failed statuses with error 131050',
			},
			{
				name: 'Other Update',
				value: 'otherUpdate',
				description:
					'Any other webhook field (account updates, system-level errors, groups), passed through as it came',
			},
			{
				name: 'Status Update',
				value: 'statusUpdate',
				description:
					'Sent, delivered, read, failed and played statuses with pricing, explained errors and the correlation key',
			},
			{
				name: 'Template Update',
				value: 'templateUpdate',
				description: 'Template status, category and quality changes',
			},
			{
				name: 'Window Opened / Renewed',
				value: 'window',
				description:
					'The 24-hour customer-service window opened or was renewed by an inbound message, with its expiry time',
			},
		],
		description: 'Which events start the workflow. Each output item is one event.',
	},
	{
		displayName: 'Record in Consent Ledger',
		name: 'recordInLedger',
		type: 'boolean',
		noDataExpression: true,
		default: false,
		description:
			'Whether to record opt-out and opt-in replies and each contact’s last inbound message time in the consent ledger (version 2: turn on Consent Ledger in the WhatsApp Cloud API credential; version 1: a WhatsApp Notifications Ledger API credential), so Check Consent and Send Notification in any workflow honour them',
	},
	{
		displayName:
			'Recorded before the workflow starts, for every verified new webhook whatever the Events selection: STOP-type replies as an opt-out of all utility notifications (source "WhatsApp reply", proof: the message text and its wamid), START-type replies as described below, and each contact’s last inbound time (24-hour window). Items of those events get a "ledger" field. If an opt-out or opt-in cannot be written, Meta is answered 503 and redelivers the webhook later (nothing starts until it is recorded); if only the inbound time cannot be written, the event is emitted with ledger.recorded = false and the error.',
		name: 'ledgerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { recordInLedger: [true] } },
	},
	{
		displayName: 'Opt-In Keywords',
		name: 'optInKeywords',
		type: 'options',
		noDataExpression: true,
		default: 'resume',
		displayOptions: { show: { recordInLedger: [true] } },
		options: [
			{
				name: 'Do Not Record',
				value: 'ignore',
				description: 'START-type replies start the workflow but change nothing in the ledger',
			},
			{
				name: 'Resume Earlier Opt-In',
				value: 'resume',
				description:
					'Grant again what the contact had opted into before their latest opt-out, quoting that wording as proof. A START from someone who never opted in (or was erased) records nothing.',
			},
			{
				name: 'Resume, or Accept an Invitation',
				value: 'resumeOrInvitation',
				description:
					'As Resume; when there is nothing to resume, record an opt-in to all utility notifications with the invitation wording below as proof',
			},
		],
		description: 'What an opt-in keyword reply (START, UNSTOP, SUBSCRIBE …) records',
	},
	{
		displayName: 'Invitation Wording',
		name: 'invitationWording',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Reply START to get order and delivery updates from Example Shop on WhatsApp',
		displayOptions: { show: { recordInLedger: [true], optInKeywords: ['resumeOrInvitation'] } },
		description:
			'The exact text that invites people to reply with the keyword, naming your business and what they will receive (at least 20 characters)',
	},
	{
		displayName: 'Marketing Opt-Out (131050)',
		name: 'marketingOptOut',
		type: 'options',
		noDataExpression: true,
		default: 'ignore',
		displayOptions: { show: { recordInLedger: [true] } },
		options: [
			{
				name: 'Do Not Record',
				value: 'ignore',
				description:
					'The person stopped marketing messages only; Meta still delivers utility notifications, so their utility consent stands',
			},
			{
				name: 'Record as Opt-Out of All Utility Notifications',
				value: 'optOutAllUtility',
				description: 'Stricter reading: treat stopping marketing as stopping every notification from this business',
			},
		],
		description: 'What a failed status with error 131050 (user stopped marketing messages) records',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Extra Opt-In Keywords',
				name: 'extraOptInKeywords',
				type: 'string',
				default: '',
				placeholder: 'RESUME, JA BITTE',
				description: 'More opt-in keywords, separated by commas. A keyword matches only when it is the whole message.',
			},
			{
				displayName: 'Extra Opt-Out Keywords',
				name: 'extraOptOutKeywords',
				type: 'string',
				default: '',
				placeholder: 'NO MORE, STOP_PROMO',
				description:
					'More opt-out keywords or button payloads, separated by commas. A keyword matches only when it is the whole message.',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				default: ['sent', 'delivered', 'read', 'failed', 'played'],
				options: [
					{ name: 'Delivered', value: 'delivered' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'Played', value: 'played' },
					{ name: 'Read', value: 'read' },
					{ name: 'Sent', value: 'sent' },
				],
				description: 'Which statuses produce Status Update events',
			},
			{
				displayName: 'Use Default Keywords',
				name: 'useDefaultKeywords',
				type: 'boolean',
				default: true,
				description:
					'Whether to recognise the built-in English, Portuguese, Spanish and German opt-out and opt-in keywords (STOP, UNSUBSCRIBE, PARAR, SAIR, CANCELAR, BAJA, ABMELDEN, START …)',
			},
		],
	},
];
