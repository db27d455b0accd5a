/**
 * Checks on the item values that go into a template, before Meta sees them: the text-variable rules (error
 * 132007), header media links, URL-button suffixes, and currency / date_time values that arrive as JSON text.
 *
 * Every check is one pass over the value (no regular expression that can backtrack), and values longer than
 * anything Meta accepts are refused by their length first, so one item can never stall an execution.
 */
import { isRecord } from './guards';

/** Longest header media link accepted. Meta documents none; 4,096 is twice a long signed S3 / GCS link. */
export const HEADER_MEDIA_LINK_MAX = 4096;
/** Meta: a URL button's URL, the fixed part and the variable together, has at most 2,000 characters. */
export const URL_BUTTON_MAX = 2000;
/** Longest text that is still read as a currency / date_time JSON object. */
export const RICH_VALUE_JSON_MAX = 4096;
/** Meta refuses text variables with more than 4 consecutive spaces (132007). */
export const MAX_CONSECUTIVE_SPACES = 4;

export interface InputProblem {
	problem: string;
	fix: string;
}

function codePointLabel(code: number): string {
	return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Characters Meta does not allow in a text variable, by name. */
const NAMED_BREAKS: Readonly<Record<number, string>> = {
	0x09: 'a tab',
	0x0a: 'a line break',
	0x0b: 'a vertical tab',
	0x0c: 'a form feed',
	0x0d: 'a line break',
	0x85: 'a next-line character (U+0085)',
	0x2028: 'a line separator (U+2028)',
	0x2029: 'a paragraph separator (U+2029)',
};

/** The space separators of Unicode (category Zs): no-break spaces look like spaces and count as spaces. */
function isSpaceLike(code: number): boolean {
	return (
		code === 0x20 ||
		code === 0xa0 ||
		code === 0x1680 ||
		(code >= 0x2000 && code <= 0x200a) ||
		code === 0x202f ||
		code === 0x205f ||
		code === 0x3000
	);
}

function isControl(code: number): boolean {
	return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Invisible characters that change the direction or joining of text: they make one link look like another. */
function isInvisibleFormatting(code: number): boolean {
	return (
		code === 0x061c ||
		(code >= 0x200b && code <= 0x200f) ||
		(code >= 0x202a && code <= 0x202e) ||
		(code >= 0x2060 && code <= 0x2069) ||
		code === 0xfeff
	);
}

/** Meta's rules for a text variable (132007): no line breaks, tabs or control characters, at most 4 spaces in a row. */
export function textVariableProblem(text: string): string | undefined {
	let spacesInRow = 0;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		const named = NAMED_BREAKS[code];
		if (named) return `contains ${named}`;
		if (isControl(code)) return `contains the control character ${codePointLabel(code)}`;
		spacesInRow = isSpaceLike(code) ? spacesInRow + 1 : 0;
		if (spacesInRow > MAX_CONSECUTIVE_SPACES) {
			return `contains more than ${MAX_CONSECUTIVE_SPACES} spaces in a row (no-break and other wide spaces count as spaces)`;
		}
	}
	return undefined;
}

export const TEXT_VARIABLE_FIX =
	'Replace line breaks and tabs (also line or paragraph separators, vertical tabs, form feeds and other control characters) with a space or punctuation, and collapse runs of spaces (no-break spaces included) to at most 4.';

/* ------------------------------------------------------------------ header media */

export type HeaderMedia = { link: string } | { id: string } | InputProblem;

const MEDIA_FIX_SUFFIX = 'or upload the file to Meta (POST /<PHONE_NUMBER_ID>/media) and pass its numeric media ID';

/**
 * A header media value: a Meta media ID (digits) or a public https link. Links are refused when Meta could not
 * fetch them or when they are unsafe: other schemes, user:password, private, loopback or link-local hosts
 * (also written as decimal, hex or octal numbers, which the URL parser normalises), and invisible characters.
 * The link is sent as the parser serialises it, so Meta fetches exactly the host that was checked.
 */
export function readHeaderMedia(raw: string, mediaType: string): HeaderMedia {
	const value = raw.trim();
	const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
	if (value.length > HEADER_MEDIA_LINK_MAX) {
		return {
			problem: `is ${value.length} characters long; links longer than ${HEADER_MEDIA_LINK_MAX} characters are refused`,
			fix: `Use a shorter https link to the ${mediaType}, ${MEDIA_FIX_SUFFIX}.`,
		};
	}
	if (/^\d+$/.test(value)) return { id: value };
	const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
	if (scheme === undefined) {
		return {
			problem: `is "${shown}", which is neither an https link nor a Meta media ID`,
			fix: `Give a public https link to the ${mediaType} (e.g. https://cdn.example.com/file), ${MEDIA_FIX_SUFFIX}.`,
		};
	}
	if (scheme !== 'https') {
		return {
			problem: `is a ${scheme}: link ("${shown}"); header media must be an https link`,
			fix: `Serve the ${mediaType} over https (https://…), ${MEDIA_FIX_SUFFIX}.`,
		};
	}
	if (value.slice(6, 8) !== '//') {
		return {
			problem: `is "${shown}", which is not a full https link`,
			fix: `Write the link as https://host/path, ${MEDIA_FIX_SUFFIX}.`,
		};
	}
	const badCharacter = linkCharacterProblem(value);
	if (badCharacter) {
		return {
			problem: `contains ${badCharacter}`,
			fix: `Encode the link (spaces as %20) or remove the character, ${MEDIA_FIX_SUFFIX}.`,
		};
	}
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return { problem: `is "${shown}", which is not a valid link`, fix: `Check the link, ${MEDIA_FIX_SUFFIX}.` };
	}
	if (url.username !== '' || url.password !== '') {
		return {
			problem: 'contains a user name or password (user:password@…)',
			fix: `Meta fetches the file without logging in: publish it at a public https link without credentials, ${MEDIA_FIX_SUFFIX}.`,
		};
	}
	const hostProblem = nonPublicHostProblem(url.hostname);
	if (hostProblem) {
		return {
			problem: `points to ${url.hostname}, ${hostProblem}, which Meta's servers cannot fetch from the internet`,
			fix: `Publish the ${mediaType} at a public https address (e.g. your shop's CDN), ${MEDIA_FIX_SUFFIX}.`,
		};
	}
	return { link: url.href };
}

