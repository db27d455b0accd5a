/**
 * The ledger fields are one list (credentials/ledgerProperties.ts) for both credentials that hold them; both
 * credentials' properties are exactly what saved credentials were made with, frozen in
 * test/fixtures/properties/credentials.json before the list was shared.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { WhatsAppCloudApi } from '../../credentials/WhatsAppCloudApi.credentials';
import { WhatsAppNotificationsLedgerApi } from '../../credentials/WhatsAppNotificationsLedgerApi.credentials';
import { ledgerProperties } from '../../credentials/ledgerProperties';

const frozen = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/properties/credentials.json'), 'utf8'));
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('the ledger credentials', () => {
	it('the ledger-only credential keeps its name, and its properties are the frozen ones', () => {
		const credential = new WhatsAppNotificationsLedgerApi();
		expect(credential.name).toBe('whatsAppNotificationsLedgerApi');
		expect(plain(credential.properties)).toEqual(frozen.whatsAppNotificationsLedgerApi);
	});

	it('the WhatsApp Cloud API credential’s properties, its Consent Ledger section included, are the frozen ones', () => {
		const credential = new WhatsAppCloudApi();
		expect(credential.name).toBe('whatsAppCloudApi');
		expect(plain(credential.properties)).toEqual(frozen.whatsAppCloudApi);
	});

	it('both take their ledger fields from the one shared list, in the same order', () => {
		const names = (list: Array<{ name: string }>) => list.map((p) => p.name);
		expect(names(new WhatsAppNotificationsLedgerApi().properties)).toEqual(
			names(ledgerProperties({ baseUrlName: 'baseUrl', apiKeyName: 'apiKey' })),
		);
		const section = new WhatsAppCloudApi().properties.filter((p) => p.displayOptions?.show?.consentLedger);
		expect(names(section)).toEqual(['n8nBaseUrl', 'n8nApiKey', 'contactKeySecret', 'projectId', 'tablePrefix']);
		expect(section.map((p) => p.displayName)).toEqual(
			ledgerProperties({ baseUrlName: 'b', apiKeyName: 'k' }).map((p) => p.displayName),
		);
	});
});
