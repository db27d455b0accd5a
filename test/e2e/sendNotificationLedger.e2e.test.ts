/**
 * Send Notification with the consent ledger (n8n Data Tables of the same real n8n): contacts without consent are
 * skipped, and Message Mode Auto sends free-form text inside the 24 h window and the template once it has closed.
 */
import { randomBytes } from 'node:crypto';

import { sendKeyIds } from '../../nodes/shared/io/ledger/sendKeys';
import type { Emulator } from '../../dev/emulator';
import { control } from '../../dev/emulator/testkit';
import { validateSendMessageBody } from '../support/openapiValidator';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	checkoutOptInNode,
	contactSequence,
	createLedgerCredential,
	dataTableRows,
	dataTablesNamed,
	messagePosts,
	recordServiceWindow,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	startEmulatorWithCredential,
	type SavedCredential,
} from './context';

type Json = Record<string, any>;

const SECRET = 'e2e-send-ledger-secret-0123456789';

describe('Send Notification with the consent ledger (real n8n)', () => {
	const n8n = sharedN8n();
	const prefix = `e2esend_${randomBytes(3).toString('hex')}`;
	let emulator: Emulator;
	let cloud: SavedCredential;
	let ledger: SavedCredential;
	const nextContact = contactSequence('3161234', 2);
	const newPhone = () => nextContact().phone;

	beforeAll(async () => {
		({ emulator, credential: cloud } = await startEmulatorWithCredential(n8n, 'ledger-send'));
		ledger = await createLedgerCredential(n8n, `ledger ${prefix}`, prefix, SECRET);
	});
	afterAll(async () => {
		await emulator.close();
	});

	async function optIn(phone: string) {
		const run = await runOnce(n8n, checkoutOptInNode(ledger, 'shippingStatus'), [{ phone }]);
		expect(run.status).toBe(200);
	}

	const sendNode = (parameters: Json = {}) =>
		shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledger },
			{ body_1: 'Sam', body_2: 'SO-9', body_3: 'Monday', button_0_url: 'SO-9' },
			{ useConsentLedger: true, ...parameters },
		);

	it('skips contacts without consent and sends to those who opted in, in input order', async () => {
		const consented = newPhone();
		const unknown = newPhone();
		await optIn(consented);
		emulator.state.requests.length = 0;
		const run = await runOnce(n8n, sendNode(), [{ phone: unknown }, { phone: consented }]);
		expect(run.status).toBe(200);
		const [skipped, sent] = run.body as Json[];
		expect(skipped).toMatchObject({
			skipped: 'no consent',
			to: unknown,
			consent: { granted: false, reason: 'noRecord' },
		});
		expect(sent.messageId).toMatch(/^wamid\./);
		expect(sent.consent).toMatchObject({ granted: true, source: 'checkout form' });
		expect(messagePosts(emulator).map((p) => (p.body as Json).to)).toEqual([consented]);
	});

	it('Message Mode Auto: free-form text inside the window, the template after the window closed', async () => {
		const phone = newPhone();
		await optIn(phone);
		// The customer wrote: the emulator opens its window, the ledger has the inbound time.
		await control(emulator, 'POST', 'inbound', {
			from: phone.replace('+', ''),
			name: 'Sam',
			text: 'Where is my parcel?',
		});
		await recordServiceWindow(n8n, prefix, SECRET, phone, new Date());
		emulator.state.requests.length = 0;

		const inside = await runOnce(n8n, sendNode({ messageMode: 'auto' }), [{ phone }]);
		const [free] = inside.body as Json[];
		// Since 2026-10-01 a free-form message costs the utility rate (costEstimate.e2e.test.ts has the numbers).
		expect(free).toMatchObject({
			messageType: 'text',
			estimatedCost: { category: 'service', billable: true, rulesEffective: '2026-10-01' },
		});
		expect(free.serviceWindow.open).toBe(true);
		const [textPost] = messagePosts(emulator);
		expect(textPost.body).toMatchObject({ type: 'text', text: { body: free.renderedText } });
		expect(validateSendMessageBody(textPost.body).valid).toBe(true);

		// 25 hours later for Meta; the ledger still thinks the window is open, Meta answers 131047.
		await control(emulator, 'POST', 'clock', { advanceMs: 25 * 3600 * 1000 });
		emulator.state.requests.length = 0;
		const after = await runOnce(n8n, sendNode({ messageMode: 'auto' }), [{ phone }]);
		const [fallback] = after.body as Json[];
		expect(fallback.messageType).toBe('template');
		expect(fallback.fallback).toMatch(/131047/);
		expect(messagePosts(emulator).map((p) => (p.body as Json).type)).toEqual(['text', 'template']);
		expect(
			emulator.state.messages.filter((m) => m.to.replace('+', '') === phone.replace('+', '')).map((m) => m.type),
		).toEqual(['text', 'template']);
	});

	describe('idempotent sending', () => {
		const sendKeysTable = async (): Promise<Json> => (await dataTablesNamed(n8n, `${prefix}_send_keys`))[0];

		it('does not send again what an earlier execution sent under the same key: returns its wamid as a duplicate', async () => {
			const phone = newPhone();
			await optIn(phone);
			const node = sendNode({ options: { correlationKey: '={{ $json.order }}' } });
			const first = await runOnce(n8n, node, [{ phone, order: 'SO-77' }]);
			const [sent] = first.body as Json[];
			expect(sent).toMatchObject({ duplicate: false });
			expect(sent.messageId).toMatch(/^wamid\./);
			// The same workflow definition run again (as when n8n retries an execution): a new workflow id would be a
			// different key, so reuse the first run's workflow through an explicit key.
			const again = await runOnce(n8n, sendNode({ options: { idempotencyKey: `order-SO-77-${phone}` } }), [
				{ phone, order: 'SO-77' },
			]);
			const [firstExplicit] = again.body as Json[];
			expect(firstExplicit.duplicate).toBe(false);
			const replay = await runOnce(n8n, sendNode({ options: { idempotencyKey: `order-SO-77-${phone}` } }), [
				{ phone, order: 'SO-77' },
			]);
			const [dup] = replay.body as Json[];
			expect(dup).toMatchObject({ duplicate: true, messageId: firstExplicit.messageId });
			const accepted = emulator.state.messages.filter((m) => m.to.replace('+', '') === phone.replace('+', ''));
			expect(accepted).toHaveLength(2);
			const rows = await dataTableRows(n8n, (await sendKeysTable()).id);
			expect(rows.filter((r) => r.messageId === firstExplicit.messageId && r.status === 'sent')).toHaveLength(1);
		});

		it('two executions racing on one key send it once', async () => {
			const phone = newPhone();
			await optIn(phone);
			const node = { ...sendNode({ options: { idempotencyKey: `race-${phone}` } }), onError: 'continueRegularOutput' };
			const runs = await Promise.all([
				runOnce(n8n, node, [{ phone }]),
				runOnce(n8n, node, [{ phone }]),
				runOnce(n8n, node, [{ phone }]),
			]);
			const outs = runs.map((r) => (r.body as Json[])[0]);
			const accepted = emulator.state.messages.filter((m) => m.to.replace('+', '') === phone.replace('+', ''));
			expect(accepted).toHaveLength(1);
			expect(outs.filter((o) => o.duplicate === false && o.messageId)).toHaveLength(1);
			for (const other of outs.filter((o) => !(o.duplicate === false && o.messageId))) {
				// Either it saw the finished send (duplicate) or the send in flight (unknown, not sent).
				expect(other.duplicate === true || other.error?.outcome === 'unknown').toBe(true);
			}
		}, 60_000);

		it('an attempt that died mid-request (pending claim) is reported as unknown, not sent again', async () => {
			const phone = newPhone();
			await optIn(phone);
			// Make sure the table exists, then leave a claim as a process killed mid-request would.
			await runOnce(n8n, sendNode({ options: { idempotencyKey: `warm-${phone}` } }), [{ phone }]);
			// An explicit key is the key alone: the other parts of the identity do not enter it.
			const { key } = sendKeyIds(
				{
					workflowId: 'w',
					explicitKey: `dead-${phone}`,
					recipient: phone,
					senderId: '',
					notificationType: '',
					templateName: '',
					templateLanguage: '',
					body: {},
				},
				SECRET,
			);
			const claimedAt = Date.now() - 3600_000;
			await n8n.api('POST', `/data-tables/${(await sendKeysTable()).id}/rows`, {
				data: [
					{
						key,
						claimId: 'dead-claim',
						status: 'pending',
						messageId: '',
						claimedAt: new Date(claimedAt).toISOString(),
						workflowId: 'w',
						executionId: '1',
						expiresAtMs: claimedAt + 24 * 3600_000,
					},
				],
			});
			const before = emulator.state.messages.length;
			const run = await runOnce(n8n, sendNode({ options: { idempotencyKey: `dead-${phone}` } }), [{ phone }]);
			expect(run.status).toBeGreaterThanOrEqual(400);
			const error = run.execution?.data?.resultData?.error;
			expect(error?.message).toMatch(/never finished|Outcome unknown/i);
			expect(emulator.state.messages.length).toBe(before);
			// Opting in to possible duplicates sends it.
			const optedIn = await runOnce(
				n8n,
				sendNode({ options: { idempotencyKey: `dead-${phone}`, retryUnknownOutcome: true } }),
				[{ phone }],
			);
			expect((optedIn.body as Json[])[0].messageId).toMatch(/^wamid\./);
		});
	});
});
