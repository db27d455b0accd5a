/**
 * Where the consent ledger is and how to reach it: the ledger settings of a credential (the ledger-only "WhatsApp
 * Notifications Ledger API" credential, or the Consent Ledger section of the WhatsApp Cloud API credential).
 */
import { createHash, createHmac } from 'node:crypto';
import type {
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import {
	CLOUD_LEDGER_CREDENTIAL_TYPE,
	CREDENTIAL_LABEL,
	LEDGER_CREDENTIAL_TYPE,
	type LedgerCredentialType,
} from './credentialTypes';
import { LedgerError } from './errors';

export type LedgerContext =
	| IExecuteFunctions
	| IWebhookFunctions
	| IPollFunctions
	| IHookFunctions
	| ILoadOptionsFunctions;

export interface LedgerSettings {
	baseUrl: string;
	projectId: string;
	tablePrefix: string;
	contactKeySecret: string;
	/** Part of the table-id cache key: a different API key may see different tables. */
	apiKeyFingerprint: string;
	/** The credential the settings come from; every request authenticates with it. */
	credentialType: LedgerCredentialType;
}

/** What to do when the node's ledger switch is on but the WhatsApp Cloud API credential's ledger section is off. */
export const LEDGER_SECTION_OFF_FIX =
	"Open the WhatsApp Cloud API credential, turn on Consent Ledger and fill in the n8n Base URL, n8n API Key and Contact Key Secret (the same secret as every other credential of this ledger), or turn off the node's ledger option.";

/**
 * The ledger settings of a credential: the ledger-only credential, or the WhatsApp Cloud API credential with its
 * Consent Ledger section on (a section that is off is refused with the fix).
 */
export async function readLedgerSettings(
	ctx: LedgerContext,
	credentialType: LedgerCredentialType = LEDGER_CREDENTIAL_TYPE,
): Promise<LedgerSettings> {
	const raw = await ctx.getCredentials(credentialType);
	const text = (key: string) => String(raw[key] ?? '').trim();
	const fromCloud = credentialType === CLOUD_LEDGER_CREDENTIAL_TYPE;
	if (fromCloud && raw.consentLedger !== true) {
		throw new LedgerError(
			'Turn on Consent Ledger in the WhatsApp Cloud API credential: the node uses the consent ledger, but the credential has no ledger settings',
			LEDGER_SECTION_OFF_FIX,
		);
	}
	const baseUrl = text(fromCloud ? 'n8nBaseUrl' : 'baseUrl')
		.replace(/\/+$/, '')
		.replace(/\/api\/v1$/, '');
	const apiKey = text(fromCloud ? 'n8nApiKey' : 'apiKey');
	const contactKeySecret = text('contactKeySecret');
	assertUsable(CREDENTIAL_LABEL[credentialType], baseUrl, contactKeySecret);
	return {
		baseUrl,
		projectId: text('projectId'),
		tablePrefix: text('tablePrefix') || 'whatsapp',
		contactKeySecret,
		apiKeyFingerprint: createHash('sha256').update(apiKey).digest('hex').slice(0, 12),
		credentialType,
	};
}

/** Refuses a credential without an n8n address or with a Contact Key Secret too short to key contacts with. */
function assertUsable(label: string, baseUrl: string, contactKeySecret: string): void {
	if (!baseUrl)
		throw new LedgerError(
			`The "${label}" credential has no n8n Base URL`,
			'Enter the address of n8n itself, e.g. http://localhost:5678.',
		);
	if (contactKeySecret.length < 16) {
		throw new LedgerError(
			`The "${label}" credential's Contact Key Secret is missing or shorter than 16 characters`,
			'Enter a long random string (e.g. from a password manager) and never change it: contacts are looked up by a keyed hash of their id.',
		);
	}
}

/** What the ledger stores to recognise its Contact Key Secret: an HMAC of a fixed label, which reveals nothing of it. */
export function contactKeySecretFingerprint(secret: string): string {
	return createHmac('sha256', secret).update('whatsapp-ledger-key-check').digest('hex');
}

/** HMAC-SHA256 of the canonical contact id, keyed with the credential's secret: the lookup key of every row. */
export function contactKeyOf(contactId: string, secret: string): string {
	return createHmac('sha256', secret).update(`whatsapp-contact:${contactId}`).digest('hex');
}
