/**
 * The icon of a versioned node's entry file (nodes/<Node>/<Node>.node.ts, the file package.json names): n8n resolves
 * the icon of every version relative to that file, so each version's description gets this one instead of its own
 * (written relative to its version folder).
 */
import type { INodeType } from 'n8n-workflow';

export const ENTRY_ICON = { light: 'file:../icons/whatsapp.svg', dark: 'file:../icons/whatsapp.dark.svg' } as const;

export function withEntryIcon<T extends INodeType>(node: T): T {
	node.description = { ...node.description, icon: ENTRY_ICON };
	return node;
}
