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
	/** Each version n8n offers, with the description it runs under (a version class serves all its versions). */
	versions: Array<{ version: number; description: INodeTypeDescription }>;
	/** The version new nodes get. */
	currentVersion: number;
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
			currentVersion?: number;
		};
		const versions = instance.nodeVersions
			? Object.entries(instance.nodeVersions).map(([version, v]) => ({
					version: Number(version),
					description: v.description,
				}))
			: [instance.description.version].flat().map((version) => ({ version, description: instance.description }));
		const descriptions = [...new Set(versions.map((v) => v.description))];
		const currentVersion =
			instance.currentVersion ?? instance.description.defaultVersion ?? Math.max(...versions.map((v) => v.version));
		return { file: built, descriptions, versions, currentVersion };
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
		['different node versions', [cred('firstApi', { '@version': [1] }), cred('secondApi', { '@version': [2] })], []],
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
			[
				cred('firstApi', { authentication: ['apiKey', 'shared'] }),
				cred('secondApi', { authentication: ['shared', 'oAuth2'] }),
			],
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
			[
				cred('firstApi', { authentication: [{ _cnd: { eq: 'apiKey' } }] }),
				cred('secondApi', { authentication: ['oAuth2'] }),
			],
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
 * The only exceptions: node versions kept for saved workflows, whose description must go on declaring both
 * credentials (n8n runs a node only with the credential types its description declares). Their classes live in files
 * not named *.node.ts, so the community lint checks the current version only. The test compares EXACTLY: a new
 * overlapping pair fails it, and so does an exception that is no longer needed.
 */
const OLD_VERSION_EXCEPTIONS: Record<
	string,
	{ versions: number[]; pairs: Array<{ first: string; second: string }>; reason: string }
> = {
	whatsAppSendNotification: {
		versions: [1, 1.1],
		pairs: [{ first: 'whatsAppCloudApi', second: 'whatsAppNotificationsLedgerApi' }],
		reason: 'saved workflows of versions 1 and 1.1 hold both a WhatsApp Cloud API and a Ledger credential',
	},
	whatsAppSessionWindowTrigger: {
		versions: [1, 1.1],
		pairs: [{ first: 'whatsAppCloudApi', second: 'whatsAppNotificationsLedgerApi' }],
		reason:
			'saved triggers of versions 1 and 1.1 with Record in Consent Ledger hold a Ledger credential besides the WhatsApp Cloud API one',
	},
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

	it.each(nodes.map((n) => [n.descriptions[0].name]))(
		'%s: the current version uses one credential; only the listed old versions declare two',
		(name) => {
			const node = nodes.find((n) => n.descriptions[0].name === name)!;
			const exception = OLD_VERSION_EXCEPTIONS[name] ?? { versions: [], pairs: [], reason: 'no exception' };
			expect(exception.reason).not.toBe('');
			expect(exception.versions).not.toContain(node.currentVersion);
			for (const { version, description } of node.versions) {
				const found = singleCredentialViolations(description).map(({ first, second }) => ({ first, second }));
				expect({ version, found }).toEqual({
					version,
					found: exception.versions.includes(version) ? exception.pairs : [],
				});
			}
			expect(node.versions.map((v) => v.version).filter((v) => exception.versions.includes(v))).toEqual(
				exception.versions,
			);
		},
	);
});
