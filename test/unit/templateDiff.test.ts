import {
	baselineOf,
	decodeSnapshot,
	diffTemplates,
	encodeSnapshot,
	estimateRateLimit,
	filterEvents,
	pollsPerHour,
	toTemplateState,
	usabilityOf,
	type Snapshot,
	type TemplateEvent,
	type TemplateState,
} from '../../nodes/shared/domain/templateDiff';
import { assessText, templateText } from '../../nodes/TemplateStatusPoll/contentRisk';
import { syntheticTemplates } from '../../dev/syntheticTemplates';

const NOW = new Date('2026-11-25T10:00:00.000Z');

function t(overrides: Partial<TemplateState> = {}): TemplateState {
	return {
		id: '1000000000000001',
		name: 'shipping_update',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		correctCategory: '',
		quality: 'GREEN',
		rejectedReason: '',
		pauses: 0,
		...overrides,
	};
}

function snap(...states: TemplateState[]): Snapshot {
	return new Map(states.map((s) => [s.id, s]));
}

function diff(before: TemplateState[], after: TemplateState[]): TemplateEvent[] {
	const result = diffTemplates(snap(...before), { complete: true, templates: after }, NOW);
	if (!result.diffed) throw new Error(result.reason);
	return result.events;
}

const kinds = (events: TemplateEvent[]) => events.map((e) => e.event);

