/** Signature check, body parsing, dedupe memory, window maths and correlation of the Session Window Trigger. */
import { createHmac } from 'node:crypto';

import { SERVICE_WINDOW_MS } from '../../nodes/shared/domain/window';
import {
	MAX_WEBHOOK_BYTES,
	NO_WINDOW_TYPES,
	LogThrottle,
	RecentKeys,
	WindowTracker,
	redactForLog,
	computeSignature,
	parseCorrelation,
	parseWebhookBody,
	processWebhook,
	selectedEventNames,
	opensWindow,
	verifySignature,
	type WebhookPayload,
	type WindowEvent,
} from '../../nodes/shared/domain/webhooks';
import { bool, derivedBase } from '../../nodes/shared/domain/webhooks/reading';
import { messagesPayload } from '../support/fixtures';
import { marketingOptOutOf, readStatus } from '../../nodes/shared/domain/webhooks/statuses';
import { TEMPLATE_WEBHOOK_FIELDS, readTemplateChange } from '../../nodes/shared/domain/webhooks/templateChanges';

const SECRET = 'app-secret-123';
const HOUR = 3600 * 1000;

describe('verifySignature', () => {
	// Spaces and a unicode escape: a re-serialised JSON.stringify(JSON.parse(raw)) would differ.
	const raw = Buffer.from('{"object": "whatsapp_business_account", "entry": [ {"id":"1","note":"caf\\u00e9"} ]}');
	const good = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;

	it('accepts the HMAC-SHA256 of the raw bytes', () => {
		expect(verifySignature(raw, good, SECRET)).toEqual({ valid: true });
		expect(computeSignature(raw, SECRET)).toBe(good);
		expect(verifySignature(raw.toString('utf8'), good, SECRET)).toEqual({ valid: true });
	});

	it('accepts an upper-case digest and an array header', () => {
		expect(verifySignature(raw, `sha256=${good.slice(7).toUpperCase()}`, SECRET).valid).toBe(true);
		expect(verifySignature(raw, [good], SECRET).valid).toBe(true);
	});

	it('refuses a wrong secret', () => {
		expect(verifySignature(raw, good, 'another-secret')).toMatchObject({
			valid: false,
			reason: expect.stringContaining('does not match'),
		});
	});

	it('refuses a missing header', () => {
		expect(verifySignature(raw, undefined, SECRET)).toMatchObject({
			valid: false,
			reason: expect.stringContaining('missing'),
		});
		expect(verifySignature(raw, '', SECRET).valid).toBe(false);
	});

	it('refuses a tampered body, including the re-serialised one', () => {
		const tampered = Buffer.from(raw.toString('utf8').replace('"1"', '"2"'));
		expect(verifySignature(tampered, good, SECRET).valid).toBe(false);
		const reserialised = JSON.stringify(JSON.parse(raw.toString('utf8')));
		expect(reserialised).not.toBe(raw.toString('utf8'));
		expect(verifySignature(reserialised, good, SECRET).valid).toBe(false);
	});

	it('refuses a wrong prefix or a malformed digest', () => {
		const hex = good.slice('sha256='.length);
		expect(verifySignature(raw, `sha1=${hex}`, SECRET)).toMatchObject({
			valid: false,
			reason: expect.stringContaining('sha256='),
		});
		expect(verifySignature(raw, hex, SECRET).valid).toBe(false);
		expect(verifySignature(raw, 'sha256=abc', SECRET)).toMatchObject({
			valid: false,
			reason: expect.stringContaining('hex'),
		});
		expect(verifySignature(raw, `sha256=${hex.slice(0, 63)}z`, SECRET).valid).toBe(false);
	});

	it('refuses everything when no app secret is set', () => {
		expect(verifySignature(raw, good, '')).toMatchObject({
			valid: false,
			reason: expect.stringContaining('App Secret'),
		});
	});
});

