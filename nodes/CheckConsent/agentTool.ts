/**
 * Check Consent as an AI agent's tool: the agent may ask whether a contact consented and may honour an opt-out the
 * person asks for in the conversation (withdrawing consent only ever stops messages). It may not record an opt-in
 * (consent must come from the person, with its wording, never from a model's judgement or a prompt injection),
 * erase a contact (irreversible) or read a contact's history (another person's proof and data).
 */
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

export const AGENT_OPERATIONS: readonly string[] = ['check', 'recordOptOut'];

/** n8n runs a node as an agent's tool under its type name plus "Tool" (the same test as n8n's `@tool` display option). */
export function runsAsAgentTool(ctx: IExecuteFunctions): boolean {
	return (ctx.getNode().type.split('.').pop() ?? '').endsWith('Tool');
}

/**
 * The node's properties with two Operation fields: all operations on the canvas, the agent-safe ones when the node
 * is an agent's tool (n8n shows one or the other through the `@tool` display option).
 */
export function withAgentSafeOperations(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => {
		if (property.name !== 'operation') return [property];
		const show = property.displayOptions?.show ?? {};
		const onCanvas: INodeProperties = {
			...property,
			displayOptions: { ...property.displayOptions, show: { ...show, '@tool': [false] } },
		};
		const asTool: INodeProperties = {
			...property,
			options: (property.options ?? []).filter(
				(option) => 'value' in option && AGENT_OPERATIONS.includes(String(option.value)),
			),
			default: AGENT_OPERATIONS[0],
			description:
				'What the agent may do: check consent, or record an opt-out the person asked for. Recording opt-ins, erasing contacts and reading history stay in regular workflow steps.',
			displayOptions: { ...property.displayOptions, show: { ...show, '@tool': [true] } },
		};
		return [onCanvas, asTool];
	});
}

/** Refuses an unsafe operation set on the tool anyway (an expression, an imported workflow). */
export function assertAgentMayRun(ctx: IExecuteFunctions, operation: string): void {
	if (!runsAsAgentTool(ctx) || AGENT_OPERATIONS.includes(operation)) return;
	throw new NodeOperationError(ctx.getNode(), `An AI agent may not use "${operation}" of WhatsApp Check Consent`, {
		description:
			'As an agent’s tool, Check Consent only checks consent and records opt-outs. Record opt-ins, erase contacts and read history with the WhatsApp Check Consent node in a regular workflow step.',
	});
}
