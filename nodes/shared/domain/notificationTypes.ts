/**
 * The ten notification types WhatsApp allowed for business-initiated messages since June 2019,
 * and the rules that decide whether an approved template may be sent as one of them.
 *
 * Today Meta only knows three template categories; every notification type maps to UTILITY.
 * The 2019 names are kept because they still appear in `category` / `previous_category`.
 */
import { describeRejection } from './templates';

export type MetaCategory = 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';

export type NotificationTypeValue =
	| 'accountUpdate'
	| 'paymentRequest'
	| 'shippingStatus'
	| 'invoiceFinanceUpdate'
	| 'reservationUpdate'
	| 'appointmentReminder'
	| 'travelUpdate'
	| 'ticketUpdate'
	| 'alertUpdate'
	| 'customerServiceResumption';

export interface NotificationType {
	value: NotificationTypeValue;
	name: string;
	description: string;
	allowedCategories: MetaCategory[];
	legacyCategory: string;
	requiresReferenceMessage: boolean;
}

export const NOTIFICATION_TYPES: readonly NotificationType[] = Object.freeze([
	{
		value: 'accountUpdate',
		name: 'Account Update',
		description:
			'Tell the customer about a change to their account settings or their messaging consent, so they can react to unauthorised activity',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'ACCOUNT_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'paymentRequest',
		name: 'Payment Request',
		description:
			'Send details of an order to pay, such as a payment slip, or a change of status during payment (e.g. an auction has ended)',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'PAYMENT_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'shippingStatus',
		name: 'Shipping Status',
		description: 'Keep the customer informed about where their order is and when it will be delivered',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'SHIPPING_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'invoiceFinanceUpdate',
		name: 'Invoice / Finance Update',
		description: 'Alert the customer to outstanding invoices, open payments or other transactions',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'PERSONAL_FINANCE_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'reservationUpdate',
		name: 'Reservation Update',
		description:
			'Notify the customer about an existing reservation, such as a change of itinerary, venue or hotel booking',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'RESERVATION_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'appointmentReminder',
		name: 'Appointment Reminder',
		description: 'Remind the customer of an important appointment they have booked, e.g. at the dentist',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'APPOINTMENT_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'travelUpdate',
		name: 'Travel Update',
		description:
			'Update the customer on an existing booking or a change of flight status, such as a last-minute gate change',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'TRANSPORTATION_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'ticketUpdate',
		name: 'Ticket Update',
		description: 'Send the customer their ticket for an event or trip, with entry details, arrival tips or a venue map',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'TICKET_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'alertUpdate',
		name: 'Alert Update',
		description:
			'Warn the customer about something important that needs their attention now, such as an outage (not news or events)',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'ALERT_UPDATE',
		requiresReferenceMessage: false,
	},
	{
		value: 'customerServiceResumption',
		name: 'Customer Service Resumption',
		description:
			'Resume a support conversation that could not be resolved within 24 hours; must refer to the earlier conversation',
		allowedCategories: ['UTILITY'],
		legacyCategory: 'ISSUE_RESOLUTION',
		requiresReferenceMessage: true,
	},
] as NotificationType[]);

export function getNotificationType(value: string): NotificationType | undefined {
	return NOTIFICATION_TYPES.find((type) => type.value === value);
}

/** Pre-2023 category names (and the 2022 interim ones) mapped to today's three categories. */
const CATEGORY_ALIASES: Readonly<Record<string, MetaCategory>> = {
	UTILITY: 'UTILITY',
	MARKETING: 'MARKETING',
	AUTHENTICATION: 'AUTHENTICATION',
	TRANSACTIONAL: 'UTILITY',
	OTP: 'AUTHENTICATION',
	ACCOUNT_UPDATE: 'UTILITY',
	PAYMENT_UPDATE: 'UTILITY',
	PERSONAL_FINANCE_UPDATE: 'UTILITY',
	SHIPPING_UPDATE: 'UTILITY',
	RESERVATION_UPDATE: 'UTILITY',
	ISSUE_RESOLUTION: 'UTILITY',
	APPOINTMENT_UPDATE: 'UTILITY',
	TRANSPORTATION_UPDATE: 'UTILITY',
	TICKET_UPDATE: 'UTILITY',
	ALERT_UPDATE: 'UTILITY',
	AUTO_REPLY: 'UTILITY',
};

/** Meta returns category as an open string; anything we cannot place is 'UNKNOWN' (never sendable). */
export function normaliseCategory(raw: unknown): MetaCategory | 'UNKNOWN' {
	if (typeof raw !== 'string') return 'UNKNOWN';
	const key = raw
		.trim()
		.toUpperCase()
		.replace(/[\s-]+/g, '_');
	return Object.prototype.hasOwnProperty.call(CATEGORY_ALIASES, key) ? CATEGORY_ALIASES[key] : 'UNKNOWN';
}

export interface TemplateSummary {
	id?: string;
	name: string;
	language: string;
	status: string;
	category: string;
	correct_category?: string | null;
	/** Meta's reason when the template is REJECTED (INVALID_FORMAT, PROMOTIONAL, …); requested in the template fields. */
	rejected_reason?: string | null;
}

