import type { IPollFunctions } from 'n8n-workflow';

import { readTemplateList } from '../../nodes/TemplateStatusPoll/readTemplates';
import { GRAPH_TEST_CREDENTIALS } from '../support/fixtures';

const credentials = GRAPH_TEST_CREDENTIALS;

/** A poll context whose Graph answers come from a list, one per request. */
function pollContext(answers: Array<{ statusCode: number; body: unknown }>) {
	const requests: unknown[] = [];
	const ctx = {
		getNode: () => ({
			id: 'n1',
			name: 'Template Status Poll',
			type: 'test',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		}),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: unknown) => {
				requests.push(options);
				const answer = answers.shift();
				if (!answer) throw new Error('no more answers');
				return { ...answer, headers: {} };
			},
		},
	};
	return { ctx: ctx as unknown as IPollFunctions, requests };
}

const graphError = (code: number, message: string) => ({
	error: { message, type: 'OAuthException', code, fbtrace_id: 'T1' },
});
const page = { data: [{ id: '1', name: 'a', language: 'en', status: 'APPROVED', category: 'UTILITY' }] };

describe('readTemplateList reads its retry and advice decisions from the one error table', () => {
	it.each([17, 32, 613, 4, 80007])(
		'code %i is a rate limit: not retried, with rate-limit advice from the table',
		async (code) => {
			const { ctx, requests } = pollContext([{ statusCode: 400, body: graphError(code, 'Too many calls') }]);
			const error = (await readTemplateList(ctx, credentials, { retryDelayMs: 0 }).then(
				() => new Error('no error'),
				(e: Error) => e,
			)) as Error & { description?: string };
			expect(requests).toHaveLength(1);
			expect(error.message).toMatch(/Wait and retry/);
			expect(error.message).not.toMatch(/does not know|look the code up/);
			expect(error.description).toMatch(/rate limit/);
		},
	);

	it.each([1, 2, 131000, 131016, 133004])('code %i is transient: one retry of the page', async (code) => {
		const { ctx, requests } = pollContext([
			{ statusCode: 400, body: graphError(code, 'Temporary') },
			{ statusCode: 200, body: page },
		]);
		const read = await readTemplateList(ctx, credentials, { retryDelayMs: 0 });
		expect(requests).toHaveLength(2);
		expect(read.retries).toBe(1);
		expect(read.templates.map((t) => t.name)).toEqual(['a']);
	});

	it('does not retry a permission error', async () => {
		const { ctx, requests } = pollContext([{ statusCode: 403, body: graphError(10, 'Permission denied') }]);
		await expect(readTemplateList(ctx, credentials, { retryDelayMs: 0 })).rejects.toThrow(/Permission denied/);
		expect(requests).toHaveLength(1);
	});
});

describe('readTemplateList pages', () => {
	const paged = (after: string) => ({
		statusCode: 200,
		body: { ...page, paging: { cursors: { after }, next: 'https://x/next' } },
	});

	it('reads the list again from its first page once when the cursor expired (131059)', async () => {
		const { ctx, requests } = pollContext([
			paged('C1'),
			{ statusCode: 400, body: graphError(131059, 'Invalid cursor') },
			paged('C2'),
			{ statusCode: 200, body: page },
		]);
		const read = await readTemplateList(ctx, credentials, { retryDelayMs: 0 });
		expect(requests).toHaveLength(4);
		expect(read).toMatchObject({ pages: 2, requests: 4, retries: 0 });
		expect(read.templates).toHaveLength(2);
	});

	it('refuses a list whose next page has no cursor (a partial list would look like deletions)', async () => {
		const { ctx } = pollContext([{ statusCode: 200, body: { ...page, paging: { next: 'https://x/next' } } }]);
		await expect(readTemplateList(ctx, credentials, { retryDelayMs: 0 })).rejects.toThrow(/next page but no cursor/);
	});

	it('a manual run reads the first page only and shows its raw objects', async () => {
		const { ctx, requests } = pollContext([paged('C1')]);
		const read = await readTemplateList(ctx, credentials, { firstPageOnly: true, retryDelayMs: 0 });
		expect(requests).toHaveLength(1);
		expect(read.firstPage).toEqual(page.data);
	});

	it('names the page that failed, with the account hint for 100, through the error table', async () => {
		const { ctx } = pollContext([paged('C1'), { statusCode: 400, body: graphError(100, 'Invalid parameter') }]);
		const error = (await readTemplateList(ctx, credentials, { retryDelayMs: 0 }).then(
			() => new Error('no error'),
			(e: Error) => e,
		)) as Error & { description?: string; httpCode?: string };
		expect(error.message).toMatch(/^Meta refused reading the template list \(page 2; 1 page\(s\) had been read/);
		expect(error.description).toMatch(/WhatsApp Business Account ID/);
		expect(error.httpCode).toBe('400');
	});

	it('a network failure twice fails the poll without a list', async () => {
		const { ctx, requests } = pollContext([]);
		await expect(readTemplateList(ctx, credentials, { retryDelayMs: 0 })).rejects.toThrow(
			/Could not read the template list/,
		);
		expect(requests).toHaveLength(2);
	});
});
