/**
 * Consent must never be lost, in a real n8n with the trigger's signed webhooks from the emulator:
 *  - a STOP from a country with short numbers (wa_id of 8, 9 and 10 digits) is recorded, Check Consent says opted
 *    out and Send Notification skips the person;
 *  - a STOP under the business-scoped user id alone stops sends to the phone number it was seen with, and the
 *    other way round;
 *  - with Project ID empty the ledger never writes into another user's table of the same name (the owner's API
 *    key sees every project's tables); it asks for the Project ID, and with it writes to its own project only.
 */
import { randomBytes } from 'node:crypto';

import type { Emulator } from '../../dev/emulator';
import { control } from '../../dev/emulator/testkit';
import {
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	TRIGGER_NAME,
	TRIGGER_NODE_TYPE,
	activateTriggerWorkflow,
	checkConsentNode,
	checkoutOptInNode,
	createLedgerCredential,
	executionError,
	messagesWebhook,
	postWebhook,
	removeWorkflows,
	runOnce,
	sharedN8n,
	shippingUpdateNode,
	startEmulatorWithCredential,
	triggerItemsWhere,
	type SavedCredential,
} from './context';
import { N8nClient, loginCookie, restRequest } from '../../dev/n8n/n8n';

type Json = Record<string, any>;

