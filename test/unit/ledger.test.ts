/** The ledger client against an in-memory stand-in for n8n's public data-table API (real n8n: e2e). */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { ConsentLedger, LEDGER_CREDENTIAL_TYPE, LedgerError, clearTableCache, contactKeyOf, ledgerHttpError } from '../../nodes/shared/ledger';

type Row = Record<string, any>;
interface Filter { type?: string; filters: Array<{ columnName: string; condition: string; value: any }> }

function matches(row: Row, filter: Filter): boolean {
	return filter.filters.every(({ columnName, condition, value }) => {
		const cell = row[columnName];
		switch (condition) {
			case 'eq': return cell === value;
			case 'neq': return cell !== value;
			case 'lt': return cell !== null && cell !== undefined && cell < value;
			case 'lte': return cell !== null && cell !== undefined && cell <= value;
			default: throw new Error(`condition ${condition} not faked`);
		}
	});
}

/** Just enough of /api/v1/data-tables for the ledger; `otherWorkerCreates` simulates a create race. */
function fakeN8n(opts: { otherWorkerCreates?: boolean } = {}) {
	const tables: Array<{ id: string; name: string; columns: Array<{ name: string; type: string }>; rows: Row[] }> = [];
	const calls: string[] = [];
	let nextRow = 1;
	const answer = (statusCode: number, body: unknown) => ({ statusCode, body });
	const handler = async (credentialType: string, req: IHttpRequestOptions) => {
		expect(credentialType).toBe(LEDGER_CREDENTIAL_TYPE);
		const path = String(req.url).replace('http://n8n.test:5678/api/v1', '');
		calls.push(`${req.method} ${path}`);
		const qs = (req.qs ?? {}) as Record<string, any>;
		const body = (req.body ?? {}) as Record<string, any>;
		if (path === '/data-tables' && req.method === 'GET') {
			const name = qs.filter ? JSON.parse(qs.filter).name : undefined;
			return answer(200, { data: tables.filter((t) => !name || t.name === name), nextCursor: null });
		}
		if (path === '/data-tables' && req.method === 'POST') {
			if (opts.otherWorkerCreates) {
				tables.push({ id: `t${tables.length + 1}`, name: body.name, columns: body.columns, rows: [] });
				return answer(409, { message: `Data table with name '${body.name}' already exists` });
			}
			const table = { id: `t${tables.length + 1}`, name: body.name, columns: body.columns, rows: [] };
			tables.push(table);
			return answer(201, table);
		}
		const m = /^\/data-tables\/(\w+)\/rows(?:\/(\w+))?$/.exec(path);
		const table = m && tables.find((t) => t.id === m[1]);
		if (!table) return answer(404, { message: 'not found' });
		const op = m![2];
		if (!op && req.method === 'POST') {
			for (const row of body.data) table.rows.push({ id: nextRow++, ...row });
			return answer(200, { count: body.data.length });
		}
		if (!op && req.method === 'GET') return answer(200, { data: table.rows.filter((r) => matches(r, JSON.parse(qs.filter))), nextCursor: null });
		if (op === 'update') {
			const hit = table.rows.filter((r) => matches(r, body.filter));
			for (const r of hit) Object.assign(r, body.data);
			return answer(200, hit);
		}
		if (op === 'delete') {
			const filter = JSON.parse(qs.filter);
			const gone = table.rows.filter((r) => matches(r, filter));
			table.rows = table.rows.filter((r) => !matches(r, filter));
			return answer(200, gone);
		}
		return answer(400, { message: 'not faked' });
	};
	const ctx = {
		getCredentials: async () => ({ baseUrl: 'http://n8n.test:5678/', apiKey: 'key', contactKeySecret: 'unit-secret-0123456789', tablePrefix: 'wa' }),
		helpers: { httpRequestWithAuthentication: handler },
	} as unknown as IExecuteFunctions;
	return { ctx, tables, calls };
}

const PHONE = '+4915123456001';

