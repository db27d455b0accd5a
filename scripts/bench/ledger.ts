/**
 * The consent ledger at scale (issue 17): fills the ledger through n8n's public data-table API (bulk inserts of
 * 1,000 rows) to each size, then measures per size, in the same real n8n:
 *  - Check Consent (operation Check) ms/item over `checkItems` items;
 *  - Send Notification ms/item with and without Use Consent Ledger (`sendItems` notifications, 1,000 mps);
 *  - ledger requests per item, counted at a loopback proxy that sits between the nodes' ledger credential and n8n;
 *  - the data tables' size (n8n's own sizeBytes, what N8N_DATA_TABLES_MAX_SIZE_BYTES counts) and the database file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { EVENT_COLUMNS, STATE_COLUMNS, contactKeyOf, type Row } from '../../nodes/shared/io/ledger';
import { orderingSecond } from '../../nodes/shared/domain/consent';
import { webhookEntryNodes, type WorkflowNode } from '../../dev/n8n/n8n';
import { CountingProxy } from '../../dev/countingProxy';
import { phoneOf, runSendCase, sendNotificationNode, type BenchCtx, type SendResult } from './cases';
import { round } from './monitor';
import type { Json } from '../../dev/json';

const LEDGER_CREDENTIAL_TYPE = 'whatsAppNotificationsLedgerApi';
const CHECK_NODE_TYPE = 'n8n-nodes-whatsapp-notifications.whatsAppCheckConsent';
const SECRET = 'bench-ledger-contact-key-secret-0123456789';
const WORDING =
	'I agree to receive order and delivery updates from Example Shop GmbH on WhatsApp. I can reply STOP at any time.';

export interface LedgerBenchOptions {
	sizes: number[];
	checkItems: number;
	sendItems: number;
	/** n8n's user folder, for the database file's size. */
	userFolder: string;
	n8n: { url: string; apiKey: string };
	guard<T>(label: string, fn: () => Promise<T>): Promise<T | { label: string; error: string }>;
}

export async function runLedgerCases(ctx: BenchCtx, options: LedgerBenchOptions): Promise<Json> {
	const proxy = new CountingProxy(options.n8n.url);
	await proxy.start();
	try {
		const prefix = `bench_${randomBytes(3).toString('hex')}`;
		const credential = await ctx.client.createCredential(LEDGER_CREDENTIAL_TYPE, `bench ledger ${prefix}`, {
			baseUrl: proxy.url,
			apiKey: options.n8n.apiKey,
			contactKeySecret: SECRET,
			projectId: '',
			tablePrefix: prefix,
		});
		const tables = await createTables(ctx, prefix);
		const rows: Json[] = [];
		let filled = 0;
		// Each size's sends go to recipients no earlier run used (a fresh send key each).
		let sendOffset = 0;
		for (const size of [...options.sizes].sort((a, b) => a - b)) {
			ctx.log(`  ledger: filling to ${size} contacts …`);
			const t0 = performance.now();
			await fill(ctx, tables, filled, size);
			const fillSeconds = round((performance.now() - t0) / 1000, 1);
			filled = size;
			const row: Json = { contacts: size, fillSeconds };

			const check = await options.guard(`ledger check ${size}`, () =>
				runCheck(ctx, credential, proxy, Math.min(options.checkItems, size), size),
			);
			row.check = check;
			const sendItems = Math.min(options.sendItems, size);
			if (sendOffset + sendItems > size) sendOffset = 0;
			const items = sendItemsFor(sendItems, sendOffset);
			const without = await options.guard(`ledger send without ${size}`, () =>
				runSendCase(
					ctx,
					`Send Notification without ledger (${size} contacts)`,
					sendNotificationNode(ctx, { messagesPerSecond: 1000 }),
					items,
					{ throughputCapMps: 1000 },
					600_000,
				),
			);
			proxy.reset();
			const withLedger = await options.guard(`ledger send with ${size}`, () =>
				runSendCase(
					ctx,
					`Send Notification with ledger (${size} contacts)`,
					ledgerSendNode(ctx, credential),
					items,
					{ throughputCapMps: 1000 },
					1_800_000,
				),
			);
			const sendRequests = proxy.total();
			sendOffset += sendItems;
			row.sendWithout = summariseSend(without);
			row.sendWith = {
				...summariseSend(withLedger),
				ledgerRequests: sendRequests,
				ledgerRequestsPerItem: round(sendRequests / sendItems, 3),
				byRoute: Object.fromEntries(proxy.counts),
			};
			const a = row.sendWithout.msPerItem;
			const b = row.sendWith.msPerItem;
			row.sendThroughputRatio = a && b ? round(a / b, 3) : undefined;
			row.size = await sizes(ctx, prefix, options.userFolder);
			rows.push(row);
			ctx.log(
				`  ledger ${size}: ${JSON.stringify({ check: (check as Json).msPerItem, without: a, with: b, reqPerItem: row.sendWith.ledgerRequestsPerItem, ...row.size })}`,
			);
		}
		return { checkItems: options.checkItems, sendItems: options.sendItems, rows };
	} finally {
		await proxy.close();
	}
}

