/**
 * Three projects: fast unit tests of the domain and the emulator; node-level tests that run the nodes on n8n-core's
 * execution engine in process; end-to-end tests in a real n8n.
 */
const tsJest = ['ts-jest', { tsconfig: 'test/tsconfig.json' }];
module.exports = {
	testTimeout: 120000,
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			roots: ['<rootDir>/test/unit'],
			testMatch: ['**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'node',
			testEnvironment: 'node',
			roots: ['<rootDir>/test/node'],
			testMatch: ['**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
		},
		{
			displayName: 'e2e',
			testEnvironment: 'node',
			roots: ['<rootDir>/test/e2e'],
			testMatch: ['**/*.e2e.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
			globalSetup: '<rootDir>/test/e2e/globalSetup.ts',
			globalTeardown: '<rootDir>/test/e2e/globalTeardown.ts',
		},
	],
};
