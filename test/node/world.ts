/** What every node-level test file starts: the emulator, the fake data-table API, and the harness wired to both. */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { clearTableCache } from '../../nodes/shared/io/ledger';
import { signWebhook, startEmulator, type EmulatorOptions, type Emulator } from '../../dev/emulator';
import { control } from '../../dev/emulator/testkit';
import { startFakeDataTables, type FakeDataTables } from './fakeDataTables';
import { CLOUD, LEDGER, NODE_TYPE, NodeHarness } from './harness';

export const VERIFY_TOKEN = 'node-tests-verify-token';
export const CONTACT_KEY_SECRET = 'node-tests-contact-key-secret-0123456789';
export const TABLE_PREFIX = 'wa';

export interface World {
	emulator: Emulator;
	ledger: FakeDataTables;
	harness: NodeHarness;
}

/** Starts the world for a describe block; resets emulator, ledger tables and caches before each test. */
export function useWorld(options: EmulatorOptions = {}): World {
	const world = {} as World;
	beforeAll(async () => {
		world.emulator = await startEmulator({ port: 0, latencyMs: 0, ...options });
		world.ledger = await startFakeDataTables();
		world.harness = new NodeHarness({
			credentials: {
				[CLOUD]: {
					accessToken: world.emulator.options.accessToken,
					businessAccountId: world.emulator.options.wabaId,
					phoneNumberId: world.emulator.options.phoneNumbers[0].id,
					graphApiVersion: 'v24.0',
					baseUrl: world.emulator.url,
					appSecret: world.emulator.options.appSecret,
					webhookVerifyToken: VERIFY_TOKEN,
					// The same ledger as the ledger-only credential (version 2 of the nodes reads it from here).
					consentLedger: true,
					n8nBaseUrl: world.ledger.url,
					n8nApiKey: world.ledger.apiKey,
					projectId: '',
					tablePrefix: TABLE_PREFIX,
					contactKeySecret: CONTACT_KEY_SECRET,
				},
				[LEDGER]: ledgerCredentialData(world),
			},
		});
	});
	beforeEach(() => {
		world.emulator.reset();
		world.ledger.reset();
		clearTableCache();
	});
	afterAll(async () => {
		await world.emulator?.close();
		await world.ledger?.close();
	});
	return world;
}

/** The ledger-only credential's data: the world's fake data tables under TABLE_PREFIX. */
export function ledgerCredentialData(
	world: World,
	overrides: Record<string, string> = {},
): ICredentialDataDecryptedObject {
	return {
		baseUrl: world.ledger.url,
		apiKey: world.ledger.apiKey,
		projectId: '',
		tablePrefix: TABLE_PREFIX,
		contactKeySecret: CONTACT_KEY_SECRET,
		...overrides,
	};
}

export const EVENTS_TABLE = `${TABLE_PREFIX}_consent_events`;
export const STATE_TABLE = `${TABLE_PREFIX}_contact_state`;

/** A shop order as it reaches Send Notification. */
export function shopper(i: number, overrides: IDataObject = {}): IDataObject {
	return {
		phone: `+49 151 2345 ${String(6000 + i).padStart(4, '0')}`,
		name: `Customer ${i}`,
		order: `SO-${1000 + i}`,
		eta: 'Friday, 27 November',
		...overrides,
	};
}

/** E.164 form of shopper(i).phone. */
export const e164Of = (i: number) => `+4915123456${String(i).padStart(3, '0')}`;

/** Send Notification's parameters for shipping_update/en_US with the variables taken from the item. */
export function shippingUpdate(parameters: IDataObject = {}, options: IDataObject = {}): IDataObject {
	return {
		notificationType: 'shippingStatus',
		recipient: '={{ $json.phone }}',
		template: { __rl: true, mode: 'name', value: 'shipping_update/en_US' },
		variables: {
			mappingMode: 'defineBelow',
			value: {
				body_1: '={{ $json.name }}',
				body_2: '={{ $json.order }}',
				body_3: '={{ $json.eta }}',
				button_0_url: '={{ $json.order }}',
			},
			matchingColumns: [],
			schema: [],
		},
		options: { pairSpacingSeconds: 0, ...options },
		...parameters,
	};
}

/** Records an opt-in for every contact through Check Consent's Record Opt-In (one execution). */
export async function recordOptIns(world: World, contacts: string[], purpose = 'allUtility'): Promise<void> {
	const result = await world.harness.execute(
		{
			type: NODE_TYPE.consent,
			credentials: [LEDGER],
			parameters: {
				authentication: 'ledgerOnly',
				operation: 'recordOptIn',
				contact: '={{ $json.contact }}',
				purpose,
				source: 'checkout form',
				proofWording: 'Send me order and delivery updates from Example Shop on WhatsApp',
				proofVersion: 'checkout-v3',
			},
		},
		contacts.map((contact) => ({ contact })),
	);
	if (result.error) throw result.error;
}

/** A signed webhook delivery as Meta sends it: the raw body and its headers. */
export function signedDelivery(world: World, payload: unknown, secret = world.emulator.options.appSecret) {
	const rawBody = Buffer.from(JSON.stringify(payload));
	return {
		method: 'POST' as const,
		rawBody,
		headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(rawBody, secret) },
	};
}

/** An inbound text from `from` (digits), as the emulator builds it (the emulator's window opens too). */
export async function inboundPayload(world: World, from: string, text = 'Hello'): Promise<Record<string, unknown>> {
	const answer = await control(world.emulator, 'POST', 'inbound', { from, text });
	return answer.body.payload as Record<string, unknown>;
}
