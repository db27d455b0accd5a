/**
 * The sendMessage conformance oracle (test/support/openapiValidator.ts): Meta's own examples pass,
 * the spec defects are patched, and clearly invalid bodies are rejected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSendMessageBody } from '../support/openapiValidator';
import schema from '../fixtures/openapi/send-message.schema.json';
import specExamples from '../fixtures/openapi/send_message_request_examples_from_facebook_openapi.json';
import docsExamples from '../fixtures/openapi/meta_docs_send_and_template_examples.json';

type Body = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);
const FIXTURES = join(__dirname, '..', 'fixtures', 'openapi');

/**
 * Spec examples that stay invalid after patching, because the example itself is wrong rather than
 * the schema. Each is asserted to fail with exactly this reason, so a fix on either side shows up.
 */
const SKIP: Record<string, { why: string; error: RegExp }> = {
	'Send Reply to List Message': {
		why: 'Omits `type`. Cloud API defaults `type` to "text", so this interactive list body would be a text message without `text` (the other list/interactive examples send type "interactive").',
		error: /must have required property 'text'/,
	},
	'Send Sample Issue Resolution Template': {
		why: 'Button parameters {"type":"text","text":true|false}: `text` is a JSON boolean. Meta documents a string (URL suffix); quick_reply buttons take {"type":"payload"}.',
		error: /\/template\/components\/1\/parameters\/0\/text must be string/,
	},
};

/**
 * Placeholders in Meta's examples that are not values of the documented type: "<http(s)://image-url>"
 * is not a URL, "<HEADER_TYPE>" not a header type. Replaced by a representative value before validating.
 */
const PLACEHOLDERS: Array<[RegExp, string]> = [
	[/^<?http\(s\):\/\/[^>]*>?$/, 'https://example.com/media.bin'],
	[/^<HEADER_TYPE>$/, 'text'],
];

function fillPlaceholders(v: unknown, used: Set<number>): unknown {
	if (Array.isArray(v)) return v.map((x) => fillPlaceholders(x, used));
	if (v && typeof v === 'object') {
		return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillPlaceholders(x, used)]));
	}
	if (typeof v === 'string') {
		const i = PLACEHOLDERS.findIndex(([re]) => re.test(v));
		if (i >= 0) {
			used.add(i);
			return PLACEHOLDERS[i][1];
		}
	}
	return v;
}

const examples = specExamples as Record<string, Body>;

describe('fixture provenance', () => {
	const provenance = (schema as unknown as { 'x-provenance': Record<string, unknown> })['x-provenance'];

	it('names source, version and licence, and ships the licence text', () => {
		expect(provenance.source).toMatch(/facebook\/openapi/);
		expect(provenance.apiVersion).toBe('v23.0');
		expect(provenance.openapi).toBe('3.1.0');
		expect(provenance.licence).toMatch(/MIT/);
		expect(readFileSync(join(FIXTURES, 'LICENSE'), 'utf8')).toMatch(/^MIT License\s+Copyright \(c\) Meta Platforms/);
		expect(existsSync(join(FIXTURES, 'extract.ts'))).toBe(true);
	});

	it('lists every patch with what and why, including the four known defects', () => {
		const patches = provenance.patches as Array<{ id: string; what: string; why: string }>;
		for (const p of patches) {
			expect(p.what.length).toBeGreaterThan(10);
			expect(p.why.length).toBeGreaterThan(10);
		}
		expect(patches.map((p) => p.id)).toEqual(
			expect.arrayContaining([
				'named-template-parameters',
				'language-policy-optional',
				'button-index',
				'action-and-coupon-code-parameters',
			]),
		);
	});
});

describe('Meta spec examples (facebook/openapi sendMessage, 50 request examples)', () => {
	const names = Object.keys(examples);

	it('has the 50 examples and a skip-list that only names existing ones', () => {
		expect(names).toHaveLength(50);
		for (const name of Object.keys(SKIP)) expect(names).toContain(name);
		expect(Object.keys(SKIP)).toHaveLength(2);
	});

	it.each(names.filter((n) => !(n in SKIP)))('%s is valid', (name) => {
		const result = validateSendMessageBody(fillPlaceholders(examples[name], new Set()));
		expect(result.errors).toEqual([]);
		expect(result.valid).toBe(true);
	});

	it.each(Object.entries(SKIP))('skip-listed "%s" fails for the documented reason', (name, { error }) => {
		const result = validateSendMessageBody(fillPlaceholders(examples[name], new Set()));
		expect(result.valid).toBe(false);
		expect(result.errors.join('\n')).toMatch(error);
	});

	it('uses every placeholder substitution, and they are what fails without it', () => {
		const used = new Set<number>();
		for (const name of names) fillPlaceholders(examples[name], used);
		expect([...used].sort()).toEqual(PLACEHOLDERS.map((_, i) => i));
		const raw = validateSendMessageBody(examples['Send Image Message by URL']);
		expect(raw.valid).toBe(false);
		expect(raw.errors.join('\n')).toMatch(/\/image\/link must match format "url"/);
	});
});

