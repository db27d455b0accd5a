/** The consent ledger's failures, each with the fix (n8n/errors.ts turns them into node errors). */
import { dataTablesFull } from '../../domain/ledgerCapacity';
import { errorClues } from '../errorClues';
import { CREDENTIAL_LABEL, LEDGER_CREDENTIAL_TYPE } from './credentialTypes';

export class LedgerError extends Error {
	constructor(
		message: string,
		/** How to fix it, for the node error's description. */
		readonly fix: string,
		readonly httpCode?: number,
		readonly responseBody?: unknown,
	) {
		super(message);
		this.name = 'LedgerError';
	}
}

const SCOPES_NEEDED =
	'dataTable:list, dataTable:create, dataTable:read, dataTableColumn:read, dataTableColumn:create, dataTableRow:read, dataTableRow:create, dataTableRow:update, dataTableRow:upsert, dataTableRow:delete';

/** What n8n said, in a few words: its message, the start of a text answer, or that a web page answered. */
function answerDetail(body: unknown): string {
	// A web page instead of JSON: the Base URL points at something that is not n8n's public API.
	if (typeof body === 'string' && /^\s*<(!doctype|html)/i.test(body))
		return 'an HTML page answered, not n8n’s public API';
	if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string')
		return (body as { message: string }).message;
	return typeof body === 'string' ? body.slice(0, 200) : '';
}

/** The fix for an HTTP status n8n's data-table API answered with. */
function fixOfStatus(status: number, credentialLabel: string): string {
	switch (status) {
		case 401:
			return `The n8n API key in the "${credentialLabel}" credential is wrong, revoked or expired. Create a new one in n8n under Settings → n8n API and paste it into the credential.`;
		case 403:
			return `The n8n API key lacks a data-table scope, or its user cannot reach the ledger's project. Give the key these scopes: ${SCOPES_NEEDED}.`;
		case 404:
			return 'Nothing answered at this path: check the credential’s n8n Base URL (the address of n8n itself, e.g. http://localhost:5678, without /api/v1) and that the public API is enabled (N8N_PUBLIC_API_DISABLED is not true). A data table may have been deleted; run again to recreate it.';
		case 400:
			return 'n8n refused the request as invalid. If you changed the ledger tables by hand, restore the documented columns (see the README) or delete the tables so they are created again.';
		default:
			return 'n8n could not store or read the consent ledger. Check that n8n is running and its database is healthy, then run again.';
	}
}

export function ledgerHttpError(
	status: number,
	body: unknown,
	doing: string,
	credentialLabel = CREDENTIAL_LABEL[LEDGER_CREDENTIAL_TYPE],
): LedgerError {
	const detail = answerDetail(body);
	const full = dataTablesFull(detail);
	if (full) return new LedgerError(`${full.problem}: n8n refused ${doing} (HTTP ${status})`, full.fix, status, body);
	const message = `The n8n data-table API refused ${doing} (HTTP ${status}${detail ? `: ${detail}` : ''})`;
	return new LedgerError(message, fixOfStatus(status, credentialLabel), status, body);
}

export function ledgerNetworkError(error: unknown, baseUrl: string): LedgerError {
	const text = errorClues(error);
	const ssrf = /ssrf|blocked|not allowed|disallowed/i.test(text);
	return new LedgerError(
		`The consent ledger at ${baseUrl} could not be reached (${text.slice(0, 200)})`,
		ssrf
			? 'n8n’s SSRF protection (N8N_SSRF_PROTECTION_ENABLED) blocked the request to n8n’s own address. Allow it with N8N_SSRF_ALLOWED_HOSTNAMES (e.g. localhost) or N8N_SSRF_ALLOWED_IP_RANGES, or use n8n’s public address in the credential.'
			: 'Check the credential’s n8n Base URL: from inside n8n it is usually http://localhost:5678 (or the main instance’s address from a queue-mode worker). If SSRF protection is enabled, allow that host with N8N_SSRF_ALLOWED_HOSTNAMES.',
	);
}

/** Runs fn and hands back its LedgerError instead of throwing (anything else becomes a LedgerError). */
export async function attempt<T>(
	fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: LedgerError }> {
	try {
		return { ok: true, value: await fn() };
	} catch (error) {
		if (error instanceof LedgerError) return { ok: false, error };
		return {
			ok: false,
			error: new LedgerError(
				errorClues(error) || 'Unexpected ledger failure',
				'Run again; if it persists, check n8n’s log.',
			),
		};
	}
}

/** n8n answers a name already taken in the project with 409 (older versions: 400 "already exists"). */
export function isNameConflict(error: LedgerError): boolean {
	const message =
		typeof (error.responseBody as { message?: unknown })?.message === 'string'
			? (error.responseBody as { message: string }).message
			: '';
	return error.httpCode === 409 || (error.httpCode === 400 && /already exists/i.test(message));
}
