/** The Graph API endpoints (everything outside /_emulator/). Each handler returns the JSON body or throws GraphError. */
import {
	GraphError,
	errBsuidNotSupported,
	errCallbackVerification,
	errInvalidCursor,
	errInvalidParameter,
	errInvalidToken,
	errNonexistingField,
	errPairRateLimit,
	errParamEnum,
	errParamRequired,
	errReengagement,
	errRequiredParamMissing,
	errTemplateDisabled,
	errTemplateNotFound,
	errTemplatePaused,
	errThroughput,
	errUnknownObject,
	errUnknownPath,
} from './graphErrors';
import type { AcceptedMessage, EmulatorState } from './state';
import { newWamid } from './state';
import {
	duplicateLanguageError,
	reviewTemplate,
	validateCreate,
	validateTtl,
	validateTemplateSend,
	webhookLanguage,
	type StoredTemplate,
} from './templates';
import { envelope, verifyCallback, type WebhookDispatcher } from './webhooks';
import type { Json } from '../json';

export interface GraphRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
	/** e.g. http://127.0.0.1:8099 (for paging.next). */
	baseUrl: string;
}

export interface Ctx {
	state: EmulatorState;
	hooks: WebhookDispatcher;
}

/* ---------------------------------------------------------------- helpers */

function bodyObject(req: GraphRequest): Json {
	return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Json) : {};
}

function tokenOf(req: GraphRequest): string | undefined {
	const h = req.headers.authorization;
	const auth = Array.isArray(h) ? h[0] : h;
	if (auth) {
		const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth.trim());
		return m ? m[1].trim() : undefined;
	}
	if (req.query.access_token) return req.query.access_token;
	const b = bodyObject(req);
	return typeof b.access_token === 'string' ? b.access_token : undefined;
}

