/**
 * n8n caps the data tables of a whole instance together (N8N_DATA_TABLES_MAX_SIZE_BYTES, 200 MiB by default in
 * n8n 2.41). Once the total reaches the cap, n8n refuses every row insert, update and upsert — in every workflow —
 * with HTTP 400 "Validation error with data table request: Data table size limit exceeded: 201MB used, limit is
 * 200MB"; reads and deletes still work. This turns that answer into a message that says what it means and the fix.
 */
const SIZE_LIMIT_EXCEEDED = /Data table size limit exceeded:?\s*([^"]{0,80})/i;

export const DATA_TABLES_FULL_FIX =
	'n8n caps all data tables of the instance together at N8N_DATA_TABLES_MAX_SIZE_BYTES (200 MiB by default). Until there is room, no opt-in, opt-out, service-window time or send key can be written: Check Consent and the Session Window Trigger fail instead of recording, and Send Notification with the consent ledger sends nothing. Raise the cap in n8n’s environment (e.g. N8N_DATA_TABLES_MAX_SIZE_BYTES=1073741824 for 1 GiB) and restart n8n, or delete data tables or rows you no longer need in n8n’s Data tables screen. Expired send keys are purged automatically; consent events stay until a contact is erased. The README’s "Capacity" section has the figures.';

/** When n8n's answer says the data tables are full: the problem in words (with n8n's figures) and the fix. */
export function dataTablesFull(detail: string): { problem: string; fix: string } | undefined {
	const match = SIZE_LIMIT_EXCEEDED.exec(detail);
	if (!match) return undefined;
	const figures = match[1].trim();
	return {
		problem: `n8n’s data tables are full${figures ? ` (${figures})` : ''}, so nothing can be written to the consent ledger`,
		fix: DATA_TABLES_FULL_FIX,
	};
}
