/** The ledger client against an in-memory stand-in for n8n's public data-table API (real n8n: e2e). */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import {
	CLOUD_LEDGER_CREDENTIAL_TYPE,
	ConsentLedger,
	KEY_CHECK_PURPOSE,
	LEDGER_CREDENTIAL_TYPE,
	LedgerError,
	RecordingInterrupted,
	clearTableCache,
	contactKeyOf,
	contactKeySecretFingerprint,
	ledgerHttpError,
} from '../../nodes/shared/io/ledger';

type Row = Record<string, any>;
interface Filter {
	type?: string;
	filters: Array<{ columnName: string; condition: string; value: any }>;
}

function matches(row: Row, filter: Filter): boolean {
	const test =
		filter.type === 'or' ? filter.filters.some.bind(filter.filters) : filter.filters.every.bind(filter.filters);
	return test(({ columnName, condition, value }) => {
		const cell = row[columnName];
		switch (condition) {
			case 'eq':
				return cell === value;
			case 'neq':
				return cell !== value;
			case 'lt':
				return cell !== null && cell !== undefined && cell < value;
			case 'lte':
				return cell !== null && cell !== undefined && cell <= value;
			default:
				throw new Error(`condition ${condition} not faked`);
		}
	});
}

/**
 * Just enough of /api/v1/data-tables for the ledger, as n8n 2.41 answers the instance owner's key: it lists the
 * tables of every project, creates a table without projectId in the owner's personal project ('p-owner'), and
 * answers 409 when the name is taken in that project. `otherWorkerCreates` simulates a create race.
 */
type FakeTable = {
	id: string;
	name: string;
	projectId: string;
	columns: Array<{ name: string; type: string }>;
	rows: Row[];
};
let nextRow = 1;

