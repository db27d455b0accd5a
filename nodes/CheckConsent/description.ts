/**
 * Check Consent's parameters: the credential, the operation and what every operation reads (contact, purpose), then
 * each operation's own parameters from its actions/<op>.operation.ts, in the order the editor shows them.
 */
import type { INodeProperties } from 'n8n-workflow';

import { ALL_UTILITY, PURPOSE_OPTIONS } from '../shared/domain/consent';
import * as check from './actions/check.operation';
import * as checkFromItem from './actions/checkFromItem.operation';
import * as eraseContact from './actions/eraseContact.operation';
import * as getHistory from './actions/getHistory.operation';
import * as record from './actions/record.operation';

const purposeOptions = PURPOSE_OPTIONS.map((p) => ({ name: p.name, value: p.value, description: p.description }));

const credentialChoices = [
	{
		name: 'WhatsApp Cloud API',
		value: 'whatsAppCloudApi',
		description:
			'The ledger set up in the Consent Ledger section of the WhatsApp Cloud API credential (one credential for every node)',
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
	...checkFromItem.description,
	...record.description,
	...getHistory.description,
	...eraseContact.description,
	...check.description,
];
