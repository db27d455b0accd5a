import type { IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { ENTRY_ICON, withEntryIcon } from '../shared/n8n/entryIcon';
import { WhatsAppSendNotificationV1 } from './v1/WhatsAppSendNotificationV1';
import { WhatsAppSendNotificationV2 } from './v2/WhatsAppSendNotificationV2.node';

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
		super(nodeVersions, {
			displayName,
			name,
			icon: ENTRY_ICON,
			group,
			subtitle,
			description,
			usableAsTool: true,
			defaultVersion: 2,
		});
	}
}