describe('parseWebhookBody', () => {
	it('reads a WhatsApp envelope (with a BOM)', () => {
		const r = parseWebhookBody('\ufeff{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}');
		expect(r).toEqual({
			ok: true,
			payload: { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [] }] },
		});
	});

	it.each([
		['{"object":', 'not valid JSON'],
		['[1,2]', 'not a JSON object'],
		['{"object":"page","entry":[]}', 'not "whatsapp_business_account"'],
		['{"object":"whatsapp_business_account","entry":{}}', '"entry" is not an array'],
	])('refuses %p', (body, reason) => {
		const r = parseWebhookBody(body);
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.reason).toContain(reason);
	});

	it('refuses an oversize body', () => {
		const r = parseWebhookBody(Buffer.alloc(MAX_WEBHOOK_BYTES + 1, 32));
		expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('bytes') });
	});
});

describe('RecentKeys', () => {
	it('sees a key once, then reports repeats', () => {
		const keys = new RecentKeys(10, HOUR);
		expect(keys.seenBefore('a', 0)).toBe(false);
		expect(keys.seenBefore('a', 1)).toBe(true);
		expect(keys.seenBefore('b', 1)).toBe(false);
	});

	it('forgets after the TTL', () => {
		const keys = new RecentKeys(10, HOUR);
		keys.seenBefore('a', 0);
		expect(keys.seenBefore('a', HOUR - 1)).toBe(true);
		expect(keys.seenBefore('a', 3 * HOUR)).toBe(false);
	});

	it('is bounded: the least recently seen key goes first', () => {
		const keys = new RecentKeys(3, HOUR);
		for (const k of ['a', 'b', 'c']) keys.seenBefore(k, 0);
		keys.seenBefore('d', 1);
		expect(keys.size).toBe(3);
		expect(keys.seenBefore('a', 2)).toBe(false); // forgotten
		expect(keys.seenBefore('d', 2)).toBe(true);
	});

	it('defaults to 7 days', () => {
		expect(new RecentKeys().ttlMs).toBe(7 * 24 * HOUR);
	});

	it('holds a claimed key in flight: a copy is a duplicate, a release makes it new again, a commit makes it seen', () => {
		const keys = new RecentKeys(10, HOUR);
		expect(keys.claim('a', 0)).toBe(true);
		expect(keys.claim('a', 1)).toBe(false);
		keys.release(['a']);
		expect(keys.size).toBe(0);
		expect(keys.claim('a', 2)).toBe(true);
		keys.commit(['a'], 3);
		expect(keys.pending).toBe(0);
		expect(keys.claim('a', 4)).toBe(false);
		expect(keys.seenBefore('a', 5)).toBe(true);
	});
});

describe('processWebhook hand-off and staleness', () => {
	it('claims (does not commit) the changes of a delivery, and can undo its window records', () => {
		const dedupe = new RecentKeys();
		const windows = new WindowTracker();
		const t = 1_700_000_000;
		const p = inbound('4915112345678', 'wamid.claim', t);
		const first = processWebhook(p, { dedupe, windows, now: t * 1000 });
		expect(first.claimed).toEqual(['message:wamid.claim']);
		expect(dedupe.size).toBe(0);
		dedupe.release(first.claimed);
		windows.undo(first.windowRecords);
		const again = processWebhook(p, { dedupe, windows, now: t * 1000 });
		expect(again.events.map((e) => e.event)).toEqual(['messageReceived', 'windowOpened']);
	});

	it('drops changes older than maxAgeMs as stale, without claiming them', () => {
		const dedupe = new RecentKeys();
		const t = 1_700_000_000;
		const r = processWebhook(inbound('4915112345678', 'wamid.old', t), {
			dedupe,
			now: (t + 8 * 24 * 3600) * 1000,
			maxAgeMs: 7 * 24 * HOUR,
		});
		expect(r.events).toEqual([]);
		expect(r.stale).toEqual(['message:wamid.old']);
		expect(r.claimed).toEqual([]);
	});
});

