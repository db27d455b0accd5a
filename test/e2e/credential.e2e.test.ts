/** The package loads into a real n8n as a community package, and its credential test talks to the emulator. */
import { startEmulator, type Emulator } from '../../dev/emulator';
import {
	CLOUD_CREDENTIAL_TYPE,
	cloudCredentialData,
	graphRequests,
	sharedN8n,
	testCredentialInEditor,
} from './context';
import { loginCookie, restRequest } from '../../dev/n8n/n8n';

describe('WhatsApp Cloud API credential in real n8n', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
	});
	afterAll(async () => {
		await emulator.close();
	});

	it('loads the package under its community package name', async () => {
		const cookie = await loginCookie(n8n.url);
		const nodeTypes = (await restRequest(n8n.url, cookie, 'GET', '/types/nodes.json')) as Array<{ name: string }>;
		const ours = nodeTypes.map((t) => t.name).filter((name) => name.startsWith('n8n-nodes-whatsapp-notifications.'));
		expect(ours).toContain('n8n-nodes-whatsapp-notifications.whatsAppSendNotification');
		const credentialTypes = (await restRequest(n8n.url, cookie, 'GET', '/types/credentials.json')) as Array<{
			name: string;
		}>;
		expect(credentialTypes.map((c) => c.name)).toContain(CLOUD_CREDENTIAL_TYPE);
	});

	it('passes against the emulator with the right token and account, reading the account itself', async () => {
		const result = await testCredentialInEditor(n8n, CLOUD_CREDENTIAL_TYPE, cloudCredentialData(emulator));
		expect(result.status).toBe('OK');
		const reads = graphRequests(emulator, 'GET', `/${emulator.options.wabaId}`);
		expect(reads.length).toBeGreaterThan(0);
		const last = reads[reads.length - 1];
		expect(last.path).toBe(`/v24.0/${emulator.options.wabaId}`);
		expect(last.query.fields).toBe('id,name');
		expect(last.headers.authorization).toBe(`Bearer ${emulator.options.accessToken}`);
	});

	it('fails with a readable message on a wrong token', async () => {
		const result = await testCredentialInEditor(
			n8n,
			CLOUD_CREDENTIAL_TYPE,
			cloudCredentialData(emulator, { accessToken: 'not-the-token' }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/access token/i);
		expect(result.message).toMatch(/190/);
	});

	it('fails with a readable message on a wrong account id', async () => {
		const result = await testCredentialInEditor(
			n8n,
			CLOUD_CREDENTIAL_TYPE,
			cloudCredentialData(emulator, { businessAccountId: '999999999999' }),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/WhatsApp Business Account/);
	});
});
