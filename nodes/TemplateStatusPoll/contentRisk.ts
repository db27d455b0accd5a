/**
 * The re-categorisation risk check: an APPROVED UTILITY template whose text trips the content rules of
 * Send Notification is likely to be moved to MARKETING by Meta's periodic re-checks.
 */
import type { IPollFunctions } from 'n8n-workflow';

import { checkContent, type ContentFinding } from '../shared/domain/contentPolicy';
import { normaliseCategory } from '../shared/domain/notificationTypes';
import type { TemplateEvent } from '../shared/domain/templateDiff';
import type { TemplateComponentDef } from '../shared/domain/templates';
import { readTemplate } from '../shared/io/templates';
import type { CloudCredentials } from '../shared/io/transport';

/** Each check costs one request; more than this per poll are reported as not checked. */
export const MAX_CONTENT_CHECKS_PER_POLL = 10;

export interface ContentRisk {
	checked: boolean;
	atRisk?: boolean;
	findings?: ContentFinding[];
	note: string;
}

export function templateText(components: TemplateComponentDef[] | undefined): string {
	const parts: string[] = [];
	for (const component of Array.isArray(components) ? components : []) {
		if (typeof component?.text === 'string') parts.push(component.text);
		for (const button of Array.isArray(component?.buttons) ? component.buttons : []) {
			if (typeof button?.text === 'string') parts.push(button.text);
		}
	}
	return parts.join('\n');
}

export function assessText(text: string): ContentRisk {
	const findings = checkContent(text);
	if (findings.length === 0) {
		return {
			checked: true,
			atRisk: false,
			findings,
			note: 'No promotional wording found by the content rules of Send Notification.',
		};
	}
	const what = findings.map((f) => `${f.ruleDescription.toLowerCase()} ("${f.phrase}")`).join('; ');
	return {
		checked: true,
		atRisk: true,
		findings,
		note: `At risk of re-categorisation to MARKETING: mentions ${what}. Remove the wording or Meta may move the template, after which Send Notification can no longer use it.`,
	};
}

export function needsContentCheck(event: TemplateEvent): boolean {
	return (
		(event.event === 'created' || event.event === 'approved') &&
		event.status === 'APPROVED' &&
		normaliseCategory(event.category) === 'UTILITY'
	);
}

/** Adds `contentCheck` to created/approved events of APPROVED UTILITY templates (one template read each). */
export async function addContentChecks(
	ctx: IPollFunctions,
	credentials: CloudCredentials,
	events: TemplateEvent[],
): Promise<Map<TemplateEvent, ContentRisk>> {
	const results = new Map<TemplateEvent, ContentRisk>();
	const cache = new Map<string, ContentRisk>();
	let reads = 0;
	for (const event of events) {
		if (!needsContentCheck(event)) continue;
		const cached = cache.get(event.templateId);
		if (cached) {
			results.set(event, cached);
			continue;
		}
		if (reads >= MAX_CONTENT_CHECKS_PER_POLL) {
			results.set(event, {
				checked: false,
				note: `Not checked: at most ${MAX_CONTENT_CHECKS_PER_POLL} templates are checked per poll to spare Meta's rate limit.`,
			});
			continue;
		}
		reads++;
		let risk: ContentRisk;
		try {
			const res = await readTemplate<{ components?: TemplateComponentDef[] }>(ctx, credentials, event.templateId);
			risk = res.error
				? { checked: false, note: `Not checked: Meta did not return the template text (${res.error.message}).` }
				: assessText(templateText(res.data?.components));
		} catch (error) {
			risk = { checked: false, note: `Not checked: ${(error as Error).message}` };
		}
		cache.set(event.templateId, risk);
		results.set(event, risk);
	}
	return results;
}
