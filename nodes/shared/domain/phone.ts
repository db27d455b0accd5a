/**
 * Recipient phone numbers as Meta wants them: E.164 with a country calling code.
 *
 * Meta prepends the *business* number's country code to a number sent without '+', so a
 * national number silently goes to the wrong person. A number is international when it is
 * written with '+' or '00'. A digit string without either is a national number as people
 * write it, unless the caller declares that it holds WhatsApp IDs (Meta's `wa_id` in webhooks:
 * digits with the country code, never formatted, e.g. '4512345678' for Denmark). So:
 * - a *formatted* string without '+'/'00' ('(51) 98765-4321', '150 1234 5678') is always refused;
 * - a bare digit string is read per `bareDigits`: 'refuse', 'whatsAppId' (8–15 digits), or
 *   'whatsAppIdFrom11Digits' (the reading of version 1 of Send Notification, the default here:
 *   11+ digits only, because a 10-digit string is usually a US or UK national number).
 */

/** Why a number was refused, for callers that add their own way out (e.g. a node parameter). */
export type PhoneProblem = 'noCountryCode' | 'invalid';

export type PhoneResult =
	| {
			ok: true;
			e164: string;
			callingCode: string;
			assumedInternational?: boolean;
			/** Set when a national number was placed by the Default Country: ISO code and the kind of number. */
			national?: { country: string; kind: NumberKind };
	  }
	| { ok: false; reason: string; problem: PhoneProblem };

/** How a digit string without '+' or '00' is read. */
export type BareDigitsReading = 'refuse' | 'whatsAppId' | 'whatsAppIdFrom11Digits';

export interface PhoneOptions {
	/** Default 'whatsAppIdFrom11Digits' (the version-1 reading). */
	bareDigits?: BareDigitsReading;
	/**
	 * The country whose numbering plan places a number written without '+' or '00' (e.g. '0151 2345678' in DE).
	 * Digit-only strings stay WhatsApp IDs when `bareDigits` is 'whatsAppId'.
	 */
	defaultCountry?: NumberingPlan;
}

import { describePlan, matchRange, type NumberKind, type NumberingPlan } from './numberingPlans';

/** ITU-T E.164 assigned country calling codes (geographic + shared NANP/+7); no global services (800, 870, 88x). */
const CALLING_CODES: ReadonlySet<string> = new Set(
	(
		'1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 ' +
		'60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 ' +
		'211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 ' +
		'240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 258 260 261 262 263 264 265 ' +
		'266 267 268 269 290 291 297 298 299 ' +
		'350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 379 380 381 382 383 385 ' +
		'386 387 389 420 421 423 ' +
		'500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 599 ' +
		'670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 691 692 ' +
		'850 852 853 855 856 880 886 ' +
		'960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 992 993 994 995 996 998'
	).split(' '),
);

const MIN_DIGITS = 8;
const MAX_DIGITS = 15;
const MIN_BARE_DIGITS = 11;

/** Longest-prefix match of an E.164 number (with or without '+') against the ITU calling codes. */
export function callingCodeOf(e164: string): string | undefined {
	if (typeof e164 !== 'string') return undefined;
	const digits = e164.trim().replace(/^\+/, '');
	if (!/^\d+$/.test(digits)) return undefined;
	for (let length = 3; length >= 1; length--) {
		const prefix = digits.slice(0, length);
		if (prefix.length === length && CALLING_CODES.has(prefix)) return prefix;
	}
	return undefined;
}

function fail(reason: string, problem: PhoneProblem = 'invalid'): PhoneResult {
	return { ok: false, reason, problem };
}

const HOW_TO_WRITE = 'Write it with + and the country code, e.g. +55 51 98765-4321 or 0055 51 98765-4321';

function noCountryCode(original: string, why: string): PhoneResult {
	return fail(
		`"${original}" has no '+' or '00' before it, so ${why}. ${HOW_TO_WRITE}; without them WhatsApp could deliver it to a person in another country.`,
		'noCountryCode',
	);
}

/** Reads a digit string without '+' or '00' as a WhatsApp ID, or refuses it; undefined = accepted. */
function refuseBareDigits(original: string, digits: string, reading: BareDigitsReading): PhoneResult | undefined {
	if (!/^\d+$/.test(original)) {
		return noCountryCode(
			original,
			'it is a number as people write it nationally (a WhatsApp ID has digits only, no spaces, dashes or brackets) and its country is unknown',
		);
	}
	if (reading === 'refuse') {
		return noCountryCode(
			original,
			"its country is unknown (only a field that holds WhatsApp IDs, digits with the country code as in Meta's webhooks, may leave them out)",
		);
	}
	if (reading === 'whatsAppIdFrom11Digits' && digits.length >= MIN_DIGITS && digits.length < MIN_BARE_DIGITS) {
		return noCountryCode(
			original,
			`with ${digits.length} digits it is too short to be sure it includes a country code`,
		);
	}
	return undefined;
}

export function normalisePhone(input: unknown, options: PhoneOptions = {}): PhoneResult {
	const bareDigits = options.bareDigits ?? 'whatsAppIdFrom11Digits';
	const text = phoneText(input);
	if (typeof text !== 'string') return text;
	const original = text.trim();
	if (original === '') {
		return fail('The phone number is empty. Enter the recipient in international format, e.g. +4915112345678.');
	}
	const compact = compactPhone(original);
	if (typeof compact !== 'string') return compact;

	const international = compact.startsWith('+') || compact.startsWith('00');
	const plan = options.defaultCountry;
	if (!international && plan && !(bareDigits === 'whatsAppId' && /^\d+$/.test(original))) {
		return nationalToE164(original, compact, plan);
	}
	const read = internationalDigits(original, compact, bareDigits);
	if ('ok' in read) return read;
	return toE164(original, read.digits, read.assumedInternational);
}

