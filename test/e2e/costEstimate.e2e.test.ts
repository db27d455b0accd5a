/**
 * Issue 12 item 9 in a real n8n: the cost estimate follows the pricing rules in force when the message is sent.
 * Since 2026-10-01 Meta bills free-form (service) messages at the market's utility rate and no longer makes utility
 * templates free inside the customer-service window. Before the fix both were estimated at 0.
 * (The send happens now, so the 2026-10-01 rules apply; the date boundary itself is unit-tested in pricing.test.ts.)
 */
import { randomBytes } from 'node:crypto';

import { contactKeyOf } from '../../nodes/shared/io/ledger';
import { startEmulator, type Emulator } from '../../dev/emulator';
import {
	CLOUD_CREDENTIAL_TYPE,
	NODE_TYPE_PREFIX,
	SEND_NODE_TYPE,
	cloudCredentialData,
	runOnce,
	sharedN8n,
} from './context';

type Json = Record<string, any>;

const CHECK_NODE_TYPE = `${NODE_TYPE_PREFIX}whatsAppCheckConsent`;
const LEDGER_CREDENTIAL_TYPE = 'whatsAppNotificationsLedgerApi';
const SECRET = 'e2e-cost-ledger-secret-0123456789';
/** Meta's USD list rate for a utility message to the Netherlands on the card effective 2026-10-01. */
const NL_UTILITY = 0.05;

describe('Send Notification cost estimate in real n8n (pricing rules by send date)', () => {
	const n8n = sharedN8n();
	const prefix = `e2ecost_${randomBytes(3).toString('hex')}`;
	let emulator: Emulator;
	let cloud: { id: string; name: string };
	let ledger: { id: string; name: string };
	let seq = 0;
	const newPhone = () => `+3162345${String(process.pid % 100).padStart(2, '0')}${String(++seq).padStart(2, '0')}`;

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		cloud = await n8n.createCredential(CLOUD_CREDENTIAL_TYPE, `cost ${emulator.port}`, cloudCredentialData(emulator));
		ledger = await n8n.createCredential(LEDGER_CREDENTIAL_TYPE, `ledger ${prefix}`, {
			baseUrl: n8n.url,
			apiKey: n8n.apiKey,
			contactKeySecret: SECRET,
			projectId: '',
			tablePrefix: prefix,
		});
	});
	afterAll(async () => {
		await emulator.close();
	});

	async function optIn(phone: string) {
		const run = await runOnce(
			n8n,
			{
				type: CHECK_NODE_TYPE,
				typeVersion: 1,
				credentials: { [LEDGER_CREDENTIAL_TYPE]: ledger },
				parameters: {
					operation: 'recordOptIn',
					contact: '={{ $json.phone }}',
					purpose: 'shippingStatus',
					source: 'checkout form',
					proofWording: 'Send me order and delivery updates from Example Shop on WhatsApp',
					proofVersion: 'checkout-v3',
				},
			},
			[{ phone }],
		);
		expect(run.status).toBe(200);
	}

	/** The customer wrote just now: the emulator opens its window, and the ledger gets the row the trigger writes. */
	async function customerWrote(phone: string) {
		await fetch(`${emulator.url}/_emulator/inbound`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ from: phone.replace('+', ''), name: 'Sam', text: 'Where is my parcel?' }),
		});
		const at = new Date();
		const tables = await n8n.api<{ data: Json[] }>(
			'GET',
			`/data-tables?filter=${encodeURIComponent(JSON.stringify({ name: `${prefix}_contact_state` }))}`,
		);
		await n8n.api('POST', `/data-tables/${tables.data[0].id}/rows`, {
			data: [
				{
					contactKey: contactKeyOf(phone, SECRET),
					contactId: phone,
					purpose: 'serviceWindow',
					lastInboundAt: at.toISOString(),
					windowExpiresAt: new Date(at.getTime() + 24 * 3600 * 1000).toISOString(),
					lastEventAt: at.toISOString(),
				},
			],
		});
	}

	const sendNode = (parameters: Json = {}) => ({
		type: SEND_NODE_TYPE,
		typeVersion: 1.1,
		credentials: { [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledger },
		parameters: {
			notificationType: 'shippingStatus',
			useConsentLedger: true,
			recipient: '={{ $json.phone }}',
			template: { __rl: true, mode: 'name', value: 'shipping_update/en_US' },
			variables: {
				mappingMode: 'defineBelow',
				value: { body_1: 'Sam', body_2: 'SO-9', body_3: 'Monday', button_0_url: 'SO-9' },
			},
			...parameters,
		},
	});

	it('inside the open window: the utility template and the free-form text of Message Mode Auto both cost the utility rate', async () => {
		const templatePhone = newPhone();
		const autoPhone = newPhone();
		await optIn(templatePhone);
		await optIn(autoPhone);
		await customerWrote(templatePhone);
		await customerWrote(autoPhone);

		const asTemplate = await runOnce(n8n, sendNode({ messageMode: 'template' }), [{ phone: templatePhone }]);
		const [template] = asTemplate.body as Json[];
		expect(template.serviceWindow.open).toBe(true);
		expect(template.messageType).toBe('template');
		expect(template.estimatedCost).toMatchObject({
			category: 'utility',
			market: 'Netherlands',
			amount: NL_UTILITY,
			billable: true,
			rulesEffective: '2026-10-01',
		});
		expect(template.estimatedCost.note).toMatch(/no longer free/);

		const asAuto = await runOnce(n8n, sendNode({ messageMode: 'auto' }), [{ phone: autoPhone }]);
		const [text] = asAuto.body as Json[];
		expect(text.messageType).toBe('text');
		expect(text.estimatedCost).toMatchObject({
			category: 'service',
			market: 'Netherlands',
			amount: NL_UTILITY,
			billable: true,
			rulesEffective: '2026-10-01',
		});
		expect(text.estimatedCost.note).toMatch(/utility rate/);
	});
});
