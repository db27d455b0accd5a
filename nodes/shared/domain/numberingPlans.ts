/**
 * National numbering plans: how people in a country write a phone number without the country code, and
 * what a valid national significant number (NSN, the digits after the country calling code) looks like.
 *
 * Written for this package (no phone library may run in node code). Sources, checked per country:
 * - ITU-T E.164 assigned country codes and the national numbering plans the administrations file with the
 *   ITU (ITU Operational Bulletin, "National Numbering Plans", https://www.itu.int/oth/T0202.aspx?parent=T0202);
 * - Google libphonenumber's PhoneNumberMetadata.xml (Apache-2.0) as the cross-reference for lengths and
 *   mobile ranges (https://github.com/google/libphonenumber/blob/master/resources/PhoneNumberMetadata.xml);
 * - IANA tz database zone.tab for the countries that use a single time zone.
 * The table keeps only what is needed to place a national number and refuse a wrong one: lengths are the
 * NSN lengths of numbers a person can have (mobile and geographic, not short codes or premium services).
 *
 * Range prefixes: a digit matches itself, `x` any digit, `N` a digit 2–9 (NANP notation).
 */

export type NumberKind = 'mobile' | 'fixed' | 'any';

export interface NumberRange {
	kind: NumberKind;
	/** The NSN starts with one of these (see the pattern notation above). */
	starts: readonly string[];
	/** Allowed NSN lengths, inclusive [min, max]. */
	lengths: readonly [number, number];
}

export interface NumberingPlan {
	/** ISO 3166-1 alpha-2. */
	country: string;
	name: string;
	callingCode: string;
	/** Dialled before a national number and not part of it ('0' in most of Europe, '8' in parts of the CIS, '1' in NANP). */
	trunkPrefixes: readonly string[];
	/** Digits of a carrier selection code that may follow the trunk prefix (Brazil: 0 + 2-digit carrier + number). */
	carrierCodeDigits?: number;
	ranges: readonly NumberRange[];
	/** IANA zone when the whole country keeps one civil time; absent where regions differ. */
	timeZone?: string;
	/** Shown when a number does not fit: the local habit that most often causes it. */
	note?: string;
}

const ANY_DIGIT = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

function plan(
	country: string,
	name: string,
	callingCode: string,
	trunk: string | readonly string[],
	ranges: NumberRange[],
	extra: Partial<Pick<NumberingPlan, 'timeZone' | 'note' | 'carrierCodeDigits'>> = {},
): NumberingPlan {
	const trunkPrefixes = typeof trunk === 'string' ? (trunk ? [trunk] : []) : trunk;
	return { country, name, callingCode, trunkPrefixes, ranges, ...extra };
}

const mobile = (starts: string[], min: number, max = min): NumberRange => ({
	kind: 'mobile',
	starts,
	lengths: [min, max],
});
const fixed = (starts: string[], min: number, max = min): NumberRange => ({
	kind: 'fixed',
	starts,
	lengths: [min, max],
});
const any = (min: number, max = min, starts: string[] = ANY_DIGIT): NumberRange => ({
	kind: 'any',
	starts,
	lengths: [min, max],
});

const NANP_NOTE =
	'North American numbers have 10 digits: a 3-digit area code and a 7-digit number, e.g. (415) 555-0123.';