describe('Meta docs template sends', () => {
	const docs = docsExamples as unknown as Record<string, Body>;

	it.each(['send_template_named_params', 'send_template_positional_params', 'send_text_in_csw'])(
		'%s is valid',
		(key) => {
			expect(validateSendMessageBody(docs[key])).toEqual({ valid: true, errors: [] });
		},
	);
});

/** A body our Send Notification node could plausibly produce. */
const template = (): Body => ({
	messaging_product: 'whatsapp',
	recipient_type: 'individual',
	to: '+16505551234',
	type: 'template',
	template: {
		name: 'order_confirmation',
		language: { code: 'en_US' },
		components: [
			{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/a.jpg' } }] },
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Jessica' },
					{ type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } },
					{ type: 'date_time', date_time: { fallback_value: 'February 25, 1977' } },
				],
			},
			{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
			{ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'order/123' }] },
		],
	},
});
type Tpl = {
	template: { name?: string; language: Record<string, unknown>; components: Array<Record<string, unknown>> };
};
const edit = (f: (b: Body & Tpl) => void): Body => {
	const b = clone(template()) as Body & Tpl;
	f(b);
	return b;
};

describe('patched defects', () => {
	it('baseline template body is valid', () => {
		expect(validateSendMessageBody(template())).toEqual({ valid: true, errors: [] });
	});

	it('accepts named parameters (parameter_name)', () => {
		const body = edit((b) => {
			b.template.components[1].parameters = [{ type: 'text', parameter_name: 'first_name', text: 'Jessica' }];
		});
		expect(validateSendMessageBody(body).valid).toBe(true);
	});

	it('accepts language without policy, and policy "deterministic"; rejects any other policy', () => {
		expect(validateSendMessageBody(edit((b) => (b.template.language.policy = 'deterministic'))).valid).toBe(true);
		expect(validateSendMessageBody(edit((b) => (b.template.language.policy = 'fallback'))).valid).toBe(false);
	});

	it.each(['0', '1', '9', 0, 9])('accepts button index %p', (index) => {
		expect(validateSendMessageBody(edit((b) => (b.template.components[2].index = index))).valid).toBe(true);
	});

	it.each(['10', '-1', 'a', '', 10, 1.5, null])('rejects button index %p', (index) => {
		const r = validateSendMessageBody(edit((b) => (b.template.components[2].index = index)));
		expect(r.valid).toBe(false);
		expect(r.errors.join('\n')).toMatch(/\/template\/components\/2\/index/);
	});

	it('accepts coupon_code and action button parameters', () => {
		const body = edit((b) => {
			b.template.components.push(
				{
					type: 'button',
					sub_type: 'copy_code',
					index: '2',
					parameters: [{ type: 'coupon_code', coupon_code: '25OFF' }],
				},
				{ type: 'button', sub_type: 'flow', index: '3', parameters: [{ type: 'action', action: { flow_token: 't' } }] },
			);
		});
		expect(validateSendMessageBody(body)).toEqual({ valid: true, errors: [] });
	});

	it('accepts a free-form text body without recipient_type and type', () => {
		expect(
			validateSendMessageBody({ messaging_product: 'whatsapp', to: '+16505551234', text: { body: 'Hi' } }).valid,
		).toBe(true);
	});
});

