/** What a thrown HTTP error says about itself, for classifying network and ledger failures. */

/** The codes, messages and descriptions along an error's cause chain (at most 6 deep), joined by " | ". */
export function errorClues(error: unknown): string {
	const clues: string[] = [];
	let current: unknown = error;
	for (let depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
		const e = current as { code?: unknown; message?: unknown; description?: unknown; cause?: unknown };
		if (e.code !== undefined) clues.push(String(e.code));
		if (typeof e.message === 'string') clues.push(e.message);
		if (typeof e.description === 'string') clues.push(e.description);
		current = e.cause;
	}
	return clues.join(' | ');
}
