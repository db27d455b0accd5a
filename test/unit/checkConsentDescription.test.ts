/**
 * Check Consent's description (parameters, their order, defaults and display options, the tool variant's Operation)
 * is exactly what saved workflows were built with: frozen in test/fixtures/properties/checkConsent.json before its
 * parameters moved next to each operation's execute (actions/<op>.operation.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { WhatsAppCheckConsent } from '../../nodes/CheckConsent/WhatsAppCheckConsent.node';

const frozen = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/properties/checkConsent.json'), 'utf8'));

describe('Check Consent description', () => {
	it('is the frozen one: every parameter name, value, order, default and display option', () => {
		expect(JSON.parse(JSON.stringify(new WhatsAppCheckConsent().description))).toEqual(frozen);
	});
});
