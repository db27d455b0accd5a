/**
 * Issue 12 item 8 in a real n8n: a national number is never read as a foreign one. Version 1.1 reads only '+' / '00'
 * (or WhatsApp IDs when Recipient Format says so); version 1 keeps reading an unformatted 11+ digit string as a
 * wa_id, and no version reads a formatted national number as international. Assertions are on what the emulator got.
 */
import {
	CLOUD_CREDENTIAL_TYPE,
	messagePosts,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	useEmulatorWithCredential,
} from './context';

type Json = Record<string, any>;

describe('Send Notification: Recipient Format in real n8n', () => {
	const n8n = sharedN8n();
	const setup = useEmulatorWithCredential(n8n, 'emulator', { latencyMs: 0 });

	const sentTo = () => messagePosts(setup.emulator).map((r) => (r.body as Json).to);

	const sendNode = (typeVersion: number, parameters: Json = {}) =>
		shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: setup.credential },
			{ body_1: 'Ana', body_2: 'SO-1', body_3: 'Friday', button_0_url: 'SO-1' },
			parameters,
			{ typeVersion, onError: 'continueRegularOutput' },
		);

	async function run(typeVersion: number, phones: string[], parameters: Json = {}) {
		const result = await runOnce(
			n8n,
			sendNode(typeVersion, parameters),
			phones.map((phone) => ({ phone })),
		);
		expect(result.status).toBe(200);
		const out = result.body as Json[];
		expect(out).toHaveLength(phones.length);
		return out;
	}

	const refusal = (item: Json) => JSON.stringify(item.error ?? null);

	it('version 1.1 (default International): only + and 00 are international; national numbers are refused with the fix', async () => {
		const out = await run(1.1, [
			'+55 (51) 98765-4321',
			'(51) 98765-4321',
			'150 1234 5678',
			'5551987654321',
			'0086 150 1234 5678',
		]);
		expect(out[0].to).toBe('+5551987654321');
		expect(out[4].to).toBe('+8615012345678');
		for (const index of [1, 2, 3]) {
			expect(out[index].messageId).toBeUndefined();
			expect(out[index].error).toMatchObject({ outcome: 'not_sent' });
			expect(refusal(out[index])).toMatch(/no '\+' or '00'/);
		}
		expect(refusal(out[3])).toMatch(/set Recipient Format to WhatsApp ID/);
		expect(refusal(out[1])).not.toMatch(/Recipient Format/);
		// Before: "(51) 98765-4321" went to +51 987654321 (Peru) and "150 1234 5678" to +1 501 234 5678 (US).
		expect(sentTo().sort()).toEqual(['+5551987654321', '+8615012345678']);
	});

	it('version 1.1 with Recipient Format WhatsApp ID sends to 8-, 9- and 10-digit national numbers of Meta wa_ids', async () => {
		const out = await run(1.1, ['4512345678', '4791234567', '3546112345', '(51) 98765-4321'], {
			recipientFormat: 'whatsAppId',
		});
		expect(out.slice(0, 3).map((item) => item.to)).toEqual(['+4512345678', '+4791234567', '+3546112345']);
		expect(refusal(out[3])).toMatch(/no spaces, dashes or brackets/);
		expect(sentTo().sort()).toEqual(['+3546112345', '+4512345678', '+4791234567']);
	});

	it('version 1 keeps an unformatted 11+ digit wa_id working and refuses formatted national numbers', async () => {
		const out = await run(1, ['5551987654321', '(51) 98765-4321', '4512345678']);
		expect(out[0].to).toBe('+5551987654321');
		expect(refusal(out[1])).toMatch(/no '\+' or '00'/);
		expect(refusal(out[2])).toMatch(/too short to be sure/);
		expect(refusal(out[2])).toMatch(/version 1\.1/);
		expect(sentTo()).toEqual(['+5551987654321']);
	});
});
