/**
 * Meta's OpenAPI schemas for template management (create, create response, edit), extracted from facebook/openapi
 * v23.0 into test/fixtures/openapi/message-templates.json. Meta's schemas are loose (all properties optional), so they
 * are a floor: a body that fails them is certainly wrong.
 */
import Ajv from 'ajv';

import spec from '../fixtures/openapi/message-templates.json';

const ajv = new Ajv({ allErrors: true, strict: false });

const compiled = {
	createRequest: ajv.compile(spec.createRequestSchema as object),
	createResponse: ajv.compile(spec.createResponseSchema as object),
	editRequest: ajv.compile(spec.editRequestSchema as object),
};

export type TemplateSchemaName = keyof typeof compiled;

export function validateTemplateApi(which: TemplateSchemaName, body: unknown): string[] {
	const validate = compiled[which];
	return validate(body)
		? []
		: (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`);
}

export const createRequestExamples = spec.createRequestExamples as Record<string, Record<string, unknown>>;
export const editRequestExamples = (spec.editRequestExamples ?? {}) as Record<string, Record<string, unknown>>;
