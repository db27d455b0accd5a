/**
 * WhatsApp Notification Template inside a real n8n, against the emulator: Check Draft (offline), Submit for Review
 * (refusal of a bad draft, creation in the shape of Meta's OpenAPI spec), the review's approval, Send Notification
 * sending the new template in the same workflow run, Edit, Get and Delete.
 */
import { randomUUID } from 'node:crypto';

import type { Emulator } from '../../dev/emulator';
import { validateSendMessageBody } from '../support/openapiValidator';
import { validateTemplateApi } from '../support/templateApiSchemas';
import {
	CLOUD_CREDENTIAL_TYPE,
	SEND_NODE_TYPE,
	TEMPLATE_NODE_TYPE,
	executionError,
	graphRequests,
	lastExecution,
	nodeOutput,
	removeWorkflows,
	resetEmulator,
	runOnce,
	sharedN8n,
	startEmulatorWithCredential,
	waitFor,
	type SavedCredential,
} from './context';
import { webhookEntryNodes, type WorkflowNode } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

/** A clean shipping-status draft in the node's form fields. */
const goodDraft = (name: string): Json => ({
	notificationType: 'shippingStatus',
	draftSource: 'fields',
	templateName: name,
	language: 'en_US',
	headerFormat: 'TEXT',
	headerText: 'Order {{1}} shipped',
	headerExample: 'A-10023',
	body: 'Hi {{1}}, your order {{2}} has shipped and will arrive on {{3}}. Thank you for shopping with us.',
	bodyExamples: {
		example: [
			{ variable: '1', example: 'Maria' },
			{ variable: '2', example: 'A-10023' },
			{ variable: '3', example: 'June 12' },
		],
	},
	footer: 'Emulated Shop',
	buttons: {
		button: [
			{
				type: 'URL',
				text: 'Track order',
				url: 'https://shop.example.com/track/{{1}}',
				urlExample: 'https://shop.example.com/track/A-10023',
			},
		],
	},
});

