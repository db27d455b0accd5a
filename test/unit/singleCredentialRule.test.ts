/**
 * n8n's coming lint rule `single-credential-per-node`, checked on this package's node descriptions (see
 * test/support/singleCredentialRule.ts for the semantics and where they come from).
 */
import path from 'node:path';

import type { INodeCredentialDescription, INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { singleCredentialViolations } from '../support/singleCredentialRule';

const root = path.resolve(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageJson = require(path.join(root, 'package.json')) as { n8n: { nodes: string[] } };

interface LoadedNode {
	file: string;
	/** One description per class: a VersionedNodeType contributes one per version class. */
	descriptions: INodeTypeDescription[];
}

/** Loads every node n8n would load (package.json's n8n.nodes), from the TypeScript source of the built file. */
function loadNodes(): LoadedNode[] {
	return packageJson.n8n.nodes.map((built) => {
		const source = path.join(root, built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const exported = require(source) as Record<string, new () => unknown>;
		const classes = Object.values(exported).filter((value) => typeof value === 'function');
		expect(classes).toHaveLength(1);
		const instance = new classes[0]() as {
			description: INodeTypeDescription;
			nodeVersions?: Record<number, { description: INodeTypeDescription }>;
		};
		const descriptions = instance.nodeVersions
			? Object.values(instance.nodeVersions).map((v) => v.description)
			: [instance.description];
		return { file: built, descriptions };
	});
}

const cred = (name: string, show?: Record<string, unknown[]>): INodeCredentialDescription =>
	show ? { name, required: true, displayOptions: { show: show as never } } : { name, required: true };

const authenticationProperty = (type: 'options' | 'multiOptions'): INodeProperties => ({
	displayName: 'Authentication',
	name: 'authentication',
	type,
	options: [
		{ name: 'API Key', value: 'apiKey' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: type === 'options' ? 'apiKey' : [],
});

describe('single-credential-per-node: the rule as n8n documents and tests it', () => {
	// The cases of n8n's own rule test (single-credential-per-node.test.ts), as built descriptions.
	it.each([
		['one credential', [cred('testApi')], []],
		[
			'alternative authentication methods with mutually exclusive values',
			[cred('testApi', { authentication: ['apiKey'] }), cred('testOAuth2Api', { authentication: ['oAuth2'] })],
			[authenticationProperty('options')],
		],
		[
			'a boolean toggle that shows one credential or the other',
			[cred('firstApi', { useLedger: [false] }), cred('secondApi', { useLedger: [true] })],
			[],
		],
		[
			'different node versions',
			[cred('firstApi', { '@version': [1] }), cred('secondApi', { '@version': [2] })],
			[],
		],
	])('passes: %s', (_name, credentials, properties) => {
		expect(singleCredentialViolations({ credentials, properties })).toEqual([]);
	});

	it.each([
		['two credentials at once (the CE-2317 reproduction)', [cred('testOAuth2Api'), cred('senderProfile')], []],
		['a trigger with an outbound and a webhook credential', [cred('outboundApi'), cred('webhookAuth')], []],
		[
			'a second credential shown only when a toggle is on (today’s Send Notification)',
			[cred('whatsAppCloudApi'), cred('whatsAppNotificationsLedgerApi', { useConsentLedger: [true] })],
			[],
		],
		[
			'overlapping display values',
			[cred('firstApi', { authentication: ['apiKey', 'shared'] }), cred('secondApi', { authentication: ['shared', 'oAuth2'] })],
			[],
		],
		[
			'the same value twice',
			[cred('firstApi', { authentication: ['apiKey'] }), cred('secondApi', { authentication: ['apiKey'] })],
			[],
		],
		[
			'disjoint values of a multi-options property (both can be selected)',
			[cred('testApi', { authentication: ['apiKey'] }), cred('testOAuth2Api', { authentication: ['oAuth2'] })],
			[authenticationProperty('multiOptions')],
		],
		[
			'conditions that cannot be compared',
			[cred('firstApi', { authentication: [{ _cnd: { eq: 'apiKey' } }] }), cred('secondApi', { authentication: ['oAuth2'] })],
			[],
		],
		[
			'exclusive on different properties only',
			[cred('firstApi', { authentication: ['apiKey'] }), cred('secondApi', { mode: ['oAuth2'] })],
			[],
		],
	])('reports: %s', (_name, credentials, properties) => {
		const violations = singleCredentialViolations({ credentials, properties });
		expect(violations).toHaveLength(1);
		expect(violations[0]).toMatchObject({ first: credentials[0].name, second: credentials[1].name });
	});

	it('reports every pair that overlaps, not just the first', () => {
		const violations = singleCredentialViolations({
			credentials: [cred('a', { auth: ['x'] }), cred('b', { auth: ['y'] }), cred('c')],
			properties: [],
		});
		expect(violations.map((v) => `${v.first}+${v.second}`)).toEqual(['a+c', 'b+c']);
	});
});

/**
 * The pairs each node still declares together, until the one-credential restructuring (issue 14, part 1; the design
 * is in docs/verification.md) lands. The test compares EXACTLY: a new overlapping pair fails it, and so does the fix
 * (then empty the node's entry). Old node versions kept for saved workflows belong here too, each with its reason.
 */
const NOT_YET_SINGLE_CREDENTIAL: Record<string, Array<{ first: string; second: string }>> = {
	whatsAppSendNotification: [{ first: 'whatsAppCloudApi', second: 'whatsAppNotificationsLedgerApi' }],
	whatsAppSessionWindowTrigger: [{ first: 'whatsAppCloudApi', second: 'whatsAppNotificationsLedgerApi' }],
};

describe('single-credential-per-node: this package', () => {
	const nodes = loadNodes();

	it('loads every node of package.json', () => {
		expect(nodes.map((n) => n.descriptions[0].name).sort()).toEqual([
			'whatsAppCheckConsent',
			'whatsAppNotificationTemplate',
			'whatsAppSendNotification',
			'whatsAppSessionWindowTrigger',
			'whatsAppTemplateStatusPoll',
		]);
	});

	it.each(['whatsAppCheckConsent', 'whatsAppTemplateStatusPoll'])('%s uses one credential at a time', (name) => {
		const node = nodes.find((n) => n.descriptions[0].name === name);
		for (const description of node?.descriptions ?? []) {
			expect(singleCredentialViolations(description)).toEqual([]);
		}
	});

	it.each(Object.keys(NOT_YET_SINGLE_CREDENTIAL))('%s: exactly the known pairs remain (empty this entry when fixed)', (name) => {
		const node = nodes.find((n) => n.descriptions[0].name === name);
		expect(node).toBeDefined();
		const found = (node?.descriptions ?? []).flatMap((d) =>
			singleCredentialViolations(d).map(({ first, second }) => ({ first, second })),
		);
		expect(found).toEqual(NOT_YET_SINGLE_CREDENTIAL[name]);
	});
});