describe('invalid bodies are rejected', () => {
	const cases: Array<[string, unknown, RegExp]> = [
		['not an object', 'hello', /must be object/],
		['missing messaging_product', edit((b) => delete b.messaging_product), /required property 'messaging_product'/],
		[
			'messaging_product not whatsapp',
			edit((b) => (b.messaging_product = 'sms')),
			/\/messaging_product must be equal to one of/,
		],
		['missing to', edit((b) => delete b.to), /required property 'to'/],
		['to is a number', edit((b) => (b.to = 16505551234)), /\/to must be string/],
		['unknown message type', edit((b) => (b.type = 'fax')), /\/type must be equal to one of the allowed values/],
		[
			'recipient_type unknown',
			edit((b) => (b.recipient_type = 'everyone')),
			/\/recipient_type must be equal to one of/,
		],
		['type template without template', edit((b) => delete (b as Body).template), /required property 'template'/],
		['template without name', edit((b) => delete b.template.name), /\/template must have required property 'name'/],
		[
			'template name not a string',
			edit((b) => ((b.template as Record<string, unknown>).name = 42)),
			/\/template\/name must be string/,
		],
		[
			'template without language',
			edit((b) => delete (b.template as Record<string, unknown>).language),
			/required property 'language'/,
		],
		[
			'language without code',
			edit((b) => delete b.template.language.code),
			/\/template\/language must have required property 'code'/,
		],
		[
			'unknown component type',
			edit((b) => (b.template.components[0].type = 'footer')),
			/\/template\/components\/0\/type must be equal to one of/,
		],
		[
			'body parameter with unknown type',
			edit((b) => (b.template.components[1].parameters = [{ type: 'emoji', emoji: ':)' }])),
			/\/template\/components\/1\/parameters\/0\/type must be equal to one of/,
		],
		[
			'text parameter without text',
			edit((b) => (b.template.components[1].parameters = [{ type: 'text', parameter_name: 'first_name' }])),
			/\/template\/components\/1\/parameters\/0 must have required property 'text'/,
		],
		[
			'named parameter with empty name',
			edit((b) => (b.template.components[1].parameters = [{ type: 'text', parameter_name: '', text: 'x' }])),
			/parameter_name must NOT have fewer than 1 characters/,
		],
		[
			'currency without amount_1000',
			edit(
				(b) =>
					(b.template.components[1].parameters = [
						{ type: 'currency', currency: { fallback_value: '$1', code: 'USD' } },
					]),
			),
			/currency must have required property 'amount_1000'/,
		],
		[
			'header parameters empty',
			edit((b) => (b.template.components[0].parameters = [])),
			/\/template\/components\/0\/parameters must NOT have fewer than 1 items/,
		],
		[
			'media with both id and link',
			edit(
				(b) =>
					(b.template.components[0].parameters = [
						{ type: 'image', image: { id: '1', link: 'https://example.com/a.jpg' } },
					]),
			),
			/image must match exactly one schema in oneOf/,
		],
		[
			'media link not a URL',
			edit((b) => (b.template.components[0].parameters = [{ type: 'image', image: { link: 'not a url' } }])),
			/image\/link must match format "url"/,
		],
		[
			'button without sub_type',
			edit((b) => delete b.template.components[2].sub_type),
			/\/template\/components\/2 must have required property 'sub_type'/,
		],
		[
			'button with unknown sub_type',
			edit((b) => (b.template.components[2].sub_type = 'call')),
			/\/template\/components\/2\/sub_type must be equal to one of/,
		],
		[
			'button parameter of body type',
			edit((b) => (b.template.components[2].parameters = [{ type: 'currency', currency: {} }])),
			/\/template\/components\/2\/parameters\/0\/type must be equal to one of/,
		],
		[
			'quick-reply payload not a string',
			edit((b) => (b.template.components[2].parameters = [{ type: 'payload', payload: 1 }])),
			/parameters\/0\/payload must be string/,
		],
		[
			'text message with a stray property',
			{ messaging_product: 'whatsapp', to: '+1', type: 'text', text: { body: 'Hi' }, template: {} },
			/must NOT have unevaluated properties \(template\)/,
		],
		[
			'text message without text',
			{ messaging_product: 'whatsapp', to: '+1', type: 'text' },
			/required property 'text'/,
		],
		[
			'text body not a string',
			{ messaging_product: 'whatsapp', to: '+1', type: 'text', text: { body: 5 } },
			/\/text\/body must be string/,
		],
		[
			'read receipt with other status',
			{ messaging_product: 'whatsapp', status: 'delivered', message_id: 'wamid.x' },
			/\/status must be equal to one of/,
		],
	];

	it.each(cases)('%s', (_name, body, error) => {
		const result = validateSendMessageBody(body);
		expect(result.valid).toBe(false);
		expect(result.errors.join('\n')).toMatch(error);
	});
});
