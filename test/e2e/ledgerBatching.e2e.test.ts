/**
 * The consent ledger in batches (issue 17): Send Notification and Check Consent ask the ledger a few times per run,
 * not several times per item. Requests are counted at a proxy between the ledger credential and the real n8n.
 */
import { randomBytes } from 'node:crypto';

import type { Emulator } from '../../dev/emulator';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	checkConsentNode,
	createLedgerCredential,
	dataTableRows,
	dataTablesNamed,
	graphRequests,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	startEmulatorWithCredential,
	type SavedCredential,
} from './context';
import { CountingProxy } from '../../dev/countingProxy';

type Json = Record<string, any>;

const SECRET = 'e2e-ledger-batching-secret-0123456789';
const CONTACTS = 90;

describe('the consent ledger in batches (real n8n)', () => {
	const n8n = sharedN8n();
	const prefix = `e2ebatch_${randomBytes(3).toString('hex')}`;
	const phones = Array.from(
		{ length: CONTACTS },
		(_, i) => `+4915127${String(process.pid % 100).padStart(2, '0')}${String(1000 + i)}`,
	);
	const strangers = [
		`+4915127${String(process.pid % 100).padStart(2, '0')}9998`,
		`+4915127${String(process.pid % 100).padStart(2, '0')}9999`,
	];
	let emulator: Emulator;
	let proxy: CountingProxy;
	let cloud: SavedCredential;
	let ledger: SavedCredential;
	let optInRequests = 0;

	beforeAll(async () => {
		proxy = new CountingProxy(n8n.url);
		await proxy.start();
		({ emulator, credential: cloud } = await startEmulatorWithCredential(n8n, 'batching'));
		ledger = await createLedgerCredential(n8n, `ledger ${prefix}`, prefix, SECRET, { baseUrl: proxy.url });
		const run = await runOnce(
			n8n,
			checkConsentNode(ledger, {
				operation: 'recordOptIn',
				purpose: 'allUtility',
				source: 'checkout form',
				proofWording: 'Send me order updates on WhatsApp',
				proofVersion: 'v1',
			}),
			phones.map((phone) => ({ phone })),
		);
		expect(run.status).toBe(200);
		optInRequests = proxy.total();
	}, 120_000);
	afterAll(async () => {
		await proxy.close();
		await emulator.close();
	});

	const sendNode = () =>
		shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledger },
			{ body_1: 'Sam', body_2: '={{ $json.order }}', body_3: 'Monday', button_0_url: '={{ $json.order }}' },
			{
				useConsentLedger: true,
				options: { messagesPerSecond: 200, idempotencyKey: `=${prefix}-{{ $json.order }}-{{ $json.phone }}` },
			},
		);

	it('Record Opt-In of new contacts: one event insert, the state rows read and inserted in bulk', async () => {
		// Before: per event a conditional update, a read and an insert (3 × 90), after the event insert. Now about ten,
		// creating the two tables included.
		expect(optInRequests).toBeLessThanOrEqual(15);
		const [table] = await dataTablesNamed(n8n, `${prefix}_contact_state`);
		const rows = await dataTableRows(n8n, table.id);
		const granted = rows.filter((r) => r.purpose === 'allUtility' && r.consent === 'granted');
		expect(new Set(granted.map((r) => r.contactId))).toEqual(new Set(phones));
		expect(granted).toHaveLength(CONTACTS);
	});

	it('Check Consent reads the contacts of a run in a few requests, answers in input order', async () => {
		const items = [strangers[0], ...phones].map((phone) => ({ phone }));
		proxy.reset();
		const run = await runOnce(n8n, checkConsentNode(ledger, { operation: 'check', purpose: 'shippingStatus' }), items);
		expect(run.status).toBe(200);
		const out = run.body as Json[];
		expect(out.map((o) => o.phone)).toEqual(items.map((i) => i.phone));
		expect(out.map((o) => o.consent.granted)).toEqual([false, ...phones.map(() => true)]);
		// One read per contact before (91); now one per KEYS_PER_READ contacts.
		console.log(
			`Check Consent, ${items.length} items: ${proxy.total()} ledger requests ${JSON.stringify(Object.fromEntries(proxy.counts))}`,
		);
		expect(proxy.total()).toBeLessThanOrEqual(Math.ceil(items.length * 0.1));
	}, 120_000);

	it('Send Notification: ledger work in batches, output in input order, a re-run is all duplicates', async () => {
		const items = [
			{ phone: strangers[1], order: 'SO-0' },
			...phones.map((phone, i) => ({ phone, order: `SO-${i + 1}` })),
		];
		emulator.state.requests.length = 0;
		proxy.reset();
		const run = await runOnce(n8n, sendNode(), items);
		expect(run.status).toBe(200);
		const out = run.body as Json[];
		expect(out[0]).toMatchObject({ skipped: 'no consent', to: strangers[1] });
		expect(out.slice(1).map((o) => o.to)).toEqual(phones);
		expect(out.slice(1).every((o) => o.duplicate === false && /^wamid\./.test(o.messageId))).toBe(true);
		const accepted = () => graphRequests(emulator, 'POST', '/messages').filter((r) => r.status === 200);
		expect(accepted()).toHaveLength(CONTACTS);
		console.log(
			`Send Notification, ${items.length} items: ${proxy.total()} ledger requests ${JSON.stringify(Object.fromEntries(proxy.counts))}`,
		);
		// Six requests per notification before (consent, window, key read, claim, read back, outcome).
		expect(proxy.total()).toBeLessThanOrEqual(Math.ceil(CONTACTS * 0.3));

		proxy.reset();
		const again = await runOnce(n8n, { ...sendNode(), onError: 'continueRegularOutput' }, items);
		const second = again.body as Json[];
		expect(second.slice(1).map((o) => [o.to, o.duplicate, o.messageId])).toEqual(
			out.slice(1).map((o) => [o.to, true, o.messageId]),
		);
		expect(accepted()).toHaveLength(CONTACTS);
	}, 180_000);
});
