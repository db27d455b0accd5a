/**
 * The editor, in a real browser (Debian's Chromium driven by playwright-core): log in to the e2e n8n as the owner,
 * find the four nodes in the nodes panel, open Send Notification, check that Notification Type lists the ten types
 * and that the template list shows the emulator's approved templates, and open the other three nodes.
 * Saves screenshots of the editor (test/.artifacts/screenshots/; with UPDATE_SCREENSHOTS=1 the README's, docs/screenshots/).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { chromium, selectors, type Browser, type Page } from 'playwright-core';

import { startEmulator, type Emulator } from '../../dev/emulator';
import { NOTIFICATION_TYPES } from '../../nodes/shared/domain/notificationTypes';
import {
	CHECK_NODE_TYPE,
	CLOUD_CREDENTIAL_TYPE,
	LEDGER_CREDENTIAL_TYPE,
	OPT_IN_WORDING,
	POLL_NODE_TYPE,
	SEND_NODE_TYPE,
	TRIGGER_NODE_TYPE,
	cloudCredentialData,
	createLedgerCredential,
	sharedN8n,
} from './context';
import { OWNER } from '../../dev/n8n/n8n';

const CHROMIUM = '/usr/bin/chromium';
// A normal run writes its screenshots beside the other test artifacts, so `npm test` leaves the work tree clean;
// UPDATE_SCREENSHOTS=1 writes the ones the README shows.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
	? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
	: path.resolve(__dirname, '..', '.artifacts', 'screenshots');
const LAUNCH_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];
const NODE_NAMES = {
	send: 'WhatsApp Send Notification',
	consent: 'WhatsApp Check Consent',
	trigger: 'WhatsApp Session Window Trigger',
	poll: 'WhatsApp Template Status Poll',
};
/** How the nodes panel lists them (n8n drops "Trigger" from trigger names). */
const PANEL_NAMES = [
	'WhatsApp Send Notification',
	'WhatsApp Check Consent',
	'WhatsApp Session Window',
	'WhatsApp Template Status Poll',
];

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
	// The only reason to skip: CI (.ci/run) installs it; locally run `apt-get install -y chromium`.
	console.warn(
		`SKIPPED browser check: ${CHROMIUM} is missing. Install Debian's Chromium with \`apt-get install -y chromium\`.`,
	);
}