describe('redactForLog and LogThrottle', () => {
	it('replaces phone-number-like runs, keeps ids and short numbers', () => {
		expect(
			redactForLog('contact "4512345678" and +55 (51) 98765-4321, HTTP 400 in 12 ms, wamid.HBgLMTY1MDM4Nzk0Mzk'),
		).toBe('contact "[number]" and [number], HTTP 400 in 12 ms, wamid.HBgLMTY1MDM4Nzk0Mzk');
		expect(redactForLog('x'.repeat(1000)).length).toBeLessThan(310);
		expect(
			redactForLog(`HTTP 400: Invalid value "Ana Luíza: STOP" in 'wa_consent' (n8n's API)`, { quoted: true }),
		).toBe(`HTTP 400: Invalid value "…" in "…" (n8n's API)`);
	});

	it('is linear on long digit and separator runs', () => {
		const started = Date.now();
		redactForLog(`1${' '.repeat(200_000)}`);
		redactForLog('1 '.repeat(100_000));
		expect(Date.now() - started).toBeLessThan(500);
	});

	it('lets one line through per interval and counts the rest', () => {
		const throttle = new LogThrottle(1000);
		expect(throttle.take(0)).toBe(0);
		expect(throttle.take(10)).toBeUndefined();
		expect(throttle.take(20)).toBeUndefined();
		expect(throttle.take(1000)).toBe(2);
	});
});

describe('parseCorrelation', () => {
	it("reads Send Notification's biz_opaque_callback_data", () => {
		expect(parseCorrelation('{"key":"SO-1001","execution":"42","item":3}')).toEqual({
			raw: '{"key":"SO-1001","execution":"42","item":3}',
			key: 'SO-1001',
			executionId: '42',
			itemIndex: 3,
		});
		expect(parseCorrelation('{"execution":"7","item":0}')).toEqual({
			raw: '{"execution":"7","item":0}',
			executionId: '7',
			itemIndex: 0,
		});
	});

	it('keeps foreign data as the key', () => {
		expect(parseCorrelation('order-77')).toEqual({ raw: 'order-77', key: 'order-77' });
		expect(parseCorrelation('{"other":1}')).toEqual({ raw: '{"other":1}', key: '{"other":1}' });
		expect(parseCorrelation(undefined)).toBeUndefined();
		expect(parseCorrelation('')).toBeUndefined();
	});
});

function inbound(from: string, id: string, tsSec: number, extra: Record<string, unknown> = {}): WebhookPayload {
	return messagesPayload({
		messaging_product: 'whatsapp',
		metadata: { display_phone_number: '15550100100', phone_number_id: 'PN' },
		contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
		messages: [{ from, id, timestamp: String(tsSec), type: 'text', text: { body: 'hi' }, ...extra }],
	});
}