function summariseSend(result: SendResult | { label: string; error: string }): Json {
	const r = result as SendResult;
	if (!r.items) return { error: (result as Json).error };
	return {
		items: r.items,
		totalSeconds: r.totalSeconds,
		msPerItem: round((r.totalSeconds * 1000) / r.items, 1),
		accepted: r.accepted,
		outputOk: r.outputOk,
		...(r.error ? { error: r.error } : {}),
	};
}

async function createTables(ctx: BenchCtx, prefix: string): Promise<{ events: string; state: string }> {
	const create = async (name: string, columns: ReadonlyArray<{ name: string; type: string }>) =>
		(
			await ctx.client.api<{ id: string }>('POST', '/data-tables', {
				name,
				columns: columns.map((c) => ({ name: c.name, type: c.type })),
			})
		).id;
	return {
		events: await create(`${prefix}_consent_events`, EVENT_COLUMNS),
		state: await create(`${prefix}_contact_state`, STATE_COLUMNS),
	};
}

/** Contacts [from, to): an opt-in from the checkout each (event + state row), every tenth also a window row. */
async function fill(ctx: BenchCtx, tables: { events: string; state: string }, from: number, to: number): Promise<void> {
	const chunk = 1000;
	const at = Date.parse('2026-11-02T09:00:00Z');
	for (let start = from; start < to; start += chunk) {
		const events: Row[] = [];
		const states: Row[] = [];
		for (let i = start; i < Math.min(to, start + chunk); i++) {
			const contactId = phoneOf(i);
			const contactKey = contactKeyOf(contactId, SECRET);
			const capturedAt = new Date(at + i * 1000).toISOString();
			const eventId = randomUUID();
			events.push({
				eventId,
				contactKey,
				contactId,
				contactKind: 'phone',
				purpose: 'allUtility',
				action: 'optIn',
				source: 'checkout form',
				proofWording: WORDING,
				proofVersion: 'checkout-2026-03',
				proofReference: `https://shop.example.com/checkout/SO-${1_000_000 + i}`,
				capturedAt,
				recordedAt: capturedAt,
				workflowId: 'Xy7kQ2pLm9RtVb3N',
				executionId: String(184467 + i),
			});
			states.push({
				contactKey,
				contactId,
				purpose: 'allUtility',
				consent: 'granted',
				since: capturedAt,
				source: 'checkout form',
				lastEventId: eventId,
				lastEventAt: capturedAt,
				lastEventAtMs: orderingSecond(capturedAt) * 1000,
			});
			if (i % 10 === 0) {
				states.push({
					contactKey,
					contactId,
					purpose: 'serviceWindow',
					lastInboundAt: capturedAt,
					windowExpiresAt: new Date(at + i * 1000 + 86_400_000).toISOString(),
					lastEventAt: capturedAt,
					lastInboundAtMs: at + i * 1000,
					lastEventAtMs: at + i * 1000,
				});
			}
		}
		await ctx.client.api('POST', `/data-tables/${tables.events}/rows`, { data: events, returnType: 'count' });
		await ctx.client.api('POST', `/data-tables/${tables.state}/rows`, { data: states, returnType: 'count' });
	}
}

