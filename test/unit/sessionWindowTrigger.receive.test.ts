/**
 * The Session Window Trigger's webhook handler (receive.ts) with a fake n8n call around it: what is refused before
 * the credential is read, how often the credential is read under a flood of forged calls, the throttled warning
 * log, stale deliveries, when a delivery counts as seen (only once n8n's 2xx is out), the 503 when an opt-out
 * cannot be written, and that no log line carries a phone number, a name or message text.
 */
import { EventEmitter } from 'node:events';
import { createHmac, randomUUID } from 'node:crypto';

import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import docs from '../fixtures/meta/meta_docs_webhook_examples.json';
import openapi from '../fixtures/meta/webhook_examples_from_facebook_openapi.json';
import { receiveWebhook } from '../../nodes/SessionWindowTrigger/receive';
import { MAX_WEBHOOK_BYTES } from '../../nodes/shared/domain/webhooks';
import { messagesPayload } from '../support/fixtures';

type Json = Record<string, any>;
const APP_SECRET = 'unit-app-secret';
const LEDGER = {
	baseUrl: 'http://n8n.test:5678',
	apiKey: 'key',
	contactKeySecret: 'unit-secret-0123456789',
	tablePrefix: 'wa',
};

class FakeResponse extends EventEmitter {
	statusCode = 200;
	body: string | undefined;
	status(code: number) {
		this.statusCode = code;
		return this;
	}
	type() {
		return this;
	}
	send(body: string) {
		this.body = body;
		this.emit('finish');
		this.emit('close');
		return this;
	}
	end() {
		this.emit('finish');
		this.emit('close');
	}
}

interface LogLine {
	level: string;
	message: string;
	meta?: unknown;
}

interface Trigger {
	workflowId: string;
	logs: LogLine[];
	credentialReads: number;
	ledgerCalls: number;
	/** What the fake ledger API does (default: it works, with an empty history). */
	ledger?: (url: string) => unknown;
	params: Json;
	/** Set for a GET handshake. */
	query?: Json;
}

function newTrigger(params: Json = {}, ledger?: Trigger['ledger']): Trigger {
	return {
		workflowId: randomUUID(),
		logs: [],
		credentialReads: 0,
		ledgerCalls: 0,
		ledger,
		params: { events: ['messageReceived', 'window', 'statusUpdate', 'consent'], options: {}, ...params },
	};
}

