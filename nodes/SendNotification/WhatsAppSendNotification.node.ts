import type { INodeType, IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { WhatsAppSendNotificationV1 } from './v1/WhatsAppSendNotificationV1';
import { WhatsAppSendNotificationV2 } from './v2/WhatsAppSendNotificationV2.node';

/** n8n resolves the icon of every version relative to this file (the one package.json names). */
const ICON = { light: 'file:../icons/whatsapp.svg', dark: 'file:../icons/whatsapp.dark.svg' } as const;

function withEntryIcon<T extends INodeType>(node: T): T {
	node.description = { ...node.description, icon: ICON };
	return node;
}

/**
 * Send Notification has one operation, so there is no resource/operation router: `actions/send.operation.ts` is its
 * execute, and the other files of `actions/` are the steps it runs, named for the step (prepare → dispatch → answer).
 * The parameters stay in `description.ts`, shared by every version.
 *
 * Version 2 uses one credential (WhatsApp Cloud API, the consent ledger in its optional section); versions 1 and 1.1
 * keep the separate ledger credential for saved workflows.
 */
export class WhatsAppSendNotification extends VersionedNodeType {
	constructor() {
		const current = withEntryIcon(new WhatsAppSendNotificationV2());
		const { displayName, name, group, subtitle, description } = current.description;
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: withEntryIcon(new WhatsAppSendNotificationV1()),
			1.1: withEntryIcon(new WhatsAppSendNotificationV1()),
			2: current,
		};
		super(nodeVersions, { displayName, name, icon: ICON, group, subtitle, description, usableAsTool: true, defaultVersion: 2 });
	}
}
