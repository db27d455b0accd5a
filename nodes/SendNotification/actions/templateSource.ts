import type { IDataObject } from 'n8n-workflow';

import { accountReadFix, type GraphError } from '../../shared/domain/metaErrors';
import type { MessageTemplate } from '../../shared/domain/templates';
import { listTemplatesNamed, readTemplate } from '../../shared/io/templates';
import type { AllPages, CloudCredentials, GraphContext } from '../../shared/io/transport';

export interface TemplateLocator {
	mode: string;
	value: string;
}

export type TemplateLookup =
	| { ok: true; template: MessageTemplate }
	| { ok: false; problem: string; fix: string; graphError?: GraphError };

export function readLocator(raw: unknown): TemplateLocator {
	if (raw && typeof raw === 'object' && 'value' in raw) {
		const rl = raw as IDataObject;
		return { mode: String(rl.mode ?? 'id'), value: String(rl.value ?? '').trim() };
	}
	return { mode: 'id', value: String(raw ?? '').trim() };
}

export function locatorKey(locator: TemplateLocator): string {
	return `${locator.mode}:${locator.value}`;
}

/**
 * The languages of each template name, listed once per run (per execution, or per editor request): the lookup By
 * Name and Match Recipient's translations read the same list, so they share one request. Within a run the list is
 * as fresh as the run; the next run reads it again (status and category can change at any time).
 */
const namedListingsOfRun = new WeakMap<GraphContext, Map<string, Promise<AllPages<MessageTemplate>>>>();

function listTemplatesNamedOncePerRun(ctx: GraphContext, credentials: CloudCredentials, name: string) {
	let listings = namedListingsOfRun.get(ctx);
	if (!listings) {
		listings = new Map();
		namedListingsOfRun.set(ctx, listings);
	}
	const key = `${credentials.businessAccountId}/${name}`;
	let listing = listings.get(key);
	if (!listing) {
		listing = listTemplatesNamed<MessageTemplate>(ctx, credentials, name);
		listings.set(key, listing);
	}
	return listing;
}

/** Reads a template as Meta has it now (status and category can change at any time, so never from a stale copy). */
export async function lookupTemplate(
	ctx: GraphContext,
	credentials: CloudCredentials,
	locator: TemplateLocator,
): Promise<TemplateLookup> {
	if (!locator.value) {
		return { ok: false, problem: 'No template is selected', fix: 'Pick a template in the Template field' };
	}
	if (locator.mode === 'name') {
		const [name, language] = locator.value.split('/');
		const found = await listTemplatesNamedOncePerRun(ctx, credentials, name);
		if (found.error) {
			return {
				ok: false,
				problem: `Meta refused listing the account's templates: ${found.error.message}`,
				fix: accountReadFix(found.error),
				graphError: found.error,
			};
		}
		const sameName = found.items;
		const matches = language ? sameName.filter((t) => t.language === language) : sameName;
		if (matches.length === 1) return { ok: true, template: matches[0] };
		if (matches.length === 0) {
			const languages = sameName.map((t) => t.language).join(', ');
			return {
				ok: false,
				problem: language
					? `The account has no template "${name}" in language "${language}"`
					: `The account has no template named "${name}"`,
				fix: languages
					? `Use one of its languages: ${languages} (e.g. ${name}/${sameName[0].language})`
					: 'Check the spelling (names are lower case with underscores) or pick the template from the list',
			};
		}
		return {
			ok: false,
			problem: `Template "${name}" exists in several languages (${matches.map((t) => t.language).join(', ')})`,
			fix: `Add the language, e.g. ${name}/${matches[0].language}`,
		};
	}
	if (!/^\d+$/.test(locator.value)) {
		return {
			ok: false,
			problem: `"${locator.value}" is not a template ID`,
			fix: 'A template ID has digits only; or choose By Name',
		};
	}
	const res = await readTemplate<MessageTemplate>(ctx, credentials, locator.value);
	if (res.error || !res.data) {
		const notFound = res.error?.code === 100;
		return {
			ok: false,
			problem: notFound
				? `No template with ID ${locator.value} exists in this account`
				: `Meta could not read template ${locator.value}: ${res.error?.message ?? 'empty answer'}`,
			fix: notFound
				? 'It may have been deleted, or the credential belongs to another account: pick the template again from the list'
				: res.error
					? accountReadFix(res.error)
					: 'Try again',
			graphError: res.error,
		};
	}
	return { ok: true, template: { ...res.data, components: res.data.components ?? [] } };
}

export type TranslationsLookup =
	| { ok: true; translations: MessageTemplate[] }
	| { ok: false; problem: string; fix: string; graphError?: GraphError };

/** Every language of a template name in the account (for Template Language: Match Recipient). */
export async function lookupTranslations(
	ctx: GraphContext,
	credentials: CloudCredentials,
	name: string,
): Promise<TranslationsLookup> {
	const found = await listTemplatesNamedOncePerRun(ctx, credentials, name);
	if (found.error) {
		return {
			ok: false,
			problem: `Meta refused listing the translations of template "${name}": ${found.error.message}`,
			fix: accountReadFix(found.error),
			graphError: found.error,
		};
	}
	return { ok: true, translations: found.items.map((t) => ({ ...t, components: t.components ?? [] })) };
}
