import {
	NOTIFICATION_TYPES,
	checkTemplateEligibility,
	describeTemplateStatus,
	getNotificationType,
	normaliseCategory,
	type NotificationType,
	type TemplateSummary,
} from '../../nodes/shared/domain/notificationTypes';

const shipping = getNotificationType('shippingStatus') as NotificationType;

function template(overrides: Partial<TemplateSummary> = {}): TemplateSummary {
	return { id: '1', name: 'order_shipped', language: 'en_US', status: 'APPROVED', category: 'UTILITY', ...overrides };
}

describe('NOTIFICATION_TYPES', () => {
	it('lists the ten seed types in seed order', () => {
		expect(NOTIFICATION_TYPES.map((type) => type.value)).toEqual([
			'accountUpdate',
			'paymentRequest',
			'shippingStatus',
			'invoiceFinanceUpdate',
			'reservationUpdate',
			'appointmentReminder',
			'travelUpdate',
			'ticketUpdate',
			'alertUpdate',
			'customerServiceResumption',
		]);
	});

	it('maps each type to its 2019 legacy category', () => {
		expect(NOTIFICATION_TYPES.map((type) => type.legacyCategory)).toEqual([
			'ACCOUNT_UPDATE',
			'PAYMENT_UPDATE',
			'SHIPPING_UPDATE',
			'PERSONAL_FINANCE_UPDATE',
			'RESERVATION_UPDATE',
			'APPOINTMENT_UPDATE',
			'TRANSPORTATION_UPDATE',
			'TICKET_UPDATE',
			'ALERT_UPDATE',
			'ISSUE_RESOLUTION',
		]);
	});

	it.each(NOTIFICATION_TYPES.map((type) => [type.value, type]))('%s is a well-formed UTILITY type', (_value, type) => {
		expect(type.allowedCategories).toEqual(['UTILITY']);
		expect(type.name).toMatch(/^[A-Z][a-z]+( (\/ )?[A-Z][a-z]+)*$/);
		expect(type.description).toMatch(/^[A-Z]/);
		expect(type.description).not.toMatch(/\n/);
		expect(type.description.length).toBeLessThan(140);
	});

	it('has unique values and names', () => {
		expect(new Set(NOTIFICATION_TYPES.map((type) => type.value)).size).toBe(10);
		expect(new Set(NOTIFICATION_TYPES.map((type) => type.name)).size).toBe(10);
	});

	it('only customer service resumption requires a reference to the earlier conversation', () => {
		expect(NOTIFICATION_TYPES.filter((type) => type.requiresReferenceMessage).map((type) => type.value)).toEqual([
			'customerServiceResumption',
		]);
	});

	it('uses the agreed display names', () => {
		expect(getNotificationType('accountUpdate')?.name).toBe('Account Update');
		expect(getNotificationType('invoiceFinanceUpdate')?.name).toBe('Invoice / Finance Update');
	});
});

describe('getNotificationType', () => {
	it('finds by value and returns undefined otherwise', () => {
		expect(getNotificationType('ticketUpdate')?.legacyCategory).toBe('TICKET_UPDATE');
		expect(getNotificationType('TicketUpdate')).toBeUndefined();
		expect(getNotificationType('')).toBeUndefined();
		expect(getNotificationType('marketing')).toBeUndefined();
	});
});

describe('normaliseCategory', () => {
	it.each([
		['UTILITY', 'UTILITY'],
		['utility', 'UTILITY'],
		[' Utility ', 'UTILITY'],
		['MARKETING', 'MARKETING'],
		['marketing', 'MARKETING'],
		['AUTHENTICATION', 'AUTHENTICATION'],
		['TRANSACTIONAL', 'UTILITY'],
		['transactional', 'UTILITY'],
		['OTP', 'AUTHENTICATION'],
		['otp', 'AUTHENTICATION'],
		['ACCOUNT_UPDATE', 'UTILITY'],
		['payment_update', 'UTILITY'],
		['PERSONAL_FINANCE_UPDATE', 'UTILITY'],
		['SHIPPING_UPDATE', 'UTILITY'],
		['RESERVATION_UPDATE', 'UTILITY'],
		['ISSUE_RESOLUTION', 'UTILITY'],
		['APPOINTMENT_UPDATE', 'UTILITY'],
		['TRANSPORTATION_UPDATE', 'UTILITY'],
		['TICKET_UPDATE', 'UTILITY'],
		['ALERT_UPDATE', 'UTILITY'],
		['AUTO_REPLY', 'UTILITY'],
		['SERVICE', 'UNKNOWN'],
		['', 'UNKNOWN'],
		['constructor', 'UNKNOWN'],
		['toString', 'UNKNOWN'],
	])('%j → %s', (raw, expected) => {
		expect(normaliseCategory(raw)).toBe(expected);
	});

	it.each([[undefined], [null], [42], [{}], [['UTILITY']]])('non-string %j → UNKNOWN', (raw) => {
		expect(normaliseCategory(raw)).toBe('UNKNOWN');
	});
});

describe('describeTemplateStatus', () => {
	it('explains pauses with their durations', () => {
		const text = describeTemplateStatus('PAUSED');
		expect(text).toMatch(/low quality/);
		expect(text).toMatch(/3 hours/);
		expect(text).toMatch(/6 hours/);
	});

	it('explains disabled as the result of repeated pauses', () => {
		expect(describeTemplateStatus('disabled')).toMatch(/repeated/);
	});

	it.each([
		'APPROVED',
		'PENDING',
		'REJECTED',
		'IN_APPEAL',
		'LIMIT_EXCEEDED',
		'ARCHIVED',
		'PENDING_DELETION',
		'DELETED',
		'FLAGGED',
	])('%s has a specific explanation', (status) => {
		const text = describeTemplateStatus(status);
		expect(text).toContain(status);
		expect(text).not.toMatch(/does not know/);
	});

	it('handles unknown and empty statuses', () => {
		expect(describeTemplateStatus('WEIRD')).toMatch(/does not know.*only APPROVED/);
		expect(describeTemplateStatus('')).toMatch(/no status/);
	});
});

