/**
 * Issue 12 item 9 in a real n8n: the cost estimate follows the pricing rules in force when the message is sent.
 * Since 2026-10-01 Meta bills free-form (service) messages at the market's utility rate and no longer makes utility
 * templates free inside the customer-service window. Before the fix both were estimated at 0.
 * (The send happens now, so the 2026-10-01 rules apply; the date boundary itself is unit-tested in pricing.test.ts.)
 */
import { randomBytes } from 'node:crypto';

import type { Emulator } from '../../dev/emulator';
import { control } from '../../dev/emulator/testkit';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	checkoutOptInNode,
	contactSequence,
	createLedgerCredential,
	recordServiceWindow,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	startEmulatorWithCredential,
	type SavedCredential,
} from './context';

type Json = Record<string, any>;

const SECRET = 'e2e-cost-ledger-secret-0123456789';
/** Meta's USD list rate for a utility message to the Netherlands on the card effective 2026-10-01. */
const NL_UTILITY = 0.05;

describe('Send Notification cost estimate in real n8n (pricing rules by send date)', () => {
	const n8n = sharedN8n();
	const prefix = `e2ecost_${randomBytes(3).toString('hex')}`;
	let emulator: Emulator;
	let cloud: SavedCredential;
	let ledger: SavedCredential;
	const nextContact = contactSequence('3162345', 2);
	const newPhone = () => nextContact().phone;

	beforeAll(async () => {
		({ emulator, credential: cloud } = await startEmulatorWithCredential(n8n, 'cost'));
		ledger = await createLedgerCredential(n8n, `ledger ${prefix}`, prefix, SECRET);
	});
	afterAll(async () => {
		await emulator.close();
	});

	async function optIn(phone: string) {
		const run = await runOnce(n8n, checkoutOptInNode(ledger, 'shippingStatus'), [{ phone }]);
		expect(run.status).toBe(200);
	}

	/** The customer wrote just now: the emulator opens its window, and the ledger gets the row the trigger writes. */
	async function customerWrote(phone: string) {
		await control(emulator, 'POST', 'inbound', {
			from: phone.replace('+', ''),
			name: 'Sam',
			text: 'Where is my parcel?',
		});
		await recordServiceWindow(n8n, prefix, SECRET, phone, new Date());
	}

	const sendNode = (parameters: Json = {}) =>
		shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledger },
			{ body_1: 'Sam', body_2: 'SO-9', body_3: 'Monday', button_0_url: 'SO-9' },
			{ useConsentLedger: true, ...parameters },
			{ typeVersion: 1.1 },
		);

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
