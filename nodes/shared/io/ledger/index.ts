/**
 * The consent ledger in n8n Data Tables over n8n's public API: the credential settings (settings.ts), its errors
 * (errors.ts), the data-table REST client (dataTablesClient.ts), the ConsentLedger (consentLedger.ts), batched reads
 * (ledgerBatch.ts) and Send Notification's idempotency keys (sendKeys.ts). The rows themselves, as plain data, are
 * the domain's (domain/ledgerRows.ts, domain/sendKeyRows.ts).
 */
export {
	EVENT_COLUMNS,
	KEY_CHECK_PURPOSE,
	LINK_PURPOSE,
	STATE_COLUMNS,
	WINDOW_PURPOSE,
	eq,
	eventFromRow,
	eventsFromRows,
	rowOfEvent,
	type ColumnSpec,
	type ColumnType,
	type FilterCondition,
	type RecordedEvent,
	type Row,
	type RowFilter,
	type ServiceWindowRecord,
} from '../../domain/ledgerRows';
export * from './credentialTypes';
export * from './errors';
export * from './settings';
export * from './dataTablesClient';
export * from './consentLedger';
export * from './ledgerBatch';
export * from './sendKeys';
