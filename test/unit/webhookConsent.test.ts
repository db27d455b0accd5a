/**
 * What the Session Window Trigger plans to record in the consent ledger, from real webhook payloads (Meta's shapes):
 * every contact id that comes from Meta is taken as what it is (a wa_id is international without '+', whatever its
 * length), and a STOP from a contact known by phone number and business-scoped user id is recorded under both.
 * Then the policy: 131050, opt-in keywords (resume, invitation, ignore), redeliveries, and the inbound times.
 */
import { normaliseContact, validateConsentEvent, type ConsentEvent } from '../../nodes/shared/domain/consent';
import { compileKeywords } from '../../nodes/shared/domain/optOutKeywords';
import {
	WindowTracker,
	processWebhook,
	type ConsentRequestEvent,
	type WebhookPayload,
} from '../../nodes/shared/domain/webhooks';
import { messagesPayload } from '../support/fixtures';
import {
	LEDGER_SOURCE,
	MARKETING_OPT_OUT_SOURCE,
	contactIdOf,
	contactIdsOf,
	identityPairs,
	inboundTimes,
	isConsentRequest,
	keywordOptInWording,
	planConsent,
	readTriggerLedgerPolicy,
	resumableOptIns,
	type TriggerLedgerPolicy,
} from '../../nodes/shared/domain/webhookConsent';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const POLICY: TriggerLedgerPolicy = { optInKeywords: 'resume', invitationWording: '', marketingOptOut: 'ignore' };

/** A signed-webhook body as Meta sends it for a text message; `contact` is the contacts[] entry. */
function textMessage(contact: Record<string, unknown>, message: Record<string, unknown>, text: string): WebhookPayload {
	return messagesPayload({
		messaging_product: 'whatsapp',
		metadata: { display_phone_number: '15550100100', phone_number_id: 'PN' },
		contacts: [{ profile: { name: 'Ana' }, ...contact }],
		messages: [
			{
				id: `wamid.${text}${JSON.stringify(contact).length}`,
				timestamp: String(NOW / 1000 - 60),
				type: 'text',
				text: { body: text },
				...message,
			},
		],
	});
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
		expect(checked).toMatchObject({
			ok: true,
			event: { contactId: `+${waId}`, contactKind: 'phone', action: 'optOut', purpose: 'allUtility' },
		});
		expect(contactIdOf(stop.contact)).toBe(`+${waId}`);
	});

	it('keeps typed-in bare digit strings apart: only the wa_id path reads them as international', () => {
		expect(normaliseContact({ waId: '4512345678' })).toEqual({ ok: true, kind: 'phone', id: '+4512345678' });
		expect(normaliseContact({ waId: '+4512345678' })).toEqual({ ok: true, kind: 'phone', id: '+4512345678' });
		expect(normaliseContact('4512345678')).toMatchObject({
			ok: false,
			reason: expect.stringContaining('put + in front of it (+4512345678)'),
		});
	});

	it.each([['012345678'], ['45 1234'], ['123456'], ['1234567890123456'], ['']])(
		'refuses "%s" as a wa_id with the reason',
		(waId) => {
			const result = normaliseContact({ waId });
			expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/not a WhatsApp id/) });
		},
	);
});

describe('phone number and business-scoped user id of one person', () => {
	const BSUID = 'DK.13491208655302741918';

	it('plans a STOP carried with both ids under both', () => {
		const stop = stopFrom({ wa_id: '4512345678', user_id: BSUID }, { from: '4512345678', from_user_id: BSUID });
		expect(contactIdsOf(stop.contact)).toEqual([{ waId: '4512345678' }, { userId: BSUID }]);
		const plan = planConsent(stop, [], POLICY, NOW);
		const contacts = ('inputs' in plan ? plan.inputs : [])
			.map((i) => validateConsentEvent(i, NOW))
			.map((r) => (r.ok ? r.event.contactId : r.reason));
		expect(contacts).toEqual(['+4512345678', BSUID]);
	});

	it('plans a STOP from a username user (no phone number in the webhook) under the user id', () => {
		const stop = stopFrom({ user_id: BSUID, profile: { name: 'Ana', username: '@ana' } }, { from_user_id: BSUID });
		const plan = planConsent(stop, [], POLICY, NOW);
		const inputs = 'inputs' in plan ? plan.inputs : [];
		expect(inputs.map((i) => validateConsentEvent(i, NOW))).toEqual([
			expect.objectContaining({
				ok: true,
				event: expect.objectContaining({ contactId: BSUID, contactKind: 'userId' }),
			}),
		]);
		expect(contactIdOf(stop.contact)).toBe(BSUID);
	});

	it('links the two ids whenever a message carries both, once per delivery', () => {
		const both = eventsOf(
			textMessage({ wa_id: '4512345678', user_id: BSUID }, { from: '4512345678', from_user_id: BSUID }, 'STOP'),
		);
		expect(identityPairs(both)).toEqual([[{ waId: '4512345678' }, { userId: BSUID }]]);
		const phoneOnly = eventsOf(textMessage({ wa_id: '4512345678' }, { from: '4512345678' }, 'hello'));
		expect(identityPairs(phoneOnly)).toEqual([]);
	});
});

