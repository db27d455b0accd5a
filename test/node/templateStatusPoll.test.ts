/**
 * Template Status Poll's poll() as n8n's poller runs it (n8n-core's TriggersAndPollers with a PollContext, mode
 * trigger, the workflow's static data kept between polls), against the emulator's template list.
 */
import type { IDataObject } from 'n8n-workflow';

import { control } from '../../dev/emulator/testkit';
import { CLOUD, NODE_TYPE, type NodeSpec } from './harness';
import { useWorld } from './world';

type Json = Record<string, any>;

const SHIPPING_EN = '1000000000000001';
const PAYMENT_DUE = '1000000000000006';

describe('Template Status Poll on n8n-core', () => {
	const world = useWorld();
	const poller = (options: IDataObject = {}, parameters: IDataObject = {}): NodeSpec => ({
		type: NODE_TYPE.poll,
		credentials: [CLOUD],
		// n8n adds Poll Times to every polling node; every 5 minutes stays inside Meta's hourly budget.
		parameters: {
			pollTimes: { item: [{ mode: 'everyX', value: 5, unit: 'minutes' }] },
			options: { checkContent: false, ...options },
			...parameters,
		},
	});
	const itemsOf = (result: Array<Array<{ json: IDataObject }>> | null) =>
		(result?.[0] ?? []).map((i) => i.json as Json);
	const templateReads = () =>
		world.emulator.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/message_templates'));

	it('records a baseline on the first poll and emits nothing; later polls emit only what changed', async () => {
		const staticData: IDataObject = {};
		expect(await world.harness.poll(poller(), staticData)).toBeNull();
		expect(staticData['node:Node Under Test']).toMatchObject({ account: world.emulator.options.wabaId, templates: 20 });
		expect(templateReads().length).toBeGreaterThan(0);

		expect(await world.harness.poll(poller(), staticData)).toBeNull();

		await control(world.emulator, 'PATCH', `templates/${SHIPPING_EN}`, { status: 'PAUSED', quality_score: 'RED' });
		const events = itemsOf(await world.harness.poll(poller(), staticData));
		expect(events).toEqual([
			expect.objectContaining({
				event: 'paused',
				templateId: SHIPPING_EN,
				name: 'shipping_update',
				previousStatus: 'APPROVED',
				usableBySendNotification: false,
			}),
			expect.objectContaining({
				event: 'qualityChanged',
				templateId: SHIPPING_EN,
				previousQualityScore: 'GREEN',
				qualityScore: 'RED',
			}),
		]);
		expect(events.every((e) => e.warning === undefined)).toBe(true);

		expect(await world.harness.poll(poller(), staticData)).toBeNull();
	});

	it('reports a rejection with its reason and a category change, filtered by the chosen events', async () => {
		const staticData: IDataObject = {};
		await world.harness.poll(poller(), staticData);
		await control(world.emulator, 'PATCH', `templates/${PAYMENT_DUE}`, {
			status: 'REJECTED',
			rejected_reason: 'PROMOTIONAL',
		});
		await control(world.emulator, 'PATCH', `templates/${SHIPPING_EN}`, { category: 'MARKETING' });
		const all = itemsOf(await world.harness.poll(poller(), JSON.parse(JSON.stringify(staticData)) as IDataObject));
		expect(all.map((e) => e.event).sort()).toEqual(['categoryChanged', 'rejected']);
		expect(all.find((e) => e.event === 'rejected')).toMatchObject({
			templateId: PAYMENT_DUE,
			reason: expect.stringMatching(/PROMOTIONAL/),
		});

		const onlyRejections = itemsOf(await world.harness.poll(poller({}, { events: ['rejected'] }), staticData));
		expect(onlyRejections.map((e) => e.event)).toEqual(['rejected']);
	});

	it('Emit One Summary Item on the first poll, then stays quiet', async () => {
		const staticData: IDataObject = {};
		const [summary] = itemsOf(await world.harness.poll(poller({ firstPoll: 'summary' }), staticData));
		expect(summary).toMatchObject({ event: 'baseline', templates: 20 });
		expect(await world.harness.poll(poller({ firstPoll: 'summary' }), staticData)).toBeNull();
	});

	it('a Meta error fails the poll with the reason, and keeps the last snapshot', async () => {
		const staticData: IDataObject = {};
		await world.harness.poll(poller(), staticData);
		const before = JSON.stringify(staticData);
		await control(world.emulator, 'POST', 'faults', {
			kind: 'http503_131016',
			pathContains: '/message_templates',
			count: 10,
		});
		await expect(world.harness.poll(poller(), staticData)).rejects.toThrow(/131016|unavailable/i);
		expect(JSON.stringify(staticData)).toBe(before);
	});
});
