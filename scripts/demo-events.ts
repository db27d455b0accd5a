/**
 * npm run demo:events — makes the example sources and the emulated Meta fire events at the running demo
 * (`npm run demo` in another terminal), so every example workflow runs and the executions list fills up:
 *
 *   shop       three WooCommerce "order completed" webhooks: opted in, not opted in, and a number that is not on
 *              WhatsApp (its failed status then starts the fallback workflow)
 *   calendar   "Run Now" of the appointment reminder (the schedule runs hourly) against the sample calendar
 *   booking    a Cal.com BOOKING_RESCHEDULED webhook
 *   inbound    a customer question (window opens → reply inside it), a STOP and a START from another customer
 *   templates  a new template submitted for review and a template paused/unpaused: the Template Status Poll
 *              reports them at its next poll (every minute)
 *
 * Also used by `npm run demo -- --smoke`, which fires the same events and checks the executions.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Json } from '../dev/json';

const ROOT = path.resolve(__dirname, '..');
export const DEMO_DIR = path.join(ROOT, '.demo');
export const RUNTIME_FILE = path.join(DEMO_DIR, 'runtime.json');
const SAMPLES = path.join(ROOT, 'examples', 'sample-events');

/** What a running demo writes to .demo/runtime.json for this script. */
export interface DemoRuntime {
	n8nUrl: string;
	emulatorUrl: string;
	sourcesUrl: string;
	accessToken: string;
	wabaId: string;
	graphApiVersion: string;
}

function sample(file: string): Json {
	return JSON.parse(fs.readFileSync(path.join(SAMPLES, file), 'utf8')) as Json;
}

/* ------------------------------------------------------------ sample sources */

/**
 * The sample calendar, served like Google Calendar's events.list: the events of
 * examples/sample-events/google-calendar-events.json, moved so that the first appointment starts 23 h 30 min from
 * now (the others keep their distance to it), filtered by timeMin/timeMax as Google does.
 */
export function calendarEvents(now: Date, timeMin?: string, timeMax?: string): Json {
	const calendar = sample('google-calendar-events.json');
	const items = calendar.items as Json[];
	const anchor = Date.parse(items[0].start.dateTime);
	const shift = now.getTime() + (23 * 60 + 30) * 60_000 - anchor;
	const moved = (iso: string) => new Date(Date.parse(iso) + shift).toISOString().replace(/\.\d{3}Z$/, 'Z');
	const min = timeMin ? Date.parse(timeMin) : -Infinity;
	const max = timeMax ? Date.parse(timeMax) : Infinity;
	calendar.updated = now.toISOString();
	calendar.items = items
		.map((event) => ({
			...event,
			// A new id per demo hour, so repeated demo runs remind again (the workflow remembers reminded ids).
			id: `${event.id}${Math.floor(now.getTime() / 3_600_000)}`,
			start: { ...event.start, dateTime: moved(event.start.dateTime) },
			end: { ...event.end, dateTime: moved(event.end.dateTime) },
		}))
		.filter((event) => Date.parse(event.end.dateTime) > min && Date.parse(event.start.dateTime) < max);
	return calendar;
}

export interface SampleSources {
	url: string;
	close(): Promise<void>;
}

