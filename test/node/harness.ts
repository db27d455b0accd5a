/**
 * Runs this package's nodes on n8n's real execution engine (n8n-core, the version n8n 2.41.1 ships), in process:
 * `execute` through WorkflowExecute (continue-on-fail, pairedItem and error handling are n8n's own), `poll` through
 * TriggersAndPollers with a PollContext, `webhook` with a WebhookContext. HTTP goes through n8n's request helpers
 * to the emulator and the fake data-table API; credentials come from the small credentials helper below, which
 * applies the credential types' own `authenticate` the way n8n's CredentialsHelper does.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// n8n-core's InstanceSettings reads and writes <user folder>/.n8n/config; keep it out of the home directory.
process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'n8n-node-tests-'));
// The engine logs every node error; the tests assert on them instead.
process.env.N8N_LOG_LEVEL ??= 'silent';

import {
	ExecutionLifecycleHooks,
	HookContext,
	PollContext,
	TriggersAndPollers,
	WebhookContext,
	WorkflowExecute,
} from 'n8n-core';
import { commonPollingParameters } from 'n8n-core/dist/nodes-loader/constants';
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	isExpression,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IExecuteFunctions,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
	type ITaskData,
	type IVersionedNodeType,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { WhatsAppCloudApi } from '../../credentials/WhatsAppCloudApi.credentials';
import { WhatsAppNotificationsLedgerApi } from '../../credentials/WhatsAppNotificationsLedgerApi.credentials';
import { WhatsAppCheckConsent } from '../../nodes/CheckConsent/WhatsAppCheckConsent.node';
import { WhatsAppSendNotification } from '../../nodes/SendNotification/WhatsAppSendNotification.node';
import { WhatsAppSessionWindowTrigger } from '../../nodes/SessionWindowTrigger/WhatsAppSessionWindowTrigger.node';
import { WhatsAppTemplateStatusPoll } from '../../nodes/TemplateStatusPoll/WhatsAppTemplateStatusPoll.node';

const PACKAGE = 'n8n-nodes-whatsapp-notifications';
export const NODE_TYPE = {
	send: `${PACKAGE}.whatsAppSendNotification`,
	consent: `${PACKAGE}.whatsAppCheckConsent`,
	trigger: `${PACKAGE}.whatsAppSessionWindowTrigger`,
	poll: `${PACKAGE}.whatsAppTemplateStatusPoll`,
} as const;

export const CLOUD = 'whatsAppCloudApi';
export const LEDGER = 'whatsAppNotificationsLedgerApi';

/**
 * The items the node's execute() returned, before the engine fills in a missing pairedItem (WorkflowExecute does so
 * when input and output have the same number of items): the tests assert what the node itself sets.
 */
let lastRawOutputs: INodeExecutionData[][] = [];

/** asLoaded for each version class of a versioned node (one class may serve several versions: wrapped once). */
function asLoadedVersions(type: IVersionedNodeType): IVersionedNodeType {
	const done = new Set<INodeType>();
	for (const version of Object.values(type.nodeVersions)) {
		if (done.has(version)) continue;
		done.add(version);
		asLoaded(version);
	}
	return type;
}

/** What n8n's node loader adds to a node type's description: Poll Times for polling nodes (none of ours uses CORS). */
function asLoaded(type: INodeType): INodeType {
	if (type.description.polling) type.description.properties.unshift(...commonPollingParameters);
	const execute = type.execute;
	if (execute) {
		type.execute = async function (this: IExecuteFunctions) {
			const outputs = await execute.call(this);
			if (Array.isArray(outputs)) {
				lastRawOutputs = outputs.map((output: INodeExecutionData[] | null) =>
					(output ?? []).map((item) => ({ json: {}, pairedItem: structuredClone(item.pairedItem) })),
				);
			}
			return outputs;
		};
	}
	return type;
}

/** The package's node types, as n8n's loader would register them (package name + node name). */
class PackageNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType | IVersionedNodeType> = {
		[NODE_TYPE.send]: asLoadedVersions(new WhatsAppSendNotification()),
		[NODE_TYPE.consent]: asLoaded(new WhatsAppCheckConsent()),
		[NODE_TYPE.trigger]: asLoadedVersions(new WhatsAppSessionWindowTrigger()),
		[NODE_TYPE.poll]: asLoaded(new WhatsAppTemplateStatusPoll()),
	};

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes() {
		return {};
	}
}

const CREDENTIAL_TYPES: Record<string, ICredentialType> = {
	[CLOUD]: new WhatsAppCloudApi(),
	[LEDGER]: new WhatsAppNotificationsLedgerApi(),
};

