/** Which credential holds the trigger's consent ledger, by node version. */
import { NodeOperationError, type IHookFunctions } from 'n8n-workflow';

import {
	CLOUD_LEDGER_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	LEDGER_SECTION_OFF_FIX,
	type LedgerCredentialType,
} from '../shared/io/ledger';

/** Version 2 reads the ledger from the WhatsApp Cloud API credential; versions 1 and 1.1 from the ledger-only one. */
export function ledgerCredentialOf(typeVersion: number): LedgerCredentialType {
	return typeVersion >= 2 ? CLOUD_LEDGER_CREDENTIAL_TYPE : LEDGER_CREDENTIAL_TYPE;
}

/**
 * Activation of a version-2 trigger with Record in Consent Ledger on refuses while the credential's Consent Ledger
 * section is off: otherwise every STOP would reach a ledger that is not there.
 */
export async function assertLedgerSectionOn(ctx: IHookFunctions): Promise<void> {
	if (ctx.getNodeParameter('recordInLedger', false) !== true) return;
	const credentials = await ctx.getCredentials(CLOUD_LEDGER_CREDENTIAL_TYPE);
	if (credentials.consentLedger === true) return;
	throw new NodeOperationError(
		ctx.getNode(),
		'Turn on Consent Ledger in the WhatsApp Cloud API credential: Record in Consent Ledger is on, but the credential has no ledger settings',
		{
			description: LEDGER_SECTION_OFF_FIX,
		},
	);
}
