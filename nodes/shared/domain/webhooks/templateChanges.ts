/** Template webhooks (status, category and quality changes) read into `templateUpdate` events. */
import type { TemplateUpdateEvent } from './events';
import { base, compact, iso, rec, str, type ChangeContext, type Json } from './reading';

/** The webhook fields that report a change to a message template. */
export const TEMPLATE_WEBHOOK_FIELDS: ReadonlySet<string> = new Set([
	'message_template_status_update',
	'template_category_update',
	'message_template_quality_update',
]);

type TemplateCommon = Pick<TemplateUpdateEvent, 'templateId' | 'templateName' | 'language' | 'value'>;

function templateEvent(
	ctx: ChangeContext,
	eventId: string,
	updateType: TemplateUpdateEvent['updateType'],
	common: TemplateCommon,
	fields: Partial<TemplateUpdateEvent>,
): TemplateUpdateEvent {
	return compact({
		...base(ctx, 'templateUpdate', eventId, undefined),
		event: 'templateUpdate' as const,
		updateType,
		...common,
		...fields,
	});
}

function statusChange(ctx: ChangeContext, value: Json, common: TemplateCommon): TemplateUpdateEvent {
	const status = str(value.event) ?? 'UNKNOWN';
	return templateEvent(ctx, `template:${common.templateId}:status:${status}:${ctx.entryTime ?? ''}`, 'status', common, {
		status,
		reason: value.reason === null ? null : str(value.reason),
		rejectionInfo: rec(value.rejection_info),
		category: str(value.message_template_category),
	});
}

function categoryChange(ctx: ChangeContext, value: Json, common: TemplateCommon): TemplateUpdateEvent {
	const completed = value.previous_category !== undefined && value.correct_category === undefined;
	if (completed) {
		return templateEvent(
			ctx,
			`template:${common.templateId}:category:${str(value.new_category) ?? ''}:completed`,
			'category',
			common,
			{
				category: str(value.new_category),
				previousCategory: str(value.previous_category),
				categoryChanged: true,
			},
		);
	}
	// Impending: new_category is the CURRENT category; correct_category takes effect at category_update_timestamp.
	return templateEvent(
		ctx,
		`template:${common.templateId}:category:${str(value.correct_category) ?? ''}:impending`,
		'category',
		common,
		{
			category: str(value.new_category),
			upcomingCategory: str(value.correct_category),
			effectiveAt: iso(value.category_update_timestamp),
			categoryChanged: false,
		},
	);
}

function qualityChange(ctx: ChangeContext, value: Json, common: TemplateCommon): TemplateUpdateEvent {
	const previous = str(value.previous_quality_score);
	const next = str(value.new_quality_score);
	return templateEvent(
		ctx,
		`template:${common.templateId}:quality:${previous ?? ''}>${next ?? ''}:${ctx.entryTime ?? ''}`,
		'quality',
		common,
		{
			previousQualityScore: previous,
			newQualityScore: next,
		},
	);
}

/** One change of a TEMPLATE_WEBHOOK_FIELDS field; nothing without a template id. */
export function readTemplateChange(ctx: ChangeContext, value: Json): TemplateUpdateEvent | undefined {
	const templateId = str(value.message_template_id);
	if (templateId === undefined) return undefined;
	const common: TemplateCommon = {
		templateId,
		templateName: str(value.message_template_name),
		language: str(value.message_template_language),
		value,
	};
	if (ctx.field === 'message_template_status_update') return statusChange(ctx, value, common);
	if (ctx.field === 'template_category_update') return categoryChange(ctx, value, common);
	return qualityChange(ctx, value, common);
}
