import { DateTime } from 'luxon';

import { localiseDateTimes } from '../../nodes/SendNotification/actions/customerData';
import { formatDateTimeFor, parseClockTime, quietHoursAt, resolveTimeZone } from '../../nodes/shared/domain/localTime';

const at = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toMillis();
const NIGHT = { start: parseClockTime('21:00')!, end: parseClockTime('08:00')! };

describe('quiet hours in the recipient’s local time', () => {
	it('defers a message at 23:30 in Berlin to 08:00 the next morning', () => {
		const decision = quietHoursAt(at('2026-12-03T22:30:00Z'), 'Europe/Berlin', NIGHT.start, NIGHT.end);
		expect(decision).toMatchObject({
			inside: true,
			sendAt: { utc: '2026-12-04T07:00:00.000Z', local: '2026-12-04T08:00:00.000+01:00' },
		});
	});

	it('defers a message at 05:00 to 08:00 the same day', () => {
		const decision = quietHoursAt(at('2026-12-04T04:00:00Z'), 'Europe/Berlin', NIGHT.start, NIGHT.end);
		expect(decision.sendAt?.local).toBe('2026-12-04T08:00:00.000+01:00');
	});

	it('lets 08:00 and 20:59 through, and uses the recipient’s zone, not UTC', () => {
		expect(quietHoursAt(at('2026-12-04T07:00:00Z'), 'Europe/Berlin', NIGHT.start, NIGHT.end).inside).toBe(false);
		expect(quietHoursAt(at('2026-12-04T19:59:00Z'), 'Europe/Berlin', NIGHT.start, NIGHT.end).inside).toBe(false);
		// 14:00 UTC is 23:00 in Tokyo but 09:00 in New York
		expect(quietHoursAt(at('2026-12-04T14:00:00Z'), 'Asia/Tokyo', NIGHT.start, NIGHT.end).inside).toBe(true);
		expect(quietHoursAt(at('2026-12-04T14:00:00Z'), 'America/New_York', NIGHT.start, NIGHT.end).inside).toBe(false);
	});

	it('is right across the DST change: the night of 28/29 March 2026 in Lisbon is one hour shorter', () => {
		// 22:00 local on 28 March (UTC+0) → 08:00 local on 29 March is UTC+1 = 07:00Z (9 hours later, not 10)
		const decision = quietHoursAt(at('2026-03-28T22:00:00Z'), 'Europe/Lisbon', NIGHT.start, NIGHT.end);
		expect(decision.sendAt).toEqual({ utc: '2026-03-29T07:00:00.000Z', local: '2026-03-29T08:00:00.000+01:00' });
		// and in autumn, 25 October 2026 (UTC+1 → UTC+0): 08:00 local is 08:00Z
		const autumn = quietHoursAt(at('2026-10-24T21:30:00Z'), 'Europe/Lisbon', NIGHT.start, NIGHT.end);
		expect(autumn.sendAt?.utc).toBe('2026-10-25T08:00:00.000Z');
	});

	it('handles a window that does not cross midnight, and an empty window', () => {
		const lunch = { start: parseClockTime('12:00')!, end: parseClockTime('13:30')! };
		expect(quietHoursAt(at('2026-12-04T12:15:00Z'), 'UTC', lunch.start, lunch.end).sendAt?.utc).toBe(
			'2026-12-04T13:30:00.000Z',
		);
		expect(quietHoursAt(at('2026-12-04T13:30:00Z'), 'UTC', lunch.start, lunch.end).inside).toBe(false);
		expect(quietHoursAt(at('2026-12-04T03:00:00Z'), 'UTC', NIGHT.start, NIGHT.start).inside).toBe(false);
	});

	it.each(['24:00', '8', '8:5', 'eight', '12:60'])('refuses the clock time %j', (value) => {
		expect(parseClockTime(value)).toBeUndefined();
	});
});

describe('which time zone', () => {
	const base = { itemZone: '', nodeDefault: '', workflowZone: 'Europe/Berlin' };
	it('prefers the item, then the country, then the node default, then the workflow', () => {
		expect(
			resolveTimeZone({ ...base, itemZone: 'Europe/Lisbon', countryZone: { zone: 'Asia/Kolkata', country: 'IN' } }),
		).toMatchObject({ zone: 'Europe/Lisbon', source: 'item' });
		expect(resolveTimeZone({ ...base, countryZone: { zone: 'Asia/Kolkata', country: 'IN' } })).toMatchObject({
			zone: 'Asia/Kolkata',
			source: 'phoneCountry',
		});
		expect(
			resolveTimeZone({
				...base,
				nodeDefault: 'America/Sao_Paulo',
				noCountryZoneBecause: 'Brazil has several time zones',
			}),
		).toEqual({
			zone: 'America/Sao_Paulo',
			source: 'nodeDefault',
			reason: "Brazil has several time zones: the node's Default Time Zone",
		});
		expect(resolveTimeZone(base)).toMatchObject({ zone: 'Europe/Berlin', source: 'workflow' });
	});
});

describe('date_time values in the recipient’s zone and language', () => {
	it('renders an instant in the recipient’s zone and language', () => {
		expect(formatDateTimeFor('2026-12-05T09:30:00Z', 'Europe/Lisbon', 'pt-PT')).toMatch(
			/sábado, 5 de dezembro de 2026.*9:30/,
		);
		expect(formatDateTimeFor('2026-12-05T09:30:00Z', 'America/New_York', 'en_US')).toMatch(
			/Saturday, December 5, 2026.*4:30/,
		);
		expect(formatDateTimeFor('2026-12-05T09:30:00+01:00', 'Europe/Berlin', 'de')).toMatch(
			/Samstag, 5\. Dezember 2026 um 9:30/,
		);
	});
	it('keeps a date without time on its calendar day', () => {
		expect(formatDateTimeFor('2026-12-05', 'Pacific/Honolulu', 'en')).toBe('Saturday, December 5, 2026');
	});
	it('leaves text that is not a timestamp alone', () => {
		expect(formatDateTimeFor('next Friday', 'UTC', 'en')).toBeUndefined();
	});
});

describe('date_time template variables (Send Notification 1.1)', () => {
	it('replaces an ISO timestamp with the recipient’s local wording and leaves the rest', () => {
		const out = localiseDateTimes(
			{
				body_1: 'Ana',
				body_2: { type: 'date_time', value: '2026-12-05T09:30:00Z' },
				body_3: { type: 'date_time', fallback_value: 'next Friday' },
				body_4: { type: 'date_time', fallback_value: '2026-03-29T07:30:00Z' },
			} as unknown as Parameters<typeof localiseDateTimes>[0],
			'Europe/Lisbon',
			'pt_PT',
		);
		expect(out.body_1).toBe('Ana');
		expect(out.body_2).toEqual({ type: 'date_time', fallback_value: 'sábado, 5 de dezembro de 2026 às 9:30' });
		expect(out.body_3).toEqual({ type: 'date_time', fallback_value: 'next Friday' });
		// after the spring change Lisbon is UTC+1
		expect(out.body_4).toEqual({ type: 'date_time', fallback_value: 'domingo, 29 de março de 2026 às 8:30' });
	});
});