(haveChromium ? describe : describe.skip)('the editor in a real browser (Chromium)', () => {
	const n8n = sharedN8n();
	let emulator: Emulator;
	let browser: Browser;
	let page: Page;
	let workflowId: string;

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		const cloud = await n8n.createCredential(
			CLOUD_CREDENTIAL_TYPE,
			'WhatsApp Cloud API (emulator)',
			cloudCredentialData(emulator),
		);
		const ledger = await createLedgerCredential(
			n8n,
			'WhatsApp consent ledger',
			'browser',
			'browser-contact-key-secret-0123456789',
		);
		const trigger = 'When clicking ‘Execute workflow’';
		workflowId = await n8n.createWorkflow(
			'Browser check: the four WhatsApp nodes',
			[
				{ name: trigger, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					name: NODE_NAMES.consent,
					type: CHECK_NODE_TYPE,
					typeVersion: 1,
					position: [260, 0],
					credentials: { [LEDGER_CREDENTIAL_TYPE]: ledger },
					parameters: {
						operation: 'checkFromItem',
						contact: '={{ $json.phone }}',
						purpose: 'shippingStatus',
						consentGiven: '={{ $json.optIn }}',
						source: 'checkout form',
						proofWording: OPT_IN_WORDING,
						splitOutput: true,
					},
				},
				{
					name: NODE_NAMES.send,
					type: SEND_NODE_TYPE,
					typeVersion: 1,
					position: [520, 0],
					credentials: { [CLOUD_CREDENTIAL_TYPE]: cloud },
					parameters: {},
				},
				{
					name: NODE_NAMES.trigger,
					type: TRIGGER_NODE_TYPE,
					typeVersion: 1,
					position: [0, 260],
					webhookId: randomUUID(),
					credentials: { [CLOUD_CREDENTIAL_TYPE]: cloud },
					parameters: { registration: 'automatic' },
				},
				{
					name: NODE_NAMES.poll,
					type: POLL_NODE_TYPE,
					typeVersion: 1,
					position: [260, 260],
					credentials: { [CLOUD_CREDENTIAL_TYPE]: cloud },
					parameters: { pollTimes: { item: [{ mode: 'everyHour' }] } },
				},
			],
			{
				[trigger]: { main: [[{ node: NODE_NAMES.consent, type: 'main', index: 0 }]] },
				[NODE_NAMES.consent]: { main: [[{ node: NODE_NAMES.send, type: 'main', index: 0 }], []] },
			},
		);
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
		page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
		page.setDefaultTimeout(90_000);
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
	}, 180_000);

	afterAll(async () => {
		await browser?.close();
		await n8n.deleteWorkflow(workflowId).catch(() => undefined);
		await emulator?.close();
	});

	/** Screenshot of the node details view's parameter column (no empty input/output panels). */
	async function shootParameters(file: string): Promise<void> {
		const ndv = await page.getByTestId('ndv').boundingBox();
		const params = await page.getByTestId('node-parameters').boundingBox();
		if (!ndv || !params) throw new Error('the node details view is not open');
		const x = Math.max(ndv.x, params.x - 20);
		await page.screenshot({
			path: path.join(SCREENSHOTS, file),
			clip: { x, y: ndv.y, width: Math.min(params.width + 40, ndv.x + ndv.width - x), height: ndv.height },
		});
	}

	async function openNode(name: string): Promise<void> {
		await page.getByTestId('canvas-node').filter({ hasText: name }).first().dblclick();
		await page.getByTestId('node-parameters').waitFor();
		await page.waitForTimeout(800); // parameters and notices settle
	}

	async function closeNode(): Promise<void> {
		await page.getByTestId('ndv-close-button').click();
		await page.getByTestId('ndv').waitFor({ state: 'hidden' });
	}

	it('logs in as the owner and opens the workflow', async () => {
		await page.goto(`${n8n.url}/signin`);
		await page.locator('input[name=emailOrLdapLoginId], input[name=email]').first().fill(OWNER.email);
		await page.locator('input[name=password]').fill(OWNER.password);
		await page.getByRole('button', { name: /sign in/i }).click();
		await page.waitForURL((url) => !url.pathname.includes('signin'));
		await page.goto(`${n8n.url}/workflow/${workflowId}`);
		await page.getByTestId('canvas-node').first().waitFor({ timeout: 120_000 });
		for (const name of Object.values(NODE_NAMES)) {
			await expectVisible(page.getByTestId('canvas-node').filter({ hasText: name }).first());
		}
		const tip = page.getByRole('button', { name: 'Got it' });
		if (await tip.isVisible()) await tip.click();
	}, 200_000);

	it('finds the four nodes in the nodes panel', async () => {
		await page.getByTestId('node-creator-plus-button').click();
		await page.keyboard.type('WhatsApp');
		const panel = page.getByTestId('node-creator');
		for (const name of PANEL_NAMES) await expectVisible(page.getByText(name, { exact: true }).first());
		// The nodes' icons load lazily: wait until every icon in the panel has rendered.
		await page
			.waitForFunction(
				() => Array.from(document.querySelectorAll('img')).every((img) => img.complete && img.naturalWidth > 0),
				undefined,
				{ timeout: 15_000 },
			)
			.catch(() => undefined);
		await page.waitForTimeout(500);
		const box = (await panel.count()) ? await panel.boundingBox() : null;
		await page.screenshot({
			path: path.join(SCREENSHOTS, 'nodes-panel.png'),
			...(box ? { clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 560) } } : {}),
		});
		await page.keyboard.press('Escape');
	}, 120_000);

	it('Send Notification: Notification Type lists the ten types', async () => {
		await openNode(NODE_NAMES.send);
		await page.getByTestId('parameter-input-notificationType').click();
		const options = page.getByRole('option');
		await expectVisible(options.filter({ hasText: 'Customer Service Resumption' }).first());
		const labels = (await options.allInnerTexts()).map((text) => text.split('\n')[0].trim());
		const types = labels.filter((label) => !label.startsWith('—'));
		expect(types).toEqual(NOTIFICATION_TYPES.map((type) => type.name));
		expect(types).toHaveLength(10);
		await page.screenshot({ path: path.join(SCREENSHOTS, 'send-notification-types.png'), clip: await dropdownClip() });
		await options
			.filter({ hasText: /^Shipping Status/ })
			.first()
			.click();
	}, 120_000);

	it("Send Notification: the template list shows the emulator's approved templates that fit the type", async () => {
		await page.getByTestId('resource-locator-template').getByTestId('rlc-input').click();
		const items = page.getByTestId('rlc-item');
		await expectVisible(items.filter({ hasText: 'shipping_update · en_US · UTILITY' }).first());
		const listed = (await items.allInnerTexts()).map((text) => text.trim());
		const approvedUtility = [...emulator.state.templates.values()]
			.filter((t) => t.status === 'APPROVED' && t.category === 'UTILITY')
			.map((t) => `${t.name} · ${t.language} · UTILITY`);
		expect(listed).toEqual(
			expect.arrayContaining([
				'shipping_update · en_US · UTILITY',
				'shipping_update · pt_BR · UTILITY',
				'appointment_reminder · en_US · UTILITY',
			]),
		);
		for (const item of listed) expect(approvedUtility).toContain(item);
		for (const refused of [
			'summer_sale',
			'login_code',
			'paused_update',
			'disabled_update',
			'pending_update',
			'rejected_update',
		]) {
			expect(listed.join('\n')).not.toContain(refused);
		}
		await page.screenshot({
			path: path.join(SCREENSHOTS, 'send-notification-templates.png'),
			clip: await ndvClip(520),
		});
		await items.filter({ hasText: 'shipping_update · en_US · UTILITY' }).first().click();
		await page.waitForTimeout(1500); // the variable fields load for the chosen template
		await shootParameters('send-notification.png');
		await closeNode();
	}, 120_000);

	it('opens Check Consent, the Session Window Trigger and the Template Status Poll', async () => {
		await openNode(NODE_NAMES.consent);
		await expectVisible(page.getByTestId('parameter-input-operation'));
		await shootParameters('check-consent.png');
		await closeNode();

		await openNode(NODE_NAMES.trigger);
		await expectVisible(page.getByTestId('parameter-input-events'));
		await shootParameters('session-window-trigger.png');
		await closeNode();

		await openNode(NODE_NAMES.poll);
		await expectVisible(page.getByTestId('parameter-input-events'));
		await shootParameters('template-status-poll.png');
		await closeNode();
		for (const file of [
			'nodes-panel.png',
			'send-notification-types.png',
			'send-notification-templates.png',
			'send-notification.png',
			'check-consent.png',
			'session-window-trigger.png',
			'template-status-poll.png',
		]) {
			expect(fs.statSync(path.join(SCREENSHOTS, file)).size).toBeGreaterThan(5_000);
		}
	}, 180_000);

	/** The top of the NDV's parameter column, `height` px tall (enough for an open dropdown). */
	async function ndvClip(height: number) {
		const ndv = await page.getByTestId('ndv').boundingBox();
		const params = await page.getByTestId('node-parameters').boundingBox();
		if (!ndv || !params) throw new Error('the node details view is not open');
		const x = Math.max(ndv.x, params.x - 20);
		return { x, y: ndv.y, width: params.width + 40, height: Math.min(height, ndv.height) };
	}

	/** The parameter column plus the open options list, which is wider than the column. */
	async function dropdownClip() {
		const ndv = await page.getByTestId('ndv').boundingBox();
		const params = await page.getByTestId('node-parameters').boundingBox();
		const last = await page.getByRole('option').last().boundingBox();
		if (!ndv || !params || !last) throw new Error('the options list is not open');
		const x = Math.max(ndv.x, params.x - 20);
		return {
			x,
			y: ndv.y,
			width: Math.max(params.width + 40, last.x + last.width - x + 10),
			height: Math.min(last.y + last.height - ndv.y + 12, 800 - ndv.y),
		};
	}
});

async function expectVisible(locator: ReturnType<Page['locator']>): Promise<void> {
	await locator.waitFor({ state: 'visible' });
}