/** The input as text: numbers from spreadsheets are accepted when they are whole. */
function phoneText(input: unknown): string | PhoneResult {
	if (typeof input === 'string') return input;
	if (typeof input === 'number') {
		if (!Number.isSafeInteger(input) || input <= 0) {
			return fail(
				'The phone number is not a whole number. Enter it as text in international format, e.g. +4915112345678.',
			);
		}
		return String(input);
	}
	return fail('No phone number given. Enter the recipient in international format, e.g. +4915112345678.');
}

/** Digits and at most a leading '+', with the usual formatting removed. */
function compactPhone(original: string): string | PhoneResult {
	// 'tel:' URIs are common in CRM exports; the '(0)' trunk hint in '+49 (0)151 …' is not dialled internationally.
	const compact = original
		.replace(/^tel:/i, '')
		.replace(/\(0\)/g, '')
		.replace(/[\s\-.()/\u00a0]/g, '');
	if (/[^\d+]/.test(compact)) {
		return fail(
			`"${original}" contains characters that are not digits. Use only digits with a leading + and the country code, e.g. +4915112345678.`,
		);
	}
	if (compact.lastIndexOf('+') > 0) {
		return fail(
			`"${original}" has a '+' in the middle. Put a single '+' before the country code, e.g. +4915112345678.`,
		);
	}
	return compact;
}

/** The digits after the international prefix ('+' or '00'), or bare digits where the reading allows them. */
function internationalDigits(
	original: string,
	compact: string,
	bareDigits: BareDigitsReading,
): { digits: string; assumedInternational: boolean } | PhoneResult {
	if (compact.startsWith('+')) {
		const digits = compact.slice(1);
		if (digits === '')
			return fail(`"${original}" has no digits after the '+'. Add the country code and number, e.g. +4915112345678.`);
		return { digits, assumedInternational: false };
	}
	if (compact.startsWith('00')) return { digits: compact.slice(2), assumedInternational: false };
	if (compact.startsWith('0')) {
		return fail(
			`"${original}" looks like a national number (it starts with 0). Replace the leading 0 with + and the country code, e.g. 0151 1234 5678 in Germany becomes +49 151 1234 5678.`,
		);
	}
	return refuseBareDigits(original, compact, bareDigits) ?? { digits: compact, assumedInternational: true };
}

/** E.164: no leading 0, MIN_DIGITS to MAX_DIGITS digits, a known country calling code, North America's 1 + 10 digits. */
function toE164(original: string, digits: string, assumedInternational: boolean): PhoneResult {
	if (digits.startsWith('0')) {
		return fail(
			`"${original}" has a 0 right after the international prefix. Country codes never start with 0; drop the national trunk 0 (e.g. +49 0151… becomes +49 151…).`,
		);
	}
	if (digits.length < MIN_DIGITS) {
		return fail(
			`"${original}" has only ${digits.length} digits; an international number has at least ${MIN_DIGITS}. Check that the country code and the full number are included.`,
		);
	}
	if (digits.length > MAX_DIGITS) {
		return fail(
			`"${original}" has ${digits.length} digits; E.164 numbers have at most ${MAX_DIGITS}. Remove extensions or duplicated prefixes.`,
		);
	}
	const callingCode = callingCodeOf(digits);
	if (!callingCode) {
		return fail(
			`"${original}" does not start with a known country calling code. Check the country code after the '+'.`,
		);
	}
	// NANP numbers are always 1 + 10 digits and area codes never start with 0 or 1.
	if (callingCode === '1' && !/^1[2-9]\d{9}$/.test(digits)) {
		return fail(
			`"${original}" is not a valid North American number: it needs +1 followed by 10 digits, the first of which is 2–9.`,
		);
	}
	const e164 = `+${digits}`;
	return assumedInternational ? { ok: true, e164, callingCode, assumedInternational } : { ok: true, e164, callingCode };
}

/** The ways a national digit string can be read, most likely first (trunk prefix dropped, carrier code dropped, as written, country code without '+'). */
function nationalReadings(digits: string, plan: NumberingPlan): string[] {
	const readings: string[] = [];
	for (const trunk of plan.trunkPrefixes) {
		if (!digits.startsWith(trunk)) continue;
		const rest = digits.slice(trunk.length);
		readings.push(rest);
		if (plan.carrierCodeDigits) readings.push(rest.slice(plan.carrierCodeDigits));
	}
	readings.push(digits);
	if (digits.startsWith(plan.callingCode)) readings.push(digits.slice(plan.callingCode.length));
	return readings;
}

/** A number written the national way, placed by the Default Country's numbering plan (see numberingPlans.ts). */
function nationalToE164(original: string, digits: string, plan: NumberingPlan): PhoneResult {
	const readings = nationalReadings(digits, plan);
	for (const nsn of readings) {
		const range = matchRange(plan, nsn);
		if (range) {
			return {
				ok: true,
				e164: `+${plan.callingCode}${nsn}`,
				callingCode: plan.callingCode,
				national: { country: plan.country, kind: range.kind },
			};
		}
	}
	const nsn = readings[0];
	const trunk = plan.trunkPrefixes.find((t) => digits.startsWith(t));
	const counted = trunk ? `after the ${trunk} it has ${nsn.length} digits` : `it has ${nsn.length} digits`;
	return fail(
		`"${original}" is not a valid ${plan.name} (${plan.country}) number: ${counted}, starting ${nsn.slice(0, 2) || 'with nothing'}. ${plan.name} allows ${describePlan(plan)}.${plan.note ? ` ${plan.note}` : ''} Check the number, or write it with + and the country code if it is not from ${plan.name}.`,
	);
}