describe('checkTemplateEligibility', () => {
	it('allows an approved utility template', () => {
		expect(checkTemplateEligibility(shipping, template())).toEqual({ allowed: true });
	});

	it('allows lower-case status and legacy utility categories', () => {
		expect(
			checkTemplateEligibility(shipping, template({ status: 'approved', category: 'SHIPPING_UPDATE' })).allowed,
		).toBe(true);
		expect(checkTemplateEligibility(shipping, template({ category: 'TRANSACTIONAL' })).allowed).toBe(true);
	});

	it.each([
		'PAUSED',
		'DISABLED',
		'PENDING',
		'REJECTED',
		'IN_APPEAL',
		'LIMIT_EXCEEDED',
		'ARCHIVED',
		'PENDING_DELETION',
		'DELETED',
		'SOMETHING_NEW',
		'',
	])('refuses status %j with a problem and a fix', (status) => {
		const result = checkTemplateEligibility(shipping, template({ status }));
		expect(result.allowed).toBe(false);
		expect(result.problem).toContain('order_shipped');
		expect(result.fix).toBeTruthy();
	});

	it('explains a paused template and when it comes back', () => {
		const result = checkTemplateEligibility(shipping, template({ status: 'PAUSED' }));
		expect(result.problem).toMatch(/low quality/);
		expect(result.fix).toMatch(/3 h/);
	});

	it.each([
		['PROMOTIONAL', /promotional content/, /Remove offers, discounts/],
		['INVALID_FORMAT', /format rule/, /adjacent \{\{1\}\}\{\{2\}\}/],
		['TAG_CONTENT_MISMATCH', /does not match the content/, /language or the category/],
		['INCORRECT_CATEGORY', /does not fit the category/, /right category/],
		['ABUSIVE_CONTENT', /violates its policies/, /Rewrite the template/],
		['SCAM', /possible scam/, /business identification/],
		['CATEGORY_NOT_AVAILABLE', /not available/, /another category/],
		['NONE', /gave no reason/, /WhatsApp Manager/],
	])("names Meta's rejected_reason %s and what to change", (reason, meaning, advice) => {
		const result = checkTemplateEligibility(shipping, template({ status: 'REJECTED', rejected_reason: reason }));
		expect(result.allowed).toBe(false);
		expect(result.problem).toContain(`reason ${reason}`);
		expect(result.problem).toMatch(meaning);
		expect(result.fix).toMatch(advice);
	});

	it('names a missing or unknown rejected_reason as it is', () => {
		expect(checkTemplateEligibility(shipping, template({ status: 'REJECTED' })).problem).toContain('reason NONE');
		expect(
			checkTemplateEligibility(shipping, template({ status: 'REJECTED', rejected_reason: null })).problem,
		).toContain('reason NONE');
		const unknown = checkTemplateEligibility(
			shipping,
			template({ status: 'REJECTED', rejected_reason: 'NEW_REASON_2027' }),
		);
		expect(unknown.problem).toMatch(/reason NEW_REASON_2027 \(a reason this node does not know yet\)/);
		expect(unknown.fix).toMatch(/WhatsApp Manager/);
	});

	it('checks status before category', () => {
		const result = checkTemplateEligibility(shipping, template({ status: 'REJECTED', category: 'MARKETING' }));
		expect(result.problem).toMatch(/REJECTED/);
		expect(result.problem).not.toMatch(/MARKETING template/);
	});

	it.each([['MARKETING'], ['marketing'], ['AUTHENTICATION'], ['OTP']])(
		'refuses category %s naming the category and the type',
		(category) => {
			const result = checkTemplateEligibility(shipping, template({ category }));
			expect(result.allowed).toBe(false);
			expect(result.problem).toMatch(/MARKETING|AUTHENTICATION/);
			expect(result.problem).toContain('Shipping Status');
			expect(result.fix).toMatch(/UTILITY/);
		},
	);

	it('refuses an unknown category', () => {
		const result = checkTemplateEligibility(shipping, template({ category: 'SOMETHING' }));
		expect(result.allowed).toBe(false);
		expect(result.problem).toContain('SOMETHING');
	});

	it('refuses a utility template Meta is about to move to MARKETING', () => {
		const result = checkTemplateEligibility(shipping, template({ correct_category: 'MARKETING' }));
		expect(result.allowed).toBe(false);
		expect(result.problem).toContain('Meta will move this template to MARKETING');
		expect(result.fix).toBeTruthy();
	});

	it('ignores correct_category when empty, null, equal or still allowed', () => {
		for (const correct of ['', null, undefined, 'UTILITY', 'utility', 'ACCOUNT_UPDATE']) {
			expect(checkTemplateEligibility(shipping, template({ correct_category: correct })).allowed).toBe(true);
		}
	});

	it('refuses an unknown correct_category that differs', () => {
		expect(checkTemplateEligibility(shipping, template({ correct_category: 'AUTHENTICATION' })).allowed).toBe(false);
		expect(checkTemplateEligibility(shipping, template({ correct_category: 'NEW_THING' })).allowed).toBe(false);
	});
});
