import type { IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { WhatsAppSendNotificationV1 } from './v1/WhatsAppSendNotificationV1';
import { WhatsAppSendNotificationV2 } from './WhatsAppSendNotificationV2.node';

/**
 * Version 2 uses one credential (WhatsApp Cloud API, the consent ledger in its optional section); versions 1 and 1.1
 * keep the separate ledger credential for saved workflows.
 */
export class WhatsAppSendNotification extends VersionedNodeType {
	constructor() {
		const current = new WhatsAppSendNotificationV2();
		const { displayName, name, icon, group, subtitle, description } = current.description;
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new WhatsAppSendNotificationV1(),
			1.1: new WhatsAppSendNotificationV1(),
			2: current,
		};
		super(nodeVersions, { displayName, name, icon, group, subtitle, description, usableAsTool: true, defaultVersion: 2 });
	}
}
