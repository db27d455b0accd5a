/**
 * Send keys in real n8n (issue 12, items 5–7): one order gets several notifications and every one goes out once; a key
 * reused for a different message fails loudly; the keys are keyed hashes with the recipient's contactKey, Erase
 * Contact deletes them, and expired keys are purged so the table stays bounded over many windows.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { contactKeyOf, type DataTablesClient } from '../../nodes/shared/io/ledger';
import { SendKeyStore, clearPurgeThrottle, sendKeyIds } from '../../nodes/shared/io/ledger/sendKeys';
import { DEFAULT_TEMPLATES, type Emulator, type SeedTemplate } from '../../dev/emulator';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	OPT_IN_WORDING,
	SEND_NODE_TYPE,
	checkConsentNode,
	contactSequence,
	createLedgerCredential,
	dataTablesNamed,
	removeWorkflows,
	runOnce,
	sharedN8n,
	startEmulatorWithCredential,
	webhookSplitWorkflow,
	type SavedCredential,
} from './context';
import type { WorkflowNode } from '../../dev/n8n/n8n';
import { ledgerClientOverApi } from '../../dev/n8n/ledgerOverApi';

type Json = Record<string, any>;

const SECRET = 'e2e-send-keys-secret-0123456789abc';

/** A shop's order flow: three templates, the same two variables (name, order number). */
function orderTemplate(id: string, name: string, text: string): SeedTemplate {
	return {
		id,
		name,
		language: 'en_US',
		category: 'UTILITY',
		status: 'APPROVED',
		parameter_format: 'POSITIONAL',
		components: [{ type: 'BODY', text, example: { body_text: [['Maria', 'SO-1001']] } }],
	};
}
const ORDER_TEMPLATES = [
	orderTemplate('2000000000000001', 'order_confirmed', 'Hi {{1}}, we received your order {{2}}.'),
	orderTemplate('2000000000000002', 'order_shipped', 'Hi {{1}}, your order {{2}} has shipped.'),
	orderTemplate('2000000000000003', 'order_delivered', 'Hi {{1}}, your order {{2}} was delivered.'),
];