/** A ledger event of contact +4512345678, `minutesAgo` before NOW. */
function ledgerEvent(
	action: ConsentEvent['action'],
	purpose: ConsentEvent['purpose'],
	minutesAgo: number,
	extra: Partial<ConsentEvent> = {},
): ConsentEvent {
	const at = new Date(NOW - minutesAgo * 60_000).toISOString();
	return {
		eventId: `evt-${action}-${purpose}-${minutesAgo}`,
		contactKey: 'key',
		contactId: '+4512345678',
		purpose,
		action,
		source: 'signup form',
		proofWording: `I agree to ${purpose}`,
		proofVersion: 'v3',
		proofReference: `ref-${minutesAgo}`,
		capturedAt: at,
		recordedAt: at,
		workflowId: 'wf',
		executionId: 'ex',
		...extra,
	};
}

function requestFrom(text: string): ReturnType<typeof stopFrom> {
	const request = eventsOf(textMessage({ wa_id: '4512345678' }, { from: '4512345678' }, text)).find(isConsentRequest);
	expect(request).toBeDefined();
	return request as ReturnType<typeof stopFrom>;
}

/** A failed status with 131050 for +4512345678, as Meta reports it. */
function marketingStop() {
	const payload = messagesPayload({
		metadata: { display_phone_number: '15550100100', phone_number_id: 'PN' },
		statuses: [
			{
				id: 'wamid.OUT1',
				status: 'failed',
				timestamp: String(NOW / 1000 - 30),
				recipient_id: '4512345678',
				errors: [
					{
						code: 131050,
						title: 'Unable to deliver the message',
						error_data: { details: 'User stopped marketing messages' },
					},
				],
			},
		],
	});
	const request = eventsOf(payload).find(isConsentRequest);
	expect(request).toMatchObject({ event: 'optOutRequest', source: 'error131050', scope: 'marketing' });
	return request as ReturnType<typeof stopFrom>;
}

describe('readTriggerLedgerPolicy', () => {
	it('reads the three settings, and anything unknown as the default', () => {
		expect(readTriggerLedgerPolicy({})).toEqual({
			optInKeywords: 'resume',
			invitationWording: '',
			marketingOptOut: 'ignore',
		});
		expect(
			readTriggerLedgerPolicy({
				optInKeywords: 'resumeOrInvitation',
				invitationWording: 'Reply START',
				marketingOptOut: 'optOutAllUtility',
			}),
		).toEqual({
			optInKeywords: 'resumeOrInvitation',
			invitationWording: 'Reply START',
			marketingOptOut: 'optOutAllUtility',
		});
		expect(readTriggerLedgerPolicy({ optInKeywords: 'ignore', marketingOptOut: 'sometimes' })).toMatchObject({
			optInKeywords: 'ignore',
			marketingOptOut: 'ignore',
		});
		expect(readTriggerLedgerPolicy({ optInKeywords: 'whatever' }).optInKeywords).toBe('resume');
	});
});

describe('planConsent: opt-outs', () => {
	it('plans a STOP as an opt-out of all utility notifications, with the text and wamid as proof', () => {
		const stop = requestFrom('STOP');
		const plan = planConsent(stop, [], POLICY, NOW);
		expect(plan).toEqual({
			inputs: [
				{
					contact: { waId: '4512345678' },
					purpose: 'allUtility',
					action: 'optOut',
					source: LEDGER_SOURCE,
					proofWording: 'STOP',
					proofReference: stop.messageId,
					capturedAt: stop.occurredAt,
				},
			],
		});
	});

	it('records nothing for 131050 by default, and an opt-out of all utility when the policy says so', () => {
		const stop = marketingStop();
		expect(planConsent(stop, [], POLICY, NOW)).toEqual({
			note: expect.objectContaining({ recorded: false, reason: 'marketingOnly' }),
		});
		const strict = planConsent(stop, [], { ...POLICY, marketingOptOut: 'optOutAllUtility' }, NOW);
		expect(strict).toEqual({
			inputs: [
				expect.objectContaining({
					purpose: 'allUtility',
					action: 'optOut',
					source: MARKETING_OPT_OUT_SOURCE,
					proofWording: 'User stopped marketing messages',
					proofReference: 'wamid.OUT1',
				}),
			],
		});
	});

	it('does not plan a redelivered request again: the ledger already holds its wamid', () => {
		const stop = requestFrom('STOP');
		const recorded = ledgerEvent('optOut', 'allUtility', 1, { proofReference: stop.messageId, eventId: 'evt-stop' });
		expect(planConsent(stop, [recorded], POLICY, NOW)).toEqual({
			note: { recorded: true, duplicate: true, action: 'optOut', purposes: ['allUtility'], eventIds: ['evt-stop'] },
		});
	});

	it('says why nothing was recorded for a contact without any id', () => {
		const stop = { ...requestFrom('STOP'), contact: { key: 'unknown' } };
		expect(planConsent(stop, [], POLICY, NOW)).toEqual({
			note: expect.objectContaining({ recorded: false, error: expect.stringContaining('neither a wa_id') }),
		});
	});
});

