import {
	BODY_TEXT_MAX,
	buildTemplateComponents,
	describeTemplateSlots,
	placeholdersIn,
	slotValuesFromMapper,
	templateParameterFormat,
	type MessageTemplate,
	type SlotValue,
} from '../../nodes/shared/domain/templates';

function template(components: MessageTemplate['components'], extra: Partial<MessageTemplate> = {}): MessageTemplate {
	return {
		id: '1',
		name: 'order_update',
		language: 'en_US',
		status: 'APPROVED',
		category: 'UTILITY',
		components,
		...extra,
	};
}

const positional = template([
	{ type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#1234'] } },
	{
		type: 'BODY',
		text: 'Hi {{1}}, your order {{2}} ships on {{3}}. Total: {{4}}.',
		example: { body_text: [['Jessica', 'SKBUP2', 'Monday', '$10']] },
	},
	{ type: 'FOOTER', text: 'Reply STOP to opt out' },
	{
		type: 'BUTTONS',
		buttons: [
			{
				type: 'URL',
				text: 'Track',
				url: 'https://track.example.com/t/{{1}}',
				example: ['https://track.example.com/t/ABC123'],
			},
			{ type: 'QUICK_REPLY', text: 'Stop updates' },
			{ type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+4930123456' },
			{ type: 'URL', text: 'Help', url: 'https://example.com/help' },
		],
	},
]);

const named = template(
	[
		{
			type: 'HEADER',
			format: 'TEXT',
			text: 'Hello {{first_name}}',
			example: { header_text_named_params: [{ param_name: 'first_name', example: 'Pablo' }] },
		},
		{
			type: 'BODY',
			text: 'Thank you, {{first_name}}! Your order number is {{order_number}}.',
			example: {
				body_text_named_params: [
					{ param_name: 'first_name', example: 'Pablo' },
					{ param_name: 'order_number', example: '860198-230332' },
				],
			},
		},
	],
	{ parameter_format: 'named' },
);

const imageHeader = template([
	{ type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2U='] } },
	{ type: 'BODY', text: 'Your parcel {{1}} was delivered.' },
]);

describe('placeholdersIn', () => {
	it('returns distinct names in order of first appearance', () => {
		expect(placeholdersIn('{{2}} {{1}} {{2}} {{ name }} {{name}}')).toEqual(['2', '1', 'name']);
		expect(placeholdersIn('no variables')).toEqual([]);
		expect(placeholdersIn(undefined)).toEqual([]);
	});
});

describe('templateParameterFormat', () => {
	it.each([
		['NAMED', 'NAMED'],
		['named', 'NAMED'],
		['POSITIONAL', 'POSITIONAL'],
		['Positional', 'POSITIONAL'],
	])('uses the explicit field %s', (format, expected) => {
		expect(
			templateParameterFormat(template([{ type: 'BODY', text: 'Hi {{first_name}}' }], { parameter_format: format })),
		).toBe(expected);
	});

	it('infers NAMED from named placeholders and POSITIONAL otherwise', () => {
		expect(templateParameterFormat(template([{ type: 'BODY', text: 'Hi {{first_name}}' }]))).toBe('NAMED');
		expect(
			templateParameterFormat(
				template([
					{ type: 'HEADER', format: 'TEXT', text: 'Hi {{name}}' },
					{ type: 'BODY', text: 'x' },
				]),
			),
		).toBe('NAMED');
		expect(templateParameterFormat(template([{ type: 'BODY', text: 'Hi {{1}}' }]))).toBe('POSITIONAL');
		expect(templateParameterFormat(template([{ type: 'BODY', text: 'No variables' }]))).toBe('POSITIONAL');
		expect(templateParameterFormat(template([{ type: 'BODY', text: 'Hi {{1}}' }], { parameter_format: 'weird' }))).toBe(
			'POSITIONAL',
		);
	});
});

describe('describeTemplateSlots', () => {
	it('describes a positional template with header, body and buttons', () => {
		const slots = describeTemplateSlots(positional);
		expect(slots.map((slot) => [slot.key, slot.kind, slot.required])).toEqual([
			['header_1', 'headerText', true],
			['body_1', 'bodyText', true],
			['body_2', 'bodyText', true],
			['body_3', 'bodyText', true],
			['body_4', 'bodyText', true],
			['button_0_url', 'buttonUrl', true],
			['button_1_payload', 'buttonQuickReply', false],
		]);
		expect(slots[0]).toEqual({
			key: 'header_1',
			kind: 'headerText',
			label: 'Header {{1}} (e.g. #1234)',
			example: '#1234',
			required: true,
			position: 1,
		});
		expect(slots[1].label).toBe('Body {{1}} (e.g. Jessica)');
		expect(slots[5]).toMatchObject({ buttonIndex: 0, example: 'ABC123' });
		expect(slots[5].label).toContain('Track');
		expect(slots[6].buttonIndex).toBe(1);
	});

	it('describes named placeholders with paramName and named examples', () => {
		const slots = describeTemplateSlots(named);
		expect(slots.map((slot) => slot.key)).toEqual(['header_first_name', 'body_first_name', 'body_order_number']);
		expect(slots[2]).toEqual({
			key: 'body_order_number',
			kind: 'bodyText',
			label: 'Body {{order_number}} (e.g. 860198-230332)',
			example: '860198-230332',
			required: true,
			paramName: 'order_number',
		});
	});

	it('sorts positional placeholders by number even if the text uses them out of order', () => {
		const slots = describeTemplateSlots(template([{ type: 'BODY', text: '{{2}} then {{1}} and {{10}}' }]));
		expect(slots.map((slot) => slot.position)).toEqual([1, 2, 10]);
	});

	it.each([
		['IMAGE', 'image'],
		['VIDEO', 'video'],
		['DOCUMENT', 'document'],
	])('gives a %s header one media slot', (format, word) => {
		const slots = describeTemplateSlots(
			template([
				{ type: 'HEADER', format },
				{ type: 'BODY', text: 'Hi' },
			]),
		);
		expect(slots).toEqual([
			{
				key: 'header_media',
				kind: 'headerMedia',
				label: expect.stringContaining(word),
				required: true,
				mediaFormat: format,
			},
		]);
	});

	it('describes a copy-code button', () => {
		const slots = describeTemplateSlots(
			template([
				{ type: 'BODY', text: 'x' },
				{ type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'ABC' }] },
			]),
		);
		expect(slots).toEqual([
			expect.objectContaining({
				key: 'button_0_code',
				kind: 'buttonCopyCode',
				required: true,
				example: 'ABC',
				buttonIndex: 0,
			}),
		]);
	});

	it('tolerates lower-case component types and missing parts', () => {
		expect(describeTemplateSlots(template([{ type: 'body', text: 'Hi {{1}}' }])).map((slot) => slot.key)).toEqual([
			'body_1',
		]);
		expect(describeTemplateSlots(template([]))).toEqual([]);
		expect(describeTemplateSlots({ ...positional, components: undefined as unknown as [] })).toEqual([]);
	});

	it('produces keys that are unique and safe as n8n field ids', () => {
		for (const slots of [describeTemplateSlots(positional), describeTemplateSlots(named)]) {
			const keys = slots.map((slot) => slot.key);
			expect(new Set(keys).size).toBe(keys.length);
			for (const key of keys) expect(key).toMatch(/^[a-z0-9_]+$/);
		}
	});
});

describe('buildTemplateComponents — positional', () => {
	const values: Record<string, SlotValue> = {
		header_1: '#1234',
		body_1: 'Jessica',
		body_2: 'SKBUP2',
		body_3: { type: 'date_time', fallback_value: 'Monday, 1 March' },
		body_4: { type: 'currency', fallback_value: '$100.99', code: 'USD', amount_1000: 100990 },
		button_0_url: 'ABC123',
		button_1_payload: 'stop-updates',
	};

	it('builds the send components in Meta format', () => {
		const built = buildTemplateComponents(positional, values);
		expect(built.issues).toEqual([]);
		expect(built.components).toEqual([
			{ type: 'header', parameters: [{ type: 'text', text: '#1234' }] },
			{
				type: 'body',
				parameters: [
					{ type: 'text', text: 'Jessica' },
					{ type: 'text', text: 'SKBUP2' },
					{ type: 'date_time', date_time: { fallback_value: 'Monday, 1 March' } },
					{ type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } },
				],
			},
			{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'ABC123' }] },
			{
				type: 'button',
				sub_type: 'quick_reply',
				index: '1',
				parameters: [{ type: 'payload', payload: 'stop-updates' }],
			},
		]);
	});

	it('renders header, body and footer joined by blank lines', () => {
		expect(buildTemplateComponents(positional, values).renderedText).toBe(
			'Order #1234\n\nHi Jessica, your order SKBUP2 ships on Monday, 1 March. Total: $100.99.\n\nReply STOP to opt out',
		);
	});

	it('leaves out the optional quick-reply payload when not given', () => {
		const rest = { ...values };
		delete rest.button_1_payload;
		const built = buildTemplateComponents(positional, rest);
		expect(built.issues).toEqual([]);
		expect(built.components.filter((component) => component.sub_type === 'quick_reply')).toEqual([]);
	});

	it('turns numbers into text', () => {
		const built = buildTemplateComponents(template([{ type: 'BODY', text: 'Amount {{1}}' }]), { body_1: 20.5 });
		expect(built.components).toEqual([{ type: 'body', parameters: [{ type: 'text', text: '20.5' }] }]);
		expect(built.renderedText).toBe('Amount 20.5');
	});

	it('keeps positional order regardless of the order of the values object', () => {
		const t = template([{ type: 'BODY', text: '{{2}} {{1}}' }]);
		const built = buildTemplateComponents(t, { body_2: 'second', body_1: 'first' });
		expect(built.components[0]).toEqual({
			type: 'body',
			parameters: [
				{ type: 'text', text: 'first' },
				{ type: 'text', text: 'second' },
			],
		});
		expect(built.renderedText).toBe('second first');
	});
});

