/** HTTP plumbing: body parsing, the request log, faults/latency, and the /_emulator control API. */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { FAULT_KINDS, faultError, parseFault, takeFault } from './faults';
import { type Ctx, emitCategoryUpdate, emitQualityUpdate, emitTemplateStatus, handleGraph } from './graph';
import { GraphError, fbtraceId } from './graphErrors';
import { RUNTIME_KEYS, WINDOW_MS, newWamid, type RequestLogEntry } from './state';
import { CATEGORIES, cloneSeed, type SeedTemplate } from './templates';
import { envelope, verifyCallback } from './webhooks';
import type { Json } from '../json';

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(chunks.length ? Buffer.concat(chunks).toString('utf8') : ''));
		req.on('error', reject);
	});
}

function parseBody(raw: string, contentType: string | undefined): unknown {
	if (!raw) return undefined;
	const ct = (contentType ?? '').toLowerCase();
	if (ct.includes('application/x-www-form-urlencoded')) {
		const o: Json = {};
		for (const [k, v] of new URLSearchParams(raw)) {
			o[k] = v;
			if ((v.startsWith('[') || v.startsWith('{')) && k !== 'text') {
				try {
					o[k] = JSON.parse(v);
				} catch {
					/* keep string */
				}
			}
		}
		return o;
	}
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
}

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
	const raw = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=UTF-8',
		'content-length': Buffer.byteLength(raw),
		...extraHeaders,
	});
	res.end(raw);
}

export function createRequestHandler(ctx: Ctx): (req: IncomingMessage, res: ServerResponse) => void {
	return (req, res) => {
		const url = new URL(req.url ?? '/', 'http://emulator');
		const handler =
			url.pathname.startsWith('/_emulator/') || url.pathname === '/_emulator' ? handleControl : handleGraphHttp;
		handler(ctx, req, res, url).catch((e: unknown) => {
			if (!res.headersSent && !res.destroyed)
				sendJson(res, 500, { error: { message: String((e as Error)?.message ?? e) } });
		});
	};
}

/* ------------------------------------------------------------------ graph */

async function handleGraphHttp(ctx: Ctx, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	const s = ctx.state;
	const method = (req.method ?? 'GET').toUpperCase();
	const path = url.pathname;
	const query = Object.fromEntries(url.searchParams);
	const entry: RequestLogEntry = {
		seq: ++s.seq,
		at: Date.now(),
		method,
		path,
		query,
		headers: req.headers,
		body: undefined,
		status: 0,
		response: undefined,
	};
	s.stats.requests++;
	const fault = takeFault(s.faults, method, path);
	if (fault) {
		entry.fault = fault.kind;
		s.stats.faults[fault.kind] = (s.stats.faults[fault.kind] ?? 0) + 1;
	}
	if (fault?.kind === 'reset') {
		entry.response = 'connection reset by emulator fault';
		s.log(entry);
		req.socket.destroy();
		return;
	}
	const raw = await readBody(req);
	entry.body = parseBody(raw, req.headers['content-type']);

	let status = 200;
	let body: unknown;
	try {
		if (s.options.latencyMs > 0) await delay(s.options.latencyMs);
		if (fault?.kind === 'slow') await delay(fault.delayMs);
		const fe = fault ? faultError(fault.kind) : undefined;
		if (fe) throw fe;
		body = await handleGraph(ctx, {
			method,
			path,
			query,
			headers: req.headers,
			body: entry.body,
			baseUrl: `http://${req.headers.host ?? 'localhost'}`,
		});
	} catch (e) {
		if (e instanceof GraphError) {
			status = e.httpStatus;
			body = e.toJSON();
			s.countError(e.body.code);
		} else {
			status = 500;
			body = {
				error: {
					message: 'An unknown error occurred',
					type: 'OAuthException',
					code: 1,
					is_transient: true,
					fbtrace_id: fbtraceId(),
				},
			};
			s.countError(1);
		}
	}
	entry.status = status;
	entry.response = body;
	s.stats.byStatus[status] = (s.stats.byStatus[status] ?? 0) + 1;
	s.log(entry);
	if (fault?.kind === 'lost') {
		req.socket.destroy();
		return;
	}
	sendJson(res, status, body, { 'x-fb-trace-id': fbtraceId(), 'facebook-api-version': 'v24.0' });
}