export const NUMBERING_PLANS: readonly NumberingPlan[] = [
	// The largest WhatsApp markets
	plan('IN', 'India', '91', '0', [mobile(['6', '7', '8', '9'], 10), fixed(['1', '2', '3', '4', '5'], 10)], {
		timeZone: 'Asia/Kolkata',
		note: 'Indian numbers have 10 digits after the 0, e.g. 098765 43210.',
	}),
	plan('BR', 'Brazil', '55', '0', [mobile(['xx9'], 11), fixed(['xx2', 'xx3', 'xx4', 'xx5'], 10)], {
		carrierCodeDigits: 2,
		note: 'Brazilian numbers are a 2-digit area code and 9 digits for mobiles (starting with 9) or 8 for landlines, e.g. (51) 98765-4321. A mobile number with only 8 digits lacks the 9 added in 2016.',
	}),
	plan('ID', 'Indonesia', '62', '0', [mobile(['8'], 9, 12), fixed(['2', '3', '4', '5', '6', '7', '9'], 7, 11)], {
		note: 'Indonesian mobile numbers start with 08 and have 10 to 13 digits with the 0.',
	}),
	plan('US', 'United States', '1', '1', [any(10, 10, ['NxxN'])], { note: NANP_NOTE }),
	plan('CA', 'Canada', '1', '1', [any(10, 10, ['NxxN'])], { note: NANP_NOTE }),
	plan('MX', 'Mexico', '52', ['01', '044', '045'], [any(10)], {
		note: 'Mexican numbers have 10 digits since 2019 (no 01, 044 or 045 in front).',
	}),
	plan('RU', 'Russia', '7', '8', [mobile(['9'], 10), fixed(['3', '4', '8'], 10)], {
		note: 'Russian numbers have 10 digits after the 8, e.g. 8 912 345-67-89.',
	}),
	plan('KZ', 'Kazakhstan', '7', '8', [any(10, 10, ['6', '7'])], { timeZone: 'Asia/Almaty' }),
	plan('TR', 'Turkey', '90', '0', [mobile(['5'], 10), fixed(['2', '3', '4'], 10)], {
		timeZone: 'Europe/Istanbul',
		note: 'Turkish numbers have 10 digits after the 0, e.g. 0532 123 45 67.',
	}),
	plan('PK', 'Pakistan', '92', '0', [mobile(['3'], 10), fixed(['2', '4', '5', '6', '7', '8', '9'], 9, 10)], {
		timeZone: 'Asia/Karachi',
	}),
	plan('NG', 'Nigeria', '234', '0', [mobile(['7', '8', '9'], 10), fixed(['1', '2', '3', '4', '5', '6'], 7, 8)], {
		timeZone: 'Africa/Lagos',
		note: 'Nigerian mobile numbers have 11 digits with the 0, e.g. 0803 123 4567.',
	}),
	plan('EG', 'Egypt', '20', '0', [mobile(['1'], 10), fixed(['2', '3'], 8, 9), fixed(['4', '5', '6', '8', '9'], 8)], {
		timeZone: 'Africa/Cairo',
	}),
	plan('IT', 'Italy', '39', '', [mobile(['3'], 9, 10), fixed(['0'], 6, 11)], {
		timeZone: 'Europe/Rome',
		note: 'In Italy the leading 0 of a landline is part of the number and stays (+39 06 …).',
	}),
	plan('ES', 'Spain', '34', '', [mobile(['6', '7'], 9), fixed(['8', '9'], 9)]),
	plan('AR', 'Argentina', '54', '0', [mobile(['9'], 11), fixed(['1', '2', '3'], 10)], {
		timeZone: 'America/Argentina/Buenos_Aires',
		note: 'Argentine numbers have 10 digits after the 0 (area code and number). Write a mobile without the local 15, e.g. 011 15-2345-6789 as +54 9 11 2345-6789.',
	}),
	plan('CO', 'Colombia', '57', '', [mobile(['3'], 10), fixed(['60'], 10)], { timeZone: 'America/Bogota' }),
	plan('SA', 'Saudi Arabia', '966', '0', [mobile(['5'], 9), fixed(['1'], 8)], { timeZone: 'Asia/Riyadh' }),
	plan('PH', 'Philippines', '63', '0', [mobile(['9'], 10), fixed(['2', '3', '4', '5', '6', '7', '8'], 8, 9)], {
		timeZone: 'Asia/Manila',
	}),
	plan('ZA', 'South Africa', '27', '0', [mobile(['6', '7', '8'], 9), fixed(['1', '2', '3', '4', '5'], 9)], {
		timeZone: 'Africa/Johannesburg',
	}),
	plan('KE', 'Kenya', '254', '0', [mobile(['1', '7'], 9), fixed(['2', '4', '5', '6'], 7, 9)], {
		timeZone: 'Africa/Nairobi',
	}),
	plan('MY', 'Malaysia', '60', '0', [mobile(['1'], 9, 10), fixed(['3', '4', '5', '6', '7', '8', '9'], 8, 9)], {
		timeZone: 'Asia/Kuala_Lumpur',
	}),
	plan('TH', 'Thailand', '66', '0', [mobile(['6', '8', '9'], 9), fixed(['2', '3', '4', '5', '7'], 8)], {
		timeZone: 'Asia/Bangkok',
	}),
	plan('VN', 'Vietnam', '84', '0', [mobile(['3', '5', '7', '8', '9'], 9), fixed(['2'], 10)], {
		timeZone: 'Asia/Ho_Chi_Minh',
	}),
	plan('BD', 'Bangladesh', '880', '0', [mobile(['1'], 10), fixed(['2', '3', '4', '5', '6', '7', '8', '9'], 6, 10)], {
		timeZone: 'Asia/Dhaka',
	}),
	plan('PE', 'Peru', '51', '0', [mobile(['9'], 9), fixed(['1', '4', '5', '6', '7', '8'], 8)], {
		timeZone: 'America/Lima',
	}),
	plan('CL', 'Chile', '56', '', [mobile(['9'], 9), fixed(['2', '3', '4', '5', '6', '7'], 9)]),
	plan('VE', 'Venezuela', '58', '0', [mobile(['4'], 10), fixed(['2'], 10)], { timeZone: 'America/Caracas' }),
	plan('EC', 'Ecuador', '593', '0', [mobile(['9'], 9), fixed(['2', '3', '4', '5', '6', '7'], 8)]),
	plan('BO', 'Bolivia', '591', '0', [mobile(['6', '7'], 8), fixed(['2', '3', '4'], 8)], { timeZone: 'America/La_Paz' }),
	plan('PY', 'Paraguay', '595', '0', [mobile(['9'], 9), fixed(['2', '3', '4', '5', '6', '7', '8'], 7, 9)], {
		timeZone: 'America/Asuncion',
	}),
	plan('UY', 'Uruguay', '598', '0', [mobile(['9'], 8), fixed(['2', '4'], 8)], { timeZone: 'America/Montevideo' }),
	plan('GT', 'Guatemala', '502', '', [any(8, 8, ['2', '3', '4', '5', '6', '7'])], { timeZone: 'America/Guatemala' }),
	plan('SV', 'El Salvador', '503', '', [any(8, 8, ['2', '6', '7'])], { timeZone: 'America/El_Salvador' }),
	plan('HN', 'Honduras', '504', '', [any(8, 8, ['2', '3', '7', '8', '9'])], { timeZone: 'America/Tegucigalpa' }),
	plan('CR', 'Costa Rica', '506', '', [any(8, 8, ['2', '4', '5', '6', '7', '8'])], { timeZone: 'America/Costa_Rica' }),
	plan('PA', 'Panama', '507', '', [mobile(['6'], 8), fixed(['2', '3', '4', '5', '7', '8', '9'], 7)], {
		timeZone: 'America/Panama',
	}),
	plan('UA', 'Ukraine', '380', '0', [any(9, 9, ['3', '4', '5', '6', '7', '9'])], { timeZone: 'Europe/Kyiv' }),
	plan('IQ', 'Iraq', '964', '0', [mobile(['7'], 10), fixed(['1', '2', '3', '4', '5', '6'], 8, 9)], {
		timeZone: 'Asia/Baghdad',
	}),
	plan('MA', 'Morocco', '212', '0', [mobile(['6', '7'], 9), fixed(['5'], 9)], { timeZone: 'Africa/Casablanca' }),
	plan('DZ', 'Algeria', '213', '0', [mobile(['5', '6', '7'], 9), fixed(['2', '3', '4', '9'], 8)], {
		timeZone: 'Africa/Algiers',
	}),
	plan('GH', 'Ghana', '233', '0', [any(9, 9, ['2', '3', '5'])], { timeZone: 'Africa/Accra' }),
	plan('TZ', 'Tanzania', '255', '0', [mobile(['6', '7'], 9), fixed(['2'], 9)], { timeZone: 'Africa/Dar_es_Salaam' }),
	plan('ET', 'Ethiopia', '251', '0', [mobile(['7', '9'], 9), fixed(['1', '2', '3', '4', '5'], 9)], {
		timeZone: 'Africa/Addis_Ababa',
	}),
	plan('NP', 'Nepal', '977', '0', [mobile(['9'], 10), fixed(['1', '2', '3', '4', '5', '6', '7', '8'], 7, 8)], {
		timeZone: 'Asia/Kathmandu',
	}),
	plan('LK', 'Sri Lanka', '94', '0', [any(9)], { timeZone: 'Asia/Colombo' }),
	plan('AE', 'United Arab Emirates', '971', '0', [mobile(['5'], 9), fixed(['2', '3', '4', '6', '7', '9'], 8)], {
		timeZone: 'Asia/Dubai',
	}),
	plan('IL', 'Israel', '972', '0', [mobile(['5'], 9), fixed(['2', '3', '4', '8', '9'], 8), any(9, 9, ['7'])], {
		timeZone: 'Asia/Jerusalem',
	}),
	plan('JO', 'Jordan', '962', '0', [mobile(['7'], 9), fixed(['2', '3', '5', '6'], 8)], { timeZone: 'Asia/Amman' }),
	plan('LB', 'Lebanon', '961', '0', [any(7, 8)], { timeZone: 'Asia/Beirut' }),
	plan('KW', 'Kuwait', '965', '', [any(8, 8, ['1', '2', '4', '5', '6', '9'])], { timeZone: 'Asia/Kuwait' }),
	plan('QA', 'Qatar', '974', '', [any(8, 8, ['3', '4', '5', '6', '7'])], { timeZone: 'Asia/Qatar' }),
	plan('OM', 'Oman', '968', '', [any(8, 8, ['2', '7', '9'])], { timeZone: 'Asia/Muscat' }),
	plan('BH', 'Bahrain', '973', '', [any(8, 8, ['1', '3', '6', '7'])], { timeZone: 'Asia/Bahrain' }),
	plan('UZ', 'Uzbekistan', '998', '', [any(9)], { timeZone: 'Asia/Tashkent' }),
	plan('SG', 'Singapore', '65', '', [mobile(['8', '9'], 8), fixed(['3', '6'], 8)], { timeZone: 'Asia/Singapore' }),
	plan('HK', 'Hong Kong', '852', '', [any(8, 8, ['2', '3', '5', '6', '7', '9'])], { timeZone: 'Asia/Hong_Kong' }),
	plan('CN', 'China', '86', '0', [mobile(['1'], 11), fixed(['2', '3', '4', '5', '6', '7', '8', '9'], 9, 11)], {
		timeZone: 'Asia/Shanghai',
	}),
	plan(
		'JP',
		'Japan',
		'81',
		'0',
		[mobile(['70', '80', '90'], 10), fixed(['1', '2', '3', '4', '5', '6', '7', '8', '9'], 9)],
		{
			timeZone: 'Asia/Tokyo',
		},
	),
	plan('KR', 'South Korea', '82', '0', [mobile(['10'], 10), fixed(['2', '3', '4', '5', '6'], 8, 10)], {
		timeZone: 'Asia/Seoul',
	}),
	plan('AU', 'Australia', '61', '0', [mobile(['4'], 9), fixed(['2', '3', '7', '8'], 9)]),
	plan('NZ', 'New Zealand', '64', '0', [mobile(['2'], 8, 10), fixed(['3', '4', '6', '7', '9'], 8)]),
	// European Union (and neighbours) not listed above
	plan(
		'DE',
		'Germany',
		'49',
		'0',
		[mobile(['15', '16', '17'], 10, 11), fixed(['2', '3', '4', '5', '6', '7', '8', '9'], 6, 11)],
		{
			timeZone: 'Europe/Berlin',
			note: 'German mobile numbers start with 015, 016 or 017 and have 11 or 12 digits with the 0, e.g. 0151 2345678.',
		},
	),
	plan('FR', 'France', '33', '0', [mobile(['6', '7'], 9), fixed(['1', '2', '3', '4', '5', '9'], 9)], {
		timeZone: 'Europe/Paris',
		note: 'French numbers have 10 digits with the 0, e.g. 06 12 34 56 78.',
	}),
	plan('GB', 'United Kingdom', '44', '0', [mobile(['7'], 10), fixed(['1', '2'], 9, 10), fixed(['3'], 10)], {
		timeZone: 'Europe/London',
		note: 'UK mobile numbers have 11 digits with the 0, e.g. 07700 900123.',
	}),
	plan('NL', 'Netherlands', '31', '0', [mobile(['6'], 9), fixed(['1', '2', '3', '4', '5', '7'], 9)], {
		timeZone: 'Europe/Amsterdam',
	}),
	plan('BE', 'Belgium', '32', '0', [mobile(['4'], 9), fixed(['1', '2', '3', '5', '6', '7', '8', '9'], 8)], {
		timeZone: 'Europe/Brussels',
	}),
	plan('LU', 'Luxembourg', '352', '', [mobile(['6'], 9), fixed(['2', '3', '4', '5', '7', '8', '9'], 4, 11)], {
		timeZone: 'Europe/Luxembourg',
	}),
	plan('AT', 'Austria', '43', '0', [mobile(['6'], 10, 13), fixed(['1', '2', '3', '4', '5', '7'], 5, 13)], {
		timeZone: 'Europe/Vienna',
	}),
	plan('CH', 'Switzerland', '41', '0', [mobile(['7'], 9), fixed(['2', '3', '4', '5', '6', '8', '9'], 9)], {
		timeZone: 'Europe/Zurich',
	}),
	plan('PT', 'Portugal', '351', '', [mobile(['9'], 9), fixed(['2', '3'], 9)]),
	plan('IE', 'Ireland', '353', '0', [mobile(['8'], 9), fixed(['1', '2', '4', '5', '6', '7', '9'], 7, 10)], {
		timeZone: 'Europe/Dublin',
	}),
	plan('DK', 'Denmark', '45', '', [any(8, 8, ['2', '3', '4', '5', '6', '7', '8', '9'])], {
		timeZone: 'Europe/Copenhagen',
	}),
	plan('SE', 'Sweden', '46', '0', [mobile(['7'], 9), fixed(['1', '2', '3', '4', '5', '6', '8', '9'], 7, 9)], {
		timeZone: 'Europe/Stockholm',
	}),
	plan('NO', 'Norway', '47', '', [any(8, 8, ['2', '3', '4', '5', '6', '7', '9'])], { timeZone: 'Europe/Oslo' }),
	plan('FI', 'Finland', '358', '0', [mobile(['4', '50'], 6, 10), fixed(['1', '2', '3', '5', '6', '8', '9'], 5, 12)], {
		timeZone: 'Europe/Helsinki',
	}),
	plan('PL', 'Poland', '48', '', [any(9)], { timeZone: 'Europe/Warsaw' }),
	plan('CZ', 'Czechia', '420', '', [mobile(['6', '7'], 9), fixed(['2', '3', '4', '5', '9'], 9)], {
		timeZone: 'Europe/Prague',
	}),
	plan('SK', 'Slovakia', '421', '0', [mobile(['9'], 9), fixed(['2', '3', '4', '5'], 9)], {
		timeZone: 'Europe/Bratislava',
	}),
	plan(
		'HU',
		'Hungary',
		'36',
		'06',
		[mobile(['20', '30', '31', '50', '70'], 9), fixed(['1'], 8), fixed(['2', '3', '4', '5', '6', '7', '8', '9'], 8)],
		{
			timeZone: 'Europe/Budapest',
			note: 'Hungarian numbers are written with 06 in front, e.g. 06 20 123 4567.',
		},
	),
	plan('SI', 'Slovenia', '386', '0', [any(8)], { timeZone: 'Europe/Ljubljana' }),
	plan('HR', 'Croatia', '385', '0', [mobile(['9'], 8, 9), fixed(['1', '2', '3', '4', '5'], 8, 9)], {
		timeZone: 'Europe/Zagreb',
	}),
	plan('RO', 'Romania', '40', '0', [mobile(['7'], 9), fixed(['2', '3'], 9)], { timeZone: 'Europe/Bucharest' }),
	plan('BG', 'Bulgaria', '359', '0', [mobile(['8', '9'], 9), fixed(['2', '3', '4', '5', '6', '7'], 7, 9)], {
		timeZone: 'Europe/Sofia',
	}),
	plan('GR', 'Greece', '30', '', [mobile(['69'], 10), fixed(['2'], 10)], { timeZone: 'Europe/Athens' }),
	plan('CY', 'Cyprus', '357', '', [mobile(['9'], 8), fixed(['2'], 8)], { timeZone: 'Asia/Nicosia' }),
	plan('MT', 'Malta', '356', '', [mobile(['7', '9'], 8), fixed(['2'], 8)], { timeZone: 'Europe/Malta' }),
	plan('EE', 'Estonia', '372', '', [mobile(['5'], 7, 8), fixed(['3', '4', '6', '7', '8'], 7, 8)], {
		timeZone: 'Europe/Tallinn',
	}),
	plan('LV', 'Latvia', '371', '', [mobile(['2'], 8), fixed(['6'], 8)], { timeZone: 'Europe/Riga' }),
	plan('LT', 'Lithuania', '370', '8', [mobile(['6'], 8), fixed(['3', '4', '5'], 8)], { timeZone: 'Europe/Vilnius' }),
];

