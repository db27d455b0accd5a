/** Type guards and small readers for JSON read from Meta, shops and the ledger. */

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string as one of Meta's upper-case codes (' image ' → 'IMAGE'); anything else is ''. */
export function upperCode(value: unknown): string {
	return typeof value === 'string' ? value.trim().toUpperCase() : '';
}
