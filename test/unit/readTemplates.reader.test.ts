/** The one template reader (nodes/shared/io/templates.ts), its paging, and Send Notification's lookups through it. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { lookupTemplate, lookupTranslations } from '../../nodes/SendNotification/actions/templateSource';
import { listTemplates, listTemplatesNamed, readTemplate, TEMPLATE_FIELDS } from '../../nodes/shared/io/templates';
import { GraphNetworkError, graphGetAllPages } from '../../nodes/shared/io/transport';
import { GRAPH_TEST_CREDENTIALS } from '../support/fixtures';

const credentials = GRAPH_TEST_CREDENTIALS;

interface Sent {
	url: string;
	qs: Record<string, unknown>;
}
type Answer = { statusCode: number; body: unknown } | Error;

/** A context whose Graph answers come from a list, one per request; what it was asked is kept. */
function graphContext(answers: Answer[]) {
	const requests: Sent[] = [];
	const ctx = {
		getNode: () => ({ id: 'n1', name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} }),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: Sent) => {
				requests.push({ url: options.url, qs: { ...options.qs } });
				const answer = answers.shift();
				if (!answer) throw new Error('no more answers');
				if (answer instanceof Error) throw answer;
				return { ...answer, headers: {} };
			},
		},
	};
	return { ctx: ctx as unknown as IExecuteFunctions, requests };
}

const template = (name: string, language: string, extra: Record<string, unknown> = {}) => ({
	id: `${name}-${language}`,
	name,
	language,
	status: 'APPROVED',
	category: 'UTILITY',
	components: [{ type: 'BODY', text: 'Your order is ready.' }],
	...extra,
});
const page = (data: unknown[], after?: string) => ({
	statusCode: 200,
	body: after
		? { data, paging: { cursors: { after }, next: `https://elsewhere.example/next?after=${after}` } }
		: { data },
});
const refusal = (statusCode: number, code: number) => ({
	statusCode,
	body: { error: { message: `Error ${code}`, code } },
});

describe('the field sets', () => {
	it('name every field once: the whole template, and its state without the content', () => {
		const all = TEMPLATE_FIELDS.all.split(',');
		const state = TEMPLATE_FIELDS.state.split(',');
		expect(new Set(all).size).toBe(all.length);
		expect(all).toEqual(expect.arrayContaining(state));
		expect(state).not.toContain('components');
		expect(all).toEqual(
			expect.arrayContaining(['components', 'parameter_format', 'message_send_ttl_seconds', 'quality_score']),
		);
	});
});

describe('listTemplates / listTemplatesNamed / readTemplate', () => {
	it('lists every page of the account by cursor, with the fields, filters and page size asked for', async () => {
		const { ctx, requests } = graphContext([page([template('a', 'en')], 'C1'), page([template('b', 'en')])]);
		const read = await listTemplates(ctx, credentials, {
			fields: TEMPLATE_FIELDS.state,
			status: 'APPROVED',
			pageSize: 250,
		});
		expect(read.items.map((t) => t.name)).toEqual(['a', 'b']);
		expect(read).toMatchObject({ pages: 2, requests: 2, retries: 0 });
		expect(requests.map((r) => r.url)).toEqual([
			`https://graph.example.test/v24.0/${credentials.businessAccountId}/message_templates`,
			`https://graph.example.test/v24.0/${credentials.businessAccountId}/message_templates`,
		]);
		expect(requests[0].qs).toEqual({ fields: TEMPLATE_FIELDS.state, limit: 250, status: 'APPROVED' });
		expect(requests[1].qs).toEqual({ fields: TEMPLATE_FIELDS.state, limit: 250, status: 'APPROVED', after: 'C1' });
	});

	it('keeps only the exact name (Meta filters by substring), with the whole template', async () => {
		const { ctx, requests } = graphContext([
			page([template('order', 'en'), template('order_v2', 'en'), template('order', 'de')]),
		]);
		const read = await listTemplatesNamed(ctx, credentials, 'order');
		expect(read.items.map((t) => `${String(t.name)}/${String(t.language)}`)).toEqual(['order/en', 'order/de']);
		expect(requests[0].qs).toMatchObject({ name: 'order', fields: TEMPLATE_FIELDS.all });
	});

	it('reads one template by ID and returns a refusal as data', async () => {
		const { ctx, requests } = graphContext([refusal(400, 100)]);
		const read = await readTemplate(ctx, credentials, '1689556908129832', TEMPLATE_FIELDS.state);
		expect(read).toMatchObject({ statusCode: 400, error: { code: 100 } });
		expect(requests[0]).toEqual({
			url: 'https://graph.example.test/v24.0/1689556908129832',
			qs: { fields: TEMPLATE_FIELDS.state },
		});
	});
});