const BY_COUNTRY: ReadonlyMap<string, NumberingPlan> = new Map(NUMBERING_PLANS.map((p) => [p.country, p]));
const BY_NAME: ReadonlyMap<string, NumberingPlan> = new Map(NUMBERING_PLANS.map((p) => [p.name.toLowerCase(), p]));

/** A plan by ISO 3166 alpha-2 code (any case) or English country name; undefined when not in the table. */
export function numberingPlanOf(country: string): NumberingPlan | undefined {
	const key = country.trim();
	return BY_COUNTRY.get(key.toUpperCase()) ?? BY_NAME.get(key.toLowerCase());
}

function startsWithPattern(digits: string, pattern: string): boolean {
	if (digits.length < pattern.length) return false;
	for (let i = 0; i < pattern.length; i++) {
		const want = pattern[i];
		const got = digits[i];
		if (want === 'x') continue;
		if (want === 'N' ? got < '2' : want !== got) return false;
	}
	return true;
}

/** The range a national significant number fits, if any. */
export function matchRange(plan: NumberingPlan, nsn: string): NumberRange | undefined {
	return plan.ranges.find(
		(range) =>
			nsn.length >= range.lengths[0] &&
			nsn.length <= range.lengths[1] &&
			range.starts.some((pattern) => startsWithPattern(nsn, pattern)),
	);
}

/** The countries an E.164 number can belong to by the table (several only where a calling code is shared and ranges overlap). */
export function countriesOfNumber(e164: string, callingCode: string): NumberingPlan[] {
	const nsn = e164.replace(/^\+/, '').slice(callingCode.length);
	return NUMBERING_PLANS.filter((p) => p.callingCode === callingCode && matchRange(p, nsn) !== undefined);
}

function lengthsText(range: NumberRange): string {
	const [min, max] = range.lengths;
	return min === max ? `${min}` : `${min}–${max}`;
}

/** Human wording of what the plan allows, e.g. "mobile: 10–11 digits starting 15, 16 or 17". */
export function describePlan(plan: NumberingPlan): string {
	return plan.ranges
		.map((range) => {
			const starts =
				range.starts.length > 4 ? '' : ` starting ${range.starts.join(', ').replace(/N/g, '2–9').replace(/x/g, '#')}`;
			const label = range.kind === 'any' ? 'numbers' : range.kind === 'mobile' ? 'mobile' : 'landline';
			return `${label}: ${lengthsText(range)} digits${starts}`;
		})
		.join('; ');
}
