// n8n's own community-node rules (the same set the marketplace review applies).
import { config } from '@n8n/node-cli/eslint';

export default config;
