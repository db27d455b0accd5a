import { config } from '@n8n/node-cli/eslint';

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

export default [...config, domainBoundary];
