/**
 * The part of luxon's API this package uses. n8n provides luxon to nodes at run time; its type package is not a
 * dependency of this repository, so the signatures used are declared here (from luxon 3's documentation).
 */
declare module 'luxon' {
	export interface DateTimeOptions {
		zone?: string;
		setZone?: boolean;
		locale?: string;
	}
	export interface DateObjectUnits {
		year?: number;
		month?: number;
		day?: number;
		hour?: number;
		minute?: number;
		second?: number;
		millisecond?: number;
	}
	export interface DurationLikeObject {
		days?: number;
		hours?: number;
		minutes?: number;
	}
	export class DateTime {
		static fromMillis(ms: number, options?: DateTimeOptions): DateTime;
		static fromISO(text: string, options?: DateTimeOptions): DateTime;
		static utc(): DateTime;
		readonly isValid: boolean;
		readonly hour: number;
		readonly minute: number;
		readonly zoneName: string | null;
		set(values: DateObjectUnits): DateTime;
		plus(duration: DurationLikeObject): DateTime;
		minus(duration: DurationLikeObject): DateTime;
		setZone(zone: string): DateTime;
		setLocale(locale: string): DateTime;
		toUTC(): DateTime;
		startOf(unit: 'year' | 'month' | 'day' | 'hour' | 'minute'): DateTime;
		toISO(options?: { suppressMilliseconds?: boolean }): string | null;
		toMillis(): number;
		toLocaleString(format?: Intl.DateTimeFormatOptions): string;
	}
	export class IANAZone {
		static isValidZone(zone: string): boolean;
	}
}
