import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { config } from '@n8n/node-cli/eslint';
import js from '@eslint/js';
import globals from 'globals';

/** The WhatsApp domain (nodes/shared/domain) stays plain functions: no n8n runtime, no I/O modules. */
const domainBoundary = {
	files: ['nodes/shared/domain/**/*.ts'],
	rules: {
		'@typescript-eslint/no-restricted-imports': [
			'error',
			{
				paths: [
					{
						name: 'n8n-workflow',
						allowTypeImports: true,
						message: 'The domain is plain functions: do n8n runtime work in nodes/shared/io or the node.',
					},
				],
				patterns: [
					{
						group: ['**/io', '**/io/**', '**/n8n', '**/n8n/**', '../../*/**'],
						message: 'The domain must not depend on I/O, n8n glue or a node folder.',
					},
				],
			},
		],
	},
};

/**
 * Tests, dev tools (emulator, n8n launcher) and scripts (demo, bench) run on the developer's machine, not inside
 * n8n: n8n's config applies typescript-eslint's recommended rules to every .ts file, and they stay on here. Off:
 * - every @n8n/community-nodes rule: they guard node code for n8n Cloud (no `process`, fs, child processes, timers,
 *   hard-coded tokens, NodeApiError on every throw), which is exactly what these tools need to do (start n8n and
 *   Redis, read fixtures, hold the emulator's fake tokens);
 * - no-console: the scripts and CLIs talk to the developer on the console.
 * `any` stays an error in dev/ and scripts/ (one shared Json type, dev/json.ts); in test/ it is allowed, see below.
 */
const toolFiles = ['test/**/*.ts', 'scripts/**/*.ts', 'dev/**/*.ts'];
const communityNodeRulesOff = Object.fromEntries(
	Object.keys(n8nCommunityNodesPlugin.rules).map((rule) => [`@n8n/community-nodes/${rule}`, 'off']),
);
const tools = {
	files: toolFiles,
	rules: {
		...communityNodeRulesOff,
		'no-console': 'off',
		// A leading underscore marks what is left out on purpose (`const { templates: _t, ...rest } = …`).
		'@typescript-eslint/no-unused-vars': [
			'error',
			{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
		],
	},
};

/**
 * Tests assert on JSON read back from n8n's REST API, executions and the emulator: `any` is that JSON's honest type
 * there (a wrong shape fails the assertion), and typing every response would add casts without catching anything.
 */
const tests = {
	files: ['test/**/*.ts'],
	rules: { '@typescript-eslint/no-explicit-any': 'off' },
};

/** Plain JavaScript tools (CommonJS: the n8n installer, the package scan, Jest/Gulp/Prettier configs). */
const javascriptTools = {
	files: ['**/*.js'],
	...js.configs.recommended,
	languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
};

export default [...config, domainBoundary, tools, tests, javascriptTools];