describe('window events (24 h, 72 h FEP, renewal)', () => {
	const t0 = Date.parse('2026-11-20T10:00:00.000Z');
	const sec = (ms: number) => Math.floor(ms / 1000);

	it('opens a 24 h window at the message time', () => {
		const r = processWebhook(inbound('4915100000001', 'wamid.A', sec(t0)), {
			windows: new WindowTracker(),
			now: t0 + 1000,
		});
		const w = r.events.find((e) => e.event === 'windowOpened') as WindowEvent;
		expect(w).toMatchObject({
			openedAt: '2026-11-20T10:00:00.000Z',
			expiresAt: '2026-11-21T10:00:00.000Z',
			open: true,
			remainingMs: SERVICE_WINDOW_MS - 1000,
			fromAdReferral: false,
			contact: { key: '4915100000001', waId: '4915100000001', name: 'Ana' },
			messageId: 'wamid.A',
			phoneNumberId: 'PN',
		});
		expect(w.freeEntryPoint).toBeUndefined();
	});

	it('renews within 24 h and re-opens after', () => {
		const windows = new WindowTracker();
		processWebhook(inbound('49151', 'wamid.1', sec(t0)), { windows, now: t0 });
		const r2 = processWebhook(inbound('49151', 'wamid.2', sec(t0 + 5 * HOUR)), { windows, now: t0 + 5 * HOUR });
		expect(r2.events.find((e) => e.event.startsWith('window'))).toMatchObject({
			event: 'windowRenewed',
			openedAt: new Date(t0 + 5 * HOUR).toISOString(),
			expiresAt: new Date(t0 + 29 * HOUR).toISOString(),
			previousOpenedAt: new Date(t0).toISOString(),
			previousExpiresAt: new Date(t0 + 24 * HOUR).toISOString(),
		});
		const r3 = processWebhook(inbound('49151', 'wamid.3', sec(t0 + 40 * HOUR)), { windows, now: t0 + 40 * HOUR });
		expect(r3.events.find((e) => e.event.startsWith('window'))?.event).toBe('windowOpened');
	});

	it('does not move the window back for a late, older message', () => {
		const windows = new WindowTracker();
		processWebhook(inbound('49151', 'wamid.new', sec(t0 + HOUR)), { windows, now: t0 + HOUR });
		const late = processWebhook(inbound('49151', 'wamid.old', sec(t0)), { windows, now: t0 + HOUR });
		expect(late.events.map((e) => e.event)).toEqual(['messageReceived']);
	});

	it('gives no window event for a second message in the same second (Meta timestamps are whole seconds)', () => {
		const windows = new WindowTracker();
		processWebhook(inbound('49151', 'wamid.first', sec(t0)), { windows, now: t0 });
		const sameSecond = processWebhook(inbound('49151', 'wamid.second', sec(t0 + 400)), { windows, now: t0 + 400 });
		expect(sameSecond.events.map((e) => e.event)).toEqual(['messageReceived']);
		const nextSecond = processWebhook(inbound('49151', 'wamid.third', sec(t0 + 1000)), { windows, now: t0 + 1000 });
		expect(nextSecond.events.map((e) => e.event)).toEqual(['messageReceived', 'windowRenewed']);
	});

	it('reports a window as closed when the delivery comes after it expired', () => {
		const r = processWebhook(inbound('49151', 'wamid.X', sec(t0)), { now: t0 + 25 * HOUR });
		expect(r.events.find((e) => e.event === 'windowOpened')).toMatchObject({ open: false, remainingMs: 0 });
	});

	it('adds the 72 h free-entry-point window for a click-to-WhatsApp ad referral', () => {
		const referral = { source_type: 'ad', source_id: '1202', source_url: 'https://fb.me/x', ctwa_clid: 'abc' };
		const r = processWebhook(inbound('49151', 'wamid.ad', sec(t0), { referral }), { now: t0 + HOUR });
		const w = r.events.find((e) => e.event === 'windowOpened') as WindowEvent;
		expect(w.fromAdReferral).toBe(true);
		expect(w.expiresAt).toBe(new Date(t0 + 24 * HOUR).toISOString());
		expect(w.freeEntryPoint).toEqual({
			replyBefore: new Date(t0 + 24 * HOUR).toISOString(),
			expiresAtIfRepliedNow: new Date(t0 + HOUR + 72 * HOUR).toISOString(),
			windowHours: 72,
		});
		const msg = r.events.find((e) => e.event === 'messageReceived');
		expect(msg).toMatchObject({ fromAdReferral: true, referral });
	});

	it('gives one window event per contact per delivery (the newest message)', () => {
		const p = inbound('49151', 'wamid.a', sec(t0));
		const value = (p.entry[0].changes as any)[0].value;
		value.messages.push({
			from: '49151',
			id: 'wamid.b',
			timestamp: String(sec(t0 + 60_000)),
			type: 'text',
			text: { body: 'again' },
		});
		const r = processWebhook(p, { windows: new WindowTracker(), now: t0 + 60_000 });
		const windows = r.events.filter((e) => e.event.startsWith('window')) as WindowEvent[];
		expect(windows).toHaveLength(1);
		expect(windows[0]).toMatchObject({ event: 'windowOpened', messageId: 'wamid.b' });
	});

	it('keys the window by business-scoped user id when there is no phone number', () => {
		const payload = messagesPayload({
			metadata: { phone_number_id: 'PN' },
			contacts: [{ profile: { name: 'Bo', username: '@bo' }, user_id: 'US.13491208655302741918' }],
			messages: [
				{
					from_user_id: 'US.13491208655302741918',
					id: 'wamid.U',
					timestamp: String(sec(t0)),
					type: 'text',
					text: { body: 'yo' },
				},
			],
		});
		const r = processWebhook(payload, { now: t0 });
		expect(r.events.map((e) => (e as any).contact)).toEqual([
			{ key: 'US.13491208655302741918', userId: 'US.13491208655302741918', name: 'Bo', username: '@bo' },
			{ key: 'US.13491208655302741918', userId: 'US.13491208655302741918', name: 'Bo', username: '@bo' },
		]);
	});
});