function fieldList(q: string | undefined, defaults: string[]): string[] {
	if (!q) return defaults;
	return q
		.replace(/\{[^}]*\}/g, '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

function project(obj: Json, fields: string[], known: Set<string>, nodeType: string): Json {
	const out: Json = {};
	for (const f of fields) {
		if (!known.has(f)) throw errNonexistingField(f, nodeType);
		if (obj[f] !== undefined) out[f] = obj[f];
	}
	if (out.id === undefined && obj.id !== undefined) out.id = obj.id;
	return out;
}

const csv = (s: string | undefined): string[] | undefined =>
	s === undefined || s === ''
		? undefined
		: s
				.split(',')
				.map((x) => x.trim().toLowerCase())
				.filter(Boolean);

/* ------------------------------------------------------------- templates */

const TEMPLATE_FIELDS = new Set([
	'id',
	'name',
	'language',
	'status',
	'category',
	'components',
	'parameter_format',
	'sub_category',
	'previous_category',
	'correct_category',
	'quality_score',
	'rejected_reason',
	'library_template_name',
	'message_send_ttl_seconds',
	'cta_url_link_tracking_opted_out',
]);
const TEMPLATE_DEFAULT_FIELDS = [
	'name',
	'parameter_format',
	'components',
	'language',
	'status',
	'category',
	'sub_category',
	'id',
];

export const TEMPLATE_PAGE_DEFAULT = 25;
export const TEMPLATE_PAGE_MAX = 1000;

const encodeCursor = (id: string) => Buffer.from(`emucursor:${id}`).toString('base64');
function decodeCursor(c: string): string | undefined {
	const s = Buffer.from(c, 'base64').toString('utf8');
	return s.startsWith('emucursor:') ? s.slice('emucursor:'.length) : undefined;
}

function matchesTemplate(t: StoredTemplate, q: Record<string, string>): boolean {
	const status = csv(q.status);
	if (status && !status.includes(t.status.toLowerCase())) return false;
	const category = csv(q.category);
	if (category && !category.includes(t.category.toLowerCase())) return false;
	const language = csv(q.language);
	if (language && !language.includes(t.language.toLowerCase())) return false;
	const quality = csv(q.quality_score);
	if (quality && !quality.includes((t.quality_score?.score ?? 'UNKNOWN').toLowerCase())) return false;
	const text = () =>
		t.components
			.map((c) => c.text ?? '')
			.join(' ')
			.toLowerCase();
	if (q.name && !t.name.toLowerCase().includes(q.name.toLowerCase())) return false;
	if (q.content && !text().includes(q.content.toLowerCase())) return false;
	if (q.name_or_content) {
		const n = q.name_or_content.toLowerCase();
		if (!t.name.toLowerCase().includes(n) && !text().includes(n)) return false;
	}
	return true;
}

function listTemplates(ctx: Ctx, req: GraphRequest): Json {
	const q = req.query;
	const fields = fieldList(q.fields, TEMPLATE_DEFAULT_FIELDS);
	let limit = q.limit === undefined ? TEMPLATE_PAGE_DEFAULT : Number.parseInt(q.limit, 10);
	if (!Number.isFinite(limit) || limit < 1) limit = TEMPLATE_PAGE_DEFAULT;
	limit = Math.min(limit, TEMPLATE_PAGE_MAX);

	const all = [...ctx.state.templates.values()];
	const filtered: Array<{ t: StoredTemplate; gi: number }> = [];
	all.forEach((t, gi) => {
		if (matchesTemplate(t, q)) filtered.push({ t, gi });
	});
	const anchor = (c: string): number => {
		const id = decodeCursor(c);
		const gi = id === undefined ? -1 : all.findIndex((t) => t.id === id);
		if (gi < 0) throw errInvalidCursor();
		return gi;
	};
	let page: typeof filtered;
	if (q.after) {
		const gi = anchor(q.after);
		page = filtered.filter((x) => x.gi > gi).slice(0, limit);
	} else if (q.before) {
		const gi = anchor(q.before);
		const prior = filtered.filter((x) => x.gi < gi);
		page = prior.slice(Math.max(0, prior.length - limit));
	} else {
		page = filtered.slice(0, limit);
	}
	const data = page.map((x) => project(x.t as Json, fields, TEMPLATE_FIELDS, 'WhatsAppMessageTemplate'));
	if (page.length === 0) return { data };
	const first = page[0];
	const last = page[page.length - 1];
	const paging: Json = { cursors: { before: encodeCursor(first.t.id), after: encodeCursor(last.t.id) } };
	const link = (key: 'after' | 'before', cursor: string) => {
		const params = new URLSearchParams(q);
		params.delete('after');
		params.delete('before');
		params.set('limit', String(limit));
		params.set(key, cursor);
		return `${req.baseUrl}${req.path}?${params.toString()}`;
	};
	if (filtered.some((x) => x.gi > last.gi)) paging.next = link('after', paging.cursors.after);
	if (filtered.some((x) => x.gi < first.gi)) paging.previous = link('before', paging.cursors.before);
	return { data, paging };
}

export function templateStatusValue(t: StoredTemplate, event: string, reason: string | null, extra: Json = {}): Json {
	return {
		event,
		message_template_id: Number(t.id),
		message_template_name: t.name,
		message_template_language: webhookLanguage(t.language),
		reason,
		message_template_category: t.category,
		...extra,
	};
}

export function emitTemplateStatus(
	ctx: Ctx,
	t: StoredTemplate,
	event: string,
	reason: string | null,
	extra: Json = {},
): void {
	const s = ctx.state;
	ctx.hooks.post(
		'message_template_status_update',
		envelope(
			s.options.wabaId,
			'message_template_status_update',
			templateStatusValue(t, event, reason, extra),
			s.nowSec(),
		),
	);
}

export function emitCategoryUpdate(ctx: Ctx, t: StoredTemplate, value: Json): void {
	const s = ctx.state;
	ctx.hooks.post(
		'template_category_update',
		envelope(
			s.options.wabaId,
			'template_category_update',
			{
				message_template_id: Number(t.id),
				message_template_name: t.name,
				message_template_language: webhookLanguage(t.language),
				...value,
			},
			s.nowSec(),
		),
	);
}

export function emitQualityUpdate(ctx: Ctx, t: StoredTemplate, previous: string, next: string): void {
	const s = ctx.state;
	ctx.hooks.post(
		'message_template_quality_update',
		envelope(
			s.options.wabaId,
			'message_template_quality_update',
			{
				previous_quality_score: previous,
				new_quality_score: next,
				message_template_id: Number(t.id),
				message_template_name: t.name,
				message_template_language: t.language,
			},
			s.nowSec(),
		),
	);
}

/** The review step, run `reviewDelayMs` after creation. */
export function runReview(ctx: Ctx, id: string): void {
	const t = ctx.state.templates.get(id);
	if (!t || t.status !== 'PENDING') return;
	const out = reviewTemplate(t);
	t.status = out.status;
	t.rejected_reason = out.reason;
	if (out.previousCategory) {
		t.previous_category = out.previousCategory;
		t.category = out.category;
	}
	if (out.status === 'APPROVED') t.quality_score = { score: 'UNKNOWN' };
	emitTemplateStatus(ctx, t, out.status, out.reason, out.rejectionInfo ? { rejection_info: out.rejectionInfo } : {});
	if (out.previousCategory) {
		emitCategoryUpdate(ctx, t, { previous_category: out.previousCategory, new_category: out.category });
	}
	if (out.recategoriseTo) scheduleRecategorisation(ctx, t.id, out.recategoriseTo);
}

/**
 * Meta's periodic re-check: first the impending notice (correct_category set, `new_category` = the CURRENT category,
 * the announced date 24 h ahead), then the completed change. Skipped when the template changed in between.
 */
function scheduleRecategorisation(ctx: Ctx, id: string, target: string): void {
	const delay = ctx.state.options.recategoriseDelayMs;
	ctx.hooks.later(delay, () => {
		const t = ctx.state.templates.get(id);
		if (!t || t.status !== 'APPROVED' || t.category === target) return;
		t.correct_category = target;
		emitCategoryUpdate(ctx, t, {
			correct_category: target,
			new_category: t.category,
			category_update_timestamp: ctx.state.nowSec() + 24 * 3600,
		});
		ctx.hooks.later(delay, () => {
			const now = ctx.state.templates.get(id);
			if (!now || now.correct_category !== target || now.category === target) return;
			const previous = now.category;
			now.previous_category = previous;
			now.category = target;
			emitCategoryUpdate(ctx, now, { previous_category: previous, new_category: target });
		});
	});
}

function createTemplate(ctx: Ctx, req: GraphRequest): Json {
	const input = { ...req.query, ...bodyObject(req) };
	const draft = validateCreate(input);
	if (ctx.state.findTemplate(draft.name, draft.language)) throw duplicateLanguageError(draft.language);
	const t = ctx.state.addTemplate({ ...draft, id: ctx.state.newTemplateId() });
	ctx.hooks.later(ctx.state.options.reviewDelayMs, () => runReview(ctx, t.id));
	return { id: t.id, status: t.status, category: t.category };
}

function deleteTemplates(ctx: Ctx, req: GraphRequest): Json {
	const input = { ...req.query, ...bodyObject(req) };
	const name = input.name;
	if (typeof name !== 'string' || !name) throw errParamRequired('name');
	const hsm = typeof input.hsm_id === 'string' && input.hsm_id ? input.hsm_id : undefined;
	const victims = [...ctx.state.templates.values()].filter((t) => t.name === name && (!hsm || t.id === hsm));
	if (victims.length === 0) {
		throw errInvalidParameter(`Message template "${name}" not found`, {
			subcode: 2593002,
			userTitle: 'Message template not found',
		});
	}
	for (const t of victims) {
		ctx.state.templates.delete(t.id);
		emitTemplateStatus(ctx, t, 'DELETED', 'NONE');
	}
	return { success: true };
}

/** Meta: only APPROVED, REJECTED and PAUSED templates can be edited. */
const EDITABLE_STATUSES = new Set(['APPROVED', 'REJECTED', 'PAUSED']);

function editTemplate(ctx: Ctx, t: StoredTemplate, req: GraphRequest): Json {
	const b = { ...req.query, ...bodyObject(req) };
	if (!EDITABLE_STATUSES.has(t.status)) {
		throw errInvalidParameter(
			`Template ${t.id} is ${t.status} and cannot be edited; only APPROVED, REJECTED or PAUSED templates can.`,
			{
				subcode: 2388025,
				userTitle: 'Template cannot be edited',
			},
		);
	}
	if (b.category !== undefined && t.status === 'APPROVED' && String(b.category).toUpperCase() !== t.category) {
		throw errInvalidParameter('The category of an approved template cannot be edited.');
	}
	const ttl = validateTtl(b.message_send_ttl_seconds, t.category);
	if (ttl !== undefined) t.message_send_ttl_seconds = ttl;
	if (b.components !== undefined) {
		const draft = validateCreate({
			name: t.name,
			language: t.language,
			category: b.category ?? t.category,
			parameter_format: b.parameter_format ?? t.parameter_format,
			components: b.components,
		});
		t.components = draft.components;
		t.parameter_format = draft.parameter_format;
		t.status = 'PENDING';
		t.rejected_reason = 'NONE';
		t.correct_category = undefined;
		emitTemplateStatus(ctx, t, 'PENDING', 'NONE');
		ctx.hooks.later(ctx.state.options.reviewDelayMs, () => runReview(ctx, t.id));
	}
	return { success: true };
}

/* ------------------------------------------------------------------ send */

const MESSAGE_TYPES = [
	'audio',
	'contacts',
	'document',
	'image',
	'interactive',
	'location',
	'reaction',
	'sticker',
	'template',
	'text',
	'video',
];
const MEDIA_TYPES = new Set(['audio', 'document', 'image', 'sticker', 'video']);

function checkThroughput(s: EmulatorState, phoneId: string): void {
	const cap = s.options.throughputCapMps;
	if (!cap || cap <= 0) return;
	const now = s.now();
	let q = s.throughput.get(phoneId);
	if (!q) s.throughput.set(phoneId, (q = { ts: [], head: 0 }));
	while (q.head < q.ts.length && q.ts[q.head] <= now - 1000) q.head++;
	if (q.head > 1024 && q.head * 2 > q.ts.length) {
		q.ts = q.ts.slice(q.head);
		q.head = 0;
	}
	if (q.ts.length - q.head >= cap) {
		s.stats.throughputRejections++;
		throw errThroughput();
	}
	q.ts.push(now);
}

/** GCRA: one message per `pairLimitSeconds`, `pairBurst` messages of credit (Meta: bursts up to 45 in 6 s). */
function checkPair(s: EmulatorState, phoneId: string, waId: string): void {
	const secs = s.options.pairLimitSeconds;
	if (!secs || secs <= 0) return;
	const interval = secs * 1000;
	const burst = Math.max(1, s.options.pairBurst);
	const key = `${phoneId}:${waId}`;
	const now = s.now();
	const tat = Math.max(s.pairTat.get(key) ?? now, now);
	if (tat - now > (burst - 1) * interval) {
		s.stats.pairRejections++;
		throw errPairRateLimit();
	}
	s.pairTat.set(key, tat + interval);
}

function pricingFor(s: EmulatorState, phoneId: string, waId: string, tpl: StoredTemplate | undefined): Json {
	if (!tpl) return { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' };
	const category = tpl.category.toLowerCase();
	if (category === 'utility' && s.windowOpen(phoneId, waId)) {
		return { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category };
	}
	return { billable: true, pricing_model: 'PMP', type: 'regular', category };
}

function metadata(s: EmulatorState, phoneId: string): Json {
	const p = s.phoneNumber(phoneId);
	return { display_phone_number: (p?.display_phone_number ?? '').replace(/\D/g, ''), phone_number_id: phoneId };
}

function statusWebhook(ctx: Ctx, msg: AcceptedMessage, status: string, extra: Json): void {
	const s = ctx.state;
	msg.statuses.push(status);
	const st: Json = { id: msg.wamid, status, timestamp: String(s.nowSec()), recipient_id: msg.waId };
	if (msg.biz_opaque_callback_data !== undefined) st.biz_opaque_callback_data = msg.biz_opaque_callback_data;
	Object.assign(st, extra);
	ctx.hooks.post(
		'messages',
		envelope(s.options.wabaId, 'messages', {
			messaging_product: 'whatsapp',
			metadata: metadata(s, msg.phoneNumberId),
			statuses: [st],
		}),
	);
}

/** A recipient whose digits end in 0000 is "not on WhatsApp": accepted, then a `failed` status with 131026. */
export const isUnreachable = (waId: string) => waId.endsWith('0000');

function scheduleStatuses(ctx: Ctx, msg: AcceptedMessage): void {
	const o = ctx.state.options;
	if (!o.statusWebhooks) return;
	const d = Math.max(0, o.statusDelayMs);
	if (isUnreachable(msg.waId)) {
		ctx.hooks.later(d, () =>
			statusWebhook(ctx, msg, 'failed', {
				errors: [
					{
						code: 131026,
						title: 'Message undeliverable',
						message: 'Message undeliverable',
						error_data: { details: 'Message Undeliverable.' },
						href: '/documentation/business-messaging/whatsapp/support/error-codes',
					},
				],
			}),
		);
		return;
	}
	ctx.hooks.later(d, () => {
		statusWebhook(ctx, msg, 'sent', { pricing: msg.pricing });
		ctx.hooks.later(d, () => {
			statusWebhook(ctx, msg, 'delivered', { pricing: msg.pricing });
			if (ctx.state.options.readStatuses) ctx.hooks.later(d, () => statusWebhook(ctx, msg, 'read', {}));
		});
	});
}

function sendMessage(ctx: Ctx, phoneId: string, req: GraphRequest): Json {
	const s = ctx.state;
	const b = bodyObject(req);
	if (typeof req.body === 'string' && req.body.length > 0) throw errInvalidParameter('Request body is not valid JSON');
	if (b.messaging_product === undefined) throw errParamRequired('messaging_product');
	if (String(b.messaging_product).toLowerCase() !== 'whatsapp')
		throw errParamEnum('messaging_product', ['WHATSAPP'], b.messaging_product);

	// mark-as-read / typing indicator
	if (b.status === 'read') {
		if (typeof b.message_id !== 'string') throw errParamRequired('message_id');
		return { success: true };
	}

	checkThroughput(s, phoneId);

	// Meta (2026): `to` is a phone number; `recipient` a business-scoped user ID (BSUID, or parent BSUID
	// CC.ENT.…) for users with a username; when both are present `to` wins.
	const hasTo = !(b.to === undefined || b.to === null || b.to === '');
	const bsuid = !hasTo && typeof b.recipient === 'string' && b.recipient !== '' ? b.recipient : undefined;
	if (!hasTo && !bsuid) throw errParamRequired('to');
	if (bsuid !== undefined && !BSUID_PATTERN.test(bsuid)) {
		throw errInvalidParameter(`Invalid recipient: "${bsuid}" is not a business-scoped user ID`);
	}
	const to = bsuid ?? String(b.to);
	const waId = bsuid ?? to.replace(/\D/g, '');
	if (!bsuid && waId.length < 5) throw errInvalidParameter(`Invalid recipient: "${to}" is not a valid phone number`);
	const type = b.type === undefined ? 'text' : String(b.type).toLowerCase();
	if (!MESSAGE_TYPES.includes(type))
		throw errParamEnum(
			'type',
			MESSAGE_TYPES.map((t) => t.toUpperCase()),
			b.type,
		);
	const payload = b[type];
	if (!payload || typeof payload !== 'object') throw errParamRequired(type);

	let tpl: StoredTemplate | undefined;
	if (type === 'template') {
		const name = payload.name;
		const lang = payload.language?.code;
		if (typeof name !== 'string' || !name) throw errParamRequired("template['name']");
		if (typeof lang !== 'string' || !lang) throw errParamRequired("template['language']['code']");
		tpl = s.findTemplate(name, lang);
		if (!tpl) throw errTemplateNotFound(name, lang);
		if (tpl.status === 'PAUSED') throw errTemplatePaused(name);
		if (tpl.status === 'DISABLED') throw errTemplateDisabled(name);
		if (tpl.status !== 'APPROVED') throw errTemplateNotFound(name, lang);
		if (bsuid && tpl.category === 'AUTHENTICATION') throw errBsuidNotSupported();
		validateTemplateSend(tpl, payload.components);
	} else {
		if (type === 'text' && (typeof payload.body !== 'string' || !payload.body)) throw errParamRequired("text['body']");
		if (MEDIA_TYPES.has(type) && typeof payload.id !== 'string' && typeof payload.link !== 'string') {
			throw errRequiredParamMissing(`${type}: either id or link is required`);
		}
		if (!s.windowOpen(phoneId, waId)) throw errReengagement();
	}

	checkPair(s, phoneId, waId);

	const msg: AcceptedMessage = {
		wamid: newWamid(waId),
		phoneNumberId: phoneId,
		to,
		waId,
		type,
		body: b,
		acceptedAt: s.now(),
		statuses: [],
		pricing: pricingFor(s, phoneId, waId, tpl),
	};
	if (tpl) msg.template = { name: tpl.name, language: tpl.language, id: tpl.id, category: tpl.category };
	if (typeof b.biz_opaque_callback_data === 'string') msg.biz_opaque_callback_data = b.biz_opaque_callback_data;
	if (b.context !== undefined) msg.context = b.context;
	s.messages.push(msg);
	s.messagesById.set(msg.wamid, msg);
	s.stats.messagesAccepted++;
	scheduleStatuses(ctx, msg);

	const out: Json = { id: msg.wamid };
	if (tpl) out.message_status = 'accepted';
	// A BSUID send answers with user_id and no wa_id.
	const contact = bsuid ? { input: to, user_id: bsuid } : { input: to, wa_id: waId };
	return { messaging_product: 'whatsapp', contacts: [contact], messages: [out] };
}

/** A business-scoped user ID: ISO country, optional ENT (parent BSUID), then up to 128 letters and digits. */
const BSUID_PATTERN = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;

/* --------------------------------------------------------- subscriptions */

function listSubscriptions(ctx: Ctx): Json {
	const sub = ctx.state.subscription;
	if (!sub) return { data: [] };
	const row: Json = {
		whatsapp_business_api_data: {
			id: sub.appId,
			name: 'Emulated App',
			link: `https://www.facebook.com/games/?app_id=${sub.appId}`,
		},
	};
	if (sub.override_callback_uri) row.override_callback_uri = sub.override_callback_uri;
	return { data: [row] };
}

async function subscribe(ctx: Ctx, req: GraphRequest): Promise<Json> {
	const input = { ...req.query, ...bodyObject(req) };
	const uri =
		typeof input.override_callback_uri === 'string' && input.override_callback_uri
			? input.override_callback_uri
			: undefined;
	const app = ctx.state.options.appId;
	if (!uri) {
		// Like Meta: subscribing without override fields drops a previous override (app-level callback only).
		ctx.state.subscription = { appId: app };
		return { success: true };
	}
	const token = typeof input.verify_token === 'string' ? input.verify_token : undefined;
	if (!token) throw errParamRequired('verify_token');
	const failure = await verifyCallback(uri, token, ctx.state.options.webhookTimeoutMs);
	if (failure) throw errCallbackVerification(failure);
	ctx.state.subscription = { appId: app, override_callback_uri: uri, verify_token: token };
	return { success: true };
}

/* ------------------------------------------------------------------ router */

const WABA_FIELDS = new Set([
	'id',
	'name',
	'currency',
	'timezone_id',
	'message_template_namespace',
	'account_review_status',
	'business_verification_status',
	'country',
	'ownership_type',
	'health_status',
]);
const PHONE_FIELDS = new Set([
	'id',
	'display_phone_number',
	'verified_name',
	'quality_rating',
	'throughput',
	'code_verification_status',
	'platform_type',
	'status',
	'name_status',
	'messaging_limit_tier',
	'is_official_business_account',
]);
const PHONE_DEFAULT_FIELDS = [
	'verified_name',
	'code_verification_status',
	'display_phone_number',
	'quality_rating',
	'platform_type',
	'throughput',
	'id',
];

function wabaObject(s: EmulatorState): Json {
	return {
		id: s.options.wabaId,
		name: s.options.wabaName,
		currency: 'USD',
		timezone_id: '1',
		message_template_namespace: 'emulated_namespace_0000',
		account_review_status: 'APPROVED',
		business_verification_status: 'verified',
		country: 'US',
		ownership_type: 'SELF',
		health_status: { can_send_message: 'AVAILABLE' },
	};
}

function phoneObject(p: EmulatorState['options']['phoneNumbers'][number]): Json {
	return {
		id: p.id,
		display_phone_number: p.display_phone_number,
		verified_name: p.verified_name,
		quality_rating: p.quality_rating ?? 'GREEN',
		throughput: p.throughput ?? { level: 'STANDARD' },
		code_verification_status: 'VERIFIED',
		platform_type: 'CLOUD_API',
		status: 'CONNECTED',
		name_status: 'APPROVED',
		is_official_business_account: false,
	};
}

export async function handleGraph(ctx: Ctx, req: GraphRequest): Promise<Json> {
	const s = ctx.state;
	if (tokenOf(req) !== s.options.accessToken) throw errInvalidToken();
	const segs = req.path.split('/').filter(Boolean);
	if (segs.length && /^v\d+\.\d+$/.test(segs[0])) segs.shift();
	if (segs.length === 0 || segs.length > 2) throw errUnknownPath(req.path);
	const [id, edge] = segs;
	const m = req.method;

	if (id === s.options.wabaId) {
		if (!edge) {
			if (m === 'GET')
				return project(
					wabaObject(s),
					fieldList(req.query.fields, ['id', 'name']),
					WABA_FIELDS,
					'WhatsAppBusinessAccount',
				);
			if (m === 'POST') return { success: true };
			throw errUnknownObject(m, id);
		}
		if (edge === 'phone_numbers' && m === 'GET') {
			const fields = fieldList(req.query.fields, PHONE_DEFAULT_FIELDS);
			const data = s.options.phoneNumbers.map((p) =>
				project(phoneObject(p), fields, PHONE_FIELDS, 'WhatsAppBusinessPhoneNumber'),
			);
			return {
				data,
				paging: {
					cursors: { before: encodeCursor(data[0]?.id ?? ''), after: encodeCursor(data[data.length - 1]?.id ?? '') },
				},
			};
		}
		if (edge === 'message_templates') {
			if (m === 'GET') return listTemplates(ctx, req);
			if (m === 'POST') return createTemplate(ctx, req);
			if (m === 'DELETE') return deleteTemplates(ctx, req);
		}
		if (edge === 'subscribed_apps') {
			if (m === 'GET') return listSubscriptions(ctx);
			if (m === 'POST') return subscribe(ctx, req);
			if (m === 'DELETE') {
				s.subscription = null;
				return { success: true };
			}
		}
		if (['phone_numbers', 'message_templates', 'subscribed_apps'].includes(edge)) throw errUnknownObject(m, id);
		throw errNonexistingField(edge, 'WhatsAppBusinessAccount');
	}

	const phone = s.phoneNumber(id);
	if (phone) {
		if (!edge) {
			if (m === 'GET')
				return project(
					phoneObject(phone),
					fieldList(req.query.fields, PHONE_DEFAULT_FIELDS),
					PHONE_FIELDS,
					'WhatsAppBusinessPhoneNumber',
				);
			throw errUnknownObject(m, id);
		}
		if (edge === 'messages') {
			if (m === 'POST') return sendMessage(ctx, id, req);
			throw errUnknownObject(m, id);
		}
		throw errNonexistingField(edge, 'WhatsAppBusinessPhoneNumber');
	}

	const tpl = s.templates.get(id);
	if (tpl && !edge) {
		if (m === 'GET')
			return project(
				tpl as Json,
				fieldList(req.query.fields, TEMPLATE_DEFAULT_FIELDS),
				TEMPLATE_FIELDS,
				'WhatsAppMessageTemplate',
			);
		if (m === 'POST') return editTemplate(ctx, tpl, req);
	}
	if (tpl && edge) throw errNonexistingField(edge, 'WhatsAppMessageTemplate');
	throw errUnknownObject(m, id);
}

export { GraphError };
