/** Business-scoped user ids (BSUID) as recipients: Meta's `recipient` field in the emulator, keys and prices. */
import { startEmulator, type Emulator } from '../../dev/emulator';
import { control, graph } from '../../dev/emulator/testkit';
import { sendKeyIds } from '../../nodes/shared/io/ledger/sendKeys';
import { estimateCost, marketOfContact } from '../../nodes/shared/domain/pricing';

let emu: Emulator;
let PHONE: string;

beforeAll(async () => {
	emu = await startEmulator({ port: 0, pairLimitSeconds: 0 });
	PHONE = emu.options.phoneNumbers[0].id;
});
afterAll(() => emu.close());
beforeEach(async () => {
	await control(emu, 'POST', 'reset');
});

const template = (name: string, text: string[]) => ({
	type: 'template',
	template: {
		name,
		language: { code: 'en_US' },
		components: [{ type: 'body', parameters: text.map((t) => ({ type: 'text', text: t })) }],
	},
});
const send = (body: Record<string, unknown>) =>
	graph(emu, 'POST', `${PHONE}/messages`, { messaging_product: 'whatsapp', ...body });

describe('emulator: sending to a BSUID (Meta 2026: `recipient` instead of `to`)', () => {
	it('accepts a BSUID and a parent BSUID in `recipient` and answers with user_id, not wa_id', async () => {
		for (const bsuid of ['US.13491208655302741918', 'US.ENT.11815799212886844830']) {
			const res = await send({ recipient: bsuid, ...template('payment_due', ['$49.90', 'July 1']) });
			expect(res.status).toBe(200);
			expect(res.body.contacts).toEqual([{ input: bsuid, user_id: bsuid }]);
		}
	});

	it('lets `to` win when both are given', async () => {
		const res = await send({
			to: '+16505551234',
			recipient: 'US.13491208655302741918',
			...template('payment_due', ['$1', 'today']),
		});
		expect(res.body.contacts).toEqual([{ input: '+16505551234', wa_id: '16505551234' }]);
	});

	it('refuses a `recipient` that is not a BSUID (100) and an authentication template to a BSUID (131062)', async () => {
		const bad = await send({ recipient: '+16505551234', ...template('payment_due', ['$1', 'today']) });
		expect(bad.status).toBe(400);
		expect(bad.body.error.code).toBe(100);
		await control(emu, 'POST', 'templates', {
			name: 'login_code',
			language: 'en_US',
			category: 'AUTHENTICATION',
			status: 'APPROVED',
			parameter_format: 'POSITIONAL',
			components: [{ type: 'BODY', text: '{{1}} is your code.', example: { body_text: [['123456']] } }],
		});
		const auth = await send({ recipient: 'BR.998877665544', ...template('login_code', ['123456']) });
		expect(auth.status).toBe(400);
		expect(auth.body.error.code).toBe(131062);
	});
});

describe('BSUID in keys and prices', () => {
	it('gives two BSUID recipients with the same correlation key different idempotency keys', () => {
		const ids = (recipient: string) =>
			sendKeyIds(
				{
					workflowId: 'wf',
					correlationKey: 'order-1',
					recipient,
					senderId: '106540352242922',
					notificationType: 'shippingStatus',
					templateName: 'shipping_update',
					templateLanguage: 'en_US',
					body: { messaging_product: 'whatsapp', recipient },
				},
				'a-contact-key-secret-of-32-chars!',
			);
		expect(ids('US.111111111111').key).not.toBe(ids('US.222222222222').key);
		expect(ids('US.111111111111').contactKey).not.toBe(ids('US.222222222222').contactKey);
	});

	it('prices a BSUID by the country it starts with', () => {
		expect(marketOfContact('BR.13491208655302741918')).toEqual({ market: 'Brazil', country: 'BR' });
		expect(marketOfContact('+5551987654321')).toMatchObject({ market: 'Brazil' });
		const cost = estimateCost('DE.13491208655302741918', 'utility', undefined, { sentAt: '2026-12-03T10:00:00Z' });
		expect(cost).toMatchObject({ market: 'Germany', country: 'DE' });
		expect(typeof cost.amount).toBe('number');
	});
});