describe('dedupe in processWebhook', () => {
	const t0 = Date.parse('2026-11-20T10:00:00.000Z');

	it('drops a redelivered message and all events derived from it', () => {
		const dedupe = new RecentKeys();
		const windows = new WindowTracker();
		const p = inbound('49151', 'wamid.dup', Math.floor(t0 / 1000), { text: { body: 'STOP' } });
		const first = processWebhook(p, { dedupe, windows, now: t0 });
		expect(first.events.map((e) => e.event)).toEqual(['messageReceived', 'optOutRequest', 'windowOpened']);
		const again = processWebhook(p, { dedupe, windows, now: t0 + 1000 });
		expect(again.events).toEqual([]);
		expect(again.duplicates).toEqual(['message:wamid.dup']);
	});

	it('dedupes statuses by (id, status) and keeps out-of-order statuses with their own timestamps', () => {
		const dedupe = new RecentKeys();
		const status = (s: string, ts: number) => ({
			object: 'whatsapp_business_account',
			entry: [
				{
					id: 'W',
					changes: [
						{
							field: 'messages',
							value: {
								metadata: { phone_number_id: 'PN' },
								statuses: [{ id: 'wamid.S', status: s, timestamp: String(ts), recipient_id: '49151' }],
							},
						},
					],
				},
			],
		});
		const read = processWebhook(status('read', 1000), { dedupe, now: 0 });
		const delivered = processWebhook(status('delivered', 990), { dedupe, now: 0 });
		const readAgain = processWebhook(status('read', 1000), { dedupe, now: 0 });
		expect(read.events).toMatchObject([
			{ event: 'statusUpdate', status: 'read', occurredAt: new Date(1_000_000).toISOString() },
		]);
		expect(delivered.events).toMatchObject([
			{ event: 'statusUpdate', status: 'delivered', occurredAt: new Date(990_000).toISOString() },
		]);
		expect(readAgain.events).toEqual([]);
	});

	it('drops a repeat inside the same batch', () => {
		const p = inbound('49151', 'wamid.same', 1_700_000_000);
		const value = (p.entry[0].changes as any)[0].value;
		value.messages.push({ ...value.messages[0] });
		const r = processWebhook(p, { dedupe: new RecentKeys(), now: 1_700_000_000_000 });
		expect(r.events.filter((e) => e.event === 'messageReceived')).toHaveLength(1);
		expect(r.duplicates).toEqual(['message:wamid.same']);
	});

	it('splits a batch of 1,000 statuses into 1,000 events', () => {
		const statuses = Array.from({ length: 1000 }, (_, i) => ({
			id: `wamid.${i}`,
			status: 'delivered',
			timestamp: '1700000000',
			recipient_id: '49151',
		}));
		const r = processWebhook(
			{
				object: 'whatsapp_business_account',
				entry: [{ id: 'W', changes: [{ field: 'messages', value: { statuses } }] }],
			},
			{ dedupe: new RecentKeys(), now: 0 },
		);
		expect(r.events).toHaveLength(1000);
		expect(r.changes).toBe(1000);
	});
});

