import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { LedgerError } from '../../nodes/shared/io/ledger';
import { GraphNetworkError } from '../../nodes/shared/io/transport';
import { errorItem, errorJson, fieldsOfNodeError, graphApiError, toNodeError } from '../../nodes/shared/n8n/errors';

const node: INode = { id: '1', name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };
const FIELDS = ['code', 'title', 'message', 'description', 'retryable', 'outcome', 'fbtrace_id'];

describe('one way through errors', () => {
	it('words a Meta refusal with the error table and keeps code, trace id, status and item', () => {
		const error = graphApiError(
			node,
			{ message: 'Template name does not exist', code: 132001, fbtrace_id: 'AbC' },
			404,
			'sending',
			{ itemIndex: 3 },
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Meta refused sending: Template name does not exist — /);
		expect(error.httpCode).toBe('404');
		expect(error.context.itemIndex).toBe(3);
		expect(fieldsOfNodeError(error, 'Refused', 'not_sent')).toMatchObject({
			code: 132001,
			fbtrace_id: 'AbC',
			outcome: 'not_sent',
		});
	});

	it('names the HTTP status when Meta sent no error envelope', () => {
		expect(graphApiError(node, undefined, 502, 'listing templates').message).toMatch(/HTTP 502/);
	});

	it('turns ledger and network failures into node errors with their fix and item', () => {
		const api = toNodeError(
			node,
			new LedgerError('Forbidden', 'Give the key dataTable scopes', 403, { message: 'Forbidden' }),
			2,
		);
		expect(api).toBeInstanceOf(NodeApiError);
		expect(api.description).toBe('Give the key dataTable scopes');
		expect(api.context.itemIndex).toBe(2);
		const local = toNodeError(node, new LedgerError('No table', 'Create it'), 0);
		expect(local).toBeInstanceOf(NodeOperationError);
		expect(local.description).toBe('Create it');
		const network = toNodeError(
			node,
			new GraphNetworkError('refused', 'The connection was refused', new Error('x'), 'ECONNREFUSED'),
			1,
		);
		expect(network.description).toMatch(/ECONNREFUSED/);
		const same = new NodeOperationError(node, 'already');
		expect(toNodeError(node, same)).toBe(same);
	});

	it('keeps its own message when the cause names a Node.js error code (n8n would put its generic sentence there)', () => {
		const ledger = new LedgerError(
			'The consent ledger at http://localhost:5678 could not be reached (socket hang up | ECONNRESET)',
			'Check the Base URL',
		);
		expect(toNodeError(node, ledger, 0).message).toBe(ledger.message);
		const graph = new GraphNetworkError(
			'timeout',
			'Meta did not answer in time (ETIMEDOUT)',
			new Error('x'),
			'ETIMEDOUT',
		);
		expect(toNodeError(node, graph, 0).message).toBe('Meta did not answer in time (ETIMEDOUT)');
	});

	it('gives every error item the same seven fields, in order, paired with its input', () => {
		const item = errorItem(
			4,
			{ title: 'Not checked', message: 'No ledger', outcome: 'not_done' },
			{ recipient: '+4520123456' },
		);
		expect(Object.keys(item.json.error as object)).toEqual(FIELDS);
		expect(item.json).toMatchObject({
			error: { code: null, description: null, retryable: false, fbtrace_id: null },
			recipient: '+4520123456',
		});
		expect(item.pairedItem).toEqual({ item: 4 });
		const fromNodeError = errorItem(
			0,
			fieldsOfNodeError(new NodeOperationError(node, 'Bad', { description: 'Fix' }), 'Refused', 'not_sent'),
		);
		expect(Object.keys(fromNodeError.json.error as object)).toEqual(FIELDS);
		expect(fromNodeError.json.error).toMatchObject({ message: 'Bad', description: 'Fix', code: null });
	});

	it('adds node-specific fields after the seven, never in place of one', () => {
		const item = errorItem(
			1,
			{ title: 'Rate limit hit', message: 'Too many', outcome: 'not_sent' },
			{},
			{ attempts: 2, title: 'ignored' },
		);
		expect(Object.keys(item.json.error as object)).toEqual([...FIELDS, 'attempts']);
		expect(item.json.error).toMatchObject({ title: 'Rate limit hit', attempts: 2 });
		expect(errorJson({ title: 'T', message: 'M', outcome: 'unknown' }, { attempts: 1 })).toMatchObject({
			outcome: 'unknown',
			attempts: 1,
		});
	});
});