describe('consent is never lost: short numbers, business-scoped user ids, the ledger’s own project', () => {
	const n8n = sharedN8n();
	const prefix = `e2e_cc_${randomBytes(3).toString('hex')}`;
	const unique = () => String(Math.floor(Math.random() * 1000)).padStart(3, '0');
	let emulator: Emulator;
	let cloud: SavedCredential;
	let ledgerCredential: SavedCredential;
	let workflowId: string;
	let callbackUrl: string;

	/** Waits for the trigger's execution of the message `wamid` (status webhooks of sends start executions too). */
	async function triggerItemsOf(wamid: string): Promise<Json[]> {
		const items = await triggerItemsWhere(
			n8n,
			workflowId,
			(i) => i.event === 'messageReceived' && i.messageId === wamid,
			20_000,
		);
		if (!items) throw new Error(`no trigger execution for ${wamid}`);
		return items;
	}

	/** An inbound text through the emulator: Meta's signed webhook with contacts[].wa_id = the digits. */
	async function inboundFromEmulator(waId: string, text: string): Promise<Json[]> {
		const sent = await control(emulator, 'POST', 'inbound', { from: `+${waId}`, name: 'Ana', text });
		expect(sent.status).toBe(200);
		return await triggerItemsOf(sent.body.wamid);
	}

	/** A signed webhook as Meta sends it for users with business-scoped user ids (wa_id omitted for usernames). */
	async function inboundSigned(contact: Json, from: Json, text: string): Promise<Json[]> {
		const wamid = `wamid.BSUID${randomBytes(6).toString('hex')}`;
		const raw = messagesWebhook(emulator, {
			messaging_product: 'whatsapp',
			metadata: { display_phone_number: '15550100100', phone_number_id: emulator.options.phoneNumbers[0].id },
			contacts: [{ profile: { name: 'Ana' }, ...contact }],
			messages: [
				{ ...from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } },
			],
		});
		const res = await postWebhook(callbackUrl, raw, emulator.options.appSecret);
		expect(res.status).toBe(200);
		return await triggerItemsOf(wamid);
	}

	const consentNode = (credential: SavedCredential, parameters: Json) =>
		checkConsentNode(credential, parameters, 'contact');
	async function check(contact: string): Promise<Json> {
		const run = await runOnce(n8n, consentNode(ledgerCredential, { operation: 'check', purpose: 'shippingStatus' }), [
			{ contact },
		]);
		expect(executionError(run.execution)).toBeUndefined();
		return (run.body as Json[])[0].consent;
	}
	async function recordOptIn(contact: string): Promise<void> {
		const run = await runOnce(
			n8n,
			checkoutOptInNode(ledgerCredential, 'allUtility', { proofReference: 'SO-9001' }, 'contact'),
			[{ contact }],
		);
		expect(executionError(run.execution)).toBeUndefined();
	}
	const sendNode = () =>
		shippingUpdateNode(
			{ [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledgerCredential },
			{ body_1: 'Ana', body_2: 'SO-5', body_3: 'Friday', button_0_url: 'SO-5' },
			{ useConsentLedger: true, skipWithoutConsent: true },
		);
	async function send(phone: string): Promise<Json> {
		const run = await runOnce(n8n, sendNode(), [{ phone }]);
		expect(executionError(run.execution)).toBeUndefined();
		return (run.body as Json[])[0];
	}
	const acceptedFor = (waId: string) => emulator.state.messages.filter((m) => m.to.replace('+', '') === waId).length;

	beforeAll(async () => {
		({ emulator, credential: cloud } = await startEmulatorWithCredential(n8n, 'consent contacts emulator', {
			latencyMs: 0,
			statusDelayMs: 50,
			webhookRetryBaseMs: 100,
		}));
		ledgerCredential = await createLedgerCredential(n8n, `consent contacts ${prefix}`, prefix);
		({ workflowId, callbackUrl } = await activateTriggerWorkflow(
			n8n,
			emulator,
			'e2e consent contacts',
			(webhookId) => ({
				name: TRIGGER_NAME,
				type: TRIGGER_NODE_TYPE,
				typeVersion: 1.1,
				webhookId,
				credentials: { [CLOUD_CREDENTIAL_TYPE]: cloud, [LEDGER_CREDENTIAL_TYPE]: ledgerCredential },
				parameters: {
					registration: 'automatic',
					events: ['messageReceived', 'window', 'statusUpdate', 'consent'],
					recordInLedger: true,
					options: {},
				},
			}),
			{ waitForRegistration: true },
		));
		expect(emulator.state.subscription?.override_callback_uri).toBe(callbackUrl);
	});

	afterAll(async () => {
		await removeWorkflows(n8n, [workflowId]);
		await emulator.close();
	});

	// wa_id lengths under the 11 digits a typed-in bare number needs: 8 (Falklands +500, 5-digit numbers),
	// 9 (Faroe Islands +298, 6 digits), 10 (Denmark +45, 8 digits).
	it.each([
		['Falklands, wa_id of 8 digits', () => `50056${unique()}`],
		['Faroe Islands, wa_id of 9 digits', () => `298215${unique()}`],
		['Denmark, wa_id of 10 digits', () => `4520123${unique()}`],
	])('%s: the STOP is recorded, Check Consent says opted out, Send Notification skips', async (_label, newWaId) => {
		const waId = newWaId();
		const phone = `+${waId}`;
		await recordOptIn(phone);
		expect((await send(phone)).messageId).toMatch(/^wamid\./);
		expect(acceptedFor(waId)).toBe(1);

		const items = await inboundFromEmulator(waId, 'STOP');
		const optOut = items.find((i) => i.event === 'optOutRequest') as Json;
		expect(optOut.contact).toMatchObject({ waId });
		expect(optOut.ledger).toMatchObject({ recorded: true, action: 'optOut', purposes: ['allUtility'], contact: phone });

		expect(await check(phone)).toMatchObject({ granted: false, reason: 'optedOut', source: 'WhatsApp reply' });
		expect(await send(phone)).toMatchObject({ skipped: 'no consent', consent: { granted: false, reason: 'optedOut' } });
		expect(acceptedFor(waId)).toBe(1);
	});

	it('a STOP under the business-scoped user id alone stops sends to the phone number seen with it, and the other way round', async () => {
		const waId = `4520124${unique()}`;
		const phone = `+${waId}`;
		const userId = `DK.${randomBytes(10).toString('hex')}`;
		await recordOptIn(phone);
		// A message that carries both ids (users without a username: wa_id and user_id are both sent).
		const hello = await inboundSigned({ wa_id: waId, user_id: userId }, { from: waId, from_user_id: userId }, 'Hello');
		expect(hello[0]).toMatchObject({ event: 'messageReceived', contact: { waId, userId } });
		// Later the person has a username: Meta omits the phone number, the STOP names only the user id.
		const stop = await inboundSigned(
			{ user_id: userId, profile: { name: 'Ana', username: '@ana' } },
			{ from_user_id: userId },
			'STOP',
		);
		const optOut = stop.find((i) => i.event === 'optOutRequest') as Json;
		expect(optOut.contact.waId).toBeUndefined();
		expect(optOut.ledger).toMatchObject({ recorded: true, action: 'optOut', contact: userId });

		expect(await check(phone)).toMatchObject({ granted: false, reason: 'optedOut' });
		expect(await send(phone)).toMatchObject({ skipped: 'no consent', consent: { reason: 'optedOut' } });

		// The other way round: a resumed opt-in under the phone number, then a STOP that names only the phone number.
		const start = await inboundSigned({ wa_id: waId, user_id: userId }, { from: waId, from_user_id: userId }, 'START');
		expect(start.find((i) => i.event === 'optInRequest')?.ledger).toMatchObject({
			recorded: true,
			contacts: [phone, userId],
		});
		expect(await check(userId)).toMatchObject({ granted: true });
		await inboundSigned({ wa_id: waId }, { from: waId }, 'STOP');
		expect(await check(userId)).toMatchObject({ granted: false, reason: 'optedOut' });
	});

	describe('Project ID empty: never another project’s table', () => {
		const sharedPrefix = `e2e_proj_${randomBytes(3).toString('hex')}`;
		let member: N8nClient;
		let foreignTableId: string;

		async function rowsOf(tableId: string): Promise<Json[]> {
			return (await n8n.api<{ data: Json[] }>('GET', `/data-tables/${tableId}/rows?limit=250`)).data;
		}

		beforeAll(async () => {
			// A second user of the same n8n, with a ledger table of the same name in their personal project.
			const ownerCookie = await loginCookie(n8n.url);
			const email = `member-${randomBytes(3).toString('hex')}@example.com`;
			const invited = (await restRequest(n8n.url, ownerCookie, 'POST', '/rest/invitations', [
				{ email, role: 'global:member' },
			])) as { data: Array<{ user: { inviteAcceptUrl: string } }> };
			const token = new URL(invited.data[0].user.inviteAcceptUrl).searchParams.get('token');
			const accepted = await fetch(`${n8n.url}/rest/invitations/accept`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': 'e2e-browser' },
				body: JSON.stringify({ token, firstName: 'Mia', lastName: 'Member', password: 'Member-Passw0rd!' }),
			});
			expect(accepted.status).toBe(200);
			const memberCookie = accepted.headers
				.getSetCookie()
				.map((c) => c.split(';')[0])
				.join('; ');
			const scopes = ((await restRequest(n8n.url, memberCookie, 'GET', '/rest/api-keys/scopes')) as { data: string[] })
				.data;
			const key = (await restRequest(n8n.url, memberCookie, 'POST', '/rest/api-keys', {
				label: 'member',
				scopes,
				expiresAt: null,
			})) as { data: { rawApiKey: string } };
			member = new N8nClient(n8n.url, key.data.rawApiKey);
			const foreign = await member.api<Json>('POST', '/data-tables', {
				name: `${sharedPrefix}_consent_events`,
				columns: [{ name: 'note', type: 'string' }],
			});
			foreignTableId = foreign.id;
		});

		it('refuses with the fix instead of writing into the other user’s table; with Project ID it writes to its own', async () => {
			const phone = `+4915199${unique()}${unique()}`;
			const optOut = (credential: SavedCredential) =>
				runOnce(
					n8n,
					{
						...consentNode(credential, { operation: 'recordOptOut', purpose: 'allUtility', source: 'phone call' }),
						continueOnFail: true,
					},
					[{ contact: phone }],
				);

			const emptyId = await createLedgerCredential(n8n, `ledger ${sharedPrefix} no project`, sharedPrefix);
			const refused = await optOut(emptyId);
			const error = (refused.body as Json[])[0].error;
			expect(error.message).toMatch(/exist in several n8n projects/);
			expect(error.description).toMatch(/Set Project ID .* personal project is (\S+)\)/);
			expect(await rowsOf(foreignTableId)).toEqual([]);

			const personalProjectId = /personal project is (\S+)\)/.exec(error.description)![1];
			const withId = await createLedgerCredential(n8n, `ledger ${sharedPrefix} own project`, sharedPrefix, undefined, {
				projectId: personalProjectId,
			});
			const recorded = await optOut(withId);
			expect((recorded.body as Json[])[0].recorded).toMatchObject({ action: 'optOut', contact: phone });
			expect(await rowsOf(foreignTableId)).toEqual([]);
			const tables = await n8n.api<{ data: Json[] }>(
				'GET',
				`/data-tables?filter=${encodeURIComponent(JSON.stringify({ name: `${sharedPrefix}_consent_events` }))}`,
			);
			const own = tables.data.find((t) => t.projectId === personalProjectId)!;
			expect(own.id).not.toBe(foreignTableId);
			expect((await rowsOf(own.id)).map((r) => r.contactId)).toEqual([phone]);
		});
	});
});