/* ---------------------------------------------------------------- control */

class ControlError extends Error {
	constructor(
		public status: number,
		message: string,
	) {
		super(message);
	}
}

async function handleControl(ctx: Ctx, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
	const method = (req.method ?? 'GET').toUpperCase();
	const raw = await readBody(req);
	const parsed = parseBody(raw, req.headers['content-type'] ?? 'application/json');
	const body: Json = parsed && typeof parsed === 'object' ? (parsed as Json) : {};
	const q = Object.fromEntries(url.searchParams);
	try {
		const out = await control(ctx, method, url.pathname.replace(/^\/_emulator\/?/, ''), q, body, raw);
		sendJson(res, 200, out);
	} catch (e) {
		if (e instanceof ControlError) sendJson(res, e.status, { error: { message: e.message } });
		else if (e instanceof GraphError) sendJson(res, e.httpStatus, e.toJSON());
		else sendJson(res, 500, { error: { message: String((e as Error)?.message ?? e) } });
	}
}

const notFound = (m: string, p: string) => new ControlError(404, `no control endpoint ${m} /_emulator/${p}`);

async function control(
	ctx: Ctx,
	m: string,
	p: string,
	q: Record<string, string>,
	b: Json,
	raw: string,
): Promise<unknown> {
	const s = ctx.state;
	const [head, arg] = p.split('/');
	switch (head) {
		case '':
		case 'health':
			return { ok: true, wabaId: s.options.wabaId, phoneNumberIds: s.options.phoneNumbers.map((n) => n.id) };

		case 'requests': {
			if (m === 'DELETE') {
				s.requests = [];
				return { success: true };
			}
			const since = q.since !== undefined ? Number(q.since) : -1;
			const data = s.requests.filter(
				(r) =>
					r.seq > since &&
					(!q.method || r.method === q.method.toUpperCase()) &&
					(!q.pathContains || r.path.includes(q.pathContains)),
			);
			return { data, count: data.length, lastSeq: s.seq };
		}

		case 'messages': {
			if (m === 'DELETE') {
				s.messages = [];
				s.messagesById.clear();
				return { success: true };
			}
			const data = s.messages.filter(
				(x) => (!q.to || x.waId === q.to.replace(/\D/g, '')) && (!q.type || x.type === q.type),
			);
			return { data, count: data.length };
		}

		case 'inbound':
			if (m === 'GET') return { data: s.inbound };
			if (m === 'POST') return inbound(ctx, b);
			break;

		case 'windows':
			return {
				data: [...s.windows.entries()].map(([k, last]) => {
					const [phoneNumberId, waId] = k.split(':');
					return {
						phoneNumberId,
						waId,
						lastInboundAt: last,
						expiresAt: last + WINDOW_MS,
						open: s.now() < last + WINDOW_MS,
					};
				}),
			};

		case 'config': {
			if (m === 'POST' || m === 'PATCH') {
				for (const k of RUNTIME_KEYS) {
					if (b[k] === undefined) continue;
					(s.options as Json)[k] = typeof s.options[k] === 'boolean' ? Boolean(b[k]) : Number(b[k]);
				}
			}
			const { templates: _t, ...opts } = s.options;
			return opts;
		}

		case 'reset':
			if (m !== 'POST') break;
			ctx.hooks.cancelAll();
			s.reset();
			return { success: true };

		case 'stats':
			return s.stats;

		case 'faults':
			if (m === 'POST') {
				const list = Array.isArray(b.faults) ? (b.faults as Json[]) : [b];
				const added = list.map((f) => parseFault(f));
				s.faults.push(...added);
				return { success: true, faults: added };
			}
			if (m === 'DELETE') {
				s.faults = [];
				return { success: true };
			}
			return { data: s.faults, kinds: FAULT_KINDS };

		case 'templates':
			return templatesControl(ctx, m, arg, b);

		case 'clock':
			if (m === 'POST') {
				if (b.advanceMs !== undefined) s.clockOffsetMs += Number(b.advanceMs);
				else if (b.now !== undefined) {
					const t = Date.parse(String(b.now));
					if (Number.isNaN(t)) throw new ControlError(400, 'now must be an ISO date');
					s.clockOffsetMs = t - Date.now();
				} else throw new ControlError(400, 'give advanceMs or now');
			}
			return { now: s.now(), iso: new Date(s.now()).toISOString(), offsetMs: s.clockOffsetMs };

		case 'webhook-target':
		case 'webhook-targets':
			if (m === 'POST') {
				if (typeof b.url !== 'string' || !b.url) throw new ControlError(400, 'url is required');
				if (b.verify) {
					const failure = await verifyCallback(
						b.url,
						String(b.verifyToken ?? b.verify_token ?? ''),
						s.options.webhookTimeoutMs,
					);
					if (failure)
						throw new ControlError(400, `Callback verification failed with the following errors: ${failure}`);
				}
				if (!s.webhookTargets.some((t) => t.url === b.url)) s.webhookTargets.push({ url: b.url });
				return { success: true, data: s.webhookTargets };
			}
			if (m === 'DELETE') {
				const u = b.url ?? q.url;
				s.webhookTargets = u ? s.webhookTargets.filter((t) => t.url !== u) : [];
				return { success: true, data: s.webhookTargets };
			}
			return { data: s.webhookTargets, subscription: s.subscription };

		case 'webhook-deliveries':
			if (m === 'DELETE') {
				s.deliveries = [];
				return { success: true };
			}
			return {
				data: s.deliveries.filter(
					(d) => (!q.field || d.field === q.field) && (q.ok === undefined || String(d.ok) === q.ok),
				),
				inFlight: ctx.hooks.inFlight,
			};

		case 'webhook':
			// Post an arbitrary payload (signed) to all targets — e.g. to test a trigger with a Meta example.
			if (m === 'POST') {
				const payload = b.payload && typeof b.payload === 'object' ? b.payload : b;
				const field = String(payload?.entry?.[0]?.changes?.[0]?.field ?? 'custom');
				ctx.hooks.post(field, payload as Json);
				return { success: true, targets: ctx.hooks.targets() };
			}
			break;
	}
	void raw;
	throw notFound(m, p);
}

