/** The version smoke (versionSmoke.ts) on the shared n8n: the pinned version, or WA_E2E_N8N_VERSION's. */
import { sharedN8n } from './context';
import { SMOKE_STEPS, prepareVersionSmoke, type VersionSmoke } from './versionSmoke';

describe('version smoke on the e2e n8n', () => {
	let smoke: VersionSmoke;

	beforeAll(async () => {
		smoke = await prepareVersionSmoke(sharedN8n());
	});
	afterAll(async () => {
		await smoke?.close();
	});

	// In order: each step uses what the previous ones set up (credentials, the opt-in, the sent message).
	it.each(SMOKE_STEPS.map((step) => [step]))('%s', async (step) => {
		await smoke.run(step);
	});
});
