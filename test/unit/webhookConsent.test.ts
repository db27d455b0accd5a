/**
 * What the Session Window Trigger plans to record in the consent ledger, from real webhook payloads (Meta's shapes):
 * every contact id that comes from Meta is taken as what it is (a wa_id is international without '+', whatever its
 * length), and a STOP from a contact known by phone number and business-scoped user id is recorded under both.
 */
import { normaliseContact, validateConsentEvent } from '../../nodes/shared/domain/consent';
import { compileKeywords } from '../../nodes/shared/domain/optOutKeywords';
import { WindowTracker, processWebhook, type ConsentRequestEvent, type WebhookPayload } from '../../nodes/shared/domain/webhooks';
import { contactIdOf, contactIdsOf, identityPairs, planConsent, type TriggerLedgerPolicy } from '../../nodes/shared/domain/webhookConsent';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const POLICY: TriggerLedgerPolicy = { optInKeywords: 'resume', invitationWording: '', marketingOptOut: 'ignore' };

/** A signed-webhook body as Meta sends it for a text message; `contact` is the contacts[] entry. */
function textMessage(contact: Record<string, unknown>, message: Record<string, unknown>, text: string): WebhookPayload {
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: 'WABA',
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550100100', phone_number_id: 'PN' },
							contacts: [{ profile: { name: 'Ana' }, ...contact }],
							messages: [{ id: `wamid.${text}${JSON.stringify(contact).length}`, timestamp: String(NOW / 1000 - 60), type: 'text', text: { body: text }, ...message }],
						},
					},
				],
			},
		],
	};
}

function eventsOf(payload: WebhookPayload) {
	return processWebhook(payload, { windows: new WindowTracker(), now: NOW, keywords: compileKeywords() }).events;
}

function stopFrom(contact: Record<string, unknown>, message: Record<string, unknown>): ConsentRequestEvent {
	const stop = eventsOf(textMessage(contact, message, 'STOP')).find((e) => e.event === 'optOutRequest');
	expect(stop).toBeDefined();
	return stop as ConsentRequestEvent;
}

describe('a wa_id is international, whatever its length', () => {
	// Total digits of the wa_id: 8 (Falklands +500, 5-digit numbers), 9 (Faroe Islands +298, 6 digits),
	// 10 (Denmark +45 / Norway +47 / Singapore +65 with 8 digits, Iceland +354 with 7), 12 (Germany, the old case).
	it.each([
		['Falklands, 8 digits', '50051234'],
		['Faroe Islands, 9 digits', '298123456'],
		['Denmark, 10 digits', '4512345678'],
		['Norway, 10 digits', '4791234567'],
		['Singapore, 10 digits', '6591234567'],
		['Iceland, 10 digits', '3546112345'],
		['Germany, 12 digits', '491511234567'],
	])('a STOP from %s is planned as an opt-out the ledger accepts', (_country, waId) => {
		const stop = stopFrom({ wa_id: waId }, { from: waId });
		const plan = planConsent(stop, [], POLICY, NOW);
		expect('inputs' in plan).toBe(true);
		const inputs = 'inputs' in plan ? plan.inputs : [];
		expect(inputs).toHaveLength(1);
		const checked = validateConsentEvent(inputs[0], NOW);
		expect(checked).toMatchObject({ ok: true, event: { contactId: `+${waId}`, contactKind: 'phone', action: 'optOut', purpose: 'allUtility' } });
		expect(contactIdOf(stop.contact)).toBe(`+${waId}`);
	});

	it('keeps typed-in bare digit strings apart: only the wa_id path reads them as international', () => {
		expect(normaliseContact({ waId: '4512345678' })).toEqual({ ok: true, kind: 'phone', id: '+4512345678' });
		expect(normaliseContact({ waId: '+4512345678' })).toEqual({ ok: true, kind: 'phone', id: '+4512345678' });
		expect(normaliseContact('4512345678')).toMatchObject({ ok: false, reason: expect.stringContaining('put + in front of it (+4512345678)') });
	});

	it.each([['012345678'], ['45 1234'], ['123456'], ['1234567890123456'], ['']])('refuses "%s" as a wa_id with the reason', (waId) => {
		const result = normaliseContact({ waId });
		expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/not a WhatsApp id/) });
	});
});

describe('phone number and business-scoped user id of one person', () => {
	const BSUID = 'DK.13491208655302741918';

	it('plans a STOP carried with both ids under both', () => {
		const stop = stopFrom({ wa_id: '4512345678', user_id: BSUID }, { from: '4512345678', from_user_id: BSUID });
		expect(contactIdsOf(stop.contact)).toEqual([{ waId: '4512345678' }, { userId: BSUID }]);
		const plan = planConsent(stop, [], POLICY, NOW);
		const contacts = ('inputs' in plan ? plan.inputs : []).map((i) => validateConsentEvent(i, NOW)).map((r) => (r.ok ? r.event.contactId : r.reason));
		expect(contacts).toEqual(['+4512345678', BSUID]);
	});

	it('plans a STOP from a username user (no phone number in the webhook) under the user id', () => {
		const stop = stopFrom({ user_id: BSUID, profile: { name: 'Ana', username: '@ana' } }, { from_user_id: BSUID });
		const plan = planConsent(stop, [], POLICY, NOW);
		const inputs = 'inputs' in plan ? plan.inputs : [];
		expect(inputs.map((i) => validateConsentEvent(i, NOW))).toEqual([expect.objectContaining({ ok: true, event: expect.objectContaining({ contactId: BSUID, contactKind: 'userId' }) })]);
		expect(contactIdOf(stop.contact)).toBe(BSUID);
	});

	it('links the two ids whenever a message carries both, once per delivery', () => {
		const both = eventsOf(textMessage({ wa_id: '4512345678', user_id: BSUID }, { from: '4512345678', from_user_id: BSUID }, 'STOP'));
		expect(identityPairs(both)).toEqual([[{ waId: '4512345678' }, { userId: BSUID }]]);
		const phoneOnly = eventsOf(textMessage({ wa_id: '4512345678' }, { from: '4512345678' }, 'hello'));
		expect(identityPairs(phoneOnly)).toEqual([]);
	});
});