const sign = (raw: Buffer | string, secret = APP_SECRET) =>
	`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

/** One POST to the trigger; returns what the node returned and the response object. */
async function post(
	trigger: Trigger,
	raw: Buffer,
	headers: Record<string, string | undefined> = { 'x-hub-signature-256': sign(raw) },
	readRawBody?: () => Promise<void>,
): Promise<{ result: IWebhookResponseData; res: FakeResponse; rawBodyRead: boolean }> {
	const res = new FakeResponse();
	const req: Json = {
		headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)),
		rawBody: readRawBody ? undefined : raw,
	};
	let rawBodyRead = false;
	if (readRawBody) {
		req.readRawBody = async () => {
			rawBodyRead = true;
			await readRawBody();
			req.rawBody = raw;
		};
	}
	const log = (level: string) => (message: string, meta?: unknown) => trigger.logs.push({ level, message, meta });
	const ctx = {
		getWebhookName: () => (trigger.query ? 'setup' : 'default'),
		getQueryData: () => trigger.query,
		getRequestObject: () => req,
		getResponseObject: () => res,
		getWorkflow: () => ({ id: trigger.workflowId }),
		getNode: () => ({ id: 'node-1', name: 'WhatsApp Session Window Trigger' }),
		getMode: () => 'webhook',
		getNodeParameter: (name: string, fallback: unknown) => trigger.params[name] ?? fallback,
		getCredentials: async (type: string) => {
			if (type === 'whatsAppCloudApi') {
				trigger.credentialReads++;
				return { appSecret: APP_SECRET, webhookVerifyToken: 'verify', businessAccountId: 'WABA' };
			}
			return LEDGER;
		},
		logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: Json) => {
				trigger.ledgerCalls++;
				if (trigger.ledger) return trigger.ledger(String(options.url));
				return fakeLedgerApi(options);
			},
		},
	};
	const result = await receiveWebhook.call(ctx as unknown as IWebhookFunctions);
	return { result, res, rawBodyRead };
}

/** A working data-table API: tables exist, histories are empty, writes succeed. */
function fakeLedgerApi(options: Json): unknown {
	const url = String(options.url);
	if (/\/data-tables$/.test(url) && options.method === 'GET') {
		const filter = JSON.parse(String(options.qs?.filter ?? '{}'));
		return {
			statusCode: 200,
			body: { data: [{ id: `t-${filter.name}`, name: filter.name, columns: [] }], nextCursor: null },
		};
	}
	if (/\/columns$/.test(url)) return { statusCode: 200, body: [] };
	if (/\/rows$/.test(url) && options.method === 'GET') return { statusCode: 200, body: { data: [], nextCursor: null } };
	return { statusCode: 200, body: { count: 1 } };
}

/** n8n answers the accepted delivery (2xx only after storing the execution) with this status. */
function n8nAnswers(res: FakeResponse, code: number): void {
	res.statusCode = code;
	res.end();
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function inbound(
	messages: Array<{ from: string; id: string; text: string; timestamp?: number; name?: string }>,
): Buffer {
	return Buffer.from(
		JSON.stringify(
			messagesPayload({
				messaging_product: 'whatsapp',
				metadata: { display_phone_number: '15550100100', phone_number_id: 'PN1' },
				contacts: messages.map((m) => ({ profile: { name: m.name ?? 'Søren Kierkegaard' }, wa_id: m.from })),
				messages: messages.map((m) => ({
					from: m.from,
					id: m.id,
					timestamp: String(m.timestamp ?? nowSeconds()),
					type: 'text',
					text: { body: m.text },
				})),
			}),
		),
	);
}

const itemsOf = (result: IWebhookResponseData) => (result.workflowData?.[0] ?? []).map((i) => i.json as Json);

describe('Session Window Trigger: refused before the credential is read (item 12)', () => {
	it('refuses an unsigned POST with 401 without reading the credential', async () => {
		const trigger = newTrigger();
		const raw = inbound([{ from: '4512345678', id: 'wamid.U1', text: 'hello' }]);
		const { result, res } = await post(trigger, raw, {});
		expect(result).toEqual({ noWebhookResponse: true });
		expect(res.statusCode).toBe(401);
		expect(res.body).toMatch(/x-hub-signature-256 header is missing/);
		const malformed = await post(trigger, raw, { 'x-hub-signature-256': 'sha1=abc' });
		expect(malformed.res.statusCode).toBe(401);
		expect(trigger.credentialReads).toBe(0);
	});

	it("refuses a body over Meta's 3 MB by its Content-Length, before reading it or the credential", async () => {
		expect(MAX_WEBHOOK_BYTES).toBe(3 * 1024 * 1024);
		const trigger = newTrigger();
		const raw = Buffer.alloc(16, 32);
		const { res, rawBodyRead } = await post(
			trigger,
			raw,
			{ 'x-hub-signature-256': sign(raw), 'content-length': String(MAX_WEBHOOK_BYTES + 1) },
			async () => undefined,
		);
		expect(res.statusCode).toBe(413);
		expect(rawBodyRead).toBe(false);
		expect(trigger.credentialReads).toBe(0);
	});

	it('refuses a body over 3 MB without Content-Length (chunked) before the HMAC', async () => {
		const trigger = newTrigger();
		const raw = Buffer.alloc(MAX_WEBHOOK_BYTES + 1, 32);
		const { res } = await post(trigger, raw, { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` });
		expect(res.statusCode).toBe(413);
		expect(trigger.credentialReads).toBe(0);
	});

	it('reads the credential at most once for a flood of forged signatures, and logs one warning for it', async () => {
		const trigger = newTrigger();
		const good = inbound([{ from: '4512345678', id: 'wamid.G1', text: 'hello' }]);
		const first = await post(trigger, good);
		n8nAnswers(first.res, 200);
		expect(trigger.credentialReads).toBe(1);
		const forged = inbound([{ from: '4512345678', id: 'wamid.F1', text: 'STOP' }]);
		const answers = await Promise.all(
			Array.from({ length: 200 }, () => post(trigger, forged, { 'x-hub-signature-256': sign(forged, 'wrong-secret') })),
		);
		expect(answers.every((a) => a.res.statusCode === 401)).toBe(true);
		expect(trigger.credentialReads).toBe(1);
		const warnings = trigger.logs.filter((l) => l.level === 'warn');
		expect(warnings).toHaveLength(1);
		expect(warnings[0].message).toMatch(/refused \(401\)/);
	});

	it('answers the handshake from the kept credential: wrong verify tokens read it at most once', async () => {
		const trigger = newTrigger();
		trigger.query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify', 'hub.challenge': '42' };
		const ok = await post(trigger, Buffer.alloc(0), {});
		expect([ok.res.statusCode, ok.res.body]).toEqual([200, '42']);
		trigger.query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '42' };
		const wrong = await Promise.all(Array.from({ length: 100 }, () => post(trigger, Buffer.alloc(0), {})));
		expect(wrong.every((w) => w.res.statusCode === 403)).toBe(true);
		expect(trigger.credentialReads).toBe(1);
		expect(trigger.logs.filter((l) => l.level === 'warn')).toHaveLength(1);
	});

	it('reads the credential once for concurrent first calls', async () => {
		const trigger = newTrigger();
		const calls = Array.from({ length: 20 }, (_, i) =>
			inbound([{ from: '4512345678', id: `wamid.C${i}`, text: 'hello' }]),
		);
		const answers = await Promise.all(calls.map((raw) => post(trigger, raw)));
		for (const a of answers) n8nAnswers(a.res, 200);
		expect(answers.every((a) => itemsOf(a.result).length > 0)).toBe(true);
		expect(trigger.credentialReads).toBe(1);
	});

	it("drops signed changes older than Meta's 7-day redelivery horizon, says so in the log and counts them", async () => {
		const trigger = newTrigger();
		const eightDaysAgo = nowSeconds() - 8 * 24 * 3600;
		const raw = inbound([
			{ from: '4512345678', id: 'wamid.OLD1', text: 'STOP', timestamp: eightDaysAgo },
			{ from: '4798765432', id: 'wamid.NEW1', text: 'hello' },
		]);
		const { result } = await post(trigger, raw);
		expect(
			itemsOf(result)
				.filter((i) => i.event === 'messageReceived')
				.map((i) => i.messageId),
		).toEqual(['wamid.NEW1']);
		const warning = trigger.logs.find((l) => l.level === 'warn' && /7-day/.test(l.message));
		expect(warning?.message).toMatch(
			/1 change\(s\) older than Meta's 7-day redelivery horizon dropped.*1 dropped by this trigger/,
		);
		expect(warning?.meta).toMatchObject({ stale: ['message:wamid.OLD1'] });
	});
});

