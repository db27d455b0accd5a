/**
 * The documented semantics of n8n's `@n8n/community-nodes/single-credential-per-node` lint rule, applied to a node
 * description object (what n8n loads) instead of the source text the ESLint rule reads:
 *
 *  - a node with fewer than two credentials passes;
 *  - otherwise EVERY pair of credentials must be mutually exclusive: some property name in both credentials'
 *    `displayOptions.show` must list values that all differ (the user can select only one of them), and that
 *    property must not be a `multiOptions` property of the node (several values could be selected at once);
 *  - a show condition whose values cannot be compared as plain strings, numbers or booleans (for example a
 *    `{ _cnd: … }` condition) does not count, so such a pair is reported, as the rule does for unresolved values.
 *
 * Source: packages/@n8n/eslint-plugin-community-nodes/src/rules/single-credential-per-node.ts and its test and
 * docs/rules/single-credential-per-node.md in n8n-io/n8n (the rule is not yet in the released plugin this
 * package pins). docs/verification.md ("One credential per node") explains how the nodes meet it.
 */
import type { INodeCredentialDescription, INodeTypeDescription } from 'n8n-workflow';

export interface CredentialPairViolation {
	first: string;
	second: string;
	/** Why the pair is not mutually exclusive, for the test's failure message. */
	reason: string;
}

type Primitive = string | number | boolean;

function isPrimitive(value: unknown): value is Primitive {
	return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The comparable show conditions of one credential: property name → its values (all primitives). */
function showConditions(credential: INodeCredentialDescription): Map<string, Primitive[]> {
	const conditions = new Map<string, Primitive[]>();
	const show = credential.displayOptions?.show ?? {};
	for (const [name, values] of Object.entries(show)) {
		if (!Array.isArray(values) || values.length === 0 || !values.every(isPrimitive)) continue;
		conditions.set(name, values as Primitive[]);
	}
	return conditions;
}

function multiOptionPropertyNames(description: Pick<INodeTypeDescription, 'properties'>): Set<string> {
	return new Set(description.properties.filter((p) => p.type === 'multiOptions').map((p) => p.name));
}

/** Equal as the rule compares them: same type and same value (so the string 'true' differs from the boolean true). */
function sameValue(left: Primitive, right: Primitive): boolean {
	return typeof left === typeof right && left === right;
}

function exclusiveOn(
	left: INodeCredentialDescription,
	right: INodeCredentialDescription,
	multiOptions: Set<string>,
): string | undefined {
	const rightConditions = showConditions(right);
	for (const [name, leftValues] of showConditions(left)) {
		if (multiOptions.has(name)) continue;
		const rightValues = rightConditions.get(name);
		if (rightValues && leftValues.every((l) => rightValues.every((r) => !sameValue(l, r)))) return name;
	}
	return undefined;
}

/** Every pair of credentials of this description that the user could be asked for at the same time. */
export function singleCredentialViolations(
	description: Pick<INodeTypeDescription, 'credentials' | 'properties'>,
): CredentialPairViolation[] {
	const credentials = description.credentials ?? [];
	if (credentials.length < 2) return [];
	const multiOptions = multiOptionPropertyNames(description);
	const violations: CredentialPairViolation[] = [];
	for (let i = 0; i < credentials.length - 1; i++) {
		for (let j = i + 1; j < credentials.length; j++) {
			if (exclusiveOn(credentials[i], credentials[j], multiOptions)) continue;
			violations.push({
				first: credentials[i].name,
				second: credentials[j].name,
				reason: 'no single-value property shows one credential and hides the other',
			});
		}
	}
	return violations;
}