function fakeN8n(
	opts: {
		otherWorkerCreates?: boolean;
		projectId?: string;
		/** Another credential's view of the same n8n (its tables). */
		tables?: FakeTable[];
		credentialType?: string;
		credentials?: Record<string, unknown>;
		/** Runs once, after an update that matched no row answered: another writer acting in between. */
		onUpdateMiss?: () => Promise<void>;
		/**
		 * A failing n8n for the request "METHOD /path" (the nth such request, from 1): an HTTP status, or 'lost' (the
		 * request is carried out but its answer never arrives: the connection drops).
		 */
		fault?: (call: string, nth: number) => number | 'lost' | undefined;
	} = {},
) {
	const tables: FakeTable[] = opts.tables ?? [];
	const calls: string[] = [];
	const answer = (statusCode: number, body: unknown) => ({ statusCode, body });
	const handler = async (credentialType: string, req: IHttpRequestOptions) => {
		expect(credentialType).toBe(opts.credentialType ?? LEDGER_CREDENTIAL_TYPE);
		const path = String(req.url).replace('http://n8n.test:5678/api/v1', '');
		calls.push(`${req.method} ${path}`);
		const fault = opts.fault?.(`${req.method} ${path}`, calls.filter((c) => c === `${req.method} ${path}`).length);
		if (typeof fault === 'number') return answer(fault, { message: 'Internal Server Error' });
		if (fault === 'lost') {
			await route(req);
			throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		}
		return await route(req);
	};
	const route = async (req: IHttpRequestOptions) => {
		const path = String(req.url).replace('http://n8n.test:5678/api/v1', '');
		const qs = (req.qs ?? {}) as Record<string, any>;
		const body = (req.body ?? {}) as Record<string, any>;
		if (path === '/data-tables' && req.method === 'GET') {
			const filter = qs.filter ? JSON.parse(qs.filter) : {};
			const data = tables.filter(
				(t) => (!filter.name || t.name === filter.name) && (!filter.projectId || t.projectId === filter.projectId),
			);
			return answer(200, { data: data.map(({ rows: _rows, ...t }) => t), nextCursor: null });
		}
		if (path === '/data-tables' && req.method === 'POST') {
			const projectId = body.projectId ?? 'p-owner';
			if (opts.otherWorkerCreates) {
				opts.otherWorkerCreates = false;
				tables.push({ id: `t${tables.length + 1}`, name: body.name, projectId, columns: body.columns, rows: [] });
			}
			if (tables.some((t) => t.name === body.name && t.projectId === projectId)) {
				return answer(409, { message: `Data table with name '${body.name}' already exists in this project` });
			}
			const table = { id: `t${tables.length + 1}`, name: body.name, projectId, columns: body.columns, rows: [] };
			tables.push(table);
			return answer(201, { ...table, rows: undefined });
		}
		const m = /^\/data-tables\/(\w+)\/rows(?:\/(\w+))?$/.exec(path);
		const table = m && tables.find((t) => t.id === m[1]);
		if (!table) return answer(404, { message: 'not found' });
		const op = m![2];
		if (!op && req.method === 'POST') {
			for (const row of body.data) table.rows.push({ id: nextRow++, ...row });
			return answer(200, { count: body.data.length });
		}
		if (!op && req.method === 'GET')
			return answer(200, { data: table.rows.filter((r) => matches(r, JSON.parse(qs.filter))), nextCursor: null });
		if (op === 'update') {
			const hit = table.rows.filter((r) => matches(r, body.filter));
			for (const r of hit) Object.assign(r, body.data);
			const otherWriter = hit.length === 0 ? opts.onUpdateMiss : undefined;
			if (otherWriter) {
				opts.onUpdateMiss = undefined;
				await otherWriter();
			}
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
		getCredentials: async (type: string) => {
			expect(type).toBe(opts.credentialType ?? LEDGER_CREDENTIAL_TYPE);
			return (
				opts.credentials ?? {
					baseUrl: 'http://n8n.test:5678/',
					apiKey: 'key',
					contactKeySecret: 'unit-secret-0123456789',
					tablePrefix: 'wa',
					projectId: opts.projectId ?? '',
				}
			);
		},
		helpers: { httpRequestWithAuthentication: handler },
	} as unknown as IExecuteFunctions;
	return { ctx, tables, calls, opts };
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
		await ledger.recordEvents([
			{ contact: PHONE, purpose: 'allUtility', action: 'optOut', capturedAt: '2026-02-01T00:00:00Z' },
		]);
		const late = await ledger.recordEvents([
			{
				contact: PHONE,
				purpose: 'allUtility',
				action: 'optIn',
				source: 'import',
				proofWording: 'Send me updates from Example Shop',
				capturedAt: '2026-01-01T00:00:00Z',
			},
			{ contact: PHONE, purpose: 'allUtility', action: 'optIn', source: 'import', proofWording: 'yes' },
		]);
		expect(late.recorded).toHaveLength(1);
		expect(late.refused).toEqual([expect.objectContaining({ index: 1 })]);
		expect(tables.map((t) => t.name)).toEqual(['wa_consent_events', 'wa_contact_state']);
		expect(tables[0].rows).toHaveLength(2);
		expect(tables[0].rows[0]).toMatchObject({ workflowId: 'wf1', executionId: '7', contactId: PHONE });
		const consentRows = tables[1].rows.filter((r) => r.purpose !== KEY_CHECK_PURPOSE);
		expect(consentRows).toHaveLength(1);
		expect(consentRows[0]).toMatchObject({ consent: 'withdrawn', lastEventAt: '2026-02-01T00:00:00.000Z' });
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
			{
				contact: PHONE,
				purpose: 'shippingStatus',
				action: 'optIn',
				source: 'checkout form',
				proofWording: 'Send me delivery updates from Example Shop',
			},
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
		expect(await ledger.serviceWindowOf(PHONE)).toEqual({
			lastInboundAt: '2026-11-25T10:00:00.000Z',
			windowExpiresAt: '2026-11-26T10:00:00.000Z',
		});
	});

	describe('a first state row another writer inserts between our update and our read', () => {
		const at = (minute: number) => new Date(Date.parse('2026-06-01T00:00:00Z') + minute * 60_000).toISOString();
		const optIn = (minute: number) => ({
			contact: PHONE,
			purpose: 'shippingStatus' as const,
			action: 'optIn' as const,
			source: 'checkout form',
			proofWording: 'Send me delivery updates from Example Shop',
			capturedAt: at(minute),
		});
		const optOut = (minute: number) => ({
			contact: PHONE,
			purpose: 'shippingStatus' as const,
			action: 'optOut' as const,
			capturedAt: at(minute),
		});
		/** Our write, with the other writer's write run at the moment our first update misses. */
		async function raceWrites(
			ours: (ledger: ConsentLedger) => Promise<unknown>,
			theirs: (ledger: ConsentLedger) => Promise<unknown>,
		) {
			const fake = fakeN8n();
			const ledger = await ConsentLedger.open(fake.ctx);
			const other = await ConsentLedger.open(fake.ctx);
			fake.opts.onUpdateMiss = async () => {
				await theirs(other);
			};
			await ours(ledger);
			expect(fake.opts.onUpdateMiss).toBeUndefined();
			return { ledger, fake };
		}
		const race = (ours: object[], theirs: object[]) =>
			raceWrites(
				(ledger) => ledger.recordEvents(ours as never),
				(other) => other.recordEvents(theirs as never),
			);

		it('an older opt-in does not hide our newer opt-out: the state says withdrawn', async () => {
			const { ledger } = await race([optOut(11)], [optIn(8)]);
			expect(await ledger.contactState(PHONE)).toEqual([
				expect.objectContaining({ purpose: 'shippingStatus', consent: 'withdrawn', lastEventAt: at(11) }),
			]);
			expect(await ledger.currentConsent(PHONE, 'shippingStatus')).toMatchObject({ granted: false });
		});

		it('an older opt-out does not hide our newer opt-in', async () => {
			const { ledger } = await race([optIn(11)], [optOut(8)]);
			expect(await ledger.contactState(PHONE)).toEqual([
				expect.objectContaining({ consent: 'granted', lastEventAt: at(11) }),
			]);
		});

		it('a batch with two events of the pair, newest first, ends at the newest', async () => {
			const { ledger } = await race([optIn(11), optIn(4)], [optIn(8)]);
			expect(await ledger.contactState(PHONE)).toEqual([expect.objectContaining({ lastEventAt: at(11) })]);
		});

		it('a newer row of the other writer stays, and costs no second update', async () => {
			const { ledger, fake } = await race([optIn(8)], [optOut(11)]);
			expect(await ledger.contactState(PHONE)).toEqual([
				expect.objectContaining({ consent: 'withdrawn', lastEventAt: at(11) }),
			]);
			const stateUpdates = fake.calls.filter((c) => c === `PATCH /data-tables/${fake.tables[1].id}/rows/update`);
			expect(stateUpdates).toHaveLength(2); // ours (missed) and the other writer's (missed): none repeated
		});

		it('the service window: an older inbound time does not hide ours', async () => {
			const { ledger } = await raceWrites(
				(ledger) => ledger.recordInbound(PHONE, '2026-11-25T10:00:00Z'),
				(other) => other.recordInbound(PHONE, '2026-11-25T09:00:00Z'),
			);
			expect(await ledger.serviceWindowOf(PHONE)).toEqual({
				lastInboundAt: '2026-11-25T10:00:00.000Z',
				windowExpiresAt: '2026-11-26T10:00:00.000Z',
			});
		});
	});

	describe('a recording that fails part-way says which events are in the ledger', () => {
		// 250 opt-ins of 250 contacts: three insert requests of 100, 100 and 50 events.
		const inputs = Array.from({ length: 250 }, (_, i) => ({
			contact: `+45${String(20_000_000 + i)}`, // Danish numbers: 8 digits after +45
			purpose: 'shippingStatus' as const,
			action: 'optIn' as const,
			source: 'checkout form',
			proofWording: 'Send me delivery updates',
			proofReference: `SO-${i}`,
		}));
		const range = (from: number, to: number) => Array.from({ length: to - from }, (_, n) => from + n);
		const eventsInsert = (fake: ReturnType<typeof fakeN8n>, call: string) =>
			call === `POST /data-tables/${fake.tables[0]?.id}/rows`;

		async function recordWithFault(fault: number | 'lost', onInsert: number) {
			const fake = fakeN8n();
			fake.opts.fault = (call, nth) => (eventsInsert(fake, call) && nth === onInsert ? fault : undefined);
			const ledger = await ConsentLedger.open(fake.ctx);
			const error = await ledger.recordEvents(inputs).then(
				() => undefined,
				(e: unknown) => e,
			);
			return { fake, ledger, error };
		}

		it('n8n refuses the second request: the first 100 are recorded (state too), the other 150 are not', async () => {
			const { fake, ledger, error } = await recordWithFault(503, 2);
			expect(error).toBeInstanceOf(RecordingInterrupted);
			const interrupted = error as RecordingInterrupted;
			expect(interrupted.partial.recordedIndexes).toEqual(range(0, 100));
			expect(interrupted.partial.recorded.map((e) => e.proofReference)).toEqual(range(0, 100).map((i) => `SO-${i}`));
			expect(interrupted.uncertainIndexes).toEqual([]);
			expect(interrupted.notStoredIndexes).toEqual(range(100, 250));
			expect(interrupted.message).toMatch(
				/100 of 250 events were recorded\. The n8n data-table API refused .*HTTP 503/,
			);
			expect(interrupted.fix).toMatch(/run the items that were not recorded again/);
			expect(fake.tables[0].rows.map((r) => r.proofReference)).toEqual(range(0, 100).map((i) => `SO-${i}`));
			expect(await ledger.currentConsent(inputs[99].contact, 'shippingStatus')).toMatchObject({ granted: true });
			expect(await ledger.contactState(inputs[99].contact)).toEqual([expect.objectContaining({ consent: 'granted' })]);
			expect(await ledger.currentConsent(inputs[100].contact, 'shippingStatus')).toMatchObject({ granted: false });
		});

		it('the answer to the second request is lost: its 100 may be recorded (here they are), the last 50 are not', async () => {
			const { fake, error } = await recordWithFault('lost', 2);
			const interrupted = error as RecordingInterrupted;
			expect(interrupted).toBeInstanceOf(RecordingInterrupted);
			expect(interrupted.partial.recordedIndexes).toEqual(range(0, 100));
			expect(interrupted.uncertainIndexes).toEqual(range(100, 200));
			expect(interrupted.notStoredIndexes).toEqual(range(200, 250));
			expect(interrupted.message).toMatch(/100 of 250 events were recorded, 100 may have been\./);
			expect(fake.tables[0].rows).toHaveLength(200);
		});

		it('the first request refused: nothing is recorded and the error is n8n’s own', async () => {
			const { fake, error } = await recordWithFault(500, 1);
			expect(error).toBeInstanceOf(LedgerError);
			expect(error).not.toBeInstanceOf(RecordingInterrupted);
			expect((error as LedgerError).message).toMatch(/HTTP 500/);
			expect(fake.tables[0].rows).toHaveLength(0);
		});

		it('the answer to the only request is lost: all may be recorded', async () => {
			const fake = fakeN8n();
			fake.opts.fault = (call) => (eventsInsert(fake, call) ? 'lost' : undefined);
			const ledger = await ConsentLedger.open(fake.ctx);
			const error = await ledger.recordEvents(inputs.slice(0, 3)).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(RecordingInterrupted);
			expect((error as RecordingInterrupted).uncertainIndexes).toEqual([0, 1, 2]);
			expect((error as RecordingInterrupted).partial.recorded).toEqual([]);
		});

		it('events stored but the state rows not moved: recorded, with stateNotUpdated, and consent reads the events', async () => {
			const fake = fakeN8n();
			const ledger = await ConsentLedger.open(fake.ctx);
			// The state table fails once the events are in (the key check before them goes through).
			let eventsStored = false;
			fake.opts.fault = (call) => {
				const [events, state] = ['wa_consent_events', 'wa_contact_state'].map(
					(name) => `/data-tables/${fake.tables.find((t) => t.name === name)?.id}/rows`,
				);
				if (call === `POST ${events}`) eventsStored = true;
				return eventsStored && (call === `POST ${state}` || call === `PATCH ${state}/update`) ? 503 : undefined;
			};
			const result = await ledger.recordEvents([
				{ ...inputs[0], capturedAt: '2026-06-01T00:00:00Z' },
				{ contact: inputs[0].contact, purpose: 'shippingStatus', action: 'optOut', capturedAt: '2026-06-01T00:05:00Z' },
			]);
			expect(result.recorded).toHaveLength(2);
			expect(result.stateNotUpdated?.message).toMatch(/HTTP 503/);
			expect(fake.tables[0].rows).toHaveLength(2);
			expect(await ledger.currentConsent(inputs[0].contact, 'shippingStatus')).toMatchObject({
				granted: false,
				reason: 'optedOut',
			});
		});
	});

	it('refuses a short contact key secret and explains HTTP errors', async () => {
		const { ctx } = fakeN8n();
		(ctx as any).getCredentials = async () => ({ baseUrl: 'http://x', apiKey: 'k', contactKeySecret: 'short' });
		await expect(ConsentLedger.open(ctx)).rejects.toThrow(LedgerError);
		expect(ledgerHttpError(403, { message: 'Forbidden' }, 'listing').fix).toMatch(/dataTableRow:create/);
		expect(ledgerHttpError(401, {}, 'listing').fix).toMatch(/API key/);
	});
	describe("Project ID empty: only the API key owner's personal project", () => {
		/** A ledger table of the same name in another user's personal project, older than ours (the owner's key sees it). */
		function withForeignTable(fake: ReturnType<typeof fakeN8n>) {
			const foreign = { id: 'tm', name: 'wa_consent_events', projectId: 'p-member', columns: [], rows: [] as Row[] };
			fake.tables.push(foreign);
			return foreign;
		}

		it('never records in a table of that name found in another project; says to set Project ID', async () => {
			const fake = fakeN8n();
			const foreign = withForeignTable(fake);
			const ledger = await ConsentLedger.open(fake.ctx);
			const recording = ledger.recordEvents([{ contact: PHONE, purpose: 'allUtility', action: 'optOut' }]);
			await expect(recording).rejects.toThrow(/several n8n projects \(p-owner, p-member\)/);
			await expect(recording).rejects.toMatchObject({
				fix: expect.stringMatching(/Set Project ID .*personal project is p-owner/),
			});
			expect(foreign.rows).toEqual([]);
		});

		it('records in the personal project once Project ID names it', async () => {
			const fake = fakeN8n({ projectId: 'p-owner' });
			const foreign = withForeignTable(fake);
			const ledger = await ConsentLedger.open(fake.ctx);
			await ledger.recordEvents([{ contact: PHONE, purpose: 'allUtility', action: 'optOut' }]);
			expect(foreign.rows).toEqual([]);
			const own = fake.tables.find((t) => t.name === 'wa_consent_events' && t.projectId === 'p-owner');
			expect(own?.rows).toHaveLength(1);
		});

		it("uses the personal project's existing table when it is the only one of that name", async () => {
			const fake = fakeN8n();
			const first = await ConsentLedger.open(fake.ctx);
			await first.recordEvents([{ contact: PHONE, purpose: 'allUtility', action: 'optOut' }]);
			clearTableCache(); // a new process: the table is found again
			const again = await ConsentLedger.open(fake.ctx);
			expect(await again.currentConsent(PHONE, 'shippingStatus')).toMatchObject({ granted: false, reason: 'optedOut' });
			expect(fake.tables.filter((t) => t.name === 'wa_consent_events')).toHaveLength(1);
		});

		it('with Project ID set, never uses a table of another project, even when it is the only one', async () => {
			const fake = fakeN8n({ projectId: 'p-team' });
			const foreign = withForeignTable(fake);
			const ledger = await ConsentLedger.open(fake.ctx);
			await ledger.recordEvents([{ contact: PHONE, purpose: 'allUtility', action: 'optOut' }]);
			expect(foreign.rows).toEqual([]);
			expect(fake.tables.find((t) => t.name === 'wa_consent_events' && t.projectId === 'p-team')?.rows).toHaveLength(1);
		});
	});

	describe('rows this version cannot read never count as consent (fail closed)', () => {
		async function ledgerWithRows(rows: Row[]) {
			const fake = fakeN8n();
			const ledger = await ConsentLedger.open(fake.ctx);
			const key = ledger.contactKey(PHONE).key;
			await ledger.eventsTable();
			const table = fake.tables.find((t) => t.name === 'wa_consent_events')!;
			const base = {
				contactKey: key,
				contactId: PHONE,
				source: 'import',
				proofWording: 'Send me updates from Example Shop',
				capturedAt: '2026-11-01T10:00:00.000Z',
				recordedAt: '2026-11-01T10:00:00.000Z',
			};
			rows.forEach((row, i) => table.rows.push({ id: 1000 + i, eventId: `row${i}`, ...base, ...row }));
			return ledger;
		}

		it.each([
			['a misspelt purpose', { purpose: 'shipping', action: 'optIn' }],
			['an empty purpose', { purpose: '', action: 'optIn' }],
			['a purpose of a newer version', { purpose: 'loyaltyPoints', action: 'optIn' }],
			['an opt-in without a readable time', { purpose: 'allUtility', action: 'optIn', capturedAt: 'yesterday' }],
		])('an opt-in with %s grants nothing', async (_label, row) => {
			const ledger = await ledgerWithRows([row]);
			for (const purpose of ['shippingStatus', 'allUtility'] as const) {
				expect(await ledger.currentConsent(PHONE, purpose)).toMatchObject({ granted: false, reason: 'noRecord' });
			}
		});

		it.each([['opt-in'], ['OPTIN'], ['grant'], ['']])(
			'an unknown action "%s" never grants and withdraws an older opt-in',
			async (action) => {
				const ledger = await ledgerWithRows([
					{ purpose: 'allUtility', action: 'optIn', capturedAt: '2026-10-01T10:00:00.000Z' },
					{ purpose: 'shippingStatus', action },
				]);
				expect(await ledger.currentConsent(PHONE, 'shippingStatus')).toMatchObject({
					granted: false,
					reason: 'optedOut',
				});
				expect(await ledger.currentConsent(PHONE, 'paymentRequest')).toMatchObject({
					granted: false,
					reason: 'optedOut',
				});
			},
		);

		it('an opt-out of an unknown purpose withdraws everything', async () => {
			const ledger = await ledgerWithRows([
				{ purpose: 'allUtility', action: 'optIn', capturedAt: '2026-10-01T10:00:00.000Z' },
				{ purpose: 'shipping', action: 'optOut' },
			]);
			expect(await ledger.currentConsent(PHONE, 'shippingStatus')).toMatchObject({
				granted: false,
				reason: 'optedOut',
			});
		});

		it('known purposes and actions still grant', async () => {
			const ledger = await ledgerWithRows([{ purpose: 'shippingStatus', action: 'optIn' }]);
			expect(await ledger.currentConsent(PHONE, 'shippingStatus')).toMatchObject({ granted: true, reason: 'optedIn' });
		});
	});
	describe('one person, two ids: phone number and business-scoped user id', () => {
		const BSUID = 'DK.13491208655302741918';
		const WA = { waId: '4512345678' };
		const USER = { userId: BSUID };
		const OPT_IN = {
			purpose: 'allUtility',
			action: 'optIn' as const,
			source: 'checkout form',
			proofWording: 'Send me delivery updates from Example Shop',
			capturedAt: '2026-11-01T10:00:00Z',
		};

		it('a STOP under the user id alone stops sends addressed to the linked phone number', async () => {
			const { ctx } = fakeN8n();
			const ledger = await ConsentLedger.open(ctx);
			await ledger.recordEvents([{ contact: '+4512345678', ...OPT_IN }]);
			expect(await ledger.linkIdentities(WA, USER)).toBe(true);
			await ledger.recordEvents([
				{ contact: USER, purpose: 'allUtility', action: 'optOut', capturedAt: '2026-11-02T10:00:00Z' },
			]);
			expect(await ledger.currentConsent('+4512345678', 'shippingStatus')).toMatchObject({
				granted: false,
				reason: 'optedOut',
			});
			expect(await ledger.currentConsent(BSUID, 'shippingStatus')).toMatchObject({
				granted: false,
				reason: 'optedOut',
			});
		});

		it('and the other way round: a STOP under the phone number stops sends to the user id', async () => {
			const { ctx } = fakeN8n();
			const ledger = await ConsentLedger.open(ctx);
			await ledger.recordEvents([{ contact: BSUID, ...OPT_IN }]);
			await ledger.linkIdentities(WA, USER);
			await ledger.recordEvents([
				{ contact: WA, purpose: 'allUtility', action: 'optOut', capturedAt: '2026-11-02T10:00:00Z' },
			]);
			expect(await ledger.currentConsent(BSUID, 'shippingStatus')).toMatchObject({
				granted: false,
				reason: 'optedOut',
			});
		});

		it('writes a link once, however often the pair is seen; unlinked ids stay apart', async () => {
			const { ctx, tables } = fakeN8n();
			const ledger = await ConsentLedger.open(ctx);
			await ledger.linkIdentities(WA, USER);
			expect(await ledger.linkIdentities(WA, USER)).toBe(false);
			clearTableCache(); // another process reads the stored link instead of writing it again
			const other = await ConsentLedger.open(ctx);
			expect(await other.linkIdentities(WA, USER)).toBe(false);
			expect(
				tables.find((t) => t.name === 'wa_contact_state')!.rows.filter((r) => r.purpose === 'identityLink'),
			).toHaveLength(2);
			await other.recordEvents([{ contact: 'GB.99991208655302741918', purpose: 'allUtility', action: 'optOut' }]);
			await other.recordEvents([{ contact: '+4512345678', ...OPT_IN }]);
			expect(await other.currentConsent('+4512345678', 'shippingStatus')).toMatchObject({ granted: true });
		});

		it('the window opened under one id is open for the other', async () => {
			const { ctx } = fakeN8n();
			const ledger = await ConsentLedger.open(ctx);
			await ledger.linkIdentities(WA, USER);
			await ledger.recordInbound(USER, '2026-11-25T10:00:00Z');
			expect(await ledger.serviceWindowOf('+4512345678')).toEqual({
				lastInboundAt: '2026-11-25T10:00:00.000Z',
				windowExpiresAt: '2026-11-26T10:00:00.000Z',
			});
		});

		it('erasing one id erases the linked id and the links', async () => {
			const { ctx, tables } = fakeN8n();
			const ledger = await ConsentLedger.open(ctx);
			await ledger.recordEvents([
				{ contact: '+4512345678', ...OPT_IN },
				{ contact: BSUID, ...OPT_IN },
			]);
			await ledger.linkIdentities(WA, USER);
			const result = await ledger.erase('+4512345678');
			expect(result).toMatchObject({ linkedIdsErased: 1, deletedEvents: 2 });
			const all = [...tables[0].rows, ...tables[1].rows];
			expect(all.filter((r) => r.contactId === BSUID || r.contactId === '+4512345678')).toEqual([]);
			expect(all.filter((r) => r.purpose === 'identityLink')).toEqual([]);
			expect(await ledger.currentConsent(BSUID, 'shippingStatus')).toMatchObject({ granted: false, reason: 'erased' });
		});
	});
});

