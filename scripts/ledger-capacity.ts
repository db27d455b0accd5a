/**
 * Measures the bytes per row of every ledger table in a real n8n (SQLite), the way n8n itself counts them against
 * N8N_DATA_TABLES_MAX_SIZE_BYTES: the `sizeBytes` of GET /api/v1/data-tables, which n8n computes as the SQLite pages
 * of each data table (dbstat; pg_total_relation_size on Postgres). Rows are written by the package's own code with
 * realistic values (checkout opt-in with its wording, STOP opt-out with its wamid, window rows, send keys).
 *
 * Run: npm run build && npx tsx scripts/ledger-capacity.ts [rowsPerTable=2000]
 */
import { randomBytes } from 'node:crypto';

import { ConsentLedger } from '../nodes/shared/io/ledger';
import { SendKeyStore, sendKeyIds } from '../nodes/shared/io/ledger/sendKeys';
import { startN8n } from '../dev/n8n/n8n';
import { ledgerClientOverApi } from '../dev/n8n/ledgerOverApi';

const ROWS = Number(process.argv[2] ?? 2000);
const SECRET = 'capacity-measurement-secret-0123456789';
const MIB = 1024 * 1024;
const DEFAULT_CAP = 200 * MIB;

const wamid = () =>
	`wamid.HBgN${randomBytes(33)
		.toString('base64')
		.replace(/[^A-Za-z0-9]/g, 'A')}`;
const phone = (i: number) => `+49151${String(20_000_000 + i)}`;

async function main(): Promise<void> {
	const n8n = await startN8n({ env: { N8N_DATA_TABLES_SIZE_CHECK_CACHE_DURATION_MS: '0' } });
	try {
		const prefix = 'whatsapp';
		const client = await ledgerClientOverApi(n8n, prefix, SECRET);
		let clock = Date.parse('2026-11-02T09:00:00Z');
		const options = { workflowId: 'Xy7kQ2pLm9RtVb3N', executionId: '184467', now: () => clock };
		const ledger = ConsentLedger.over(client, options);

		const sizes = async (): Promise<Record<string, number>> => {
			const res = await client.request<{ data: Array<{ name: string; sizeBytes?: number }> }>(
				'GET',
				'/data-tables',
				'listing',
				{ qs: { limit: 250 } },
			);
			return Object.fromEntries(res.data.map((t) => [t.name, Number(t.sizeBytes ?? 0)]));
		};
		const measured: Array<{ what: string; bytesPerRow: Record<string, number> }> = [];
		/** Runs `write` (ROWS rows per table it touches) and records the growth of every table per row. */
		const measure = async (what: string, write: () => Promise<void>) => {
			const before = await sizes();
			const started = Date.now();
			await write();
			const after = await sizes();
			const bytesPerRow: Record<string, number> = {};
			for (const [table, size] of Object.entries(after)) {
				const grown = size - (before[table] ?? 0);
				if (grown !== 0) bytesPerRow[table] = Math.round((grown / ROWS) * 10) / 10;
			}
			measured.push({ what, bytesPerRow });
			process.stdout.write(
				`${what}: ${JSON.stringify(bytesPerRow)} bytes/row (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
			);
		};

		// Create the tables first, so that the empty tables' first pages are not counted as rows.
		await ledger.recordEvents([{ contact: phone(-1), purpose: 'allUtility', action: 'optOut' }]);
		await ledger.recordInbound(phone(-1), new Date(clock).toISOString());
		const keys = new SendKeyStore(client, options, 24 * 3600_000);
		const identity = (i: number, template: string) => ({
			workflowId: options.workflowId,
			correlationKey: `SO-${1_000_000 + i}`,
			recipient: phone(i),
			senderId: '106540352242922',
			notificationType: 'shippingStatus',
			templateName: template,
			templateLanguage: 'en_US',
			body: {
				to: phone(i),
				template: {
					name: template,
					components: [{ type: 'body', parameters: [{ type: 'text', text: `SO-${1_000_000 + i}` }] }],
				},
			},
		});
		const first = await keys.claim(sendKeyIds(identity(-1, 'order_shipped'), SECRET), {
			now: clock,
			resendUnknown: false,
			staleAfterMs: 60_000,
		});
		await keys.complete(first.claimId!, 'sent', wamid());

		const batch = 50;
		await measure('opt-in from the checkout (event + state row)', async () => {
			for (let i = 0; i < ROWS; i += batch) {
				clock += 1000;
				await ledger.recordEvents(
					Array.from({ length: Math.min(batch, ROWS - i) }, (_, j) => ({
						contact: phone(i + j),
						purpose: 'allUtility' as const,
						action: 'optIn' as const,
						source: 'checkout form',
						proofWording:
							'I agree to receive order and delivery updates from Example Shop GmbH on WhatsApp. I can reply STOP at any time.',
						proofVersion: 'checkout-2026-03',
						proofReference: `https://shop.example.com/checkout/SO-${1_000_000 + i + j}`,
						capturedAt: new Date(clock).toISOString(),
					})),
				);
			}
		});
		await measure('STOP reply (opt-out event; the state row is updated in place)', async () => {
			for (let i = 0; i < ROWS; i += batch) {
				clock += 1000;
				await ledger.recordEvents(
					Array.from({ length: Math.min(batch, ROWS - i) }, (_, j) => ({
						contact: phone(i + j),
						purpose: 'allUtility' as const,
						action: 'optOut' as const,
						source: 'WhatsApp reply STOP',
						proofReference: wamid(),
						capturedAt: new Date(clock).toISOString(),
					})),
				);
			}
		});
		await measure('inbound message (serviceWindow state row)', async () => {
			for (let i = 0; i < ROWS; i++) await ledger.recordInbound(phone(i), new Date(clock).toISOString());
		});
		await measure('sent notification (send key)', async () => {
			for (let i = 0; i < ROWS; i++) {
				const claim = await keys.claim(sendKeyIds(identity(i, 'order_shipped'), SECRET), {
					now: clock,
					resendUnknown: false,
					staleAfterMs: 60_000,
				});
				await keys.complete(claim.claimId!, 'sent', wamid());
			}
		});
		await measure('sent notification, claimed and completed in batches (claim row + completion row)', async () => {
			for (let i = 0; i < ROWS; i += 40) {
				const ids = Array.from({ length: Math.min(40, ROWS - i) }, (_, j) =>
					sendKeyIds(identity(ROWS + i + j, 'order_shipped'), SECRET),
				);
				const claims = await keys.claimMany(ids, { now: clock, resendUnknown: false, staleAfterMs: 60_000 });
				await keys.completeMany(
					claims.map((c, j) => ({
						claimId: c.claimId!,
						status: 'sent' as const,
						messageId: wamid(),
						ids: ids[j],
						claimedAt: clock,
					})),
				);
			}
		});
		const all = await sizes();
		process.stdout.write(
			`${JSON.stringify({ rowsPerTable: ROWS, measured, tables: all, defaultCapBytes: DEFAULT_CAP })}\n`,
		);
	} finally {
		await n8n.stop();
	}
}

main().catch((error) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
});
