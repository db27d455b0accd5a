import type { IVersionedNodeType } from 'n8n-workflow';
import { VersionedNodeType } from 'n8n-workflow';

import { ENTRY_ICON, withEntryIcon } from '../shared/n8n/entryIcon';
import { WhatsAppSessionWindowTriggerV1 } from './v1/WhatsAppSessionWindowTriggerV1';
import { WhatsAppSessionWindowTriggerV2 } from './v2/WhatsAppSessionWindowTriggerV2.node';

/**
 * Version 2 uses one credential (WhatsApp Cloud API, the consent ledger in its optional section); versions 1 and 1.1
 * keep the separate ledger credential for saved workflows.
 */
export class WhatsAppSessionWindowTrigger extends VersionedNodeType {
	constructor() {
		const current = withEntryIcon(new WhatsAppSessionWindowTriggerV2());
		const { displayName, name, group, subtitle, description } = current.description;
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: withEntryIcon(new WhatsAppSessionWindowTriggerV1()),
			1.1: withEntryIcon(new WhatsAppSessionWindowTriggerV1()),
			2: current,
		};
		super(nodeVersions, { displayName, name, icon: ENTRY_ICON, group, subtitle, description, defaultVersion: 2 });
	}
}
