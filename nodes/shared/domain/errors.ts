/** Turns Meta's error envelopes into sentences for users: what went wrong and what to do. */
import { lookupMetaError, type GraphError } from './metaErrors';

export function describeGraphError(error: GraphError, whileDoing: string): string {
	const info = lookupMetaError(error.code);
	const details = error.error_data?.details ? ` ${error.error_data.details}` : '';
	return `Meta refused ${whileDoing}: ${error.message}${details} — ${info.userMessage}`;
}
