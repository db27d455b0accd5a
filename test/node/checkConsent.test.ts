/**
 * Check Consent's execute() on n8n-core's WorkflowExecute, against the fake of n8n's data-table API: record and
 * check, split outputs, record-from-item, history, erasure, continue-on-fail and pairedItem.
 */
import type { IDataObject } from 'n8n-workflow';

import { CLOUD, LEDGER, NODE_TYPE, pairedItemsOf, type NodeSpec } from './harness';
import { EVENTS_TABLE, STATE_TABLE, e164Of, ledgerCredentialData, recordOptIns, useWorld } from './world';

type Json = Record<string, any>;

describe('Check Consent on n8n-core', () => {
	const world = useWorld();

	const consent = (parameters: IDataObject, extra: Partial<NodeSpec> = {}): NodeSpec => ({
		type: NODE_TYPE.consent,
		credentials: [LEDGER],
		parameters: { contact: '={{ $json.contact }}', authentication: 'ledgerOnly', ...parameters },
		...extra,
	});
	const contacts = (...indexes: number[]) => indexes.map((i) => ({ contact: e164Of(i), order: `SO-${i}` }));
	const jsonOf = (output: Array<{ json: IDataObject }>) => output.map((item) => item.json as Json);

	it('records opt-ins as events with their proof and checks them, one output in input order', async () => {
		await recordOptIns(world, [e164Of(1), e164Of(3)], 'shippingStatus');
		const events = world.ledger.rowsOf(EVENTS_TABLE);
		expect(events).toHaveLength(2);
		expect(events[0]).toMatchObject({
			contactId: e164Of(1),
			action: 'optIn',
			purpose: 'shippingStatus',
			source: 'checkout form',
			proofVersion: 'checkout-v3',
		});
		// The other state row is the ledger's Contact Key Secret fingerprint (purpose ledgerKeyCheck).
		expect(
			world.ledger
				.rowsOf(STATE_TABLE)
				.filter((r) => r.purpose !== 'ledgerKeyCheck')
				.map((r) => r.consent),
		).toEqual(['granted', 'granted']);

		const result = await world.harness.execute(
			consent({ operation: 'check', purpose: 'shippingStatus' }),
			contacts(1, 2, 3),
		);
		expect(result.error).toBeUndefined();
		const out = jsonOf(result.outputs[0]);
		expect(out.map((o) => [o.contact, o.consent.granted, o.consent.reason])).toEqual([
			[e164Of(1), true, 'optedIn'],
			[e164Of(2), false, 'noRecord'],
			[e164Of(3), true, 'optedIn'],
		]);
		expect(out[0].order).toBe('SO-1'); // the item's own fields pass through
		expect(pairedItemsOf(result)).toEqual([0, 1, 2]);
	});

	it('an opt-out recorded later wins, and Split Output routes items to Consented / Not Consented', async () => {
		await recordOptIns(world, [e164Of(1), e164Of(2)]);
		const optOut = await world.harness.execute(
			consent({ operation: 'recordOptOut', purpose: 'allUtility', source: 'WhatsApp reply STOP' }),
			contacts(2),
		);
		expect(jsonOf(optOut.outputs[0])[0].recorded).toMatchObject({ action: 'optOut', contact: e164Of(2) });

		const result = await world.harness.execute(
			consent({ operation: 'check', purpose: 'reservationUpdate', splitOutput: true }),
			contacts(1, 2),
		);
		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(2);
		expect(jsonOf(result.outputs[0]).map((o) => o.contact)).toEqual([e164Of(1)]);
		expect(jsonOf(result.outputs[1]).map((o) => [o.contact, o.consent.reason])).toEqual([[e164Of(2), 'optedOut']]);
		expect(pairedItemsOf(result)).toEqual([0, 1]);
		// The state row of contact 2 moved forward to the opt-out (a conditional update through the API).
		const state = world.ledger.rowsOf(STATE_TABLE).filter((r) => r.contactId === e164Of(2));
		expect(state.map((r) => r.consent)).toEqual(['withdrawn']);
	});

	it('Record From Item and Check records a ticked box, leaves an unticked one alone, and does not undo an opt-out', async () => {
		await world.harness.execute(
			consent({ operation: 'recordOptOut', purpose: 'allUtility', source: 'WhatsApp reply STOP' }),
			contacts(3),
		);
		const items = [
			{ contact: e164Of(1), whatsapp_updates: 'yes' },
			{ contact: e164Of(2), whatsapp_updates: false },
			{ contact: e164Of(3), whatsapp_updates: true },
		];
		const result = await world.harness.execute(
			consent({
				operation: 'checkFromItem',
				purpose: 'allUtility',
				consentGiven: '={{ $json.whatsapp_updates }}',
				source: 'checkout form',
				proofWording: 'Send me order and delivery updates from Example Shop on WhatsApp',
			}),
			items,
		);
		expect(result.error).toBeUndefined();
		const out = jsonOf(result.outputs[0]);
		expect(out.map((o) => [o.consentFromItem.recorded, o.consent.granted])).toEqual([
			['optIn', true],
			[null, false],
			[null, false],
		]);
		expect(out[2].consentFromItem.note).toMatch(/withdrew/);
		expect(pairedItemsOf(result)).toEqual([0, 1, 2]);
	});

	it('with continue-on-fail, an unusable contact becomes an error item in place; without it, the run stops on that item', async () => {
		const items = [{ contact: e164Of(1) }, { contact: 'not a number' }, { contact: e164Of(3) }];
		const strict = await world.harness.execute(consent({ operation: 'check' }), items);
		expect((strict.error as unknown as Json)?.context?.itemIndex).toBe(1);

		const tolerant = await world.harness.execute(consent({ operation: 'check' }, { continueOnFail: true }), items);
		const out = jsonOf(tolerant.outputs[0]);
		expect(out).toHaveLength(3);
		expect(out[1].error.message).toMatch(/not usable/);
		expect(out[1].error.description).toBeTruthy();
		// The one error-item shape of every node (nodes/shared/n8n/errors.ts): seven fields, titled with what did not happen.
		expect(Object.keys(out[1].error)).toEqual([
			'code',
			'title',
			'message',
			'description',
			'retryable',
			'outcome',
			'fbtrace_id',
		]);
		expect(out[1].error).toMatchObject({
			code: null,
			title: 'Not checked',
			retryable: false,
			outcome: 'not_done',
			fbtrace_id: null,
		});
		expect(pairedItemsOf(tolerant)).toEqual([0, 1, 2]);
	});

	it('refuses an operation it does not know (an imported workflow, a newer node version) instead of running Check', async () => {
		await recordOptIns(world, [e164Of(1)]);
		const result = await world.harness.execute(
			consent({ operation: 'checkEverything', purpose: 'allUtility' }),
			contacts(1),
		);
		const error = result.error as unknown as Json;
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe('The operation "checkEverything" is not supported');
		expect(error?.description).toMatch(/Check, Erase Contact, Get History/);
		expect(result.outputs.flat()).toEqual([]);
	});

	it('refuses an opt-in without a real source, naming the item, and records the others', async () => {
		const result = await world.harness.execute(
			consent(
				{
					operation: 'recordOptIn',
					purpose: 'allUtility',
					source: '={{ $json.source }}',
					proofWording: 'Send me order and delivery updates from Example Shop on WhatsApp',
				},
				{ continueOnFail: true },
			),
			[
				{ contact: e164Of(1), source: 'checkout form' },
				{ contact: e164Of(2), source: 'unknown' },
			],
		);
		const out = jsonOf(result.outputs[0]);
		expect(out[0].recorded).toMatchObject({ action: 'optIn' });
		expect(out[1].error.message).toMatch(/Not recorded/);
		expect(out[1].error).toMatchObject({ title: 'Not recorded', outcome: 'not_done' });
		expect(world.ledger.rowsOf(EVENTS_TABLE).map((r) => r.contactId)).toEqual([e164Of(1)]);
		expect(pairedItemsOf(result)).toEqual([0, 1]);
	});

	it('Get History returns the events; Erase Contact deletes them and keeps only a tombstone', async () => {
		await recordOptIns(world, [e164Of(1), e164Of(2)]);
		const history = await world.harness.execute(consent({ operation: 'getHistory' }), contacts(1));
		expect(jsonOf(history.outputs[0])[0]).toMatchObject({
			contact: e164Of(1),
			eventCount: 1,
			events: [{ action: 'optIn' }],
		});

		const erased = await world.harness.execute(consent({ operation: 'eraseContact' }), contacts(1));
		const [out] = jsonOf(erased.outputs[0]);
		expect(out).toMatchObject({ erased: true, deletedEvents: 1, deletedStateRows: 1 });
		const events = world.ledger.rowsOf(EVENTS_TABLE);
		expect(events.filter((r) => r.contactId === e164Of(1))).toEqual([]);
		expect(events.filter((r) => r.contactKey === out.contactKey)).toEqual([
			expect.objectContaining({ action: 'erase', contactId: '' }),
		]);
		expect(events.filter((r) => r.contactId === e164Of(2))).toHaveLength(1);

		const check = await world.harness.execute(consent({ operation: 'check' }), contacts(1));
		expect(jsonOf(check.outputs[0])[0].consent).toMatchObject({ granted: false, reason: 'erased' });
	});

	it('version 1.1 reads the ledger of the WhatsApp Cloud API credential by default: the same ledger as Ledger Only', async () => {
		await world.harness.execute(
			consent({
				operation: 'recordOptIn',
				purpose: 'shippingStatus',
				source: 'checkout form',
				proofWording: 'Send me order and delivery updates on WhatsApp',
			}),
			contacts(1),
		);
		const viaCloud = {
			type: NODE_TYPE.consent,
			credentials: [CLOUD],
			parameters: { contact: '={{ $json.contact }}', operation: 'check', purpose: 'shippingStatus' },
		};
		const result = await world.harness.execute(viaCloud, contacts(1, 2));
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.outputs[0]).map((j) => j.consent.granted)).toEqual([true, false]);
		// Version 1 without the parameter keeps the ledger-only credential.
		const v1 = await world.harness.execute({ ...viaCloud, typeVersion: 1, credentials: [LEDGER] }, contacts(1));
		expect(jsonOf(v1.outputs[0])[0].consent.granted).toBe(true);
	});

	describe('a recording that fails part-way: recorded items say so, the others fail with what became of them', () => {
		// 250 customers from Denmark (8 digits) and Brazil (mobile, 11 digits): three inserts of 100, 100 and 50 events.
		const customers = Array.from({ length: 250 }, (_, i) => ({
			contact: i % 2 === 0 ? `+45${20_000_000 + i}` : `+55119${String(80_000_000 + i)}`,
			order: `SO-${i}`,
			whatsapp_updates: true,
		}));
		const range = (from: number, to: number) => Array.from({ length: to - from }, (_, n) => from + n);
		const recordOptIn = (continueOnFail: boolean) =>
			consent(
				{
					operation: 'recordOptIn',
					purpose: 'shippingStatus',
					source: 'checkout form',
					proofWording: 'Send me delivery updates from Example Shop on WhatsApp',
					proofReference: '={{ $json.order }}',
				},
				{ continueOnFail },
			);
		const onSecondEventsInsert = (fault: number | 'lost') => (call: string, nth: number) =>
			call === `POST ${EVENTS_TABLE}/rows` && nth === 2 ? fault : undefined;

		it('n8n refuses the second insert: items 0–99 are recorded, 100–249 are error items, not done', async () => {
			world.ledger.failWhen(onSecondEventsInsert(503));
			const result = await world.harness.execute(recordOptIn(true), customers);
			const out = jsonOf(result.outputs[0]);
			expect(out).toHaveLength(250);
			expect(pairedItemsOf(result)).toEqual(range(0, 250));
			expect(out.slice(0, 100).map((o) => o.recorded?.proof.reference)).toEqual(range(0, 100).map((i) => `SO-${i}`));
			expect(new Set(out.slice(100).map((o) => o.error?.outcome))).toEqual(new Set(['not_done']));
			expect(out[100].error.message).toMatch(/100 of 250 events were recorded/);
			expect(out[100].error.description).toMatch(/run the items that were not recorded again/);
			expect(world.ledger.rowsOf(EVENTS_TABLE).map((r) => r.proofReference)).toEqual(
				range(0, 100).map((i) => `SO-${i}`),
			);
		});

		it('the answer to the second insert is lost: items 100–199 may be recorded (outcome unknown), 200–249 are not', async () => {
			world.ledger.failWhen(onSecondEventsInsert('lost'));
			const result = await world.harness.execute(recordOptIn(true), customers);
			const out = jsonOf(result.outputs[0]);
			expect(out.map((o) => (o.recorded ? 'recorded' : o.error.outcome))).toEqual([
				...new Array(100).fill('recorded'),
				...new Array(100).fill('unknown'),
				...new Array(50).fill('not_done'),
			]);
			expect(out[150].error.message).toMatch(/100 of 250 events were recorded, 100 may have been/);
			expect(world.ledger.rowsOf(EVENTS_TABLE)).toHaveLength(200);
			expect(pairedItemsOf(result)).toEqual(range(0, 250));
		});

		it('without Continue On Fail the run stops, naming the first item not recorded and how many were', async () => {
			world.ledger.failWhen(onSecondEventsInsert(503));
			const result = await world.harness.execute(recordOptIn(false), customers);
			const error = result.error as unknown as Json;
			expect(error.message).toMatch(/100 of 250 events were recorded/);
			expect(error.context?.itemIndex).toBe(100);
			expect(world.ledger.rowsOf(EVENTS_TABLE)).toHaveLength(100);
		});

		it('Record From Item and Check: the items not recorded fail; the recorded ones are checked', async () => {
			world.ledger.failWhen(onSecondEventsInsert(503));
			const result = await world.harness.execute(
				consent(
					{
						operation: 'checkFromItem',
						purpose: 'shippingStatus',
						consentGiven: '={{ $json.whatsapp_updates }}',
						source: 'checkout form',
						proofWording: 'Send me delivery updates from Example Shop on WhatsApp',
					},
					{ continueOnFail: true },
				),
				customers,
			);
			const out = jsonOf(result.outputs[0]);
			expect(out).toHaveLength(250);
			expect(out.slice(0, 100).every((o) => o.consent?.granted === true && o.consentFromItem.eventId)).toBe(true);
			expect(out.slice(100).every((o) => o.error?.outcome === 'not_done')).toBe(true);
			expect(pairedItemsOf(result)).toEqual(range(0, 250));
		});

		it('events stored but the state rows not updated: every item recorded, and a warning in the output pane', async () => {
			// The first state-row insert is the ledger's key check; the ones after it, and every update, fail.
			world.ledger.failWhen((call, nth) =>
				(call === `POST ${STATE_TABLE}/rows` && nth > 1) || call === `PATCH ${STATE_TABLE}/rows/update`
					? 503
					: undefined,
			);
			const result = await world.harness.execute(recordOptIn(false), customers.slice(0, 3));
			expect(result.error).toBeUndefined();
			expect(jsonOf(result.outputs[0]).map((o) => o.recorded?.action)).toEqual(['optIn', 'optIn', 'optIn']);
			expect(result.task.hints).toEqual([
				expect.objectContaining({ type: 'warning', message: expect.stringMatching(/state rows were not updated/) }),
			]);
			world.ledger.failWhen(() => undefined);
			const check = await world.harness.execute(
				consent({ operation: 'check', purpose: 'shippingStatus' }),
				customers.slice(0, 3),
			);
			expect(jsonOf(check.outputs[0]).map((o) => o.consent.granted)).toEqual([true, true, true]);
		});
	});

	it('a wrong API key stops the run with a NodeApiError saying how to fix the credential', async () => {
		world.harness.credentialsHelper.set(LEDGER, ledgerCredentialData(world, { apiKey: 'wrong' }));
		try {
			const result = await world.harness.execute(consent({ operation: 'check' }), contacts(1));
			const error = result.error as unknown as Json;
			expect(error.name).toBe('NodeApiError');
			expect(error.httpCode).toBe('401');
			expect(error.description).toMatch(/API key/);
		} finally {
			world.harness.credentialsHelper.set(LEDGER, ledgerCredentialData(world));
		}
	});
});