function inbound(ctx: Ctx, b: Json): Json {
	const s = ctx.state;
	if (b.from === undefined) throw new ControlError(400, 'from is required');
	const from = String(b.from).replace(/\D/g, '');
	const phoneNumberId = typeof b.phoneNumberId === 'string' ? b.phoneNumberId : s.options.phoneNumbers[0].id;
	const phone = s.phoneNumber(phoneNumberId);
	if (!phone) throw new ControlError(400, `unknown phoneNumberId ${phoneNumberId}`);
	const type = typeof b.type === 'string' ? b.type : 'text';
	const wamid = newWamid(from);
	const message: Json = { from, id: wamid, timestamp: String(s.nowSec()), type };
	if (b.context) message.context = b.context;
	if (type === 'text') message.text = { body: String(b.text ?? b.payload?.body ?? '') };
	else message[type] = b.payload ?? {};
	if (b.referral) message.referral = b.referral;
	const name = typeof b.name === 'string' ? b.name : 'WhatsApp User';
	const value = {
		messaging_product: 'whatsapp',
		metadata: { display_phone_number: phone.display_phone_number.replace(/\D/g, ''), phone_number_id: phoneNumberId },
		contacts: [{ profile: { name }, wa_id: from }],
		messages: [message],
	};
	s.windows.set(s.windowKey(phoneNumberId, from), s.now());
	s.inbound.push({ wamid, phoneNumberId, from, name, type, message, receivedAt: s.now() });
	const payload = envelope(s.options.wabaId, 'messages', value);
	ctx.hooks.post('messages', payload);
	return { wamid, windowExpiresAt: new Date(s.now() + WINDOW_MS).toISOString(), payload };
}

