/**
 * n8n's data-table cap (issue 12, item 6), in a real n8n of its own started with a small N8N_DATA_TABLES_MAX_SIZE_BYTES:
 * once the instance's data tables are full, an opt-out fails as an error that says so and how to fix it (never a
 * silent loss), Send Notification sends nothing and says why, and both work again once there is room.
 */
import { randomBytes } from 'node:crypto';

import type { Emulator } from '../../dev/emulator';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	OPT_IN_WORDING,
	checkConsentNode,
	createLedgerCredential,
	executionError,
	runOnce,
	shippingUpdateNode,
	startEmulatorWithCredential,
	type SavedCredential,
} from './context';
import { N8nClient, startN8n, type N8nInstance } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

const CAP_BYTES = 192 * 1024;

describe('n8n’s data-table cap reached (own n8n, N8N_DATA_TABLES_MAX_SIZE_BYTES=192 KiB)', () => {
	let instance: N8nInstance;
	let n8n: N8nClient;
	let emulator: Emulator;
	let ledger: SavedCredential;
	let cloud: SavedCredential;
	let fillerId = '';
	const phone = '+31687654321';

	beforeAll(async () => {
		instance = await startN8n({
			env: { N8N_DATA_TABLES_MAX_SIZE_BYTES: String(CAP_BYTES), N8N_DATA_TABLES_SIZE_CHECK_CACHE_DURATION_MS: '0' },
		});
		n8n = N8nClient.of(instance);
		({ emulator, credential: cloud } = await startEmulatorWithCredential(n8n, 'cap cloud'));
		ledger = await createLedgerCredential(n8n, 'cap ledger', 'cap', 'e2e-capacity-secret-0123456789abcdef');
	}, 360_000);
	afterAll(async () => {
		await emulator?.close();
		await instance?.stop();
	});

	const optIn = () =>
		checkConsentNode(ledger, {
			operation: 'recordOptIn',
			purpose: 'allUtility',
			source: 'checkout form',
			proofWording: OPT_IN_WORDING,
		});
	const optOut = () =>
		checkConsentNode(ledger, { operation: 'recordOptOut', purpose: 'allUtility', source: 'WhatsApp reply STOP' });
	const sendNode = () =>
		shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledger },
			{ body_1: 'Sam', body_2: '={{ $json.order }}', body_3: 'Monday', button_0_url: '={{ $json.order }}' },
			{ useConsentLedger: true, options: { correlationKey: '={{ $json.order }}' } },
			{ onError: 'continueRegularOutput' },
		);

	/** Another workflow's data table fills the instance up to n8n's cap. */
	async function fillToTheCap(): Promise<string> {
		const table = await n8n.api<{ id: string }>('POST', '/data-tables', {
			name: `filler_${randomBytes(3).toString('hex')}`,
			columns: [{ name: 'text', type: 'string' }],
		});
		const row = { text: 'x'.repeat(2000) };
		for (let i = 0; i < 200; i++) {
			const res = await fetch(`${n8n.url}/api/v1/data-tables/${table.id}/rows`, {
				method: 'POST',
				headers: { 'X-N8N-API-KEY': n8n.apiKey, 'content-type': 'application/json' },
				body: JSON.stringify({ data: Array.from({ length: 10 }, () => row), returnType: 'count' }),
			});
			if (res.status === 400) {
				// n8n's own words, which the ledger maps (test/unit/ledgerCapacity.test.ts holds the same text).
				expect(await res.json()).toEqual({
					message: expect.stringMatching(
						/^Validation error with data table request: Data table size limit exceeded: [\d.]+MB used, limit is [\d.]+MB$/,
					),
				});
				return table.id;
			}
			expect(res.status).toBe(200);
		}
		throw new Error('the cap was never reached');
	}

	it('an opt-out at the cap fails loudly with the fix; Send Notification sends nothing and says why; both work once there is room', async () => {
		expect((await runOnce(n8n, optIn(), [{ phone }])).status).toBe(200);
		const first = await runOnce(n8n, sendNode(), [{ phone, order: 'SO-1' }]);
		expect((first.body as Json[])[0]).toMatchObject({ duplicate: false });
		const sentBefore = emulator.state.messages.length;

		fillerId = await fillToTheCap();

		const refused = await runOnce(n8n, optOut(), [{ phone }]);
		expect(refused.status).toBeGreaterThanOrEqual(400);
		const error = executionError(refused.execution);
		expect(error?.message).toMatch(/n8n’s data tables are full \([\d.]+MB used, limit is [\d.]+MB\)/);
		expect(error?.description).toMatch(/N8N_DATA_TABLES_MAX_SIZE_BYTES/);

		const blocked = await runOnce(n8n, sendNode(), [{ phone, order: 'SO-2' }]);
		const [item] = blocked.body as Json[];
		expect(item.error).toMatchObject({ title: 'Idempotency check failed', outcome: 'not_sent' });
		expect(item.error.message).toMatch(/data tables are full/);
		expect(item.error.description).toMatch(/N8N_DATA_TABLES_MAX_SIZE_BYTES/);
		expect(emulator.state.messages.length).toBe(sentBefore);

		// Room again (the other workflow's table deleted): the STOP is recorded and honoured.
		await n8n.api('DELETE', `/data-tables/${fillerId}`);
		const recorded = await runOnce(n8n, optOut(), [{ phone }]);
		expect(recorded.status).toBe(200);
		const check = await runOnce(n8n, checkConsentNode(ledger, { operation: 'check', purpose: 'shippingStatus' }), [
			{ phone },
		]);
		expect((check.body as Json[])[0].consent).toMatchObject({ granted: false, reason: 'optedOut' });
	}, 240_000);
});