describe('planConsent: opt-in keywords', () => {
	const optedInThenOut = [ledgerEvent('optIn', 'allUtility', 60), ledgerEvent('optOut', 'allUtility', 30)];

	it('resumes the opt-in the latest opt-out withdrew, quoting its wording and version', () => {
		const start = requestFrom('START');
		const plan = planConsent(start, optedInThenOut, POLICY, NOW);
		expect(plan).toEqual({
			inputs: [
				expect.objectContaining({
					contact: { waId: '4512345678' },
					purpose: 'allUtility',
					action: 'optIn',
					source: LEDGER_SOURCE,
					proofWording: 'Replied "START" on WhatsApp to resume: I agree to allUtility',
					proofVersion: 'v3',
					proofReference: start.messageId,
				}),
			],
		});
	});

	it('records nothing to resume for someone who never opted in, unless an invitation wording is set', () => {
		const start = requestFrom('START');
		expect(planConsent(start, [], POLICY, NOW)).toEqual({
			note: expect.objectContaining({ recorded: false, reason: 'nothingToResume' }),
		});
		const invited = planConsent(
			start,
			[],
			{ ...POLICY, optInKeywords: 'resumeOrInvitation', invitationWording: 'Reply START for order updates' },
			NOW,
		);
		expect(invited).toEqual({
			inputs: [
				expect.objectContaining({
					purpose: 'allUtility',
					action: 'optIn',
					proofWording: 'Replied "START" on WhatsApp to accept: Reply START for order updates',
					proofVersion: 'keyword invitation',
				}),
			],
		});
		expect(
			planConsent(start, [], { ...POLICY, optInKeywords: 'resumeOrInvitation', invitationWording: '  ' }, NOW),
		).toEqual({
			note: expect.objectContaining({ reason: 'nothingToResume' }),
		});
	});

	it('records no opt-in keyword when the policy says Do Not Record', () => {
		expect(planConsent(requestFrom('START'), optedInThenOut, { ...POLICY, optInKeywords: 'ignore' }, NOW)).toEqual({
			note: expect.objectContaining({ recorded: false, reason: 'optInKeywordsNotRecorded' }),
		});
	});
});

describe('resumableOptIns and keywordOptInWording', () => {
	it('brings back each notification type granted before the latest opt-out, not one withdrawn earlier', () => {
		const history = [
			ledgerEvent('optIn', 'accountUpdate', 90),
			ledgerEvent('optIn', 'shippingStatus', 80),
			ledgerEvent('optOut', 'shippingStatus', 70),
			ledgerEvent('optIn', 'paymentRequest', 60),
			ledgerEvent('optOut', 'allUtility', 10),
		];
		expect(resumableOptIns(history, NOW).map(({ purpose, from }) => [purpose, from.eventId])).toEqual([
			['accountUpdate', 'evt-optIn-accountUpdate-90'],
			['paymentRequest', 'evt-optIn-paymentRequest-60'],
		]);
	});

	it('brings back nothing after an erasure, or when nothing was withdrawn', () => {
		expect(
			resumableOptIns([ledgerEvent('optIn', 'allUtility', 60), ledgerEvent('erase', 'allUtility', 30)], NOW),
		).toEqual([]);
		expect(resumableOptIns([ledgerEvent('optIn', 'allUtility', 60)], NOW)).toEqual([]);
		expect(resumableOptIns([], NOW)).toEqual([]);
	});

	it("does not repeat an earlier resumption's prefix", () => {
		const once = keywordOptInWording('START', 'resume', 'I agree');
		expect(once).toBe('Replied "START" on WhatsApp to resume: I agree');
		expect(keywordOptInWording('UNSTOP', 'resume', once)).toBe('Replied "UNSTOP" on WhatsApp to resume: I agree');
	});
});

describe('inboundTimes', () => {
	it("keeps each contact's newest window-opening message, and no system message", () => {
		const payload = textMessage({ wa_id: '4512345678' }, { from: '4512345678' }, 'hello');
		const value = (payload.entry[0].changes as Array<{ value: { messages: Array<Record<string, unknown>> } }>)[0].value;
		const first = value.messages[0];
		value.messages.push(
			{ ...first, id: 'wamid.later', timestamp: String(NOW / 1000 - 10) },
			{
				id: 'wamid.system',
				from: '4512345678',
				timestamp: String(NOW / 1000),
				type: 'system',
				system: { body: 'changed number' },
			},
		);
		const times = inboundTimes(eventsOf(payload));
		expect([...times]).toEqual([
			['+4512345678', { id: { waId: '4512345678' }, at: new Date(NOW - 10_000).toISOString() }],
		]);
	});
});