describe('Session Window Trigger: nothing lost after the 200 (item 3)', () => {
	it('counts a delivery as seen only once n8n answered 2xx: a delivery n8n could not store is processed again', async () => {
		const trigger = newTrigger();
		const raw = inbound([{ from: '4512345678', id: 'wamid.H1', text: 'STOP' }]);
		const failed = await post(trigger, raw);
		expect(itemsOf(failed.result).map((i) => i.event)).toEqual(['messageReceived', 'optOutRequest', 'windowOpened']);
		n8nAnswers(failed.res, 500); // e.g. the execution could not be stored
		const redelivered = await post(trigger, raw);
		expect(itemsOf(redelivered.result).map((i) => i.event)).toEqual([
			'messageReceived',
			'optOutRequest',
			'windowOpened',
		]);
		n8nAnswers(redelivered.res, 200);
		const third = await post(trigger, raw);
		expect(itemsOf(third.result)).toEqual([]);
	});

	it('treats a copy arriving while the first is in flight as a duplicate', async () => {
		const trigger = newTrigger();
		const raw = inbound([{ from: '4512345678', id: 'wamid.H2', text: 'hello' }]);
		const first = await post(trigger, raw);
		const copy = await post(trigger, raw);
		expect(itemsOf(first.result).length).toBeGreaterThan(0);
		expect(itemsOf(copy.result)).toEqual([]);
	});

	it('Meta hanging up before the answer changes nothing: what n8n stored counts, what it did not is processed again', async () => {
		const trigger = newTrigger();
		const stored = inbound([{ from: '4512345678', id: 'wamid.H3', text: 'hello' }]);
		const first = await post(trigger, stored);
		first.res.emit('close'); // Meta timed out
		n8nAnswers(first.res, 200); // …and n8n stored the execution anyway
		expect(itemsOf((await post(trigger, stored)).result)).toEqual([]);

		const lost = inbound([{ from: '4512345678', id: 'wamid.H4', text: 'hello' }]);
		const second = await post(trigger, lost);
		second.res.emit('close');
		n8nAnswers(second.res, 500);
		expect(itemsOf((await post(trigger, lost)).result).length).toBeGreaterThan(0);
	});

	it('answers 503 and keeps the delivery unseen when an opt-out cannot be written to the ledger', async () => {
		let ledgerUp = false;
		const trigger = newTrigger({ recordInLedger: true }, (url) => {
			if (!ledgerUp) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
			return fakeLedgerApi({ url, method: url.endsWith('/rows') ? 'POST' : 'GET' });
		});
		const raw = inbound([{ from: '4915112345678', id: 'wamid.L1', text: 'STOP' }]);
		const down = await post(trigger, raw);
		expect(down.result).toEqual({ noWebhookResponse: true });
		expect(down.res.statusCode).toBe(503);
		expect(trigger.logs.find((l) => l.level === 'error' && /answered 503/.test(l.message))?.meta).toMatchObject({
			eventIds: ['optOutRequest:wamid.L1'],
		});

		trigger.ledger = undefined; // the ledger is back
		ledgerUp = true;
		const again = await post(trigger, raw);
		expect(again.result.webhookResponse).toBe('EVENT_RECEIVED');
		const optOut = itemsOf(again.result).find((i) => i.event === 'optOutRequest');
		expect(optOut?.ledger).toMatchObject({ recorded: true, action: 'optOut' });
		expect(itemsOf(again.result).find((i) => i.event === 'windowOpened')).toBeDefined();
	});

	it('still answers 200 when only the inbound time (no consent) could not be written', async () => {
		const trigger = newTrigger({ recordInLedger: true }, () => {
			throw new Error('connect ECONNREFUSED 127.0.0.1:9');
		});
		const { result } = await post(
			trigger,
			inbound([{ from: '4915112345678', id: 'wamid.L2', text: 'Where is my parcel?' }]),
		);
		expect(result.webhookResponse).toBe('EVENT_RECEIVED');
		expect(itemsOf(result)[0].ledger).toMatchObject({ recorded: false, error: expect.any(String) });
	});
});