describe('graphGetAllPages', () => {
	const path = `${credentials.businessAccountId}/message_templates`;

	it('retries a page once when asked to, and stops with the error after the second failure', async () => {
		const { ctx } = graphContext([
			refusal(503, 131016),
			page([template('a', 'en')], 'C1'),
			refusal(500, 131000),
			refusal(500, 131000),
		]);
		const read = await graphGetAllPages(ctx, credentials, path, {}, { retryPageOnce: () => true, retryDelayMs: 0 });
		expect(read).toMatchObject({ pages: 1, requests: 4, retries: 2, statusCode: 500, error: { code: 131000 } });
		expect(read.items).toHaveLength(1);
	});

	it('never retries without retryPageOnce', async () => {
		const { ctx, requests } = graphContext([refusal(503, 131016)]);
		expect(await graphGetAllPages(ctx, credentials, path, {})).toMatchObject({
			requests: 1,
			retries: 0,
			error: { code: 131016 },
		});
		expect(requests).toHaveLength(1);
	});

	it('retries a page without an answer once, then throws the network error', async () => {
		const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const { ctx } = graphContext([refused, refused]);
		await expect(
			graphGetAllPages(ctx, credentials, path, {}, { retryPageOnce: () => true, retryDelayMs: 0 }),
		).rejects.toBeInstanceOf(GraphNetworkError);
	});

	it('says when a next page was left unread: no cursor, or the page limit', async () => {
		const noCursor = graphContext([
			{ statusCode: 200, body: { data: [template('a', 'en')], paging: { next: 'https://x' } } },
		]);
		expect(await graphGetAllPages(noCursor.ctx, credentials, path, {})).toMatchObject({
			pages: 1,
			incomplete: 'no-cursor',
		});
		const limited = graphContext([page([template('a', 'en')], 'C1')]);
		expect(await graphGetAllPages(limited.ctx, credentials, path, {}, { maxPages: 1 })).toMatchObject({
			pages: 1,
			incomplete: 'max-pages',
		});
		const whole = graphContext([page([template('a', 'en')])]);
		expect((await graphGetAllPages(whole.ctx, credentials, path, {}, { maxPages: 1 })).incomplete).toBeUndefined();
	});
});

describe('Send Notification: template lookup and Match Recipient translations', () => {
	it('share one listing of the name per run', async () => {
		const { ctx, requests } = graphContext([
			page([
				template('shipping_update', 'en_US'),
				template('shipping_update', 'pt_BR'),
				template('shipping_update_v2', 'en_US'),
			]),
		]);
		const lookup = await lookupTemplate(ctx, credentials, { mode: 'name', value: 'shipping_update/en_US' });
		const translations = await lookupTranslations(ctx, credentials, 'shipping_update');
		expect(lookup).toMatchObject({ ok: true, template: { language: 'en_US' } });
		expect(translations.ok && translations.translations.map((t) => t.language)).toEqual(['en_US', 'pt_BR']);
		expect(requests).toHaveLength(1);
	});

	it('list again in the next run (another context)', async () => {
		const answers = [page([template('shipping_update', 'en_US')]), page([template('shipping_update', 'en_US')])];
		const first = graphContext(answers);
		await lookupTranslations(first.ctx, credentials, 'shipping_update');
		const second = graphContext(answers);
		await lookupTranslations(second.ctx, credentials, 'shipping_update');
		expect(first.requests).toHaveLength(1);
		expect(second.requests).toHaveLength(1);
	});

	it('advises on the account ID when Meta refuses the listing with 100', async () => {
		const { ctx } = graphContext([refusal(400, 100)]);
		const lookup = await lookupTemplate(ctx, credentials, { mode: 'name', value: 'shipping_update' });
		expect(lookup).toMatchObject({
			ok: false,
			fix: expect.stringMatching(/WhatsApp Business Account ID/),
			graphError: { code: 100 },
		});
	});
});