describe('Send keys (real n8n)', () => {
	const n8n = sharedN8n();
	const prefix = `e2ekeys_${randomBytes(3).toString('hex')}`;
	let emulator: Emulator;
	let cloud: SavedCredential;
	let ledger: SavedCredential;
	let client: DataTablesClient;
	const nextContact = contactSequence('3162345', 2);
	const newPhone = () => nextContact().phone;
	const workflows: string[] = [];

	beforeAll(async () => {
		({ emulator, credential: cloud } = await startEmulatorWithCredential(n8n, 'send-keys', {
			templates: [...DEFAULT_TEMPLATES, ...ORDER_TEMPLATES],
		}));
		ledger = await createLedgerCredential(n8n, `ledger ${prefix}`, prefix, SECRET);
		client = await ledgerClientOverApi(n8n, prefix, SECRET);
	});
	afterAll(async () => {
		await removeWorkflows(n8n, workflows);
		await emulator.close();
	});

	const delivered = (phone: string) =>
		emulator.state.messages.filter((m) => m.to.replace('+', '') === phone.replace('+', ''));

	async function optIn(phone: string) {
		const run = await runOnce(
			n8n,
			checkNode({
				operation: 'recordOptIn',
				purpose: 'shippingStatus',
				source: 'checkout form',
				proofWording: OPT_IN_WORDING,
			}),
			[{ phone }],
		);
		expect(run.status).toBe(200);
	}

	const checkNode = (parameters: Json) => checkConsentNode(ledger, parameters);

	function sendNode(parameters: Json = {}): Omit<WorkflowNode, 'name'> {
		return {
			type: SEND_NODE_TYPE,
			typeVersion: 1,
			onError: 'continueRegularOutput',
			credentials: { [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledger },
			parameters: {
				notificationType: 'shippingStatus',
				useConsentLedger: true,
				recipient: '={{ $json.phone }}',
				template: { __rl: true, mode: 'name', value: '={{ $json.template }}' },
				variables: { mappingMode: 'defineBelow', value: { body_1: '={{ $json.name }}', body_2: '={{ $json.order }}' } },
				...parameters,
			},
		};
	}

	/** One saved, active workflow called several times, as a shop's webhook would be: the workflow id stays the same. */
	async function savedWorkflow(node: Omit<WorkflowNode, 'name'>): Promise<(items: Json[]) => Promise<Json[]>> {
		const path = `e2e-keys-${randomUUID()}`;
		const { nodes, connections } = webhookSplitWorkflow(path, { ...node, name: 'Send' });
		const id = await n8n.createWorkflow(`e2e send keys ${path}`, nodes, connections);
		workflows.push(id);
		await n8n.activate(id);
		await n8n.waitForWebhook(path);
		return async (items) => {
			const res = await n8n.callWebhook(path, { items });
			expect(res.status).toBe(200);
			return res.body as Json[];
		};
	}

	async function sendKeyRows(): Promise<Json[]> {
		const [table] = await dataTablesNamed(n8n, `${prefix}_send_keys`);
		const rows: Json[] = [];
		let cursor = '';
		for (;;) {
			const page = await n8n.api<{ data: Json[]; nextCursor?: string | null }>(
				'GET',
				`/data-tables/${table.id}/rows?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
			);
			rows.push(...page.data);
			if (!page.nextCursor || page.data.length === 0) return rows;
			cursor = page.nextCursor;
		}
	}

	it('one order: confirmation, shipping and delivery notifications all go out, each once', async () => {
		const phone = newPhone();
		await optIn(phone);
		const send = await savedWorkflow(sendNode({ options: { correlationKey: '={{ $json.order }}' } }));
		const order = { phone, name: 'Maria', order: 'SO-1001' };
		const [confirmed] = await send([{ ...order, template: 'order_confirmed/en_US' }]);
		const [shipped] = await send([{ ...order, template: 'order_shipped/en_US' }]);
		const [arrived] = await send([{ ...order, template: 'order_delivered/en_US' }]);
		for (const out of [confirmed, shipped, arrived])
			expect(out).toMatchObject({ duplicate: false, messageId: expect.stringMatching(/^wamid\./) });
		expect(delivered(phone).map((m) => (m.template as Json | undefined)?.name ?? m.type)).toEqual([
			'order_confirmed',
			'order_shipped',
			'order_delivered',
		]);

		// The shop's webhook fires again for all three (a retry, a re-sync): nothing goes out twice.
		const replay = await send(
			['order_confirmed', 'order_shipped', 'order_delivered'].map((t) => ({ ...order, template: `${t}/en_US` })),
		);
		expect(replay.map((o) => o.duplicate)).toEqual([true, true, true]);
		expect(replay.map((o) => o.messageId)).toEqual([confirmed.messageId, shipped.messageId, arrived.messageId]);
		expect(delivered(phone)).toHaveLength(3);

		// A second order of the same person is its own set of notifications.
		const [second] = await send([{ ...order, order: 'SO-1002', template: 'order_shipped/en_US' }]);
		expect(second).toMatchObject({ duplicate: false });
		expect(delivered(phone)).toHaveLength(4);
	});

	it('the same key with different content fails loudly, saying what collided and how to fix it (default and explicit keys)', async () => {
		const phone = newPhone();
		await optIn(phone);
		// One generic template for every stage, correlated by `correlationKey`.
		const everyStage = (correlationKey: string) =>
			sendNode({
				template: { __rl: true, mode: 'name', value: 'shipping_update/en_US' },
				variables: {
					mappingMode: 'defineBelow',
					value: {
						body_1: 'Maria',
						body_2: '={{ $json.order }}',
						body_3: '={{ $json.when }}',
						button_0_url: '={{ $json.order }}',
					},
				},
				options: { correlationKey },
			});
		// Correlation by order only: the second stage is a different message.
		const byOrder = await savedWorkflow(everyStage('={{ $json.order }}'));
		const [first] = await byOrder([{ phone, order: 'SO-2001', when: 'Monday' }]);
		expect(first).toMatchObject({ duplicate: false });
		const [changed] = await byOrder([{ phone, order: 'SO-2001', when: 'Wednesday' }]);
		expect(changed.duplicate).not.toBe(true);
		expect(changed.error).toMatchObject({ title: 'Idempotency key collision', outcome: 'not_sent' });
		expect(changed.error.message).toContain(first.messageId);
		expect(changed.error.message).toMatch(
			/same recipient and shippingStatus shipping_update\/en_US .*different variables/,
		);
		expect(changed.error.description).toMatch(/Correlation Key/);
		// The fix the message names works: the event in the Correlation Key.
		const fixed = await savedWorkflow(everyStage('={{ $json.order }}-{{ $json.when }}'));
		expect((await fixed([{ phone, order: 'SO-2001', when: 'Wednesday' }]))[0]).toMatchObject({ duplicate: false });

		// An explicit key that names the order only, reused for the next notification of that order.
		const explicit = await savedWorkflow(sendNode({ options: { idempotencyKey: '={{ $json.order }}' } }));
		const order = `SO-${randomBytes(3).toString('hex')}`;
		const [a] = await explicit([{ phone, name: 'Maria', order, template: 'order_shipped/en_US' }]);
		expect(a).toMatchObject({ duplicate: false });
		const [b] = await explicit([{ phone, name: 'Maria', order, template: 'order_delivered/en_US' }]);
		expect(b.error).toMatchObject({ title: 'Idempotency key collision', outcome: 'not_sent' });
		expect(b.error.message).toMatch(
			/earlier: shippingStatus order_shipped\/en_US from \d+; now: shippingStatus order_delivered\/en_US/,
		);
		expect(b.error.description).toMatch(/Idempotency Key names one message to one recipient/);
		// The same key to another recipient is also a different message.
		const other = newPhone();
		await optIn(other);
		const [c] = await explicit([{ phone: other, name: 'Maria', order, template: 'order_shipped/en_US' }]);
		expect(c.error?.message).toMatch(/another recipient/);
		expect(delivered(other)).toHaveLength(0);
		// The same message again is still a plain duplicate.
		const [same] = await explicit([{ phone, name: 'Maria', order, template: 'order_shipped/en_US' }]);
		expect(same).toMatchObject({ duplicate: true, messageId: a.messageId });
	});

	it('keys are keyed hashes stored with the contactKey; Erase Contact deletes them and reports the count', async () => {
		const phone = newPhone();
		const neighbour = newPhone();
		await optIn(phone);
		await optIn(neighbour);
		const send = await savedWorkflow(sendNode({ options: { correlationKey: '={{ $json.order }}' } }));
		const out = await send([
			{ phone, name: 'Maria', order: 'SO-3001', template: 'order_confirmed/en_US' },
			{ phone, name: 'Maria', order: 'SO-3001', template: 'order_shipped/en_US' },
			{ phone: neighbour, name: 'Ana', order: 'SO-3002', template: 'order_confirmed/en_US' },
		]);
		expect(out.map((o) => o.duplicate)).toEqual([false, false, false]);
		const contactKey = contactKeyOf(phone, SECRET);
		const mine = (await sendKeyRows()).filter((r) => r.contactKey === contactKey);
		// A claim row per notification, and its outcome as a completion row (written in bulk, same claimId).
		const claimRows = mine.filter((r) => r.fingerprint);
		expect(claimRows).toHaveLength(2);
		expect(
			mine
				.filter((r) => !r.fingerprint)
				.map((r) => [r.claimId, r.status])
				.sort(),
		).toEqual(claimRows.map((r) => [r.claimId, 'sent']).sort());
		for (const row of mine) expect(JSON.stringify(row)).not.toContain(phone.slice(1));
		for (const row of claimRows) {
			// Nothing in the row is the number or an unkeyed hash of it.
			expect(JSON.stringify(row)).not.toContain(phone.slice(1));
			const workflowId = row.workflowId as string;
			const unkeyed = createHash('sha256')
				.update(`workflow:${workflowId}|correlation:SO-3001|to:${phone}`)
				.digest('hex');
			expect(row.key).not.toBe(unkeyed);
			expect(row.fingerprint).toMatch(/^[0-9a-f]{32}$/);
			expect(row.expiresAtMs - Date.parse(row.claimedAt)).toBe(24 * 3600_000);
		}

		const erase = await runOnce(n8n, checkNode({ operation: 'eraseContact' }), [{ phone }]);
		expect(erase.status).toBe(200);
		expect((erase.body as Json[])[0]).toMatchObject({ erased: true, contactKey, deletedSendKeys: 2 });
		const left = await sendKeyRows();
		expect(left.filter((r) => r.contactKey === contactKey)).toHaveLength(0);
		expect(left.filter((r) => r.contactKey === contactKeyOf(neighbour, SECRET))).toHaveLength(2);
		expect(JSON.stringify(left)).not.toContain(out[0].messageId);
	});

	it('expired keys are purged: over 20 idempotency windows the table holds at most about two windows of sends', async () => {
		clearPurgeThrottle();
		const windowMs = 3600_000;
		const perWindow = 5;
		const store = (execution: number) =>
			new SendKeyStore(client, { workflowId: 'purge-test', executionId: String(execution) }, windowMs);
		let now = Date.parse('2027-01-01T00:00:00Z');
		const sizes: number[] = [];
		const tag = randomBytes(3).toString('hex');
		for (let window = 0; window < 20; window++) {
			// One execution per window (each purges once on its first claim), sending perWindow notifications.
			const keys = store(window);
			for (let i = 0; i < perWindow; i++) {
				const ids = sendKeyIds(
					{
						workflowId: 'purge-test',
						correlationKey: `${tag}-${window}-${i}`,
						recipient: '+31612345678',
						senderId: '1',
						notificationType: 'shippingStatus',
						templateName: 't',
						templateLanguage: 'en',
						body: { i },
					},
					SECRET,
				);
				const claim = await keys.claim(ids, { now, resendUnknown: false, staleAfterMs: 60_000 });
				expect(claim.decision.action).toBe('send');
				await keys.complete(claim.claimId!, 'sent', `wamid.${tag}${window}x${i}`);
			}
			const rows = (await sendKeyRows()).filter((r) => r.workflowId === 'purge-test');
			sizes.push(rows.length);
			now += windowMs + 60_000;
		}
		// Without the purge the table would hold 20 × 5 = 100 rows; with it, this window's and at most the last one's.
		expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * perWindow);
		expect(sizes.at(-1)).toBe(perWindow);
	}, 300_000);

	it('the purge also removes rows of the earlier version (no expiry, unkeyed)', async () => {
		clearPurgeThrottle();
		const [table] = await dataTablesNamed(n8n, `${prefix}_send_keys`);
		await n8n.api('POST', `/data-tables/${table.id}/rows`, {
			data: [
				{
					key: createHash('sha256').update('explicit:legacy').digest('hex'),
					claimId: 'legacy',
					status: 'sent',
					messageId: 'wamid.legacy',
					claimedAt: new Date().toISOString(),
				},
			],
		});
		expect((await sendKeyRows()).some((r) => r.claimId === 'legacy')).toBe(true);
		const store = new SendKeyStore(client, { workflowId: 'w', executionId: '1' }, 3600_000);
		expect(await store.purgeExpired(Date.now())).toEqual({ purged: true });
		expect((await sendKeyRows()).some((r) => r.claimId === 'legacy')).toBe(false);
		// Throttled: a second purge right after does not run.
		expect(await store.purgeExpired(Date.now())).toEqual({ purged: false });
	});
});
