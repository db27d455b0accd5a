/** Check Consent as an AI agent's tool: which operations an agent may run, in the description and at run time. */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { AGENT_OPERATIONS, assertAgentMayRun, withAgentSafeOperations } from '../../nodes/CheckConsent/agentTool';
import { checkConsentProperties } from '../../nodes/CheckConsent/description';

const ctxOfType = (type: string) =>
	({
		getNode: () => ({ name: 'Check Consent', type, typeVersion: 1, parameters: {} }),
	}) as unknown as IExecuteFunctions;

describe('Check Consent as an agent tool', () => {
	const properties = withAgentSafeOperations(checkConsentProperties);
	const operations = properties.filter((p) => p.name === 'operation');
	const valuesOf = (p: INodeProperties) => (p.options ?? []).map((o) => ('value' in o ? o.value : undefined));

	it('keeps every operation on the canvas and offers the agent only Check and Record Opt-Out', () => {
		expect(operations).toHaveLength(2);
		const [canvas, tool] = operations;
		expect(canvas.displayOptions?.show?.['@tool']).toEqual([false]);
		expect(valuesOf(canvas)).toEqual(valuesOf(checkConsentProperties.find((p) => p.name === 'operation')!));
		expect(tool.displayOptions?.show?.['@tool']).toEqual([true]);
		expect(valuesOf(tool)).toEqual(['check', 'recordOptOut']);
		expect(tool.default).toBe('check');
		// Every other property is unchanged.
		expect(properties.filter((p) => p.name !== 'operation')).toEqual(
			checkConsentProperties.filter((p) => p.name !== 'operation'),
		);
	});

	it.each(['recordOptIn', 'checkFromItem', 'eraseContact', 'getHistory', '__CUSTOM_API_CALL__'])(
		'refuses "%s" when the node runs as a tool',
		(operation) => {
			expect(() =>
				assertAgentMayRun(ctxOfType('n8n-nodes-whatsapp-notifications.whatsAppCheckConsentTool'), operation),
			).toThrow(/An AI agent may not use/);
		},
	);

	it.each(AGENT_OPERATIONS.map((o) => [o]))('allows "%s" as a tool', (operation) => {
		expect(() =>
			assertAgentMayRun(ctxOfType('n8n-nodes-whatsapp-notifications.whatsAppCheckConsentTool'), operation),
		).not.toThrow();
	});

	it('leaves the canvas node alone, whatever the operation', () => {
		for (const operation of ['eraseContact', 'recordOptIn', 'getHistory']) {
			expect(() =>
				assertAgentMayRun(ctxOfType('n8n-nodes-whatsapp-notifications.whatsAppCheckConsent'), operation),
			).not.toThrow();
		}
	});
});