describe('the ledger through the WhatsApp Cloud API credential, and one Contact Key Secret per ledger', () => {
	beforeEach(() => clearTableCache());
	const cloud = (extra: Record<string, unknown> = {}) => ({
		accessToken: 'meta-token',
		baseUrl: 'https://graph.facebook.com',
		consentLedger: true,
		n8nBaseUrl: 'http://n8n.test:5678/api/v1/',
		n8nApiKey: 'key',
		contactKeySecret: 'unit-secret-0123456789',
		tablePrefix: 'wa',
		projectId: '',
		...extra,
	});

	it('reads the section of the cloud credential and authenticates every request with that credential', async () => {
		const { ctx, tables } = fakeN8n({ credentialType: CLOUD_LEDGER_CREDENTIAL_TYPE, credentials: cloud() });
		const ledger = await ConsentLedger.open(ctx, {}, CLOUD_LEDGER_CREDENTIAL_TYPE);
		expect(ledger.client.settings).toMatchObject({
			baseUrl: 'http://n8n.test:5678',
			tablePrefix: 'wa',
			credentialType: CLOUD_LEDGER_CREDENTIAL_TYPE,
		});
		await ledger.recordEvents([{ contact: PHONE, purpose: 'allUtility', action: 'optOut' }]);
		expect(tables.map((t) => t.name)).toEqual(['wa_consent_events', 'wa_contact_state']);
	});

	it('refuses before any request when the cloud credential’s Consent Ledger section is off, saying how to turn it on', async () => {
		const { ctx, calls } = fakeN8n({
			credentialType: CLOUD_LEDGER_CREDENTIAL_TYPE,
			credentials: cloud({ consentLedger: false }),
		});
		const refused = await ConsentLedger.open(ctx, {}, CLOUD_LEDGER_CREDENTIAL_TYPE).catch((e: LedgerError) => e);
		expect(refused).toBeInstanceOf(LedgerError);
		expect((refused as LedgerError).message).toMatch(/^Turn on Consent Ledger in the WhatsApp Cloud API credential/);
		expect((refused as LedgerError).fix).toMatch(
			/turn on Consent Ledger and fill in the n8n Base URL, n8n API Key and Contact Key Secret/,
		);
		expect(calls).toEqual([]);
	});

	it('stores a fingerprint of the secret, never the secret', async () => {
		const { ctx, tables } = fakeN8n();
		const ledger = await ConsentLedger.open(ctx);
		await ledger.currentConsent(PHONE, 'allUtility');
		const check = tables
			.find((t) => t.name === 'wa_contact_state')!
			.rows.filter((r) => r.purpose === KEY_CHECK_PURPOSE);
		expect(check).toEqual([
			expect.objectContaining({ contactKey: contactKeySecretFingerprint('unit-secret-0123456789') }),
		]);
		expect(JSON.stringify(tables)).not.toContain('unit-secret-0123456789');
	});

	it('refuses a credential whose secret differs from the ledger’s, naming the credential and the fix; the same secret works', async () => {
		const ledgerOnly = fakeN8n();
		await (
			await ConsentLedger.open(ledgerOnly.ctx)
		).recordEvents([{ contact: PHONE, purpose: 'allUtility', action: 'optOut' }]);

		clearTableCache();
		const other = fakeN8n({
			tables: ledgerOnly.tables,
			credentialType: CLOUD_LEDGER_CREDENTIAL_TYPE,
			credentials: cloud({ contactKeySecret: 'another-secret-0123456789' }),
		});
		const ledger = await ConsentLedger.open(other.ctx, {}, CLOUD_LEDGER_CREDENTIAL_TYPE);
		const refused = await ledger.currentConsent(PHONE, 'shippingStatus').catch((e: LedgerError) => e);
		expect(refused).toBeInstanceOf(LedgerError);
		expect((refused as LedgerError).message).toMatch(
			/Contact Key Secret of the "WhatsApp Cloud API" credential is not the one/,
		);
		expect((refused as LedgerError).fix).toMatch(/Copy the Contact Key Secret/);
		// Refused again on the next try (a refusal is not cached as a pass).
		await expect(ledger.currentConsent(PHONE, 'shippingStatus')).rejects.toThrow(/not the one/);

		clearTableCache();
		const same = fakeN8n({
			tables: ledgerOnly.tables,
			credentialType: CLOUD_LEDGER_CREDENTIAL_TYPE,
			credentials: cloud(),
		});
		const decision = await (
			await ConsentLedger.open(same.ctx, {}, CLOUD_LEDGER_CREDENTIAL_TYPE)
		).currentConsent(PHONE, 'shippingStatus');
		expect(decision).toMatchObject({ granted: false, reason: 'optedOut' });
	});

	it('two first writers with different secrets: the first row wins for both', async () => {
		const a = fakeN8n();
		const b = fakeN8n({
			tables: a.tables,
			credentials: {
				baseUrl: 'http://n8n.test:5678',
				apiKey: 'key2',
				contactKeySecret: 'b-secret-0123456789',
				tablePrefix: 'wa',
			},
		});
		const [first, second] = await Promise.allSettled([
			ConsentLedger.open(a.ctx).then(async (l) => await l.currentConsent(PHONE, 'allUtility')),
			ConsentLedger.open(b.ctx).then(async (l) => await l.currentConsent(PHONE, 'allUtility')),
		]);
		expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
	});
});