/**
 * Hands the engine decrypted credential data by type, and applies each credential type's `authenticate`
 * (generic: its header expressions resolved against `$credentials`, as n8n's own helper resolves them).
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	set(type: string, data: ICredentialDataDecryptedObject): void {
		this.data[type] = data;
	}

	get(type: string): ICredentialDataDecryptedObject {
		return this.data[type];
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (!data) throw new Error(`No test credential of type ${type}`);
		return { ...data };
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = CREDENTIAL_TYPES[typeName];
		const authenticate = type?.authenticate;
		if (!authenticate) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!workflow || !node) throw new Error('Generic authentication needs the workflow and node');
		const resolve = (value: string): string => {
			if (!isExpression(value)) return value;
			const resolved = workflow.expression.getSimpleParameterValue(node, value, 'internal', {
				$credentials: credentials,
			});
			return resolved === undefined || resolved === null ? '' : String(resolved as string);
		};
		const target = requestOptions as unknown as Record<string, Record<string, string>>;
		for (const [part, entries] of Object.entries(authenticate.properties)) {
			target[part] ??= {};
			for (const [key, value] of Object.entries(entries as Record<string, string>))
				target[part][resolve(key)] = resolve(value);
		}
		return requestOptions;
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('Not used by these nodes');
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string) {
		return CREDENTIAL_TYPES[type]?.properties ?? [];
	}
}

export interface HarnessOptions {
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Base of the URLs getNodeWebhookUrl answers. */
	webhookBaseUrl?: string;
}

export interface NodeSpec {
	type: string;
	typeVersion?: number;
	parameters?: IDataObject;
	name?: string;
	continueOnFail?: boolean;
	/** Credential types the node is given (default: both). */
	credentials?: string[];
	/** The workflow's id (the trigger keeps its memory per workflow and node). */
	workflowId?: string;
}

export interface ExecuteResult {
	run: IRun;
	/** The node's output items per output, when it ran (after the engine's processing). */
	outputs: INodeExecutionData[][];
	/** The pairedItem of every item exactly as the node returned it (no engine fill-in). */
	rawOutputs: INodeExecutionData[][];
	/** The node's task (error, hints, timing). */
	task: ITaskData;
	/** The error that stopped the execution, if any. */
	error?: IRun['data']['resultData']['error'];
}

let executionCounter = 0;

export class NodeHarness {
	readonly nodeTypes = new PackageNodeTypes();
	readonly credentialsHelper: TestCredentialsHelper;
	/** Base of the URLs getNodeWebhookUrl answers (n8n's WEBHOOK_URL + /webhook). */
	webhookBaseUrl: string;

	constructor(options: HarnessOptions) {
		this.credentialsHelper = new TestCredentialsHelper({ ...options.credentials });
		this.webhookBaseUrl = options.webhookBaseUrl ?? 'http://127.0.0.1:5678/webhook';
	}

