/** Emulator: throughput cap, pair rate limit, injected faults, latency and stats. */
import { startEmulator, type Emulator } from '../../dev/emulator';
import { control, graph } from '../../dev/emulator/testkit';

let emu: Emulator;
let PHONE: string;

beforeAll(async () => {
	emu = await startEmulator({ port: 0 });
	PHONE = emu.options.phoneNumbers[0].id;
});
afterAll(() => emu.close());
beforeEach(() => control(emu, 'POST', 'reset'));

const hello = (to = '+16505551234') =>
	graph(emu, 'POST', `${PHONE}/messages`, {
		messaging_product: 'whatsapp',
		to,
		type: 'template',
		template: { name: 'hello_world', language: { code: 'en_US' } },
	});

describe('limits', () => {
	it('130429 (HTTP 429) above the per-number throughput cap in a 1 s window, then recovers', async () => {
		await control(emu, 'POST', 'config', { throughputCapMps: 5, pairLimitSeconds: 0 });
		const results = await Promise.all(Array.from({ length: 8 }, (_, i) => hello(`+1650555${1000 + i}`)));
		const statuses = results.map((r) => r.status).sort();
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
		const err = results.find((r) => r.status === 429)!.body.error;
		expect(err).toMatchObject({ code: 130429, message: '(#130429) Rate limit hit', type: 'OAuthException' });
		await control(emu, 'POST', 'clock', { advanceMs: 1001 });
		expect((await hello('+16505559999')).status).toBe(200);
		const stats = (await control(emu, 'GET', 'stats')).body;
		expect(stats.errors['130429']).toBe(3);
		expect(stats.byStatus['429']).toBe(3);
		expect(stats.messagesAccepted).toBe(6);
		expect(stats.throughputRejections).toBe(3);
	});

	it('131056 (HTTP 429) above the pair limit, burst allowance, recovery after the interval', async () => {
		await control(emu, 'POST', 'config', { pairLimitSeconds: 6, pairBurst: 3 });
		for (let i = 0; i < 3; i++) expect((await hello()).status).toBe(200);
		const r = await hello();
		expect(r.status).toBe(429);
		expect(r.body.error).toMatchObject({
			code: 131056,
			message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
		});
		// another recipient is not affected
		expect((await hello('+16505550001')).status).toBe(200);
		await control(emu, 'POST', 'clock', { advanceMs: 6000 });
		expect((await hello()).status).toBe(200);
		expect((await hello()).status).toBe(429);
		expect((await control(emu, 'GET', 'stats')).body.errors['131056']).toBe(2);
		expect(emu.state.stats.pairRejections).toBe(2);
	});

	it('the default pair limit allows a burst of 45, then one per 6 s', async () => {
		const codes: number[] = [];
		for (let i = 0; i < 46; i++) codes.push((await hello()).status);
		expect(codes.filter((c) => c === 200)).toHaveLength(45);
		expect(codes[45]).toBe(429);
	});
});

describe('faults', () => {
	const cases: Array<[string, number, number]> = [
		['http429_4', 429, 4],
		['http429_80007', 429, 80007],
		['http429_130429', 429, 130429],
		['http500_131000', 500, 131000],
		['http503_131016', 503, 131016],
	];
	it.each(cases)('%s answers HTTP %i code %i once (count 1), then normal', async (kind, http, code) => {
		await control(emu, 'POST', 'faults', { kind });
		const r = await hello();
		expect(r.status).toBe(http);
		expect(r.body.error.code).toBe(code);
		expect(r.body.error.message).toMatch(new RegExp(`^\\(#${code}\\) `));
		expect((await hello('+16505550002')).status).toBe(200);
		expect(emu.state.messages).toHaveLength(1);
		expect((await control(emu, 'GET', 'stats')).body.errors[String(code)]).toBe(1);
	});

	it('count applies to the next N matching requests only; pathContains scopes it', async () => {
		await control(emu, 'POST', 'faults', { kind: 'http503_131016', count: 2, pathContains: '/message_templates' });
		expect((await hello()).status).toBe(200);
		const waba = emu.options.wabaId;
		expect((await graph(emu, 'GET', `${waba}/message_templates`)).status).toBe(503);
		expect((await graph(emu, 'GET', `${waba}/message_templates`)).status).toBe(503);
		expect((await graph(emu, 'GET', `${waba}/message_templates`)).status).toBe(200);
	});

	it('rate 1 applies until the faults are cleared', async () => {
		await control(emu, 'POST', 'faults', { kind: 'http500_131000', rate: 1 });
		expect((await hello()).status).toBe(500);
		expect((await hello()).status).toBe(500);
		await control(emu, 'DELETE', 'faults');
		expect((await hello()).status).toBe(200);
	});

	it('reset drops the connection and the message is NOT accepted', async () => {
		await control(emu, 'POST', 'faults', { kind: 'reset' });
		await expect(hello()).rejects.toThrow();
		expect(emu.state.messages).toHaveLength(0);
		const log = (await control(emu, 'GET', 'requests')).body.data;
		expect(log[0]).toMatchObject({ fault: 'reset', status: 0 });
	});

	it('lost accepts the message (recorded) but never answers', async () => {
		await control(emu, 'POST', 'faults', { kind: 'lost' });
		await expect(hello()).rejects.toThrow();
		expect(emu.state.messages).toHaveLength(1);
		const log = (await control(emu, 'GET', 'requests')).body.data;
		expect(log[0]).toMatchObject({ fault: 'lost', status: 200 });
		expect(log[0].response.messages[0].id).toBe(emu.state.messages[0].wamid);
	});

	it('slow answers after delayMs; latencyMs delays every answer', async () => {
		await control(emu, 'POST', 'faults', { kind: 'slow', delayMs: 150 });
		let t = Date.now();
		expect((await hello()).status).toBe(200);
		expect(Date.now() - t).toBeGreaterThanOrEqual(140);
		await control(emu, 'POST', 'config', { latencyMs: 80 });
		t = Date.now();
		await graph(emu, 'GET', emu.options.wabaId);
		expect(Date.now() - t).toBeGreaterThanOrEqual(75);
		expect((await control(emu, 'GET', 'stats')).body.faults.slow).toBe(1);
	});

	it('rejects an unknown fault kind', async () => {
		const r = await control(emu, 'POST', 'faults', { kind: 'meteor' });
		expect(r.status).toBe(400);
	});
});
