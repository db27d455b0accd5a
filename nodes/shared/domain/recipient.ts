/**
 * A Send Notification recipient as the user wrote it: a phone number (international, or national with a Default
 * Country) or a business-scoped user id (BSUID), read into the id a message is addressed to, or refused with the fix.
 */
import { normaliseContact } from './consent';
import type { NumberingPlan } from './numberingPlans';
import { normalisePhone, type BareDigitsReading } from './phone';

/** Default Country of an item: the plan that places national numbers, or why the value set is not usable. */
export interface DefaultCountry {
	plan?: NumberingPlan;
	/** Set but not usable: only an error when the number needs it (a national number). */
	unusable?: { problem: string; fix: string };
}

/** Added to a refusal of a number without + or 00 when no Default Country is set (version 1.1). */
export const DEFAULT_COUNTRY_HINT =
	'If your data holds national numbers, set Default Country to the customer’s country (e.g. {{ $json.billing.country }}).';

/** Where a bare digit string is refused, the way out if the field really holds Meta's wa_id. */
const BARE_DIGITS_HINT: Readonly<Record<BareDigitsReading, string>> = {
	refuse: 'If this field holds WhatsApp IDs from Meta’s webhooks (wa_id), set Recipient Format to WhatsApp ID.',
	whatsAppIdFrom11Digits:
		'If it is a WhatsApp ID from Meta’s webhooks (wa_id), add + in front, or use a new Send Notification node (version 1.1) with Recipient Format set to WhatsApp ID.',
	whatsAppId: '',
};

export type RecipientReading =
	| {
			ok: true;
			/** E.164 for a phone number; the id itself for a BSUID (the contact key everywhere). */
			e164: string;
			isBsuid: boolean;
			/** ISO country when known directly (Default Country placed the number, or a BSUID's prefix). */
			country?: string;
			callingCode: string;
	  }
	| { ok: false; problem: string; fix: string };

/** A BSUID as the consent ledger accepts it. */
function businessScopedUserId(input: string): string | undefined {
	const contact = normaliseContact(input);
	return contact.ok && contact.kind === 'userId' ? contact.id : undefined;
}

/** Written without '+' or '00' (a national number), where Default Country would help. */
export function looksNational(input: string): boolean {
	const text = input.trim().replace(/^tel:\s*/i, '');
	return /^[(\d]/.test(text) && !text.startsWith('00');
}

/** Reads the recipient: a BSUID as it is (sent as `recipient`), a phone number with the item's Default Country. */
export function readRecipient(
	input: string,
	bareDigits: BareDigitsReading,
	defaultCountry: DefaultCountry,
): RecipientReading {
	const bsuid = businessScopedUserId(input);
	if (bsuid) return { ok: true, e164: bsuid, isBsuid: true, country: bsuid.slice(0, 2), callingCode: '' };
	const phone = normalisePhone(input, { bareDigits, defaultCountry: defaultCountry.plan });
	if (phone.ok)
		return {
			ok: true,
			e164: phone.e164,
			isBsuid: false,
			country: phone.national?.country,
			callingCode: phone.callingCode,
		};
	if (defaultCountry.unusable && looksNational(input)) {
		return {
			ok: false,
			problem: `${defaultCountry.unusable.problem}, so "${input}" cannot be placed`,
			fix: defaultCountry.unusable.fix,
		};
	}
	const isBareDigits = phone.problem === 'noCountryCode' && /^\d+$/.test(input.trim());
	const national = !defaultCountry.plan && !defaultCountry.unusable && bareDigits === 'refuse' && looksNational(input);
	const hint = [isBareDigits ? BARE_DIGITS_HINT[bareDigits] : '', national ? DEFAULT_COUNTRY_HINT : '']
		.filter(Boolean)
		.join(' ');
	return {
		ok: false,
		problem: `Invalid recipient phone number "${input}"`,
		fix: hint ? `${phone.reason} ${hint}` : phone.reason,
	};
}
