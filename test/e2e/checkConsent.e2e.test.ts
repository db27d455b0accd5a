/**
 * Check Consent and the consent ledger inside a real n8n: the ledger credential points at this same n8n's public
 * API (data tables are real rows in its SQLite database), shared by separate workflows and concurrent executions.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import {
	E2E_CONTACT_KEY_SECRET,
	LEDGER_CREDENTIAL_TYPE,
	OPT_IN_WORDING as WORDING,
	byContact,
	checkConsentNode,
	checkoutOptInNode,
	contactSequence,
	createLedgerCredential,
	dataTableRows,
	dataTablesNamed,
	executionError,
	ledgerCredentialData,
	nodeOutput,
	runOnce,
	sharedN8n,
	testCredentialInEditor,
	type SavedCredential,
} from './context';
import type { WorkflowNode } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

describe('Check Consent and the consent ledger in real n8n', () => {
	const n8n = sharedN8n();
	const prefix = `e2e_${randomBytes(3).toString('hex')}`;
	let credential: SavedCredential;
	const nextContact = contactSequence('4915129', 3);
	const newPhone = () => nextContact().phone;

	const ledgerData = (overrides: Json = {}) => ledgerCredentialData(n8n, prefix, E2E_CONTACT_KEY_SECRET, overrides);

	beforeAll(async () => {
		credential = await createLedgerCredential(n8n, `ledger ${prefix}`, prefix);
	});

	const consentNode = (parameters: Json, extra: Partial<WorkflowNode> = {}) => ({
		...checkConsentNode(credential, parameters),
		...extra,
	});

	const recordOptIn = (extra: Json = {}) =>
		checkoutOptInNode(credential, '={{ $json.purpose || "allUtility" }}', {
			proofReference: '={{ $json.order || "" }}',
			capturedAt: '={{ $json.at || "" }}',
			...extra,
		});
	const recordOptOut = () =>
		consentNode({
			operation: 'recordOptOut',
			purpose: '={{ $json.purpose || "allUtility" }}',
			source: 'WhatsApp reply STOP',
			capturedAt: '={{ $json.at || "" }}',
		});
	const check = (extra: Json = {}) => consentNode({ operation: 'check', purpose: 'shippingStatus', ...extra });

	async function tableByName(name: string): Promise<Json> {
		const tables = await dataTablesNamed(n8n, name);
		expect(tables).toHaveLength(1);
		return tables[0];
	}
	async function rows(tableName: string, filter?: Json, search?: string): Promise<Json[]> {
		const table = await tableByName(tableName);
		return await dataTableRows(n8n, table.id, { filter, search });
	}

	it('loads the node and its credential; the credential test lists data tables', async () => {
		const ok = await testCredentialInEditor(n8n, LEDGER_CREDENTIAL_TYPE, ledgerData());
		expect(ok.status).toBe('OK');
		const bad = await testCredentialInEditor(n8n, LEDGER_CREDENTIAL_TYPE, ledgerData({ apiKey: 'not-a-key' }));
		expect(bad.status).toBe('Error');
		expect(bad.message).toMatch(/API key/);
	});

	it('sees in one workflow the opt-in recorded by another, with its proof; creates the documented tables', async () => {
		const phone = newPhone();
		const recorded = await runOnce(n8n, recordOptIn(), [
			{ phone: phone.replace('+49', '0049 '), purpose: 'shippingStatus', order: 'SO-1001' },
		]);
		expect(executionError(recorded.execution)).toBeUndefined();
		const [rec] = recorded.body as Json[];
		expect(rec.recorded).toMatchObject({
			contact: phone,
			purpose: 'shippingStatus',
			action: 'optIn',
			source: 'checkout form',
		});
		expect(rec.recorded.proof).toEqual({ wording: WORDING, version: 'checkout-v3', reference: 'SO-1001' });

		const checked = await runOnce(n8n, check(), [
			{ phone },
			{ phone, purposeNote: 'same contact twice' },
			{ phone: newPhone() },
		]);
		const out = checked.body as Json[];
		expect(out).toHaveLength(3);
		expect(out[0].consent).toMatchObject({
			granted: true,
			purpose: 'shippingStatus',
			reason: 'optedIn',
			source: 'checkout form',
		});
		expect(out[0].consent.proof).toEqual({ wording: WORDING, version: 'checkout-v3', reference: 'SO-1001' });
		expect(out[1].consent.granted).toBe(true);
		expect(out[2].consent).toMatchObject({ granted: false, reason: 'noRecord' });
		const paired = nodeOutput(checked.execution, 'Node Under Test').map((i: Json) => i.pairedItem);
		expect(paired).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);

		const events = await tableByName(`${prefix}_consent_events`);
		expect(events.columns.map((c: Json) => c.name)).toEqual(
			expect.arrayContaining([
				'eventId',
				'contactKey',
				'contactId',
				'purpose',
				'action',
				'source',
				'proofWording',
				'proofVersion',
				'proofReference',
				'capturedAt',
				'recordedAt',
				'workflowId',
				'executionId',
			]),
		);
		const [row] = await rows(`${prefix}_consent_events`, byContact(phone));
		expect(row).toMatchObject({ contactId: phone, action: 'optIn', workflowId: recorded.workflowId });
		expect(row.executionId).not.toBe('');
		expect(row.contactKey).toMatch(/^[0-9a-f]{64}$/);
		const [state] = await rows(`${prefix}_contact_state`, byContact(phone));
		expect(state).toMatchObject({ purpose: 'shippingStatus', consent: 'granted' });
	});

	it('refuses a vague opt-in with a fix, and reports it per item with continue-on-fail', async () => {
		const phone = newPhone();
		const failed = await runOnce(n8n, recordOptIn({ proofWording: 'yes' }), [{ phone }]);
		const error = executionError(failed.execution);
		expect(error?.message).toMatch(/Not recorded: The proof wording "yes"/);
		expect(error?.description).toMatch(/exact sentence/);

		const none = await runOnce(
			n8n,
			{ ...recordOptIn({ source: '={{ $json.source }}' }), onError: 'continueRegularOutput' },
			[
				{ phone, source: 'unknown' },
				{ phone, source: 'account settings page' },
			],
		);
		const out = none.body as Json[];
		expect(out).toHaveLength(2);
		expect(out[0].error.message).toMatch(/does not say where/);
		expect(out[1].recorded.source).toBe('account settings page');
	});

	it('lets an opt-out win over an older opt-in, even one recorded later', async () => {
		const phone = newPhone();
		await runOnce(n8n, recordOptIn(), [{ phone, at: '2026-01-10T10:00:00Z' }]);
		await runOnce(n8n, recordOptOut(), [{ phone, at: '2026-02-10T10:00:00Z' }]);
		// A late import of even older opt-ins must not revive consent, nor move the state row back.
		await runOnce(n8n, recordOptIn(), [
			{ phone, at: '2026-01-20T10:00:00Z', purpose: 'shippingStatus' },
			{ phone, at: '2026-01-21T10:00:00Z', purpose: 'allUtility' },
		]);
		const checked = await runOnce(n8n, check(), [{ phone }]);
		const [out] = checked.body as Json[];
		expect(out.consent).toMatchObject({
			granted: false,
			reason: 'optedOut',
			since: '2026-02-10T10:00:00.000Z',
			source: 'WhatsApp reply STOP',
		});
		// The derived state table agrees: the all-utility row was moved to the withdrawal and kept there.
		const state = await rows(`${prefix}_contact_state`, byContact(phone));
		expect(state.filter((r) => r.purpose === 'allUtility')).toHaveLength(1);
		expect(state.find((r) => r.purpose === 'allUtility')).toMatchObject({
			consent: 'withdrawn',
			source: 'WhatsApp reply STOP',
		});
		expect(new Date(state.find((r) => r.purpose === 'allUtility')?.lastEventAt).toISOString()).toBe(
			'2026-02-10T10:00:00.000Z',
		);
		expect(state.find((r) => r.purpose === 'shippingStatus')).toMatchObject({ consent: 'granted' });
		const events = await rows(`${prefix}_consent_events`, byContact(phone));
		expect(events).toHaveLength(4);
	});

	it('routes items with Split Output and honours "consent newer than N months"', async () => {
		const fresh = newPhone();
		const old = newPhone();
		const never = newPhone();
		await runOnce(n8n, recordOptIn(), [
			{ phone: fresh },
			{ phone: old, at: new Date(Date.now() - 400 * 86400e3).toISOString() },
		]);
		const run = await runOnce(n8n, check({ splitOutput: true, options: { maxAgeMonths: 12 } }), [
			{ phone: fresh, n: 0 },
			{ phone: old, n: 1 },
			{ phone: never, n: 2 },
		]);
		expect(executionError(run.execution)).toBeUndefined();
		const consented = nodeOutput(run.execution, 'Node Under Test', 0);
		const notConsented = nodeOutput(run.execution, 'Node Under Test', 1);
		expect(consented.map((i: Json) => i.json.n)).toEqual([0]);
		expect(notConsented.map((i: Json) => [i.json.n, i.json.consent.reason])).toEqual([
			[1, 'expired'],
			[2, 'noRecord'],
		]);
		expect(notConsented.map((i: Json) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
	});

	it('records consent that comes with the item (the shop checkbox), then checks it', async () => {
		const ticked = newPhone();
		const unticked = newPhone();
		const stopped = newPhone();
		await runOnce(n8n, recordOptOut(), [{ phone: stopped }]);
		const node = consentNode({
			operation: 'checkFromItem',
			purpose: 'shippingStatus',
			consentGiven: '={{ $json.whatsapp_updates }}',
			source: 'checkout form',
			proofWording: WORDING,
			proofVersion: 'checkout-v3',
			proofReference: '={{ $json.order }}',
			capturedAt: '={{ $json.created_at }}',
			splitOutput: true,
		});
		const createdAt = new Date(Date.now() - 60_000).toISOString();
		const run = await runOnce(n8n, node, [
			{ phone: ticked, whatsapp_updates: true, order: 'SO-2001', created_at: createdAt },
			{ phone: unticked, whatsapp_updates: false, order: 'SO-2002', created_at: createdAt },
			{ phone: stopped, whatsapp_updates: true, order: 'SO-2003', created_at: createdAt },
		]);
		expect(executionError(run.execution)).toBeUndefined();
		const [yes, no] = [
			nodeOutput(run.execution, 'Node Under Test', 0),
			nodeOutput(run.execution, 'Node Under Test', 1),
		];
		expect(yes.map((i: Json) => i.json.order)).toEqual(['SO-2001']);
		expect(yes[0].json.consent).toMatchObject({ granted: true, since: createdAt, proof: { reference: 'SO-2001' } });
		expect(yes[0].json.consentFromItem).toMatchObject({ given: true, recorded: 'optIn' });
		expect(no.map((i: Json) => [i.json.order, i.json.consent.reason])).toEqual([
			['SO-2002', 'noRecord'],
			['SO-2003', 'optedOut'],
		]);
		expect(no[1].json.consentFromItem.recorded).toBeNull();
		expect(await rows(`${prefix}_consent_events`, byContact(stopped))).toHaveLength(1);
	});

	it('loses no event when executions record concurrently, even while the tables are first created', async () => {
		const phone = newPhone();
		// A ledger of its own, so the concurrent executions also race to create its tables.
		const racePrefix = `${prefix}_race`;
		const raceCredential = await createLedgerCredential(n8n, `ledger ${racePrefix}`, racePrefix);
		const raceNode = (parameters: Json) => ({
			...consentNode(parameters),
			credentials: { [LEDGER_CREDENTIAL_TYPE]: raceCredential },
		});
		const path = `ledger-${randomUUID()}`;
		const nodes: WorkflowNode[] = [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
			},
			{
				name: 'Record',
				...raceNode({
					operation: 'recordOptIn',
					contact: '={{ $json.body.phone }}',
					purpose: '={{ $json.body.purpose }}',
					source: 'checkout form',
					proofWording: WORDING,
					proofReference: '={{ $json.body.order }}',
					capturedAt: '={{ $json.body.at }}',
				}),
			},
		];
		const workflowId = await n8n.createWorkflow(`e2e ledger concurrency ${path}`, nodes, {
			Webhook: { main: [[{ node: 'Record', type: 'main', index: 0 }]] },
		});
		try {
			await n8n.activate(workflowId);
			await n8n.waitForWebhook(path);
			const purposes = ['shippingStatus', 'paymentRequest', 'allUtility', 'shippingStatus'];
			const calls = Array.from({ length: 12 }, (_, i) =>
				n8n.callWebhook(path, {
					phone,
					purpose: purposes[i % purposes.length],
					order: `SO-3${String(i).padStart(3, '0')}`,
					at: new Date(Date.parse('2026-06-01T00:00:00Z') + i * 60_000).toISOString(),
				}),
			);
			const answers = await Promise.all(calls);
			expect(answers.map((a) => a.status)).toEqual(new Array(12).fill(200));
		} finally {
			await n8n.deactivate(workflowId).catch(() => undefined);
		}
		await tableByName(`${racePrefix}_consent_events`);
		await tableByName(`${racePrefix}_contact_state`);
		const history = await runOnce(n8n, raceNode({ operation: 'getHistory' }), [{ phone }]);
		const [h] = history.body as Json[];
		expect(h.eventCount).toBe(12);
		expect(new Set(h.events.map((e: Json) => e.proofReference)).size).toBe(12);
		// The derived state moved to the newest event of each purpose, whatever order the writers ran in.
		const shipping = h.state.find((s: Json) => s.purpose === 'shippingStatus');
		expect(shipping.lastEventAt).toBe(new Date(Date.parse('2026-06-01T00:00:00Z') + 11 * 60_000).toISOString());
		await n8n.deleteWorkflow(workflowId).catch(() => undefined);
	});

	it('erases a contact: personal rows gone, a hashed tombstone keeps them from being messaged', async () => {
		const phone = newPhone();
		await runOnce(n8n, recordOptIn(), [{ phone, purpose: 'shippingStatus', order: 'SO-4001' }]);
		await runOnce(n8n, recordOptOut(), [{ phone, purpose: 'alertUpdate' }]);
		expect(await rows(`${prefix}_consent_events`, byContact(phone))).toHaveLength(2);

		const erased = await runOnce(n8n, consentNode({ operation: 'eraseContact' }), [{ phone }]);
		const [out] = erased.body as Json[];
		expect(out).toMatchObject({ erased: true, deletedEvents: 2 });
		expect(out.deletedStateRows).toBeGreaterThanOrEqual(2);

		expect(await rows(`${prefix}_consent_events`, undefined, phone.slice(1))).toHaveLength(0);
		expect(await rows(`${prefix}_contact_state`, undefined, phone.slice(1))).toHaveLength(0);
		const keyFilter = { type: 'and', filters: [{ columnName: 'contactKey', condition: 'eq', value: out.contactKey }] };
		const kept = await rows(`${prefix}_consent_events`, keyFilter);
		expect(kept).toHaveLength(1);
		expect(kept[0]).toMatchObject({ action: 'erase', contactId: '', proofWording: '', proofReference: '' });

		const checked = await runOnce(n8n, check(), [{ phone }]);
		expect((checked.body as Json[])[0].consent).toMatchObject({ granted: false, reason: 'erased' });
		const history = await runOnce(n8n, consentNode({ operation: 'getHistory' }), [{ phone }]);
		expect((history.body as Json[])[0].events.map((e: Json) => e.action)).toEqual(['erase']);
	});

	it('explains an unreachable ledger with how to fix it', async () => {
		const broken = await createLedgerCredential(n8n, `ledger broken ${prefix}`, prefix, undefined, {
			apiKey: 'wrong-key',
		});
		const run = await runOnce(n8n, { ...check(), credentials: { [LEDGER_CREDENTIAL_TYPE]: broken } }, [
			{ phone: newPhone() },
		]);
		const error = executionError(run.execution);
		expect(error?.message).toMatch(/HTTP 401/);
		expect(error?.description).toMatch(/API key/);
	});
});