describe('template diff: one event per change', () => {
	it('emits nothing when nothing changed', () => {
		const states = [
			t(),
			t({ id: '2', name: 'b', status: 'PENDING' }),
			t({ id: '3', name: 'c', status: 'PAUSED', pauses: 1 }),
		];
		expect(
			diff(
				states,
				states.map((s) => ({ ...s, pauses: 0 })),
			),
		).toEqual([]);
	});

	it('created (pending) and created + approved for a template that appeared already approved', () => {
		expect(kinds(diff([], [t({ status: 'PENDING' })]))).toEqual(['created']);
		const events = diff([], [t()]);
		expect(kinds(events)).toEqual(['created', 'approved']);
		expect(events[1].usableBySendNotification).toBe(true);
	});

	it('approved: PENDING → APPROVED, now usable', () => {
		const [e] = diff([t({ status: 'PENDING' })], [t()]);
		expect(e).toMatchObject({
			event: 'approved',
			previousStatus: 'PENDING',
			status: 'APPROVED',
			usableBySendNotification: true,
		});
		expect(e.meaning).toMatch(/Now usable by Send Notification/);
	});

	it('approved as MARKETING is reported as not usable', () => {
		const [e] = diff([t({ status: 'PENDING' })], [t({ category: 'MARKETING' })]).filter((x) => x.event === 'approved');
		expect(e.usableBySendNotification).toBe(false);
		expect(e.meaning).toMatch(/Not usable by Send Notification: MARKETING/);
	});

	it('rejected with reason and recommendation', () => {
		const [e] = diff([t({ status: 'PENDING' })], [t({ status: 'REJECTED', rejectedReason: 'PROMOTIONAL' })]);
		expect(e).toMatchObject({ event: 'rejected', reason: 'PROMOTIONAL' });
		expect(e.recommendation).toMatch(/promotional/i);
	});

	it('paused: first, then second pause (counted across polls), unpaused in between', () => {
		const first = diffTemplates(
			snap(t()),
			{ complete: true, templates: [t({ status: 'PAUSED', quality: 'RED' })] },
			NOW,
		);
		if (!first.diffed) throw new Error('not diffed');
		expect(kinds(first.events)).toEqual(['paused', 'qualityChanged']);
		expect(first.events[0]).toMatchObject({
			pause: 1,
			usableBySendNotification: false,
			wasUsableBySendNotification: true,
		});
		expect(first.events[0].meaning).toMatch(/No longer usable by Send Notification: PAUSED/);
		const unpaused = diffTemplates(first.next, { complete: true, templates: [t({ quality: 'RED' })] }, NOW);
		if (!unpaused.diffed) throw new Error('not diffed');
		expect(kinds(unpaused.events)).toEqual(['unpaused']);
		const second = diffTemplates(
			unpaused.next,
			{ complete: true, templates: [t({ status: 'PAUSED', quality: 'RED' })] },
			NOW,
		);
		if (!second.diffed) throw new Error('not diffed');
		expect(second.events[0]).toMatchObject({ event: 'paused', pause: 2 });
		expect(second.events[0].pauseLabel).toMatch(/second pause/);
	});

	it('disabled, reinstated, other status changes', () => {
		expect(kinds(diff([t({ status: 'PAUSED' })], [t({ status: 'DISABLED' })]))).toEqual(['disabled']);
		expect(kinds(diff([t({ status: 'DISABLED' })], [t()]))).toEqual(['reinstated']);
		expect(kinds(diff([t({ status: 'ARCHIVED' })], [t()]))).toEqual(['reinstated']);
		const [archived] = diff([t()], [t({ status: 'ARCHIVED' })]);
		expect(archived).toMatchObject({ event: 'statusChanged', previousStatus: 'APPROVED', status: 'ARCHIVED' });
	});

	it('deleted: gone from a complete list', () => {
		const [e] = diff([t(), t({ id: '2', name: 'b' })], [t()]);
		expect(e).toMatchObject({
			event: 'deleted',
			templateId: '2',
			name: 'b',
			previousStatus: 'APPROVED',
			usableBySendNotification: false,
		});
		expect(e.meaning).toMatch(/No longer usable by Send Notification/);
	});

	it('category changed UTILITY → MARKETING: no longer usable by Send Notification: MARKETING', () => {
		const [e] = diff([t({ correctCategory: 'MARKETING' })], [t({ category: 'MARKETING' })]);
		expect(e).toMatchObject({ event: 'categoryChanged', previousCategory: 'UTILITY', category: 'MARKETING' });
		// Send Notification already refused it while the move was announced.
		expect(e.meaning).toMatch(/Not usable by Send Notification: MARKETING/);
		const [direct] = diff([t()], [t({ category: 'MARKETING' })]);
		expect(direct.meaning).toMatch(/No longer usable by Send Notification: MARKETING/);
	});

	it('category change pending (correct_category) once, with the expected date', () => {
		const [e] = diff([t()], [t({ correctCategory: 'MARKETING' })]);
		expect(e).toMatchObject({
			event: 'categoryChangePending',
			correctCategory: 'MARKETING',
			usableBySendNotification: false,
		});
		expect(e.expectedChangeBy).toBe('2026-11-26T10:00:00.000Z');
		expect(diff([t({ correctCategory: 'MARKETING' })], [t({ correctCategory: 'MARKETING' })])).toEqual([]);
		// correct_category equal to the category means "already moved": nothing pending.
		expect(diff([t()], [t({ correctCategory: 'UTILITY' })])).toEqual([]);
	});

	it('quality changed from → to', () => {
		const [e] = diff([t()], [t({ quality: 'YELLOW' })]);
		expect(e).toMatchObject({ event: 'qualityChanged', previousQualityScore: 'GREEN', qualityScore: 'YELLOW' });
	});

	it('a partial read is never diffed (no false "deleted")', () => {
		const result = diffTemplates(snap(t(), t({ id: '2', name: 'b' })), { complete: false, templates: [t()] }, NOW);
		expect(result.diffed).toBe(false);
		expect(baselineOf({ complete: false, templates: [] })).toBeUndefined();
	});

	it('filters by name or ID and by event kind', () => {
		const events = diff([t(), t({ id: '2', name: 'b' })], [t({ quality: 'RED' })]);
		expect(kinds(filterEvents(events, { names: ['shipping_update'] }))).toEqual(['qualityChanged']);
		expect(kinds(filterEvents(events, { names: ['2'] }))).toEqual(['deleted']);
		expect(kinds(filterEvents(events, { events: ['deleted'] }))).toEqual(['deleted']);
		expect(filterEvents(events, {})).toHaveLength(2);
	});
});

describe('template state from the Graph list', () => {
	it('reads quality_score objects, NONE reasons and numbers as ids', () => {
		expect(
			toTemplateState({
				id: 123,
				name: 'x',
				language: 'de',
				status: 'approved',
				category: 'utility',
				quality_score: { score: 'GREEN' },
				rejected_reason: 'NONE',
			}),
		).toEqual({
			id: '123',
			name: 'x',
			language: 'de',
			status: 'APPROVED',
			category: 'UTILITY',
			correctCategory: '',
			quality: 'GREEN',
			rejectedReason: '',
			pauses: 0,
		});
		expect(toTemplateState({ name: 'no id' })).toBeUndefined();
	});

	it('usability follows Send Notification (APPROVED UTILITY without an announced move)', () => {
		expect(usabilityOf(t())).toEqual({ usable: true });
		expect(usabilityOf(t({ category: 'MARKETING' }))).toEqual({ usable: false, why: 'MARKETING' });
		expect(usabilityOf(t({ correctCategory: 'MARKETING' }))).toEqual({ usable: false, why: 'moving to MARKETING' });
		expect(usabilityOf(t({ status: 'PAUSED' }))).toEqual({ usable: false, why: 'PAUSED' });
		expect(usabilityOf(t({ category: 'ACCOUNT_UPDATE' })).usable).toBe(true);
	});
});

