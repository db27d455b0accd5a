/** n8n's "data tables full" answer becomes a clear ledger error with the fix (real n8n: ledgerCapacity.e2e). */
import { ledgerHttpError } from '../../nodes/shared/io/ledger';

// Exactly what n8n 2.41's public API answers once N8N_DATA_TABLES_MAX_SIZE_BYTES is reached (DataTableSizeValidator).
const N8N_FULL = {
	message: 'Validation error with data table request: Data table size limit exceeded: 201MB used, limit is 200MB',
};

describe('ledger errors when n8n’s data tables are full', () => {
	it('says that the data tables are full, with n8n’s figures, and how to make room', () => {
		const error = ledgerHttpError(400, N8N_FULL, 'recording consent events');
		expect(error.message).toBe(
			'n8n’s data tables are full (201MB used, limit is 200MB), so nothing can be written to the consent ledger: n8n refused recording consent events (HTTP 400)',
		);
		expect(error.fix).toMatch(/N8N_DATA_TABLES_MAX_SIZE_BYTES/);
		expect(error.fix).toMatch(/restart n8n/);
		expect(error.fix).toMatch(/opt-out/);
		expect(error.fix).not.toMatch(/changed the ledger tables by hand/);
		expect(error.httpCode).toBe(400);
	});

	it('other 400 answers keep their own explanation', () => {
		const error = ledgerHttpError(400, { message: "unknown column name 'foo'" }, 'reading the consent ledger');
		expect(error.fix).toMatch(/changed the ledger tables by hand/);
	});

	it('a body of any length is read in linear time', () => {
		const started = Date.now();
		ledgerHttpError(400, { message: `Data table size limit exceeded${' x'.repeat(200_000)}` }, 'x');
		ledgerHttpError(400, { message: 'Data table size limit'.repeat(20_000) }, 'x');
		expect(Date.now() - started).toBeLessThan(500);
	});
});
