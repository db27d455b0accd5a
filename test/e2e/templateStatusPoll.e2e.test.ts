/**
 * Template Status Poll inside a real n8n, against the emulator. n8n 2.41 refuses poll times under a minute
 * ("The polling interval is too short"), but runs poll() once at every activation and then stores the static
 * data. So each "poll" here is deactivate + activate; a poll that fails is an activation error.
 */
import { startEmulator, type Emulator } from '../../dev/emulator';
import { graph } from '../../dev/emulator/testkit';
import { decodeSnapshot } from '../../nodes/shared/domain/templateDiff';
import { syntheticTemplates } from '../../dev/syntheticTemplates';
import {
	CLOUD_CREDENTIAL_TYPE,
	POLL_NODE_TYPE,
	activationError as activationErrorOf,
	cloudCredentialData,
	finishedExecutions as finishedExecutionsOf,
	graphRequests,
	nodeOutput,
	removeWorkflows,
	sharedN8n,
	sleep,
	startEmulatorWithCredential,
	type SavedCredential,
} from './context';

type Json = Record<string, any>;

const NODE_NAME = 'Template Poll';
/** Once a year: no scheduled poll interferes with the polls the test triggers. */
const POLL_TIMES = { item: [{ mode: 'custom', cronExpression: '0 0 0 1 1 *' }] };