describe('snapshot encoding', () => {
	it('round-trips every field, unknown enum values and one-letter values included', () => {
		const states = [
			t(),
			t({ id: '2', name: 'b', status: 'PAUSED', pauses: 2, quality: 'RED' }),
			t({
				id: '3',
				name: 'c',
				status: 'FLAGGED',
				category: 'ACCOUNT_UPDATE',
				correctCategory: 'MARKETING',
				quality: 'UNKNOWN',
				rejectedReason: 'INVALID_FORMAT',
			}),
			t({ id: '4', name: 'd', status: 'A', category: 'M', quality: 'X' }),
		];
		const decoded = decodeSnapshot(encodeSnapshot(states));
		const byId = (a: TemplateState, b: TemplateState) => a.id.localeCompare(b.id);
		expect(decoded && [...decoded.values()].sort(byId)).toEqual([...states].sort(byId));
		// Languages of one name share the name field.
		const twoLanguages = [t(), t({ id: '9', language: 'de' })];
		expect(encodeSnapshot(twoLanguages).split('\n')[2]).toBe('9\t\tde\tA\tU\t\tG');
		expect([...(decodeSnapshot(encodeSnapshot(twoLanguages))?.values() ?? [])].map((s) => s.name)).toEqual([
			'shipping_update',
			'shipping_update',
		]);
		expect(decodeSnapshot('something else')).toBeUndefined();
		expect(decodeSnapshot(undefined)).toBeUndefined();
		expect(decodeSnapshot('t1')?.size).toBe(0);
	});

	it("6,000 templates (Meta's cap per account) stay small", () => {
		const states = syntheticTemplates(6000).map((raw) => toTemplateState(raw) as TemplateState);
		const encoded = encodeSnapshot(states);
		const bytes = Buffer.byteLength(JSON.stringify({ snapshot: encoded }), 'utf8');

		console.log(
			`snapshot of 6,000 templates: ${bytes} bytes in static data (${(bytes / 6000).toFixed(1)} bytes per template)`,
		);
		expect(bytes / 6000).toBeLessThan(48);
		expect(bytes).toBeLessThan(288 * 1024);
		const decoded = decodeSnapshot(encoded);
		expect(decoded?.size).toBe(6000);
		const again = diffTemplates(decoded as Snapshot, { complete: true, templates: states }, NOW);
		expect(again.diffed && again.events).toEqual([]);
	});
});

describe('rate limit estimate', () => {
	it('works out polls per hour from n8n poll times', () => {
		expect(pollsPerHour([{ mode: 'everyMinute' }])).toBe(60);
		expect(pollsPerHour([{ mode: 'everyX', value: 5, unit: 'minutes' }])).toBe(12);
		expect(pollsPerHour([{ mode: 'everyHour', minute: 3 }])).toBe(1);
		expect(pollsPerHour([{ mode: 'custom', cronExpression: '*/10 * * * *' }])).toBe(6);
		expect(pollsPerHour([{ mode: 'custom', cronExpression: '0 0,30 * * * *' }])).toBe(2);
		expect(pollsPerHour([])).toBeUndefined();
	});

	it('warns when pages × polls per hour exceed the budget', () => {
		expect(estimateRateLimit(6, 60, 200)).toMatchObject({ requestsPerHour: 360, exceeded: true });
		expect(estimateRateLimit(6, 60, 200).warning).toMatch(/200 per hour/);
		expect(estimateRateLimit(3, 60, 200).exceeded).toBe(false);
		expect(estimateRateLimit(6, undefined, 200).exceeded).toBe(false);
	});
});

describe('re-categorisation risk of approved utility templates', () => {
	it('flags promotional wording and passes plain notifications', () => {
		const risky = assessText(
			templateText([{ type: 'BODY', text: 'Your order shipped. Use code SAVE10 for 20% off your next order!' }]),
		);
		expect(risky.atRisk).toBe(true);
		expect(risky.note).toMatch(/At risk of re-categorisation to MARKETING: mentions discounts/);
		expect(assessText('Your order {{1}} has shipped.').atRisk).toBe(false);
	});
});