function templatesControl(ctx: Ctx, m: string, id: string | undefined, b: Json): unknown {
	const s = ctx.state;
	if (!id) {
		if (m === 'GET') return { data: [...s.templates.values()] };
		if (m === 'POST') {
			if (
				typeof b.name !== 'string' ||
				typeof b.language !== 'string' ||
				typeof b.category !== 'string' ||
				!Array.isArray(b.components)
			) {
				throw new ControlError(400, 'name, language, category and components are required');
			}
			if (b.id !== undefined && s.templates.has(String(b.id)))
				throw new ControlError(409, `template id ${b.id} exists`);
			return s.addTemplate({ ...(b as SeedTemplate), id: b.id !== undefined ? String(b.id) : s.newTemplateId() });
		}
		throw notFound(m, 'templates');
	}
	const t = s.templates.get(id);
	if (!t) throw new ControlError(404, `no template ${id}`);
	if (m === 'GET') return t;
	if (m === 'DELETE') {
		s.templates.delete(id);
		return { success: true };
	}
	if (m !== 'PATCH' && m !== 'POST') throw notFound(m, `templates/${id}`);

	const events: string[] = [];
	if (b.quality_score !== undefined) {
		const next = String(typeof b.quality_score === 'object' ? b.quality_score.score : b.quality_score).toUpperCase();
		const prev = t.quality_score?.score ?? 'UNKNOWN';
		t.quality_score = { score: next };
		if (prev !== next) {
			emitQualityUpdate(ctx, t, prev, next);
			events.push('message_template_quality_update');
		}
	}
	if (b.rejected_reason !== undefined) t.rejected_reason = String(b.rejected_reason);
	if (b.correct_category !== undefined && b.category === undefined) {
		const cc = b.correct_category === null ? undefined : String(b.correct_category).toUpperCase();
		t.correct_category = cc;
		if (cc && cc !== t.category) {
			emitCategoryUpdate(ctx, t, {
				new_category: t.category,
				correct_category: cc,
				category_update_timestamp: s.nowSec() + 24 * 3600,
			});
			events.push('template_category_update(impending)');
		}
	}
	if (b.category !== undefined) {
		const next = String(b.category).toUpperCase();
		if (!CATEGORIES.includes(next)) throw new ControlError(400, `category must be one of ${CATEGORIES.join(', ')}`);
		if (next !== t.category) {
			const prev = t.category;
			t.previous_category = prev;
			t.category = next;
			t.correct_category = undefined;
			emitCategoryUpdate(ctx, t, { previous_category: prev, new_category: next });
			events.push('template_category_update(completed)');
		}
	}
	if (b.status !== undefined) {
		const next = String(b.status).toUpperCase();
		const prev = t.status;
		t.status = next;
		if (next === 'REJECTED' && b.rejected_reason === undefined) t.rejected_reason = 'PROMOTIONAL';
		const extra: Json = {};
		if (b.other_info) extra.other_info = b.other_info;
		else if (next === 'PAUSED')
			extra.other_info = {
				title: 'FIRST_PAUSE',
				description: 'Your template has been paused for 3 hours due to low quality.',
			};
		else if (next === 'APPROVED' && prev === 'PAUSED')
			extra.other_info = { title: 'UNPAUSE', description: 'Your template is no longer paused.' };
		else if (next === 'DISABLED') extra.disable_info = { disable_date: String(s.nowSec()) };
		const reason = typeof b.reason === 'string' ? b.reason : next === 'REJECTED' ? t.rejected_reason : 'NONE';
		emitTemplateStatus(ctx, t, next, reason, extra);
		events.push('message_template_status_update');
	}
	return { template: t, events };
}

export { cloneSeed };
