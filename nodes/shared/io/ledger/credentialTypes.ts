/** The two credentials that can hold the consent ledger's settings, and their names as users see them. */
export const LEDGER_CREDENTIAL_TYPE = 'whatsAppNotificationsLedgerApi';
/** The WhatsApp Cloud API credential, whose optional Consent Ledger section holds the same settings. */
export const CLOUD_LEDGER_CREDENTIAL_TYPE = 'whatsAppCloudApi';
export type LedgerCredentialType = typeof LEDGER_CREDENTIAL_TYPE | typeof CLOUD_LEDGER_CREDENTIAL_TYPE;
export const CREDENTIAL_LABEL: Record<LedgerCredentialType, string> = {
	[LEDGER_CREDENTIAL_TYPE]: 'WhatsApp Notifications Ledger API',
	[CLOUD_LEDGER_CREDENTIAL_TYPE]: 'WhatsApp Cloud API',
};
