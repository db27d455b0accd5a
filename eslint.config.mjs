// n8n's own community-node rules (the same set the marketplace review applies), on the node and credential code and
// on package.json (licence, peer dependencies, no runtime dependencies, the n8n section).
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { config } from '@n8n/node-cli/eslint';
import parser from '@typescript-eslint/parser';

export default [
	...config,
	// The nodes' codex files (*.node.json): rules such as no-logic-or-flow-nodes read them once the plugin has them.
	{
		files: ['nodes/**/*.node.json'],
		...n8nCommunityNodesPlugin.configs.recommended,
		languageOptions: { parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
];