export interface Eligibility {
	allowed: boolean;
	problem?: string;
	fix?: string;
}

const STATUS_DESCRIPTIONS: Readonly<Record<string, string>> = {
	APPROVED: 'approved and can be sent',
	PENDING: 'still in review by Meta (usually minutes, up to 48 hours) and cannot be sent yet',
	REJECTED: 'rejected by Meta (e.g. promotional content, wrong category or invalid format) and cannot be sent',
	PAUSED:
		'paused by Meta because recipients rated it low quality (first pause 3 hours, second pause 6 hours); it cannot be sent until it is approved again',
	DISABLED:
		'disabled by Meta after repeated low-quality pauses; it can never be sent again and must be replaced by a new template',
	IN_APPEAL: 'under appeal after a rejection and cannot be sent until the appeal succeeds',
	LIMIT_EXCEEDED: 'blocked because the account exceeded its template limit and cannot be sent',
	ARCHIVED: 'archived (unused for 12 months) and cannot be sent; unarchive it within 28 days or it is deleted',
	PENDING_DELETION: 'being deleted; Meta only tries to deliver messages already queued and new sends are refused',
	DELETED: 'deleted and cannot be sent; its name cannot be reused for 30 days',
	FLAGGED: 'flagged for low quality; it can still be sent but will be paused if quality does not improve',
	LOCKED: 'locked by Meta and cannot be edited or sent',
	REINSTATED: 'reinstated after a pause and can be sent again',
	UNARCHIVED: 'unarchived and back in its previous status',
};

/** A human explanation of a template status (or status event) for error messages and UI hints. */
export function describeTemplateStatus(status: string): string {
	const key = String(status ?? '')
		.trim()
		.toUpperCase();
	if (key === '') return 'The template has no status; reload the template list.';
	const text = STATUS_DESCRIPTIONS[key];
	return text
		? `The template is ${key}: ${text}.`
		: `The template has status ${key}, which this node does not know; only APPROVED templates can be sent.`;
}

const STATUS_FIXES: Readonly<Record<string, string>> = {
	PENDING: 'Wait for the approval (check the status in WhatsApp Manager) and run the workflow again.',
	PAUSED:
		'Wait until Meta lifts the pause (3 h after the first, 6 h after the second), and improve the content that users reported or blocked.',
	DISABLED: 'Create a new template with better content; a disabled template cannot be re-enabled.',
	IN_APPEAL: 'Wait for the appeal decision in WhatsApp Manager.',
	LIMIT_EXCEEDED: 'Delete templates you no longer use, then resubmit this one.',
	ARCHIVED: 'Unarchive the template in WhatsApp Manager.',
	PENDING_DELETION: 'Choose or create another template.',
	DELETED: 'Choose or create another template.',
};

export function checkTemplateEligibility(type: NotificationType, template: TemplateSummary): Eligibility {
	const label = `Template "${template.name}" (${template.language})`;
	const status = String(template.status ?? '')
		.trim()
		.toUpperCase();
	if (status === 'REJECTED') {
		const rejection = describeRejection(template.rejected_reason);
		return {
			allowed: false,
			problem: `${label} cannot be sent: Meta REJECTED it with reason ${rejection.reason} (${rejection.meaning}).`,
			fix: `${rejection.advice} Once Meta approves the new version, run the workflow again.`,
		};
	}
	if (status !== 'APPROVED') {
		return {
			allowed: false,
			problem: `${label} cannot be sent. ${describeTemplateStatus(status)}`,
			fix: STATUS_FIXES[status] ?? 'Choose an APPROVED template.',
		};
	}

	const category = normaliseCategory(template.category);
	if (category === 'UNKNOWN') {
		return {
			allowed: false,
			problem: `${label} has the category "${String(template.category)}", which is not a WhatsApp template category, so the cost and the rules that apply are unknown.`,
			fix: 'Reload the template list; if the category stays unknown, recreate the template as UTILITY.',
		};
	}
	if (!type.allowedCategories.includes(category)) {
		return {
			allowed: false,
			problem: `${label} is a ${category} template, but a "${type.name}" notification must use a ${type.allowedCategories.join(' or ')} template.`,
			fix:
				category === 'MARKETING'
					? 'Choose a UTILITY template; this node does not send marketing messages.'
					: 'Choose a UTILITY template; authentication templates are only for one-time passwords.',
		};
	}

	const rawCorrect = template.correct_category;
	if (typeof rawCorrect === 'string' && rawCorrect.trim() !== '') {
		const correct = normaliseCategory(rawCorrect);
		if (correct !== category && !(correct !== 'UNKNOWN' && type.allowedCategories.includes(correct))) {
			return {
				allowed: false,
				problem: `${label} is ${category} now, but Meta will move this template to ${rawCorrect.trim().toUpperCase()}; it would then no longer be a "${type.name}" notification and would be charged as ${rawCorrect.trim().toUpperCase()}.`,
				fix: 'Remove promotional wording from the template and submit it as a new UTILITY template, or request a review of the category in WhatsApp Manager.',
			};
		}
	}
	return { allowed: true };
}