	node(spec: NodeSpec): INode {
		const credentials = Object.fromEntries(
			(spec.credentials ?? [CLOUD, LEDGER]).map((type) => [type, { id: `cred-${type}`, name: type }]),
		);
		return {
			id: `node-${spec.type.split('.')[1]}`,
			webhookId: `webhook-${spec.type.split('.')[1]}`,
			name: spec.name ?? 'Node Under Test',
			type: spec.type,
			typeVersion: spec.typeVersion ?? this.latestVersion(spec.type),
			position: [0, 0],
			parameters: (spec.parameters ?? {}) as INodeParameters,
			credentials,
			...(spec.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		};
	}

	private latestVersion(type: string): number {
		const description = this.nodeTypes.getByNameAndVersion(type).description;
		return Array.isArray(description.version) ? Math.max(...description.version) : description.version;
	}

	workflow(node: INode, staticData: IDataObject = {}, id = 'wf-node-tests'): Workflow {
		return new Workflow({
			id,
			name: 'node tests',
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes,
			staticData,
			settings: { executionOrder: 'v1' },
		});
	}

	additionalData(
		executionId: string,
		mode: WorkflowExecuteMode,
		workflow: Workflow,
		extra: Partial<IWorkflowExecuteAdditionalData> = {},
	) {
		const hooks = new ExecutionLifecycleHooks(mode, executionId, {
			id: String(workflow.id),
			name: workflow.name ?? '',
			nodes: Object.values(workflow.nodes),
			connections: workflow.connectionsBySourceNode,
			active: false,
			activeVersionId: null,
			isArchived: false,
			createdAt: new Date(),
			updatedAt: new Date(),
		});
		const data = {
			hooks,
			credentialsHelper: this.credentialsHelper,
			executionId,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			webhookBaseUrl: this.webhookBaseUrl,
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			currentNodeParameters: undefined,
			executionTimeoutTimestamp: undefined,
			userId: 'user-node-tests',
			variables: {},
			setExecutionStatus: () => {},
			sendDataToUI: () => {},
			logAiEvent: () => {},
			executeWorkflow: async () => {
				throw new Error('Sub-workflows are not used by these nodes');
			},
			getRunExecutionData: async () => undefined,
			...extra,
		};
		return data as unknown as IWorkflowExecuteAdditionalData;
	}

	/** Runs one node's execute() on the given input items through n8n's WorkflowExecute. */
	async execute(spec: NodeSpec, items: IDataObject[]): Promise<ExecuteResult> {
		const node = this.node(spec);
		const workflow = this.workflow(node, {}, spec.workflowId);
		const executionId = String(++executionCounter);
		const mode: WorkflowExecuteMode = 'manual';
		const additionalData = this.additionalData(executionId, mode, workflow);
		const input: INodeExecutionData[] = items.map((json, i) => ({ json, pairedItem: { item: i } }));
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node, data: { main: [input] }, source: null }] },
		});
		lastRawOutputs = [];
		const engine = new WorkflowExecute(additionalData, mode, runExecutionData);
		const run = await engine.processRunExecutionData(workflow);
		const task = run.data.resultData.runData[node.name]?.[0];
		return {
			run,
			task,
			outputs: (task?.data?.main ?? []).map((output) => output ?? []),
			rawOutputs: lastRawOutputs,
			error: run.data.resultData.error,
		};
	}

	/** Runs the node's poll() as n8n's poller does (mode trigger); static data persists in `staticData`. */
	async poll(spec: NodeSpec, staticData: IDataObject): Promise<INodeExecutionData[][] | null> {
		const node = this.node(spec);
		const workflow = this.workflow(node, staticData, spec.workflowId);
		const mode: WorkflowExecuteMode = 'trigger';
		const additionalData = this.additionalData(String(++executionCounter), mode, workflow);
		const context = new PollContext(workflow, node, additionalData, mode, 'activate');
		const result = await new TriggersAndPollers().runPollFunction(workflow, node, context);
		// n8n stores the static data as JSON after a poll that changed it; the test keeps it across polls.
		Object.assign(staticData, JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject);
		return result;
	}

	/** Runs one of the trigger's webhook methods (checkExists / create / delete) as n8n does on (de)activation. */
	async webhookMethod(spec: NodeSpec, method: 'checkExists' | 'create' | 'delete'): Promise<boolean> {
		const node = this.node(spec);
		const workflow = this.workflow(node, {}, spec.workflowId);
		const mode: WorkflowExecuteMode = 'trigger';
		const additionalData = this.additionalData(String(++executionCounter), mode, workflow);
		const nodeType = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const description = nodeType.description.webhooks?.find((w) => w.name === 'default');
		if (!description) throw new Error(`${node.type} has no default webhook`);
		const webhookData: IWebhookData = {
			httpMethod: description.httpMethod as IWebhookData['httpMethod'],
			node: node.name,
			path: String(description.path),
			webhookDescription: description,
			workflowId: String(workflow.id),
			workflowExecuteAdditionalData: additionalData,
			webhookId: node.webhookId,
		};
		const context = new HookContext(workflow, node, additionalData, mode, 'activate', webhookData);
		const fn = nodeType.webhookMethods?.default?.[method];
		if (!fn) throw new Error(`${node.type} has no webhook method ${method}`);
		return await fn.call(context);
	}

	/** Calls the node's webhook() for one HTTP request, as n8n's webhook service does. */
	async webhook(
		spec: NodeSpec,
		request: { method: 'GET' | 'POST'; headers?: Record<string, string>; query?: IDataObject; rawBody?: Buffer },
	): Promise<{ response: IWebhookResponseData; replied?: { status: number; body: string } }> {
		const node = this.node(spec);
		const workflow = this.workflow(node, {}, spec.workflowId);
		const mode: WorkflowExecuteMode = 'webhook';
		const replied: { status: number; body: string; type?: string } = { status: 0, body: '' };
		let answered = false;
		const res = {
			status(code: number) {
				replied.status = code;
				return res;
			},
			type(contentType: string) {
				replied.type = contentType;
				return res;
			},
			send(body: string) {
				replied.body = body;
				answered = true;
				return res;
			},
			end() {
				answered = true;
			},
		};
		const body = request.rawBody ? safeJson(request.rawBody) : {};
		const req = {
			method: request.method,
			headers: request.headers ?? {},
			query: request.query ?? {},
			params: {},
			body,
			rawBody: request.rawBody,
		};
		const additionalData = this.additionalData(String(++executionCounter), mode, workflow, {
			httpRequest: req,
			httpResponse: res,
		} as unknown as Partial<IWorkflowExecuteAdditionalData>);
		const webhookName = request.method === 'GET' ? 'setup' : 'default';
		const description = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.webhooks ?? [];
		const webhook = description.find((w) => w.name === webhookName);
		const webhookData: IWebhookData = {
			httpMethod: request.method,
			node: node.name,
			path: String(webhook?.path ?? 'webhook'),
			webhookDescription: webhook!,
			workflowId: String(workflow.id),
			workflowExecuteAdditionalData: additionalData,
		};
		const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, [], null);
		const nodeType = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const response = await nodeType.webhook!.call(context);
		return { response, replied: answered ? replied : undefined };
	}
}

function safeJson(raw: Buffer): IDataObject {
	try {
		return JSON.parse(raw.toString('utf8')) as IDataObject;
	} catch {
		return {};
	}
}

/**
 * The input index each output item of the node points at, from the items as the node returned them (-1 where it set
 * no pairedItem); all outputs, in order.
 */
export function pairedItemsOf(result: Pick<ExecuteResult, 'rawOutputs'>): number[] {
	return result.rawOutputs.flat().map((item) => {
		const paired = item.pairedItem;
		if (typeof paired === 'number') return paired;
		if (Array.isArray(paired)) return paired[0]?.item ?? -1;
		return paired?.item ?? -1;
	});
}
