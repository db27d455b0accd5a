import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_HOURLY_REQUEST_BUDGET, TEMPLATE_EVENT_KINDS } from '../shared/domain/templateDiff';

export const templateStatusPollProperties: INodeProperties[] = [
	{
		displayName:
			"Each poll reads every template of the account, 1,000 per request (6,000 templates = 6 requests). Meta allows about 200 of these requests per hour per app and account (5,000 for active accounts with a registered number). Polling every minute therefore only suits accounts with up to about 3,000 templates; the trigger adds a 'warning' field to its output when the poll times would exceed the limit.",
		name: 'rateLimitNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Template Names or IDs',
		name: 'templateNames',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getTemplateNames' },
		default: [],
		description:
			'Only report changes of these templates: a name covers all its languages, an ID one template. Empty reports every template. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: TEMPLATE_EVENT_KINDS.map((kind) => ({
			name: kind.name,
			value: kind.value,
			description: kind.description,
		})),
		default: [
			'created',
			'approved',
			'rejected',
			'paused',
			'disabled',
			'unpaused',
			'reinstated',
			'statusChanged',
			'deleted',
			'categoryChanged',
			'categoryChangePending',
			'qualityChanged',
		],
		description: 'Which changes to report. Empty reports every kind.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Check Content of Approved Utility Templates',
				name: 'checkContent',
				type: 'boolean',
				default: true,
				description:
					'Whether to check the text of newly created or approved UTILITY templates with the content rules of Send Notification and report whether Meta is likely to re-categorise them as MARKETING (one extra request per template, at most 10 per poll)',
			},
			{
				displayName: 'First Poll',
				name: 'firstPoll',
				type: 'options',
				default: 'nothing',
				options: [
					{
						name: 'Record Baseline, Emit Nothing',
						value: 'nothing',
						description: 'Later polls report what changed since',
					},
					{
						name: 'Record Baseline, Emit One Summary Item',
						value: 'summary',
						description:
							'One item with the number of templates, pages and the snapshot size; n8n stores the baseline at once',
					},
					{
						name: 'Record Baseline, Emit Every Template',
						value: 'snapshot',
						description: "One 'snapshot' item per template with its current state",
					},
				],
				description: 'What the first poll after activation (or after the account changed) emits',
			},
			{
				displayName: 'Hourly Request Budget',
				name: 'hourlyRequestBudget',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_HOURLY_REQUEST_BUDGET,
				description:
					"Meta's limit for the template list of this app and account per hour (200; 5,000 for active accounts with a registered number). Used only for the 'warning' field.",
			},
		],
	},
];