describe('WhatsApp Notification Template in real n8n', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;
	let credential: SavedCredential;

	beforeAll(async () => {
		({ emulator, credential } = await startEmulatorWithCredential(n8n, 'emulator', {
			latencyMs: 0,
			reviewDelayMs: 300,
			recategoriseDelayMs: 60_000,
		}));
	});
	afterAll(async () => {
		await emulator.close();
	});
	beforeEach(async () => {
		await resetEmulator(emulator);
		await fetch(`${emulator.url}/_emulator/config`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ reviewDelayMs: 300, recategoriseDelayMs: 60_000 }),
		});
	});

	const templateNode = (parameters: Json, extra: Partial<WorkflowNode> = {}) => ({
		type: TEMPLATE_NODE_TYPE,
		typeVersion: 1,
		credentials: { [CLOUD_CREDENTIAL_TYPE]: credential },
		parameters,
		...extra,
	});
	const graphCalls = (method: string, pathEnd: string) => graphRequests(emulator, method, pathEnd);

	it('Check Draft runs offline: a clean draft passes, a bad one gets errors that say what to change', async () => {
		const bad = {
			...goodDraft('Order Shipped!'),
			headerFormat: 'NONE',
			body: '{{1}} Get 20% off your next order with code {{2}}',
			bodyExamples: { example: [{ variable: '1', example: 'Maria' }] },
		};
		const run = await runOnce(
			n8n,
			{
				type: TEMPLATE_NODE_TYPE,
				typeVersion: 1,
				parameters: { operation: 'checkDraft', ...goodDraft('order_shipped_e2e') },
			},
			[{}],
		);
		expect(run.status).toBe(200);
		const [good] = run.body as Json[];
		expect(good).toMatchObject({
			ok: true,
			errors: [],
			marketingRisk: { level: 'low' },
			variables: { format: 'POSITIONAL', header: ['1'], body: ['1', '2', '3'] },
		});
		expect(good.draft).toMatchObject({ name: 'order_shipped_e2e', category: 'UTILITY', components: expect.any(Array) });

		const badRun = await runOnce(
			n8n,
			{ type: TEMPLATE_NODE_TYPE, typeVersion: 1, parameters: { operation: 'checkDraft', ...bad } },
			[{}],
		);
		const [result] = badRun.body as Json[];
		expect(result.ok).toBe(false);
		const rules = result.errors.map((e: Json) => e.rule);
		expect(rules).toEqual(expect.arrayContaining(['name', 'variablePosition', 'examples', 'contentPolicy']));
		for (const finding of result.errors) {
			expect(finding).toEqual({
				rule: expect.any(String),
				text: expect.any(String),
				problem: expect.any(String),
				fix: expect.any(String),
			});
		}
		expect(result.errors.find((e: Json) => e.rule === 'name').fix).toBe('Use "order_shipped".');
		expect(result.marketingRisk.level).toBe('high');
		expect(result.marketingRisk.phrases.map((p: Json) => p.phrase)).toContain('20% off');
		expect(emulator.state.requests).toHaveLength(0);
	});

	it('Submit for Review refuses a draft with errors (nothing sent) and reports it per item with continue-on-fail', async () => {
		const bad = { ...goodDraft('bad_draft_e2e'), body: 'Your order ships on {{1}}' };
		const refused = await runOnce(n8n, templateNode({ operation: 'submitForReview', ...bad }), [{}]);
		const error = executionError(refused.execution);
		expect(error?.message).toMatch(/error\(s\) that Meta's review would reject; nothing was submitted/);
		expect(error?.description).toMatch(/\[variablePosition\].*Fix:/);
		expect(graphCalls('POST', '/message_templates')).toHaveLength(0);

		const soft = await runOnce(
			n8n,
			templateNode({ operation: 'submitForReview', ...bad }, { onError: 'continueRegularOutput' }),
			[{}, {}],
		);
		expect(soft.status).toBe(200);
		expect((soft.body as Json[]).map((item) => item.error?.message)).toEqual([
			expect.stringMatching(/nothing was submitted/),
			expect.stringMatching(/nothing was submitted/),
		]);
		expect(graphCalls('POST', '/message_templates')).toHaveLength(0);
	});

	it("refuses a draft with warnings unless Submit Despite Warnings is on, and passes on Meta's refusal of a duplicate", async () => {
		// No variable at all: a warning (not specific to one customer), no error.
		const generic = {
			...goodDraft('generic_notice_e2e'),
			notificationType: 'alertUpdate',
			headerFormat: 'NONE',
			body: 'Our store is closed on Monday for maintenance of the payment system.',
			bodyExamples: {},
			buttons: {},
		};
		const refused = await runOnce(n8n, templateNode({ operation: 'submitForReview', ...generic }), [{}]);
		expect(executionError(refused.execution)?.message).toMatch(/warning\(s\); nothing was submitted/);
		expect(executionError(refused.execution)?.description).toMatch(/\[specificity\].*Submit Despite Warnings/s);
		expect(graphCalls('POST', '/message_templates')).toHaveLength(0);

		const allowed = await runOnce(
			n8n,
			templateNode({ operation: 'submitForReview', ...generic, options: { allowWarnings: true } }),
			[{}],
		);
		expect((allowed.body as Json[])[0]).toMatchObject({
			name: 'generic_notice_e2e',
			status: 'PENDING',
			category: 'UTILITY',
			warnings: [expect.objectContaining({ rule: 'specificity' })],
		});

		const duplicate = await runOnce(
			n8n,
			templateNode({ operation: 'submitForReview', ...generic, options: { allowWarnings: true } }),
			[{}],
		);
		const error = executionError(duplicate.execution);
		expect(error?.message).toMatch(/Meta refused the template "generic_notice_e2e" \(en_US\)/);
		expect(`${error?.message} ${error?.description}`).toMatch(/already en_US content/);
		expect(graphCalls('POST', '/message_templates')).toHaveLength(2);
	});

	it('submits, Meta approves, and Send Notification sends the new template, all in one workflow run', async () => {
		const path = `e2e-${randomUUID()}`;
		const nodes: WorkflowNode[] = [
			...webhookEntryNodes(path),
			{
				name: 'Submit',
				...templateNode({
					operation: 'submitForReview',
					...goodDraft('order_shipped_e2e'),
					options: { messageSendTtlSeconds: 7200 },
				}),
			},
			{
				name: 'Wait for Review',
				type: 'n8n-nodes-base.wait',
				typeVersion: 1.1,
				parameters: { resume: 'timeInterval', amount: 2, unit: 'seconds' },
			},
			{ name: 'Get', ...templateNode({ operation: 'get', getBy: 'id', getId: '={{ $json.id }}' }) },
			{
				name: 'Send',
				type: SEND_NODE_TYPE,
				typeVersion: 1,
				credentials: { [CLOUD_CREDENTIAL_TYPE]: credential },
				parameters: {
					notificationType: 'shippingStatus',
					recipient: "={{ $('Split Items').item.json.phone }}",
					template: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
					variables: {
						mappingMode: 'defineBelow',
						value: {
							header_1: "={{ $('Split Items').item.json.order }}",
							body_1: "={{ $('Split Items').item.json.name }}",
							body_2: "={{ $('Split Items').item.json.order }}",
							body_3: 'Friday',
							button_0_url: "={{ $('Split Items').item.json.order }}",
						},
						matchingColumns: [],
						schema: [],
					},
				},
			},
		];
		const chain = ['Webhook', 'Split Items', 'Submit', 'Wait for Review', 'Get', 'Send'];
		const connections = Object.fromEntries(
			chain.slice(0, -1).map((from, i) => [from, { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] }]),
		);
		const workflowId = await n8n.createWorkflow(`e2e template lifecycle ${path}`, nodes, connections);
		try {
			await n8n.activate(workflowId);
			await n8n.waitForWebhook(path);
			const res = await n8n.callWebhook(path, {
				items: [{ phone: '+49 151 2345 6001', name: 'Maria', order: 'SO-1001' }],
			});
			const execution = await lastExecution(n8n, workflowId);
			expect([res.status, executionError(execution)?.message]).toEqual([200, undefined]);

			const [submitted] = nodeOutput(execution, 'Submit').map((item: Json) => item.json);
			const [post] = graphCalls('POST', '/message_templates');
			expect(validateTemplateApi('createRequest', post.body)).toEqual([]);
			expect(post.body).toMatchObject({
				name: 'order_shipped_e2e',
				language: 'en_US',
				category: 'UTILITY',
				parameter_format: 'POSITIONAL',
				message_send_ttl_seconds: 7200,
			});
			expect(validateTemplateApi('createResponse', post.response)).toEqual([]);
			expect(submitted).toMatchObject({
				id: (post.response as Json).id,
				name: 'order_shipped_e2e',
				status: 'PENDING',
				category: 'UTILITY',
				warnings: [],
			});

			const [got] = nodeOutput(execution, 'Get').map((item: Json) => item.json);
			expect(got).toMatchObject({
				id: submitted.id,
				status: 'APPROVED',
				category: 'UTILITY',
				usableBySendNotification: true,
				rejectedReason: null,
				messageSendTtlSeconds: 7200,
			});

			const [sent] = res.body as Json[];
			expect(sent.template).toMatchObject({ id: submitted.id, name: 'order_shipped_e2e', category: 'UTILITY' });
			expect(emulator.state.messages).toHaveLength(1);
			expect(emulator.state.messages[0]).toMatchObject({
				to: '+4915123456001',
				template: { id: submitted.id, name: 'order_shipped_e2e' },
			});
			expect(validateSendMessageBody(emulator.state.messages[0].body).errors).toEqual([]);
			expect(sent.renderedText).toContain('Hi Maria, your order SO-1001 has shipped and will arrive on Friday.');
		} finally {
			await removeWorkflows(n8n, [workflowId]);
		}
	});

	it('Edit re-submits checked content, Get reads it back, Delete removes one language by ID and then the name', async () => {
		const created = await runOnce(n8n, templateNode({ operation: 'submitForReview', ...goodDraft('edit_me_e2e') }), [
			{},
		]);
		const id = (created.body as Json[])[0].id as string;
		await waitFor(() => emulator.state.templates.get(id)?.status === 'APPROVED');
		const pt = await fetch(`${emulator.url}/v24.0/${emulator.options.wabaId}/message_templates`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.options.accessToken}` },
			body: JSON.stringify({
				name: 'edit_me_e2e',
				language: 'pt_BR',
				category: 'UTILITY',
				components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido foi enviado hoje.' }],
			}),
		});
		const ptId = ((await pt.json()) as Json).id as string;

		// An edit with errors is refused before Meta sees it.
		const refused = await runOnce(
			n8n,
			templateNode({ operation: 'edit', templateId: id, ...goodDraft('ignored'), body: 'Hi {{1}}{{2}}, it shipped.' }),
			[{}],
		);
		expect(executionError(refused.execution)?.message).toMatch(/nothing was changed/);
		expect(graphCalls('POST', `/${id}`)).toHaveLength(0);

		const edited = await runOnce(
			n8n,
			templateNode({
				operation: 'edit',
				templateId: id,
				...goodDraft('ignored'),
				body: 'Hi {{1}}, your order {{2}} is on its way and arrives on {{3}}. Thank you.',
			}),
			[{}],
		);
		expect(executionError(edited.execution)?.message).toBeUndefined();
		const [editOut] = edited.body as Json[];
		expect(editOut).toMatchObject({ success: true, id, name: 'edit_me_e2e', language: 'en_US', status: 'PENDING' });
		const [editPost] = graphCalls('POST', `/${id}`);
		expect(validateTemplateApi('editRequest', editPost.body)).toEqual([]);
		expect((editPost.body as Json).components[1].text).toBe(
			'Hi {{1}}, your order {{2}} is on its way and arrives on {{3}}. Thank you.',
		);
		await waitFor(() => emulator.state.templates.get(id)?.status === 'APPROVED');

		const byName = await runOnce(n8n, templateNode({ operation: 'get', getBy: 'name', getName: 'edit_me_e2e' }), [{}]);
		const languages = (byName.body as Json[]).map((t) => `${t.language}:${t.status}`).sort();
		expect(languages).toEqual(['en_US:APPROVED', 'pt_BR:APPROVED']);

		const oneLanguage = await runOnce(n8n, templateNode({ operation: 'delete', deleteBy: 'id', deleteId: ptId }), [{}]);
		expect((oneLanguage.body as Json[])[0]).toEqual({ deleted: true, name: 'edit_me_e2e', id: ptId });
		expect(graphCalls('DELETE', '/message_templates')[0].query).toEqual({ name: 'edit_me_e2e', hsm_id: ptId });
		expect(emulator.state.templates.has(ptId)).toBe(false);
		expect(emulator.state.templates.has(id)).toBe(true);

		const all = await runOnce(n8n, templateNode({ operation: 'delete', deleteBy: 'name', deleteName: 'edit_me_e2e' }), [
			{},
		]);
		expect((all.body as Json[])[0]).toEqual({ deleted: true, name: 'edit_me_e2e', allLanguages: true });
		expect(emulator.state.templates.has(id)).toBe(false);

		const gone = await runOnce(
			n8n,
			templateNode({ operation: 'get', getBy: 'id', getId: id }, { onError: 'continueRegularOutput' }),
			[{}],
		);
		expect((gone.body as Json[])[0].error.message).toMatch(/Meta refused reading template/);
	});

	it('Get shows a rejection with its reason and advice', async () => {
		const draft = {
			...goodDraft('dangling_e2e'),
			draftSource: 'json',
			draftJson: JSON.stringify({
				name: 'dangling_e2e',
				language: 'en_US',
				category: 'UTILITY',
				components: [
					{ type: 'BODY', text: 'Hi there, your order ships on {{1}}', example: { body_text: [['Friday']] } },
				],
			}),
		};
		// The draft has an error, so the node refuses it; the rejection is produced by creating it directly.
		const refused = await runOnce(n8n, templateNode({ operation: 'submitForReview', ...draft }), [{}]);
		expect(executionError(refused.execution)?.description).toMatch(/\[variablePosition\]/);
		const res = await fetch(`${emulator.url}/v24.0/${emulator.options.wabaId}/message_templates`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.options.accessToken}` },
			body: draft.draftJson,
		});
		const id = ((await res.json()) as Json).id as string;
		await waitFor(() => emulator.state.templates.get(id)?.status === 'REJECTED');
		const got = await runOnce(n8n, templateNode({ operation: 'get', getBy: 'id', getId: id }), [{}]);
		expect((got.body as Json[])[0]).toMatchObject({
			status: 'REJECTED',
			rejectedReason: 'INVALID_FORMAT',
			usableBySendNotification: false,
			rejectionAdvice: expect.any(String),
		});
	});
});