describe('selectedEventNames', () => {
	it('maps the Events choices to event names', () => {
		expect([...selectedEventNames(['window', 'consent'])].sort()).toEqual([
			'optInRequest',
			'optOutRequest',
			'windowOpened',
			'windowRenewed',
		]);
		expect([...selectedEventNames(['nonsense'])]).toEqual([]);
	});
});

describe('the parts processWebhook is made of', () => {
	const ctx = {
		businessAccountId: 'WABA',
		field: 'messages',
		phoneNumberId: 'PN',
		entryTime: '2026-12-01T09:00:00.000Z',
	};

	it('reads a marketing opt-out request only from a failed status with 131050', () => {
		const failed = readStatus(ctx, {
			id: 'wamid.A',
			status: 'failed',
			timestamp: '1764579600',
			recipient_id: '4512345678',
			errors: [{ code: 131050, message: 'stopped' }],
		});
		expect(marketingOptOutOf(failed)).toMatchObject({
			event: 'optOutRequest',
			eventId: 'optOutRequest:wamid.A:131050',
			source: 'error131050',
			scope: 'marketing',
			evidence: 'stopped',
			contact: { waId: '4512345678' },
		});
		const otherError = readStatus(ctx, { id: 'wamid.B', status: 'failed', errors: [{ code: 131026 }] });
		expect(marketingOptOutOf(otherError)).toBeUndefined();
		expect(marketingOptOutOf(readStatus(ctx, { id: 'wamid.C', status: 'delivered' }))).toBeUndefined();
	});

	it('reads a boolean field only when Meta sent a boolean', () => {
		expect([true, false, 'true', 1, null, undefined].map(bool)).toEqual([
			true,
			false,
			undefined,
			undefined,
			undefined,
			undefined,
		]);
	});

	it('gives a derived event the place, time and contact of its source under its own name and id, fields in order', () => {
		const status = readStatus(ctx, {
			id: 'wamid.D',
			status: 'failed',
			timestamp: '1764579600',
			recipient_id: '4512345678',
		});
		const derived = derivedBase(status, 'optOutRequest', 'optOutRequest:wamid.D');
		expect(Object.keys(derived)).toEqual([
			'event',
			'eventId',
			'occurredAt',
			'businessAccountId',
			'phoneNumberId',
			'displayPhoneNumber',
			'field',
			'contact',
		]);
		expect(derived).toEqual({
			event: 'optOutRequest',
			eventId: 'optOutRequest:wamid.D',
			occurredAt: status.occurredAt,
			businessAccountId: 'WABA',
			phoneNumberId: 'PN',
			displayPhoneNumber: undefined,
			field: 'messages',
			contact: status.contact,
		});
	});

	it('reads template changes of the three template fields, and none without a template id', () => {
		expect([...TEMPLATE_WEBHOOK_FIELDS].sort()).toEqual([
			'message_template_quality_update',
			'message_template_status_update',
			'template_category_update',
		]);
		const quality = readTemplateChange(
			{ ...ctx, field: 'message_template_quality_update' },
			{ message_template_id: 7, previous_quality_score: 'GREEN', new_quality_score: 'RED' },
		);
		expect(quality).toMatchObject({
			event: 'templateUpdate',
			updateType: 'quality',
			templateId: '7',
			previousQualityScore: 'GREEN',
			newQualityScore: 'RED',
		});
		expect(quality?.eventId).toBe('template:7:quality:GREEN>RED:2026-12-01T09:00:00.000Z');
		expect(
			readTemplateChange({ ...ctx, field: 'message_template_status_update' }, { event: 'APPROVED' }),
		).toBeUndefined();
	});

	it('lets every message but a system one open the window', () => {
		expect(NO_WINDOW_TYPES.has('system')).toBe(true);
		expect(opensWindow({ type: 'text' })).toBe(true);
		expect(opensWindow({ type: 'system' })).toBe(false);
	});
});