describe('buildTemplateComponents — named', () => {
	it('sends parameter_name with each value', () => {
		const built = buildTemplateComponents(named, {
			header_first_name: 'Jessica',
			body_first_name: 'Jessica',
			body_order_number: 'SKBUP2-4CPIG9',
		});
		expect(built.issues).toEqual([]);
		expect(built.components).toEqual([
			{ type: 'header', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Jessica' }] },
			{
				type: 'body',
				parameters: [
					{ type: 'text', parameter_name: 'first_name', text: 'Jessica' },
					{ type: 'text', parameter_name: 'order_number', text: 'SKBUP2-4CPIG9' },
				],
			},
		]);
		expect(built.renderedText).toBe('Hello Jessica\n\nThank you, Jessica! Your order number is SKBUP2-4CPIG9.');
	});

	it('adds parameter_name to currency values too', () => {
		const t = template([{ type: 'BODY', text: 'Total {{total}}' }], { parameter_format: 'NAMED' });
		const built = buildTemplateComponents(t, {
			body_total: { type: 'currency', fallback_value: '€20', code: 'EUR', amount_1000: 20000 },
		});
		expect(built.components[0]).toEqual({
			type: 'body',
			parameters: [
				{
					type: 'currency',
					parameter_name: 'total',
					currency: { fallback_value: '€20', code: 'EUR', amount_1000: 20000 },
				},
			],
		});
	});
});

describe('buildTemplateComponents — media headers', () => {
	it.each([
		['https://cdn.example.com/p.jpg', { link: 'https://cdn.example.com/p.jpg' }],
		['https://cdn.example.com/p.jpg?x=1&sig=A%2Fb', { link: 'https://cdn.example.com/p.jpg?x=1&sig=A%2Fb' }],
		['HTTPS://CDN.Example.com/P.jpg', { link: 'https://cdn.example.com/P.jpg' }],
		['https://bücher.example/cover.png', { link: 'https://xn--bcher-kva.example/cover.png' }],
		['  https://cdn.example.com/p.jpg  ', { link: 'https://cdn.example.com/p.jpg' }],
		['1234567890', { id: '1234567890' }],
	])('%j is sent as %j', (value, media) => {
		const built = buildTemplateComponents(imageHeader, { header_media: value, body_1: 'P1' });
		expect(built.issues).toEqual([]);
		expect(built.components[0]).toEqual({ type: 'header', parameters: [{ type: 'image', image: media }] });
		expect(built.renderedText).toBe('Your parcel P1 was delivered.');
	});

	it.each([
		['ftp://x.com/a.jpg', /ftp: link.*must be an https link/],
		['http://cdn.example.com/p.jpg', /http: link.*must be an https link/],
		['javascript:alert(1)', /javascript: link/],
		['cdn.example.com/p.jpg', /neither an https link nor a Meta media ID/],
		['4::aW1hZ2U=', /neither/],
		['https://', /not a valid link/],
		['https:cdn.example.com/p.jpg', /not a full https link/],
		['https://exa mple.com/a.jpg', /a space/],
		['https://cdn.example.com/a\u00a0b.jpg', /a space/],
		['https://cdn.example.com/a\u202egpj.exe', /invisible formatting character U\+202E/],
		['https://cdn.example.com\\@evil.example/a.jpg', /backslash/],
		['https://user:secret@cdn.example.com/a.jpg', /user name or password/],
		['https://token@cdn.example.com/a.jpg', /user name or password/],
		['https://localhost/a.jpg', /local host name/],
		['https://printer.local/a.jpg', /local host name/],
		['https://intranet/a.jpg', /without a domain/],
		['https://127.0.0.1/a.jpg', /loopback/],
		['https://2130706433/a.jpg', /127\.0\.0\.1, a loopback/],
		['https://0x7f.1/a.jpg', /127\.0\.0\.1, a loopback/],
		['https://0177.0.0.1/a.jpg', /loopback/],
		['https://10.1.2.3/a.jpg', /private/],
		['https://172.31.255.255/a.jpg', /private/],
		['https://192.168.0.10/a.jpg', /private/],
		['https://169.254.169.254/latest/meta-data', /link-local/],
		['https://100.64.0.1/a.jpg', /carrier-grade NAT/],
		['https://0.0.0.0/a.jpg', /this network/],
		['https://[::1]/a.jpg', /loopback/],
		['https://[::]/a.jpg', /unspecified/],
		['https://[::ffff:127.0.0.1]/a.jpg', /loopback/],
		['https://[::ffff:a9fe:a9fe]/a.jpg', /link-local/],
		['https://[64:ff9b::10.0.0.1]/a.jpg', /private/],
		['https://[fd12:3456::1]/a.jpg', /unique local/],
		['https://[fe80::1]/a.jpg', /link-local/],
		['https://[ff02::1]/a.jpg', /multicast/],
	])('refuses %j, saying what is wrong', (value, problem) => {
		const built = buildTemplateComponents(imageHeader, { header_media: value, body_1: 'P1' });
		expect(built.issues).toEqual([
			{ slot: 'header_media', problem: expect.stringMatching(problem), fix: expect.stringMatching(/https|media ID/) },
		]);
		expect(built.components.find((component) => component.type === 'header')).toBeUndefined();
	});

	it.each([
		['https://8.8.8.8/a.jpg'],
		['https://[2a03:2880:f12f:83:face:b00c:0:25de]/a.jpg'],
		['https://cdn.example.com:8443/a.jpg'],
		['https://172.32.0.1/a.jpg'],
	])('accepts the public host in %j', (value) => {
		expect(buildTemplateComponents(imageHeader, { header_media: value, body_1: 'P1' }).issues).toEqual([]);
	});

	it('refuses a 200,000-character link by its length at once (it took 74 s to check before)', () => {
		const value = `https://${'a.'.repeat(100_000)} x`;
		const built = buildTemplateComponents(imageHeader, { header_media: value, body_1: 'P1' });
		expect(built.issues).toEqual([
			{
				slot: 'header_media',
				problem: expect.stringMatching(/200010 characters long; links longer than 4096/),
				fix: expect.stringMatching(/media ID/),
			},
		]);
	});

	it('uses the document type for document headers', () => {
		const t = template([
			{ type: 'HEADER', format: 'DOCUMENT' },
			{ type: 'BODY', text: 'Invoice attached' },
		]);
		expect(buildTemplateComponents(t, { header_media: 'https://x.example/inv.pdf' }).components).toEqual([
			{ type: 'header', parameters: [{ type: 'document', document: { link: 'https://x.example/inv.pdf' } }] },
		]);
	});

	it('reports a location header as unsupported', () => {
		const t = template([
			{ type: 'HEADER', format: 'LOCATION' },
			{ type: 'BODY', text: 'Your pickup point' },
		]);
		expect(buildTemplateComponents(t, {}).issues).toEqual([
			expect.objectContaining({ problem: expect.stringMatching(/location header/) }),
		]);
	});
});

describe('buildTemplateComponents — validation', () => {
	const body = template([{ type: 'BODY', text: 'Hi {{1}}' }]);

	it('yields no components for a template without placeholders', () => {
		const built = buildTemplateComponents(
			template([
				{ type: 'BODY', text: 'Your appointment is confirmed.' },
				{ type: 'FOOTER', text: 'Acme' },
			]),
			{},
		);
		expect(built).toEqual({ components: [], renderedText: 'Your appointment is confirmed.\n\nAcme', issues: [] });
	});

	it.each([[undefined], [null], [''], ['   ']])('flags a missing required value %p', (value) => {
		const built = buildTemplateComponents(body, { body_1: value });
		expect(built.issues).toEqual([
			{ slot: 'body_1', problem: expect.stringMatching(/no value/), fix: expect.stringMatching(/Fill in/) },
		]);
		expect(built.renderedText).toBe('Hi {{1}}');
	});

	it('flags values that match no slot, listing the valid ones', () => {
		const built = buildTemplateComponents(body, { body_1: 'A', body_2: 'B', header_1: 'C', ignored: undefined });
		expect(built.issues.map((issue) => issue.slot)).toEqual(['body_2', 'header_1']);
		expect(built.issues[0].fix).toMatch(/body_1/);
		expect(buildTemplateComponents(template([{ type: 'BODY', text: 'x' }]), { body_1: 'A' }).issues[0].fix).toMatch(
			/no variables/,
		);
	});

	it.each([[true], [{ a: 1 }], [['a']], [Number.NaN], [Number.POSITIVE_INFINITY]])(
		'refuses a non-text value %p',
		(value) => {
			const built = buildTemplateComponents(body, { body_1: value as unknown as SlotValue });
			expect(built.issues).toHaveLength(1);
			expect(built.issues[0].slot).toBe('body_1');
			expect(built.components).toEqual([]);
		},
	);

	it('refuses currency/date_time objects outside the body', () => {
		const t = template([
			{ type: 'HEADER', format: 'TEXT', text: 'Due {{1}}' },
			{ type: 'BODY', text: 'x' },
		]);
		const built = buildTemplateComponents(t, { header_1: { type: 'date_time', fallback_value: 'Monday' } });
		expect(built.issues[0].problem).toMatch(/text or a number/);
	});

	it.each([
		['line\nbreak', /line break/],
		['carriage\rreturn', /line break/],
		['tab\there', /tab/],
		['five     spaces', /more than 4 spaces/],
		['line\u2028separator', /line separator \(U\+2028\)/],
		['paragraph\u2029separator', /paragraph separator \(U\+2029\)/],
		['vertical\vtab', /vertical tab/],
		['form\ffeed', /form feed/],
		['next\u0085line', /next-line/],
		['nul\u0000byte', /control character U\+0000/],
		['escape\u001b[31m', /control character U\+001B/],
		['five\u00a0\u00a0\u00a0\u00a0\u00a0no-break spaces', /more than 4 spaces.*no-break/],
		['mixed \u00a0 \u202f\u3000spaces', /more than 4 spaces/],
	])('applies Meta text rules to %j', (value, problem) => {
		const built = buildTemplateComponents(body, { body_1: value });
		expect(built.issues).toEqual([
			{ slot: 'body_1', problem: expect.stringMatching(problem), fix: expect.any(String) },
		]);
	});

	it('allows exactly four spaces, of any kind', () => {
		expect(buildTemplateComponents(body, { body_1: 'four    spaces' }).issues).toEqual([]);
		expect(buildTemplateComponents(body, { body_1: 'four \u00a0\u00a0 spaces, 1\u202f000 €' }).issues).toEqual([]);
	});

	it('refuses an over-long variable by its length before looking at its characters', () => {
		const built = buildTemplateComponents(body, { body_1: `${'x\n'.repeat(100_000)}` });
		expect(built.issues).toEqual([
			{
				slot: 'body_1',
				problem: expect.stringMatching(/200000 characters long; the whole body may have at most 1024/),
				fix: expect.any(String),
			},
		]);
	});

	it('applies the text rules to header variables and fallback values', () => {
		const t = template([
			{ type: 'HEADER', format: 'TEXT', text: 'H {{1}}' },
			{ type: 'BODY', text: 'B {{1}}' },
		]);
		const built = buildTemplateComponents(t, {
			header_1: 'a\nb',
			body_1: { type: 'date_time', fallback_value: 'a\tb' },
		});
		expect(built.issues.map((issue) => issue.slot)).toEqual(['header_1', 'body_1']);
	});

	it('limits the rendered header to 60 characters', () => {
		const t = template([
			{ type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
			{ type: 'BODY', text: 'x' },
		]);
		expect(buildTemplateComponents(t, { header_1: 'x'.repeat(54) }).issues).toEqual([]);
		const built = buildTemplateComponents(t, { header_1: 'x'.repeat(55) });
		expect(built.issues).toEqual([
			{ slot: 'header_1', problem: expect.stringMatching(/61 characters.*at most 60/), fix: expect.any(String) },
		]);
	});

	it('limits the rendered body to 1024 characters', () => {
		const prefix = 'Hi ';
		expect(buildTemplateComponents(body, { body_1: 'x'.repeat(BODY_TEXT_MAX - prefix.length) }).issues).toEqual([]);
		const built = buildTemplateComponents(body, { body_1: 'x'.repeat(BODY_TEXT_MAX) });
		expect(built.issues).toEqual([
			{ slot: 'body_1', problem: expect.stringMatching(/1027 characters/), fix: expect.stringMatching(/at least 3/) },
		]);
	});

	it('requires a URL-button suffix without spaces', () => {
		const t = template([
			{ type: 'BODY', text: 'x' },
			{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://t.example/{{1}}' }] },
		]);
		expect(buildTemplateComponents(t, {}).issues[0]).toMatchObject({
			slot: 'button_0_url',
			problem: expect.stringMatching(/no value/),
		});
		expect(buildTemplateComponents(t, { button_0_url: 'a b' }).issues[0]).toMatchObject({
			slot: 'button_0_url',
			problem: expect.stringMatching(/spaces/),
		});
		expect(buildTemplateComponents(t, { button_0_url: 'abc' }).issues).toEqual([]);
	});

	describe('URL-button suffixes that would move or disguise the link are refused', () => {
		const hostPrefix = template([
			{ type: 'BODY', text: 'x' },
			{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example{{1}}' }] },
		]);
		it.each([
			['@evil.example/login', /'@'/],
			['/orders?mail=a@b.example', /'@'/],
			['.evil.example/x', /starts with '\.'/],
			['/t/\u202eexe.pdf', /invisible .*U\+202E/],
			['/t/\u2066abc', /invisible .*U\+2066/],
			['/t/a\u200bb', /invisible .*U\+200B/],
			['/t/\u0000', /control character U\+0000/],
			['/t/\u007f', /control character U\+007F/],
			['/t/a\nb', /spaces or line breaks/],
			['/t/a\u00a0b', /spaces or line breaks/],
		])('%j', (value, problem) => {
			const [issue] = buildTemplateComponents(hostPrefix, { button_0_url: value }).issues;
			expect(issue).toEqual({
				slot: 'button_0_url',
				problem: expect.stringMatching(problem),
				fix: expect.stringMatching(/Remove|encode/i),
			});
		});

		it('accepts ordinary suffixes: paths, queries, encoded characters, non-Latin letters', () => {
			for (const value of ['/orders/A-10023', '/t?id=42&lang=de', '/t/%40home', '/заказ/17', '/o/1.2.3']) {
				expect(buildTemplateComponents(hostPrefix, { button_0_url: value }).issues).toEqual([]);
			}
		});

		it("limits the button link to Meta's 2,000 characters, fixed part included", () => {
			const fixed = 'https://shop.example'.length;
			expect(buildTemplateComponents(hostPrefix, { button_0_url: `/${'a'.repeat(2000 - fixed - 1)}` }).issues).toEqual(
				[],
			);
			const [issue] = buildTemplateComponents(hostPrefix, { button_0_url: `/${'a'.repeat(200_000)}` }).issues;
			expect(issue.problem).toMatch(/200021 characters long; WhatsApp allows at most 2000/);
			expect(issue.fix).toMatch(/at most 1980 characters/);
		});
	});

	it('builds the copy-code button parameter', () => {
		const t = template([
			{ type: 'BODY', text: 'x' },
			{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ok' }, { type: 'COPY_CODE' }] },
		]);
		expect(buildTemplateComponents(t, { button_1_code: 'PICKUP42' }).components).toEqual([
			{
				type: 'button',
				sub_type: 'copy_code',
				index: '1',
				parameters: [{ type: 'coupon_code', coupon_code: 'PICKUP42' }],
			},
		]);
	});

	it.each([
		[{ type: 'currency', fallback_value: '', code: 'EUR', amount_1000: 1 }, /fallback_value/],
		[{ type: 'currency', fallback_value: '€1', code: 'eur', amount_1000: 1000 }, /ISO 4217/],
		[{ type: 'currency', fallback_value: '€1', code: 'EUR', amount_1000: 1.5 }, /whole number/],
		[{ type: 'date_time', fallback_value: '  ' }, /fallback_value/],
	])('validates rich values %j', (value, problem) => {
		const built = buildTemplateComponents(body, { body_1: value as SlotValue });
		expect(built.issues[0]).toMatchObject({ slot: 'body_1', problem: expect.stringMatching(problem) });
		expect(built.components).toEqual([]);
	});

	it('reports every issue at once', () => {
		const built = buildTemplateComponents(positional, { body_1: 'a\nb', extra: 'x' });
		const slots = built.issues.map((issue) => issue.slot);
		expect(slots).toEqual(
			expect.arrayContaining(['extra', 'header_1', 'body_1', 'body_2', 'body_3', 'body_4', 'button_0_url']),
		);
		expect(slots).not.toContain('button_1_payload');
		for (const issue of built.issues) {
			expect(issue.problem).toBeTruthy();
			expect(issue.fix).toBeTruthy();
		}
	});
});

describe('slotValuesFromMapper (currency / date_time objects written as JSON text)', () => {
	it('reads currency and date_time objects from JSON text and keeps everything else as it is', () => {
		const currency = { type: 'currency', fallback_value: '€20.50', code: 'EUR', amount_1000: 20500 };
		expect(
			slotValuesFromMapper({
				body_1: ` ${JSON.stringify(currency)} `,
				body_2: '{"type":"date_time","fallback_value":"25 February 2027"}',
				body_3: 'Order {"type":"currency"}',
				body_4: '{"type":"currency", broken',
				body_5: '{"note":"a","type":"other"}',
				body_6: 42,
				body_7: currency,
			}),
		).toEqual({
			body_1: currency,
			body_2: { type: 'date_time', fallback_value: '25 February 2027' },
			body_3: 'Order {"type":"currency"}',
			body_4: '{"type":"currency", broken',
			body_5: '{"note":"a","type":"other"}',
			body_6: 42,
			body_7: currency,
		});
		expect(slotValuesFromMapper(undefined)).toEqual({});
	});

	it('leaves a 200,000-character value that only looks like JSON as text (the old pattern backtracked over it)', () => {
		const value = `{${'"type":"currency"'.repeat(12_000)}`;
		expect(slotValuesFromMapper({ body_1: value })).toEqual({ body_1: value });
		const long = `{"type":"currency","fallback_value":"${'x'.repeat(200_000)}"}`;
		expect(slotValuesFromMapper({ body_1: long })).toEqual({ body_1: long });
	});
});
