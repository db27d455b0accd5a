/**
 * Issue 15 in a real n8n: customer data as shops and calendars send it. Default Country places national numbers,
 * Template Language: Match Recipient picks the translation per item with one template listing per execution, and
 * Quiet Hours send items that fall in the recipient's night to the Deferred output with sendAt. Assertions are on
 * what the emulator received and on the node's outputs in the stored execution.
 */
import { DateTime } from 'luxon';

import {
	CLOUD_CREDENTIAL_TYPE,
	graphRequests,
	messagePosts,
	nodeOutput,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	useEmulatorWithCredential,
} from './context';

type Json = Record<string, any>;

describe('Send Notification: customer data in real n8n', () => {
	const n8n = sharedN8n();
	const setup = useEmulatorWithCredential(n8n, 'emulator', { latencyMs: 0 });

	const messagesSent = () => messagePosts(setup.emulator).map((r) => r.body as Json);
	const templateListings = () => graphRequests(setup.emulator, 'GET', '/message_templates').length;

	const sendNode = (parameters: Json = {}) =>
		shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: setup.credential },
			{ body_1: 'Ana', body_2: 'SO-1', body_3: 'Friday', button_0_url: 'SO-1' },
			parameters,
			{ name: 'Send', typeVersion: 1.1, onError: 'continueRegularOutput' },
		);

	const refusal = (item: Json) => `${item.error?.message ?? ''} ${item.error?.description ?? ''}`;

	it('Default Country (per item) turns national numbers into E.164 and refuses wrong lengths with the reason', async () => {
		const items = [
			{ phone: '0151 2345678', country: 'DE' },
			{ phone: '(51) 98765-4321', country: 'BR' },
			{ phone: '(415) 555-0123', country: 'US' },
			{ phone: '07700 900123', country: 'GB' },
			{ phone: '098765 43210', country: 'IN' },
			{ phone: '0151 234567', country: 'DE' },
			{ phone: '0151 2345678', country: '' },
			{ phone: '+44 7700 900123', country: 'DE' },
			{ phone: '0151 2345678', country: 'Germany' },
			{ phone: '0151 2345678', country: 'ZZ' },
			{ phone: '+354 611 2345', country: 'IS' },
		];
		const result = await runOnce(n8n, sendNode({ defaultCountry: '={{ $json.country }}' }), items);
		expect(result.status).toBe(200);
		const out = result.body as Json[];
		expect(out.map((item) => item.to ?? null)).toEqual([
			'+491512345678',
			'+5551987654321',
			'+14155550123',
			'+447700900123',
			'+919876543210',
			null,
			null,
			'+447700900123',
			'+491512345678',
			null,
			'+3546112345',
		]);
		expect(refusal(out[9])).toMatch(/Default Country "ZZ" has no numbering rules/);
		expect(refusal(out[5])).toMatch(/not a valid Germany \(DE\) number: after the 0 it has 9 digits/);
		expect(refusal(out[6])).toMatch(/set Default Country/);
		// Before: without Default Country every national number was refused; nothing wrong reached Meta.
		// (sorted: the second message to the same German number waits for Meta's pair limit)
		expect(
			messagesSent()
				.map((body) => body.to)
				.sort(),
		).toEqual([
			'+14155550123',
			'+3546112345',
			'+447700900123',
			'+447700900123',
			'+491512345678',
			'+491512345678',
			'+5551987654321',
			'+919876543210',
		]);
	});

	it('Template Language: Match Recipient sends the best approved translation per item, with one template listing', async () => {
		const items = [
			{ phone: '+5551987654321', locale: 'pt-BR' },
			{ phone: '+351912345678', locale: 'pt_PT' },
			{ phone: '+491512345678', locale: 'de' },
			{ phone: '+14155550123', locale: '' },
			{ phone: '+14155550124', locale: 'Deutsch' },
		];
		const result = await runOnce(
			n8n,
			sendNode({ templateLanguage: 'matchRecipient', recipientLanguage: '={{ $json.locale }}' }),
			items,
		);
		const out = result.body as Json[];
		expect(out.slice(0, 4).map((item) => item.language?.language)).toEqual(['pt_BR', 'pt_BR', 'en_US', 'en_US']);
		expect(out.slice(0, 4).map((item) => item.language?.match)).toEqual([
			'exact',
			'sameLanguage',
			'default',
			'default',
		]);
		expect(out[1].language.reason).toMatch(/No approved translation for "pt_PT"/);
		expect(out[2].language.reason).toMatch(/No approved translation in de/);
		expect(out[0].renderedText).toMatch(/^Olá Ana/);
		expect(refusal(out[4])).toMatch(/"Deutsch" is not a language code/);
		expect(messagesSent().map((body) => body.template.language.code)).toEqual(['pt_BR', 'pt_BR', 'en_US', 'en_US']);
		// One listing of the template's name, for all items: the lookup By Name and the translations share it.
		expect(templateListings()).toBe(1);
	});

	it('Quiet Hours: items inside the recipient’s night go to Deferred with sendAt; the others are sent; nothing is lost', async () => {
		const nowUtc = DateTime.utc();
		// A window that holds "now" in UTC and not in Kiritimati (UTC+14) or Kolkata (UTC+5:30).
		const start = nowUtc.startOf('hour');
		const end = start.plus({ hours: 2 });
		const clock = (t: DateTime) => `${String(t.hour).padStart(2, '0')}:00`;
		const items = [
			{ phone: '+14155550123', tz: 'UTC' },
			{ phone: '+14155550124', tz: 'Pacific/Kiritimati' },
			{ phone: '+919876543210', tz: '' },
			{ phone: '+14155550125', tz: 'Mars/Olympus' },
			{ phone: '+14155550126', tz: 'Etc/UTC' },
		];
		const result = await runOnce(
			n8n,
			sendNode({
				recipientTimeZone: '={{ $json.tz }}',
				quietHours: true,
				quietHoursStart: clock(start),
				quietHoursEnd: clock(end),
			}),
			items,
			{ keep: true },
		);
		const sent = nodeOutput(result.execution, 'Send', 0).map((item: Json) => item.json);
		const deferred = nodeOutput(result.execution, 'Send', 1);
		expect(sent.map((item: Json) => item.to ?? refusal(item))).toEqual([
			'+14155550124',
			'+919876543210',
			expect.stringMatching(/"Mars\/Olympus" is not an IANA time zone/),
		]);
		expect(sent[1].recipientTime).toMatchObject({ zone: 'Asia/Kolkata', source: 'phoneCountry' });
		expect(deferred.map((item: Json) => item.pairedItem)).toEqual([{ item: 0 }, { item: 4 }]);
		for (const item of deferred) {
			expect(item.json.sendAt).toBe(end.toISO({ suppressMilliseconds: false }));
			expect(item.json.phone).toMatch(/^\+1415555012[36]$/);
			expect(item.json.deferred.reason).toMatch(/quiet hours/);
		}
		expect(deferred[0].json.sendAtLocal).toBe(end.toISO());
		expect(messagesSent().map((body) => body.to)).toEqual(['+14155550124', '+919876543210']);
		await n8n.deleteWorkflow(result.workflowId).catch(() => undefined);
	});

	it('Quiet Hours lets exempt notification types through', async () => {
		const start = DateTime.utc().startOf('hour');
		const clock = (t: DateTime) => `${String(t.hour).padStart(2, '0')}:00`;
		const result = await runOnce(
			n8n,
			sendNode({
				recipientTimeZone: 'UTC',
				quietHours: true,
				quietHoursStart: clock(start),
				quietHoursEnd: clock(start.plus({ hours: 2 })),
				quietHoursExemptTypes: ['shippingStatus'],
			}),
			[{ phone: '+14155550123' }],
		);
		expect((result.body as Json[])[0].to).toBe('+14155550123');
		expect(messagesSent()).toHaveLength(1);
	});

	it('sends to a business-scoped user id with `recipient` instead of `to`, priced and timed by its country', async () => {
		const items = [{ phone: 'BR.13491208655302741918' }, { phone: 'US.ENT.11815799212886844830' }, { phone: 'XX-123' }];
		const result = await runOnce(n8n, sendNode(), items);
		const out = result.body as Json[];
		expect(out[0]).toMatchObject({ to: 'BR.13491208655302741918', estimatedCost: { market: 'Brazil', country: 'BR' } });
		expect(out[0].messageId).toMatch(/^wamid\./);
		expect(out[1].to).toBe('US.ENT.11815799212886844830');
		expect(out[1].recipientTime.reason).toMatch(/United States has several time zones/);
		expect(out[2].error).toMatchObject({ outcome: 'not_sent' });
		const bodies = messagesSent();
		expect(bodies.map((body) => [body.recipient, body.to])).toEqual([
			['BR.13491208655302741918', undefined],
			['US.ENT.11815799212886844830', undefined],
		]);
	});
});