function sendItemsFor(count: number, offset: number): Json[] {
	return Array.from({ length: count }, (_, i) => ({
		phone: phoneOf(offset + i),
		name: `Customer ${offset + i}`,
		change: `email address changed (ref ${1000 + offset + i})`,
	}));
}

function ledgerSendNode(ctx: BenchCtx, credential: { id: string; name: string }): WorkflowNode {
	const node = sendNotificationNode(ctx, { messagesPerSecond: 1000 });
	return {
		...node,
		credentials: { ...node.credentials, [LEDGER_CREDENTIAL_TYPE]: credential },
		parameters: { ...node.parameters, useConsentLedger: true },
	};
}

/** Webhook → Split Out → Check Consent (Check, shippingStatus), posted once with all items. */
async function runCheck(
	ctx: BenchCtx,
	credential: { id: string; name: string },
	proxy: CountingProxy,
	count: number,
	contacts: number,
): Promise<Json> {
	const { client } = ctx;
	const pathName = `bench-check-${randomUUID()}`;
	const nodes: WorkflowNode[] = [
		...webhookEntryNodes(pathName),
		{
			name: 'Check Consent',
			type: CHECK_NODE_TYPE,
			typeVersion: 1,
			credentials: { [LEDGER_CREDENTIAL_TYPE]: credential },
			parameters: { operation: 'check', contact: '={{ $json.phone }}', purpose: 'shippingStatus' },
		},
	];
	const connections = {
		Webhook: { main: [[{ node: 'Split Items', type: 'main', index: 0 }]] },
		'Split Items': { main: [[{ node: 'Check Consent', type: 'main', index: 0 }]] },
	};
	const workflowId = await client.createWorkflow(`bench ledger check ${count}`, nodes, connections);
	try {
		await client.activate(workflowId);
		await client.waitForWebhook(pathName);
		// Every item a different contact, spread over the whole ledger.
		const items = Array.from({ length: count }, (_, i) => ({ phone: phoneOf(Math.floor((i * contacts) / count)) }));
		proxy.reset();
		const t0 = performance.now();
		const res = await fetch(`${client.url}/webhook/${pathName}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ items }),
		});
		const body = (await res.json().catch(() => undefined)) as Json[] | undefined;
		const seconds = (performance.now() - t0) / 1000;
		const granted = Array.isArray(body) ? body.filter((o) => o.consent?.granted === true).length : 0;
		const requests = proxy.total();
		return {
			items: count,
			httpStatus: res.status,
			totalSeconds: round(seconds, 2),
			msPerItem: round((seconds * 1000) / count, 1),
			granted,
			ledgerRequests: requests,
			ledgerRequestsPerItem: round(requests / count, 3),
			...(res.status !== 200 || granted !== count
				? { error: `answered ${res.status}, ${granted}/${count} granted: ${JSON.stringify(body).slice(0, 200)}` }
				: {}),
		};
	} finally {
		await client.deactivate(workflowId).catch(() => undefined);
		await client.deleteWorkflow(workflowId).catch(() => undefined);
	}
}

async function sizes(ctx: BenchCtx, prefix: string, userFolder: string): Promise<Json> {
	const listed = await ctx.client.api<{ data: Array<{ name: string; sizeBytes?: number }> }>(
		'GET',
		'/data-tables?limit=250',
	);
	const mib = (n: number) => round(n / 2 ** 20, 1);
	const tables: Json = {};
	for (const t of listed.data)
		if (t.name.startsWith(prefix)) tables[t.name.slice(prefix.length + 1)] = mib(Number(t.sizeBytes ?? 0));
	const dbFile = path.join(userFolder, '.n8n', 'database.sqlite');
	const fileSize = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
	return { tablesMiB: tables, databaseMiB: mib(fileSize(dbFile) + fileSize(`${dbFile}-wal`)) };
}
