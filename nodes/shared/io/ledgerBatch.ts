/** Moved to io/ledger/ledgerBatch.ts; kept so that importers in other nodes need no change (point them at io/ledger). */
export * from './ledger/ledgerBatch';