describe('Template Status Poll in real n8n', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;
	let credential: SavedCredential;
	const workflows: string[] = [];

	beforeAll(async () => {
		// Meta's review is played by the test (PATCH status), so a slow machine cannot skip the PENDING state.
		({ emulator, credential } = await startEmulatorWithCredential(n8n, 'poll emulator', {
			latencyMs: 0,
			reviewDelayMs: 3_600_000,
		}));
	});
	afterAll(async () => {
		await removeWorkflows(n8n, workflows);
		await emulator.close();
	});

	async function createPollWorkflow(name: string, parameters: Json = {}, credentialRef = credential): Promise<string> {
		const id = await n8n.createWorkflow(
			`e2e template poll ${name} ${Date.now()}`,
			[
				{
					name: NODE_NAME,
					type: POLL_NODE_TYPE,
					typeVersion: 1,
					credentials: { [CLOUD_CREDENTIAL_TYPE]: credentialRef },
					parameters: { pollTimes: POLL_TIMES, options: { firstPoll: 'summary' }, ...parameters },
				},
			],
			{},
		);
		workflows.push(id);
		return id;
	}

	const finishedExecutions = (workflowId: string) => finishedExecutionsOf(n8n, workflowId);
	const listReads = (emu: Emulator) => graphRequests(emu, 'GET', '/message_templates').length;

	/**
	 * One poll: (re)activates the workflow, whose activation runs poll() (asynchronously in n8n 2.41), waits until
	 * the poll has read the list, and returns the items it emitted (undefined when it emitted nothing).
	 */
	async function poll(
		workflowId: string,
		opts: { expectItems?: boolean; emu?: Emulator } = {},
	): Promise<Json[] | undefined> {
		const emu = opts.emu ?? emulator;
		const before = (await n8n.executions(workflowId, false)).length;
		const readsBefore = listReads(emu);
		await n8n.deactivate(workflowId).catch(() => undefined);
		await n8n.activate(workflowId);
		const readDeadline = Date.now() + 60_000;
		while (listReads(emu) === readsBefore && Date.now() < readDeadline) await sleep(100);
		const deadline = Date.now() + (opts.expectItems === false ? 2000 : 30_000);
		while (Date.now() < deadline) {
			const list = await finishedExecutions(workflowId);
			if (list.length > before) {
				const newest = list.reduce((a, b) => (Number(a.id) > Number(b.id) ? a : b));
				return nodeOutput(newest, NODE_NAME).map((item: Json) => item.json);
			}
			await sleep(150);
		}
		return undefined;
	}

	/** Waits until n8n has stored the node's static data (it does so after the activation's poll). */
	async function storedSnapshotSize(workflowId: string): Promise<number | undefined> {
		for (let i = 0; i < 100; i++) {
			const size = decodeSnapshot((await staticDataOf(workflowId))?.snapshot)?.size;
			if (size !== undefined) return size;
			await sleep(200);
		}
		return undefined;
	}

	async function staticDataOf(workflowId: string): Promise<Json | undefined> {
		const wf = await n8n.api<Json>('GET', `/workflows/${workflowId}`);
		return wf.staticData?.[`node:${NODE_NAME}`];
	}

	/** The error of a poll that failed at activation (n8n runs the first poll right after it answers `active: true`). */
	const activationError = (workflowId: string) => activationErrorOf(n8n, workflowId, 60_000);

	async function failedActivation(workflowId: string): Promise<string | undefined> {
		const started = Date.now();
		try {
			await n8n.activate(workflowId);
		} catch (error) {
			return (error as Error).message;
		}
		const error = await activationError(workflowId);
		process.stderr.write(`\n[e2e] n8n reported the failed poll after ${Date.now() - started} ms\n`);
		return error;
	}

	const patchTemplate = (id: string, body: Json) =>
		fetch(`${emulator.url}/_emulator/templates/${id}`, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});

	it('reports PENDING → APPROVED, a category change and a pause, each once', async () => {
		const workflowId = await createPollWorkflow('lifecycle');
		const baseline = await poll(workflowId);
		expect(baseline).toHaveLength(1);
		expect(baseline?.[0]).toMatchObject({ event: 'baseline', templates: emulator.state.templates.size, pages: 1 });
		expect(await storedSnapshotSize(workflowId)).toBe(emulator.state.templates.size);

		// A new template, created the way a user would, is in review.
		const created = await graph(emulator, 'POST', `${emulator.options.wabaId}/message_templates`, {
			name: 'poll_e2e_pickup_ready',
			language: 'en_US',
			category: 'UTILITY',
			components: [
				{
					type: 'BODY',
					text: 'Hi {{1}}, your order {{2}} is ready for pickup.',
					example: { body_text: [['Ana', 'B-77']] },
				},
			],
		});
		expect(created.status).toBe(200);
		const templateId = String(created.body.id);
		const first = await poll(workflowId);
		expect(first?.map((e) => e.event)).toEqual(['created']);
		expect(first?.[0]).toMatchObject({ templateId, status: 'PENDING', usableBySendNotification: false });

		// Meta's review approves it.
		expect((await patchTemplate(templateId, { status: 'APPROVED' })).status).toBe(200);
		const approved = await poll(workflowId);
		expect(approved?.map((e) => e.event)).toEqual(['approved']);
		expect(approved?.[0]).toMatchObject({
			templateId,
			name: 'poll_e2e_pickup_ready',
			previousStatus: 'PENDING',
			status: 'APPROVED',
			usableBySendNotification: true,
			contentCheck: { checked: true, atRisk: false },
		});
		expect(approved?.[0].meaning).toMatch(/Now usable by Send Notification/);

		// Meta moves it to MARKETING: reported once.
		expect((await patchTemplate(templateId, { category: 'MARKETING' })).status).toBe(200);
		const moved = await poll(workflowId);
		expect(moved?.map((e) => e.event)).toEqual(['categoryChanged']);
		expect(moved?.[0]).toMatchObject({
			previousCategory: 'UTILITY',
			category: 'MARKETING',
			usableBySendNotification: false,
		});
		expect(moved?.[0].meaning).toMatch(/No longer usable by Send Notification: MARKETING/);
		expect(await poll(workflowId, { expectItems: false })).toBeUndefined();

		// A quality pause: reported once.
		expect((await patchTemplate(templateId, { status: 'PAUSED' })).status).toBe(200);
		const paused = await poll(workflowId);
		expect(paused?.map((e) => e.event)).toEqual(['paused']);
		expect(paused?.[0]).toMatchObject({ pause: 1, status: 'PAUSED', previousStatus: 'APPROVED' });
		expect(await poll(workflowId, { expectItems: false })).toBeUndefined();
		await n8n.deactivate(workflowId);
	});

	it('records the baseline silently by default, and reports only the chosen names and events', async () => {
		const silent = await createPollWorkflow('silent', { options: {} });
		expect(await poll(silent, { expectItems: false })).toBeUndefined();
		// n8n stores the static data after an activation, so the silent baseline is kept too.
		expect(await storedSnapshotSize(silent)).toBe(emulator.state.templates.size);
		await n8n.deactivate(silent);

		const filtered = await createPollWorkflow('filtered', {
			templateNames: ['shipping_update'],
			events: ['qualityChanged'],
		});
		expect(await poll(filtered)).toHaveLength(1); // baseline summary
		const shipping = [...emulator.state.templates.values()].find((t) => t.name === 'shipping_update');
		const other = [...emulator.state.templates.values()].find((t) => t.name !== 'shipping_update');
		await patchTemplate(String(other?.id), { quality_score: 'RED' });
		await patchTemplate(String(shipping?.id), { quality_score: 'YELLOW', status: 'PAUSED' });
		const events = await poll(filtered);
		expect(events?.map((e) => [e.event, e.name])).toEqual([['qualityChanged', 'shipping_update']]);
		expect(events?.[0]).toMatchObject({ previousQualityScore: 'GREEN', qualityScore: 'YELLOW' });
		await n8n.deactivate(filtered);
	});

	it('retries a 5xx once, and a failed read fails the poll without false "deleted" events', async () => {
		const workflowId = await createPollWorkflow('faults');
		expect(await poll(workflowId)).toHaveLength(1);
		const someone = [...emulator.state.templates.values()][0];

		// One 503: retried, the change is reported.
		await fetch(`${emulator.url}/_emulator/faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ kind: 'http503_131016', count: 1, pathContains: '/message_templates', method: 'GET' }),
		});
		await patchTemplate(someone.id, { quality_score: someone.quality_score?.score === 'RED' ? 'GREEN' : 'RED' });
		const reads = () => listReads(emulator);
		const readsBefore = reads();
		const events = await poll(workflowId);
		expect(events?.map((e) => e.event)).toEqual(['qualityChanged']);
		expect(reads() - readsBefore).toBe(2);

		// 500s that do not go away: the poll fails with Meta's error (after one retry); nothing is diffed.
		const snapshotBefore = (await staticDataOf(workflowId))?.snapshot;
		const executionsBefore = (await n8n.executions(workflowId, false)).length;
		await fetch(`${emulator.url}/_emulator/faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ kind: 'http500_131000', rate: 1, pathContains: '/message_templates', method: 'GET' }),
		});
		await n8n.deactivate(workflowId);
		const failedReadsBefore = reads();
		const error = await failedActivation(workflowId);
		process.stderr.write(`\n[e2e] poll error while Meta answers 500: ${error}\n`);
		expect(error).toMatch(/Meta refused reading the template list/);
		expect(reads() - failedReadsBefore).toBeGreaterThanOrEqual(2);
		await fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' });
		expect((await staticDataOf(workflowId))?.snapshot).toBe(snapshotBefore);
		expect((await n8n.executions(workflowId, false)).length).toBe(executionsBefore);
		// The next good read finds nothing changed: no template was reported deleted.
		expect(await poll(workflowId, { expectItems: false })).toBeUndefined();
		await n8n.deactivate(workflowId);
	});

	it('fails with a clear message when the token is wrong', async () => {
		const bad = await n8n.createCredential(
			CLOUD_CREDENTIAL_TYPE,
			`poll bad token ${emulator.port}`,
			cloudCredentialData(emulator, { accessToken: 'expired-token' }),
		);
		const workflowId = await createPollWorkflow('bad token', {}, bad);
		const error = await failedActivation(workflowId);
		process.stderr.write(`\n[e2e] poll error with a wrong token: ${error}\n`);
		expect(error).toMatch(/Meta refused reading the template list: .*access token/i);
		await n8n.deactivate(workflowId).catch(() => undefined);
	});

	it('records a correct baseline of 5,000 templates over several pages', async () => {
		const big = await startEmulator({ port: 0, latencyMs: 0 });
		try {
			for (const raw of syntheticTemplates(5000)) {
				big.state.addTemplate({
					...(raw as any),
					components: [{ type: 'BODY', text: 'Your order {{1}} is on its way.' }],
				});
			}
			const total = big.state.templates.size;
			const cred = await n8n.createCredential(CLOUD_CREDENTIAL_TYPE, `poll big ${big.port}`, cloudCredentialData(big));
			const workflowId = await createPollWorkflow('5000', {}, cred);
			const started = Date.now();
			const items = await poll(workflowId, { emu: big });
			const elapsed = Date.now() - started;
			expect(items?.[0]).toMatchObject({ event: 'baseline', templates: total, pages: Math.ceil(total / 1000) });
			expect(await storedSnapshotSize(workflowId)).toBe(total);
			const stored = await staticDataOf(workflowId);
			const snapshot = decodeSnapshot(stored?.snapshot);
			expect(snapshot?.size).toBe(total);
			for (const t of big.state.templates.values()) {
				const s = snapshot?.get(t.id);
				expect(s && [s.name, s.language, s.status, s.category]).toEqual([t.name, t.language, t.status, t.category]);
			}
			const bytes = Buffer.byteLength(JSON.stringify(stored), 'utf8');
			process.stderr.write(
				`\n[e2e] Template Status Poll baseline: ${total} templates, ${items?.[0].pages} pages, poll ${items?.[0].durationMs} ms ` +
					`(activation → stored execution ${elapsed} ms), static data ${bytes} bytes (${(bytes / total).toFixed(1)} bytes per template)\n`,
			);
			// One more poll without changes emits nothing and reads the same pages.
			expect(await poll(workflowId, { expectItems: false, emu: big })).toBeUndefined();
			await n8n.deactivate(workflowId);
		} finally {
			await big.close();
		}
	});
});
