/**
 * Continue On Fail when a node cannot even start (a credential n8n cannot use), in a real n8n. Had the node thrown,
 * n8n would pass the input through unchanged on its first output: Check Consent's "Consented", or Send Notification's
 * output as if sent, and the next step would act on people nobody checked. Every item must carry the error instead.
 * Also: n8n serves Check Consent's agent-tool variant with only the operations an agent may use.
 */
import { randomBytes } from 'node:crypto';

import type { Emulator } from '../../dev/emulator';
import {
	CHECK_NODE_TYPE,
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	checkConsentNode,
	createLedgerCredential,
	executionError,
	nodeOutput,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	startEmulatorWithCredential,
	type SavedCredential,
} from './context';
import { loginCookie, restRequest, type N8nClient } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

const NODE_NAME = 'Check Consent';

/** A ledger credential with a Contact Key Secret shorter than 16 characters: the ledger refuses to open. */
const createBrokenLedger = (n8n: N8nClient, name: string) =>
	createLedgerCredential(n8n, `${name} ${randomBytes(3).toString('hex')}`, 'e2e_broken', 'short');

describe('Check Consent with an unusable ledger credential (real n8n)', () => {
	const n8n = sharedN8n();
	let broken: SavedCredential;

	beforeAll(async () => {
		broken = await createBrokenLedger(n8n, 'broken ledger');
	});

	const node = (parameters: Json, continueOnFail: boolean) => ({
		...checkConsentNode(broken, { purpose: 'shippingStatus', ...parameters }),
		name: NODE_NAME,
		continueOnFail,
	});
	const items = [{ phone: '+4915123456701' }, { phone: '+4915123456702' }];

	it('Check with split outputs and Continue On Fail: every item is an error on Not Consented, none on Consented', async () => {
		const run = await runOnce(n8n, node({ operation: 'check', splitOutput: true }, true), items);
		const consented = nodeOutput(run.execution, NODE_NAME, 0);
		const notConsented = nodeOutput(run.execution, NODE_NAME, 1);
		expect(consented).toEqual([]);
		expect(notConsented).toHaveLength(2);
		notConsented.forEach((item: Json, i: number) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.error.message).toMatch(/Contact Key Secret/);
			expect(item.json.error.description).toMatch(/long random string/);
		});
	});

	it('Record Opt-In with Continue On Fail: one error item per input item, nothing passed through as if recorded', async () => {
		const run = await runOnce(
			n8n,
			node(
				{ operation: 'recordOptIn', source: 'checkout form', proofWording: 'Send me updates', proofVersion: 'v1' },
				true,
			),
			items,
		);
		const out = nodeOutput(run.execution, NODE_NAME, 0);
		expect(out.map((i: Json) => Object.keys(i.json))).toEqual([['error'], ['error']]);
		expect(out.map((i: Json) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('without Continue On Fail the execution stops with the fix in the error', async () => {
		const run = await runOnce(n8n, node({ operation: 'check' }, false), items);
		const error = executionError(run.execution);
		expect(error?.message).toMatch(/Contact Key Secret/);
		expect(error?.description).toMatch(/long random string/);
	});
});

describe('Check Consent as an AI agent tool (real n8n)', () => {
	const n8n = sharedN8n();

	it('n8n serves the tool variant with only Check and Record Opt-Out, and the canvas node with every operation', async () => {
		const cookie = await loginCookie(n8n.url);
		const types = (await restRequest(n8n.url, cookie, 'GET', '/types/nodes.json')) as Json[];
		const values = (type: Json | undefined, tool: boolean) =>
			(type?.properties as Json[])
				.filter((p) => p.name === 'operation' && p.displayOptions?.show?.['@tool']?.[0] === tool)
				.flatMap((p) => p.options.map((o: Json) => o.value))
				// n8n adds its own "Custom API Call" entry (it points users to the HTTP Request node) to both.
				.filter((value: string) => value !== '__CUSTOM_API_CALL__');
		const canvas = types.find((t) => t.name === CHECK_NODE_TYPE);
		const tool = types.find((t) => t.name === `${CHECK_NODE_TYPE}Tool`);
		expect(tool).toBeDefined();
		expect(values(tool, true)).toEqual(['check', 'recordOptOut']);
		expect(values(canvas, false)).toEqual([
			'check',
			'eraseContact',
			'getHistory',
			'checkFromItem',
			'recordOptIn',
			'recordOptOut',
		]);
	});
});

describe('Send Notification when a credential it needs cannot be used (real n8n)', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;
	let cloud: SavedCredential;
	let broken: SavedCredential;

	beforeAll(async () => {
		({ emulator, credential: cloud } = await startEmulatorWithCredential(n8n, 'cof cloud'));
		broken = await createBrokenLedger(n8n, 'cof broken ledger');
	});
	afterAll(async () => {
		await emulator.close();
	});

	it('with Continue On Fail every item says it was not sent (n8n would pass the input on as if it had been)', async () => {
		const run = await runOnce(
			n8n,
			shippingUpdateNode(
				{ [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: broken },
				{ body_1: 'Ana', body_2: 'SO-1', body_3: 'Friday', button_0_url: 'SO-1' },
				{ useConsentLedger: true },
				{ name: 'Send', continueOnFail: true },
			),
			[{ phone: '+4915123456711' }, { phone: '+4915123456712' }],
		);
		const out = nodeOutput(run.execution, 'Send', 0);
		expect(out).toHaveLength(2);
		out.forEach((item: Json, i: number) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.error).toMatchObject({ outcome: 'not_sent', retryable: false });
			expect(item.json.error.message).toMatch(/Contact Key Secret/);
		});
		expect(emulator.state.messages).toHaveLength(0);
	});
});