/** A small local server for the example sources that are polled rather than pushing (the calendar). */
export async function startSampleSources(port = 0): Promise<SampleSources> {
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		if (req.method === 'GET' && /^\/calendar\/v3\/calendars\/[^/]+\/events$/.test(url.pathname)) {
			const body = calendarEvents(
				new Date(),
				url.searchParams.get('timeMin') ?? undefined,
				url.searchParams.get('timeMax') ?? undefined,
			);
			res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
			return;
		}
		res.writeHead(404, { 'content-type': 'application/json' }).end(
			JSON.stringify({
				error: {
					code: 404,
					message: 'Not Found. This sample server serves GET /calendar/v3/calendars/primary/events.',
				},
			}),
		);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	const address = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${address.port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/* ------------------------------------------------------------ firing events */

async function post(
	url: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// plain text
	}
	// Read by key below; a plain-text answer has none of the keys, so the checks fail as they should.
	return { status: res.status, body: parsed as Json };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FiredEvent {
	source: string;
	what: string;
	ok: boolean;
	detail: string;
}

function first(body: unknown): Json | undefined {
	return Array.isArray(body) ? (body[0] as Json) : (body as Json | undefined);
}

function sent(body: unknown): string {
	const item = first(body);
	if (item?.messageId) {
		const cost = item.estimatedCost ? `, est. ${item.estimatedCost.amount} ${item.estimatedCost.currency}` : '';
		return `sent ${item.messageId}${cost}`;
	}
	return JSON.stringify(body).slice(0, 200);
}

/** Fires every example's events once. Returns what happened; throws only if the demo is not reachable. */
export async function fireDemoEvents(
	rt: DemoRuntime,
	log: (line: string) => void = console.log,
): Promise<FiredEvent[]> {
	const fired: FiredEvent[] = [];
	const note = (event: FiredEvent) => {
		fired.push(event);
		log(`  ${event.ok ? '✓' : '✗'} ${event.source.padEnd(9)} ${event.what}: ${event.detail}`);
	};
	const webhook = (p: string) => `${rt.n8nUrl}/webhook/${p}`;

	// 1. Shop: three completed orders.
	for (const [file, what] of [
		['woocommerce-order-completed.json', 'order 727, opted in → Shipping Status'],
		['woocommerce-order-completed-no-opt-in.json', 'order 728, no opt-in → skipped'],
		[
			'woocommerce-order-completed-not-on-whatsapp.json',
			'order 729, number not on WhatsApp → sent, then failed → fallback',
		],
	] as const) {
		const res = await post(webhook('shop/order-shipped'), sample(file));
		const item = first(res.body);
		const detail = item?.messageId
			? sent(res.body)
			: item?.consent
				? `not sent: consent ${item.consent.reason}`
				: sent(res.body);
		note({ source: 'shop', what, ok: res.status === 200, detail: `HTTP ${res.status}, ${detail}` });
	}

	// 2. Calendar: the reminder workflow's Run Now (the schedule itself runs every hour).
	{
		const res = await post(webhook('calendar/remind-now'), {});
		note({
			source: 'calendar',
			what: 'appointment in 23 h 30 min → Appointment Reminder',
			ok: res.status === 200,
			detail: `HTTP ${res.status}, ${sent(res.body)}`,
		});
	}

	// 3. Booking system: Cal.com reschedules a table to three days from now.
	{
		const booking = sample('calcom-booking-rescheduled.json');
		const start = new Date(Date.now() + 3 * 24 * 3_600_000);
		start.setUTCHours(19, 30, 0, 0);
		booking.createdAt = new Date().toISOString();
		booking.payload.startTime = start.toISOString().replace('.000Z', 'Z');
		booking.payload.endTime = new Date(start.getTime() + 2 * 3_600_000).toISOString().replace('.000Z', 'Z');
		const res = await post(webhook('bookings/cal-com'), booking);
		note({
			source: 'booking',
			what: 'Cal.com BOOKING_RESCHEDULED → Reservation Update',
			ok: res.status === 200,
			detail: `HTTP ${res.status}, ${sent(res.body)}`,
		});
	}

	// 4. Inbound messages through the emulated Meta (signed webhooks to the Session Window Trigger).
	for (const [message, what] of [
		[
			{
				from: '4915123456789',
				name: 'Anna Schmidt',
				text: 'Hi! Can I still change the delivery address for order 727?',
			},
			'question → window opens → reply inside it',
		],
		[{ from: '393471234567', name: 'Marco Rossi', text: 'STOP' }, 'STOP → opt-out recorded in the ledger'],
		[{ from: '393471234567', name: 'Marco Rossi', text: 'START' }, 'START → opt-in recorded again'],
	] as const) {
		const res = await post(`${rt.emulatorUrl}/_emulator/inbound`, message);
		note({
			source: 'inbound',
			what,
			ok: res.status === 200,
			detail: res.status === 200 ? `webhook ${res.body.wamid} posted` : `HTTP ${res.status}`,
		});
		await sleep(300); // keep the order STOP → START
	}

	// 5. Templates: a draft checked and submitted by the WhatsApp Notification Template node (approved after the
	// emulator's review delay; the workflow then tells the team), and one template paused or unpaused.
	{
		const name = `delivery_slot_update_${Date.now().toString(36)}`;
		const draft = sample('template-draft.json');
		const res = await post(webhook('templates/draft'), { ...draft, name });
		note({
			source: 'templates',
			what: `${name} checked and submitted for review`,
			ok: res.status === 200 && res.body?.submitted === true,
			detail: `HTTP ${res.status}, status ${res.body?.status ?? '?'}`,
		});
		const list = (await (await fetch(`${rt.emulatorUrl}/_emulator/templates`)).json()) as { data: Json[] };
		const alert = list.data.find((t) => t.name === 'alert_update');
		if (alert) {
			const next = alert.status === 'PAUSED' ? 'APPROVED' : 'PAUSED';
			const patched = await fetch(`${rt.emulatorUrl}/_emulator/templates/${alert.id}`, {
				method: 'PATCH',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ status: next, quality_score: next === 'PAUSED' ? 'RED' : 'YELLOW' }),
			});
			note({
				source: 'templates',
				what: `alert_update ${next === 'PAUSED' ? 'paused (low quality)' : 'unpaused'}`,
				ok: patched.ok,
				detail: `HTTP ${patched.status}; the Template Status Poll reports it at the next full minute`,
			});
		}
	}
	return fired;
}

export function readRuntime(): DemoRuntime | undefined {
	try {
		return JSON.parse(fs.readFileSync(RUNTIME_FILE, 'utf8')) as DemoRuntime;
	} catch {
		return undefined;
	}
}

async function main(): Promise<void> {
	const rt = readRuntime();
	const alive = rt
		? await fetch(`${rt.n8nUrl}/rest/settings`).then(
				(r) => r.ok,
				() => false,
			)
		: false;
	if (!rt || !alive) {
		console.error(
			'The demo is not running. Start it with `npm run demo` in another terminal, then run `npm run demo:events`.',
		);
		process.exit(1);
	}
	console.log(`Firing the example events at ${rt.n8nUrl} (emulated Meta at ${rt.emulatorUrl}):`);
	const fired = await fireDemoEvents(rt);
	const failed = fired.filter((e) => !e.ok).length;
	console.log(`
${fired.length - failed} of ${fired.length} events accepted. See them in the editor under Overview → Executions
(${rt.n8nUrl}/home/executions), what the emulated Meta accepted at ${rt.emulatorUrl}/_emulator/messages,
and the consent ledger under Overview → Data tables.`);
	process.exit(failed ? 1 : 0);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