describe('ConsentLedger over the data-table API', () => {
	beforeEach(() => clearTableCache());

	it('keys contacts by an HMAC that depends on the secret', () => {
		expect(contactKeyOf(PHONE, 'a')).toMatch(/^[0-9a-f]{64}$/);
		expect(contactKeyOf(PHONE, 'a')).toBe(contactKeyOf(PHONE, 'a'));
		expect(contactKeyOf(PHONE, 'a')).not.toBe(contactKeyOf(PHONE, 'b'));
	});

	it('creates both tables once, records events and keeps the state row moving forward only', async () => {
		const { ctx, tables } = fakeN8n();
		const ledger = await ConsentLedger.open(ctx, { workflowId: 'wf1', executionId: '7' });
		await ledger.recordEvents([{ contact: PHONE, purpose: 'allUtility', action: 'optOut', capturedAt: '2026-02-01T00:00:00Z' }]);
		const late = await ledger.recordEvents([
			{ contact: PHONE, purpose: 'allUtility', action: 'optIn', source: 'import', proofWording: 'Send me updates from Example Shop', capturedAt: '2026-01-01T00:00:00Z' },
			{ contact: PHONE, purpose: 'allUtility', action: 'optIn', source: 'import', proofWording: 'yes' },
		]);
		expect(late.recorded).toHaveLength(1);
		expect(late.refused).toEqual([expect.objectContaining({ index: 1 })]);
		expect(tables.map((t) => t.name)).toEqual(['wa_consent_events', 'wa_contact_state']);
		expect(tables[0].rows).toHaveLength(2);
		expect(tables[0].rows[0]).toMatchObject({ workflowId: 'wf1', executionId: '7', contactId: PHONE });
		expect(tables[1].rows).toHaveLength(1);
		expect(tables[1].rows[0]).toMatchObject({ consent: 'withdrawn', lastEventAt: '2026-02-01T00:00:00.000Z' });
		expect(await ledger.currentConsent(PHONE, 'shippingStatus')).toMatchObject({ granted: false, reason: 'optedOut' });
	});

	it('uses the table another worker created when its own create loses the race', async () => {
		const { ctx, tables, calls } = fakeN8n({ otherWorkerCreates: true });
		const ledger = await ConsentLedger.open(ctx);
		await ledger.recordEvents([{ contact: PHONE, purpose: 'allUtility', action: 'optOut' }]);
		expect(tables.filter((t) => t.name === 'wa_consent_events')).toHaveLength(1);
		expect(tables[0].rows).toHaveLength(1);
		expect(calls.filter((c) => c === 'GET /data-tables').length).toBeGreaterThanOrEqual(2);
	});

	it('erases: a tombstone with only the keyed hash stays, everything else goes', async () => {
		const { ctx, tables } = fakeN8n();
		const ledger = await ConsentLedger.open(ctx);
		await ledger.recordEvents([
			{ contact: PHONE, purpose: 'shippingStatus', action: 'optIn', source: 'checkout form', proofWording: 'Send me delivery updates from Example Shop' },
			{ contact: '+4915123456002', purpose: 'shippingStatus', action: 'optOut' },
		]);
		await ledger.recordInbound(PHONE, 1_764_000_000);
		const result = await ledger.erase(PHONE);
		expect(result).toMatchObject({ deletedEvents: 1, deletedStateRows: 2 });
		const all = [...tables[0].rows, ...tables[1].rows];
		expect(all.filter((r) => r.contactId === PHONE)).toEqual([]);
		expect(tables[0].rows.filter((r) => r.contactKey === result.contactKey)).toEqual([
			expect.objectContaining({ action: 'erase', contactId: '', proofWording: '' }),
		]);
		expect(tables[0].rows.filter((r) => r.contactId === '+4915123456002')).toHaveLength(1);
		expect(await ledger.currentConsent(PHONE, 'shippingStatus')).toMatchObject({ granted: false, reason: 'erased' });
	});

	it('records the service window forward only', async () => {
		const { ctx } = fakeN8n();
		const ledger = await ConsentLedger.open(ctx);
		await ledger.recordInbound(PHONE, '2026-11-25T10:00:00Z');
		await ledger.recordInbound(PHONE, '2026-11-25T09:00:00Z');
		expect(await ledger.serviceWindowOf(PHONE)).toEqual({ lastInboundAt: '2026-11-25T10:00:00.000Z', windowExpiresAt: '2026-11-26T10:00:00.000Z' });
	});

	it('refuses a short contact key secret and explains HTTP errors', async () => {
		const { ctx } = fakeN8n();
		(ctx as any).getCredentials = async () => ({ baseUrl: 'http://x', apiKey: 'k', contactKeySecret: 'short' });
		await expect(ConsentLedger.open(ctx)).rejects.toThrow(LedgerError);
		expect(ledgerHttpError(403, { message: 'Forbidden' }, 'listing').fix).toMatch(/dataTableRow:create/);
		expect(ledgerHttpError(401, {}, 'listing').fix).toMatch(/API key/);
	});
});