function linkCharacterProblem(value: string): string | undefined {
	for (let index = 0; index < value.length; index++) {
		const code = value.charCodeAt(index);
		if (code === 0x20 || isSpaceLike(code)) return 'a space';
		if (isControl(code)) return `the control character ${codePointLabel(code)}`;
		if (code === 0x5c) return 'a backslash, which browsers and servers read differently';
		if (isInvisibleFormatting(code)) return `the invisible formatting character ${codePointLabel(code)}`;
	}
	return undefined;
}

const LOCAL_NAME_SUFFIXES = ['.localhost', '.local', '.internal', '.intranet', '.lan', '.home.arpa', '.localdomain'];

/** Why a URL host (as the WHATWG parser gives it) is not a public internet host, or undefined when it is. */
export function nonPublicHostProblem(hostname: string): string | undefined {
	const host = hostname.toLowerCase().replace(/\.$/, '');
	if (host.startsWith('[')) return ipv6Problem(host.slice(1, -1));
	const ipv4 = parseIpv4(host);
	if (ipv4) return ipv4Problem(ipv4);
	if (host === 'localhost' || LOCAL_NAME_SUFFIXES.some((suffix) => host.endsWith(suffix))) return 'a local host name';
	if (!host.includes('.')) return 'a host name without a domain (only reachable inside a network)';
	return undefined;
}

function parseIpv4(host: string): number[] | undefined {
	const parts = host.split('.');
	if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined;
	const octets = parts.map(Number);
	return octets.every((octet) => octet <= 255) ? octets : undefined;
}

/** IPv4 ranges that are not reachable on the public internet (IANA special-purpose registry). */
const IPV4_NON_PUBLIC: ReadonlyArray<[number[], number, string]> = [
	[[0, 0, 0, 0], 8, 'a "this network" address'],
	[[10, 0, 0, 0], 8, 'a private address'],
	[[100, 64, 0, 0], 10, 'a carrier-grade NAT address'],
	[[127, 0, 0, 0], 8, 'a loopback address'],
	[[169, 254, 0, 0], 16, 'a link-local address'],
	[[172, 16, 0, 0], 12, 'a private address'],
	[[192, 0, 0, 0], 24, 'a reserved address'],
	[[192, 0, 2, 0], 24, 'a documentation address'],
	[[192, 168, 0, 0], 16, 'a private address'],
	[[198, 18, 0, 0], 15, 'a benchmarking address'],
	[[198, 51, 100, 0], 24, 'a documentation address'],
	[[203, 0, 113, 0], 24, 'a documentation address'],
	[[224, 0, 0, 0], 4, 'a multicast address'],
	[[240, 0, 0, 0], 4, 'a reserved address'],
];