describe('Session Window Trigger: logs carry ids, never numbers, names or text (item 17)', () => {
	const PHONES = ['4512345678', '5551987654321', '8613912345678', '6591234567'];
	const TEXTS = ['STOP', 'Please stop, my card ends 4242 and I live at Nørrebrogade 12', 'Onde está meu pedido?'];
	const NAMES = ['Søren Kierkegaard', 'Ana Luíza'];

	function scan(logs: LogLine[]): string[] {
		const leaks: string[] = [];
		for (const line of logs) {
			const text = `${line.message} ${JSON.stringify(line.meta ?? {})}`;
			for (const phone of PHONES)
				if (text.includes(phone)) leaks.push(`${line.level}: phone ${phone} in "${line.message}"`);
			for (const t of [...TEXTS.slice(1), ...NAMES])
				if (text.includes(t)) leaks.push(`${line.level}: "${t}" in "${line.message}"`);
			if (/"STOP"|'STOP'| STOP\b/.test(line.message)) leaks.push(`${line.level}: message text in "${line.message}"`);
		}
		return leaks;
	}

	it('no phone number, name or message text reaches the log on any path', async () => {
		const trigger = newTrigger({ recordInLedger: true }, (url) => {
			// n8n's API and network errors echo what they were given, contact ids included.
			if (url.includes('/rows'))
				return { statusCode: 400, body: { message: `Invalid filter value "+${PHONES[0]}" for column contactId` } };
			throw new Error(`getaddrinfo ENOTFOUND while looking up +${PHONES[1]} (${TEXTS[1]})`);
		});
		const messages = PHONES.map((from, i) => ({
			from,
			id: `wamid.P${i}`,
			text: TEXTS[i % TEXTS.length],
			name: NAMES[i % NAMES.length],
		}));
		const raw = inbound(messages);
		const signed = await post(trigger, raw);
		n8nAnswers(signed.res, 200);
		// Not JSON, whose parse error quotes the body.
		const notJson = Buffer.from(`STOP from +${PHONES[2]}: ${TEXTS[1]}`);
		await post(newTriggerLike(trigger), notJson);
		// Forged and unsigned, each on a fresh throttle so that every warning is logged.
		await post(newTriggerLike(trigger), raw, { 'x-hub-signature-256': sign(raw, 'wrong') });
		await post(newTriggerLike(trigger), raw, {});
		// A duplicate and a stale one.
		const plain = newTrigger();
		plain.logs = trigger.logs;
		const d = await post(plain, raw);
		n8nAnswers(d.res, 200);
		await post(plain, raw);
		await post(
			plain,
			inbound([{ from: PHONES[3], id: 'wamid.OLD', text: TEXTS[1], timestamp: nowSeconds() - 9 * 24 * 3600 }]),
		);

		expect(trigger.logs.length).toBeGreaterThanOrEqual(6);
		expect(scan(trigger.logs)).toEqual([]);
	});

	function newTriggerLike(trigger: Trigger): Trigger {
		const other = newTrigger(trigger.params, trigger.ledger);
		other.logs = trigger.logs;
		return other;
	}

	/** Every phone number, WhatsApp id, name and text of a payload: what must never reach the log. */
	function privateValues(payload: unknown): string[] {
		const found = new Set<string>();
		const walk = (value: unknown, key = ''): void => {
			if (Array.isArray(value)) return value.forEach((v) => walk(v, key));
			if (value && typeof value === 'object') return Object.entries(value).forEach(([k, v]) => walk(v, k));
			if (typeof value !== 'string') return;
			if (
				['wa_id', 'from', 'recipient_id', 'phone', 'display_phone_number', 'input'].includes(key) &&
				/\d{7,}/.test(value)
			)
				found.add(value.replace(/\D/g, ''));
			if (
				[
					'name',
					'formatted_name',
					'first_name',
					'last_name',
					'body',
					'caption',
					'title',
					'text',
					'description',
				].includes(key) &&
				value.length >= 4
			)
				found.add(value);
		};
		walk(payload);
		return [...found];
	}

	it.each(
		[...Object.entries(docs), ...Object.entries(openapi)].filter(
			([k, v]) => !k.startsWith('_') && Array.isArray((v as Json)?.entry),
		),
	)(
		"Meta's example %s: no private value in any log line, with a ledger that echoes what it is given",
		async (_name, example) => {
			const { _doc, ...payload } = example as Json;
			void _doc;
			// As sent (years old: the stale path), and re-stamped to now (the ledger path).
			const restamped = JSON.parse(
				JSON.stringify(payload)
					.replace(/"timestamp":"\d+"/g, `"timestamp":"${nowSeconds()}"`)
					.replace(/"time":\d+/g, `"time":${nowSeconds()}`),
			);
			const logs: LogLine[] = [];
			const echoing = (options: Json) => {
				// n8n's API quotes the values it refuses; the network layer names what it was doing.
				if (String(options.url).includes('/rows'))
					return {
						statusCode: 400,
						body: { message: `Invalid value "${privateValues(options.body).slice(0, 3).join(' ')}"` },
					};
				return fakeLedgerApi(options);
			};
			for (const body of [payload, restamped]) {
				const raw = Buffer.from(JSON.stringify(body));
				const trigger = newTrigger({
					recordInLedger: true,
					events: ['messageReceived', 'window', 'statusUpdate', 'consent', 'templateUpdate', 'otherUpdate'],
				});
				trigger.logs = logs;
				trigger.ledger = (url) => echoing({ url, method: 'POST', body: { data: [{ raw: body }] } });
				const accepted = await post(trigger, raw);
				if (accepted.res.statusCode < 300) n8nAnswers(accepted.res, 200);
				await post(trigger, raw); // duplicate
				await post(newTriggerLike(trigger), raw, { 'x-hub-signature-256': sign(raw, 'wrong') });
				const notJson = Buffer.from(`${raw.toString('utf8').slice(0, 400)} trailing`);
				await post(newTriggerLike(trigger), notJson);
			}
			expect(logs.length).toBeGreaterThan(0);
			const text = logs.map((l) => `${l.message} ${JSON.stringify(l.meta ?? {})}`).join('\n');
			const digitsOnly = text.replace(/[^\d\n]/g, ' ');
			const leaks = privateValues(payload).filter((v) =>
				/^\d+$/.test(v) ? digitsOnly.includes(v) || text.includes(v) : text.includes(v),
			);
			expect(leaks).toEqual([]);
		},
	);
});