function toUint32(octets: number[]): number {
	return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

function ipv4Problem(octets: number[]): string | undefined {
	const address = toUint32(octets);
	for (const [base, prefix, label] of IPV4_NON_PUBLIC) {
		const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
		if ((address & mask) >>> 0 === (toUint32(base) & mask) >>> 0) return label;
	}
	return undefined;
}

/** The 8 groups of an IPv6 address as the URL parser serialises it (hex groups, at most one "::"). */
function parseIpv6(text: string): number[] | undefined {
	const halves = text.split('::');
	if (halves.length > 2) return undefined;
	const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
	const head = groupsOf(halves[0]);
	const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
	const missing = 8 - head.length - tail.length;
	if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
	const groups = [...head, ...new Array<string>(missing).fill('0'), ...tail];
	if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
	return groups.map((group) => parseInt(group, 16));
}

function embeddedIpv4(high: number, low: number): number[] {
	return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

function ipv6Problem(text: string): string | undefined {
	const groups = parseIpv6(text);
	if (!groups) return 'an IPv6 address that cannot be read';
	const [g0, g1, g2, g3, g4, g5, g6, g7] = groups;
	const firstSixZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
	if (firstSixZero && g5 === 0 && g6 === 0 && g7 <= 1)
		return g7 === 1 ? 'a loopback address' : 'an unspecified address';
	// IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses reach the embedded IPv4 host.
	if (firstSixZero && (g5 === 0xffff || g5 === 0)) return ipv4Problem(embeddedIpv4(g6, g7));
	if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
		return ipv4Problem(embeddedIpv4(g6, g7));
	if (g0 === 0x2002) return ipv4Problem(embeddedIpv4(g1, g2));
	if ((g0 & 0xfe00) === 0xfc00) return 'a private (unique local) address';
	if ((g0 & 0xffc0) === 0xfe80) return 'a link-local address';
	if ((g0 & 0xffc0) === 0xfec0) return 'a site-local address';
	if ((g0 & 0xff00) === 0xff00) return 'a multicast address';
	if (g0 === 0x2001 && g1 === 0x0db8) return 'a documentation address';
	return undefined;
}

/* ------------------------------------------------------------------ URL-button suffix */

/**
 * The variable part of a URL button. Refused, not encoded: encoding would change what the target site receives
 * and hide a data problem, while '@' or a leading '.' right after a fixed part like "https://shop.example" can
 * move the link to another host, and invisible characters can make it look like another one.
 */
export function urlSuffixProblem(suffix: string, fixedPart: string): InputProblem | undefined {
	const total = fixedPart.length + suffix.length;
	if (total > URL_BUTTON_MAX) {
		return {
			problem: `would make the button link ${total} characters long; WhatsApp allows at most ${URL_BUTTON_MAX}`,
			fix: `Shorten the value to at most ${Math.max(0, URL_BUTTON_MAX - fixedPart.length)} characters (e.g. pass an order number instead of a full link).`,
		};
	}
	if (suffix.startsWith('.')) {
		return {
			problem: "starts with '.', which can extend the link's fixed host name to another domain",
			fix: 'Remove the leading dot from the value.',
		};
	}
	for (let index = 0; index < suffix.length; index++) {
		const code = suffix.charCodeAt(index);
		if (code === 0x20 || isSpaceLike(code) || code === 0x0a || code === 0x0d || code === 0x09) {
			return {
				problem: 'contains spaces or line breaks, which would break the link',
				fix: 'Remove the spaces or URL-encode them (%20).',
			};
		}
		if (isControl(code)) {
			return {
				problem: `contains the control character ${codePointLabel(code)}`,
				fix: 'Remove the control character from the value.',
			};
		}
		if (isInvisibleFormatting(code)) {
			return {
				problem: `contains the invisible text-direction or formatting character ${codePointLabel(code)}, which can make the link look like another one`,
				fix: 'Remove the invisible character from the value.',
			};
		}
		if (code === 0x40) {
			return {
				problem:
					"contains '@', which can turn the link's fixed part into a user name so that the button opens another site",
				fix: "Remove the '@' from the value, or encode it as %40 in your data if the target site expects it.",
			};
		}
	}
	return undefined;
}

/* ------------------------------------------------------------------ currency / date_time as JSON text */

/**
 * A currency or date_time object written as JSON text (the resource mapper hands every value over as text).
 * Undefined when the text is not such an object; it is then sent as the text it is.
 */
export function richValueFromText(text: string): Record<string, unknown> | undefined {
	if (text.length > RICH_VALUE_JSON_MAX) return undefined;
	const trimmed = text.trim();
	if (!trimmed.startsWith('{') || !trimmed.endsWith('}') || !trimmed.includes('"type"')) return undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(trimmed);
	} catch {
		return undefined;
	}
	return isRecord(parsed) && (parsed.type === 'currency' || parsed.type === 'date_time') ? parsed : undefined;
}
