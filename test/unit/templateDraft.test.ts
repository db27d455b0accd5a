import { buildTemplateDraft, checkTemplateDraft, type TemplateDraft } from '../../nodes/shared/domain/templateDraft';
import { evaluate, firedRules, loadCorpus } from '../../dev/templateCorpus';

function draft(
	body: string,
	example?: string[] | Record<string, string>,
	extra: Partial<TemplateDraft> = {},
): TemplateDraft {
	const component: TemplateDraft['components'][number] = { type: 'BODY', text: body };
	if (Array.isArray(example)) component.example = { body_text: [example] };
	else if (example)
		component.example = {
			body_text_named_params: Object.entries(example).map(([param_name, value]) => ({ param_name, example: value })),
		};
	return { name: 'order_shipped', language: 'en_US', category: 'UTILITY', components: [component], ...extra };
}

const rules = (d: TemplateDraft) => checkTemplateDraft(d).errors.map((finding) => finding.rule);

describe('checkTemplateDraft — a clean utility draft', () => {
	it('has no errors and a low marketing risk', () => {
		const result = checkTemplateDraft(
			draft('Hi {{1}}, your order {{2}} has shipped and will arrive on {{3}}. Thank you.', [
				'Maria',
				'A-10023',
				'June 12',
			]),
			{ notificationType: 'shippingStatus' },
		);
		expect(result.errors).toEqual([]);
		expect(result.warnings).toEqual([]);
		expect(result.ok).toBe(true);
		expect(result.marketingRisk.level).toBe('low');
		expect(result.variables).toEqual({ format: 'POSITIONAL', header: [], body: ['1', '2', '3'] });
	});

	it('accepts named variables with named examples', () => {
		expect(
			rules(
				draft(
					'Thank you, {{first_name}}! Your order number is {{order_number}}.',
					{ first_name: 'Pablo', order_number: '860198-230332' },
					{ parameter_format: 'NAMED' },
				),
			),
		).toEqual([]);
	});
});

describe('checkTemplateDraft — every finding has the rule, the text and a fix', () => {
	it.each<[string, TemplateDraft, string]>([
		['name', draft('Your order {{1}} is ready now.', ['A1'], { name: 'Order Shipped!' }), 'name'],
		['language with a hyphen', draft('Your order {{1}} is ready now.', ['A1'], { language: 'en-US' }), 'language'],
		['language unknown variant', draft('Your order {{1}} is ready now.', ['A1'], { language: 'pt' }), 'language'],
		['marketing category', draft('Your order {{1}} is ready now.', ['A1'], { category: 'MARKETING' }), 'category'],
		['starts with a variable', draft('{{1}}, your order is ready for pickup today.', ['Ana']), 'variablePosition'],
		['ends with a variable', draft('Your order is ready for pickup at {{1}}', ['Store 4']), 'variablePosition'],
		[
			'variables side by side',
			draft('Hi, order {{1}} {{2}} is ready for pickup today.', ['A1', 'B2']),
			'adjacentVariables',
		],
		[
			'not sequential',
			draft('Hi {{1}}, order {{3}} is ready for pickup today.', ['Ana', 'x', 'A1']),
			'variableSequence',
		],
		[
			'mixed styles',
			draft('Hi {{first_name}}, order {{1}} is ready for pickup today.', { first_name: 'Ana' }),
			'variableFormat',
		],
		[
			'declared NAMED, numbered used',
			draft('Hi {{1}}, your order is ready for pickup today.', ['Ana'], { parameter_format: 'NAMED' }),
			'variableFormat',
		],
		['single braces', draft('Hi {1}, your order is ready for pickup today.'), 'variableSyntax'],
		['spaces inside braces', draft('Hi {{ 1 }}, your order is ready for pickup today.', ['Ana']), 'variableSyntax'],
		[
			'upper-case named variable',
			draft('Hi {{FirstName}}, your order is ready for pickup today.', { FirstName: 'Ana' }),
			'variableSyntax',
		],
		['missing example', draft('Hi {{1}}, your order {{2}} is ready for pickup today.', ['Ana']), 'examples'],
		['example with a line break', draft('Hi {{1}}, your order is ready for pickup today.', ['Ana\nMaria']), 'examples'],
		['too many variables', draft('Order {{1}}, {{2}}, {{3}}: {{4}} ok.', ['a', 'b', 'c', 'd']), 'variableDensity'],
		['body too long', draft(`Your order {{1}} is ready. ${'x'.repeat(1010)}`, ['A1']), 'bodyLength'],
		['promotional', draft('Your order {{1}} has shipped. Get 20% off your next order!', ['A1']), 'contentPolicy'],
		[
			'promotional in Portuguese',
			draft('Seu pedido {{1}} foi enviado. Use o cupom de desconto VOLTA10.', ['A1'], { language: 'pt_BR' }),
			'contentPolicy',
		],
		['ttl too long', draft('Your order {{1}} is ready now.', ['A1'], { message_send_ttl_seconds: 86400 }), 'ttl'],
		[
			'one-time code in a utility template',
			draft('Use the verification code {{1}} to sign in. It expires in 10 minutes.', ['123456']),
			'category',
		],
		[
			'one-time code in Portuguese',
			draft('Seu código de verificação é {{1}}. Não compartilhe.', ['123456'], { language: 'pt_BR' }),
			'category',
		],
		[
			'English text tagged Spanish',
			draft('Hi {{1}}, your order has shipped and will arrive tomorrow.', ['Ana'], { language: 'es' }),
			'language',
		],
	])('%s', (_label, input, rule) => {
		const result = checkTemplateDraft(input);
		const finding = result.errors.find((f) => f.rule === rule);
		expect(finding).toBeDefined();
		expect(finding?.problem).toMatch(/\S/);
		expect(finding?.fix).toMatch(/\S/);
		expect(result.ok).toBe(false);
	});

	it('checks header, footer and buttons against Meta limits', () => {
		const result = checkTemplateDraft({
			name: 'order_ready',
			language: 'en_US',
			components: [
				{ type: 'HEADER', format: 'TEXT', text: 'Order {{1}} for {{2}} ✅', example: { header_text: ['A1', 'Ana'] } },
				{ type: 'BODY', text: 'Your order is ready for pickup today.' },
				{ type: 'FOOTER', text: 'x'.repeat(61) },
				{
					type: 'BUTTONS',
					buttons: [
						{ type: 'QUICK_REPLY', text: 'OK' },
						{ type: 'URL', text: 'Track', url: 'https://e.com/{{1}}/x' },
						{ type: 'QUICK_REPLY', text: 'A label that is far too long for Meta' },
						{ type: 'URL', text: 'b', url: 'https://e.com/b' },
						{ type: 'URL', text: 'c', url: 'https://e.com/c' },
					],
				},
			],
		});
		const found = result.errors.map((f) => f.rule);
		expect(found).toEqual(
			expect.arrayContaining([
				'headerVariables',
				'headerFormatting',
				'footer',
				'buttons',
				'buttonText',
				'buttonUrl',
				'examples',
			]),
		);
		expect(result.errors.find((f) => f.rule === 'buttons' && /interleaved/.test(f.problem))).toBeDefined();
		expect(result.errors.find((f) => f.rule === 'buttons' && /2 URL/.test(f.problem))).toBeDefined();
	});

	it('words every over-length finding alike: the length, the limit and how much to cut', () => {
		const body = `Your order is ready. ${'x'.repeat(1010)}`;
		const result = checkTemplateDraft({
			name: 'order_ready',
			language: 'en_US',
			category: 'UTILITY',
			components: [
				{ type: 'HEADER', format: 'TEXT', text: 'H'.repeat(61) },
				{ type: 'BODY', text: body },
				{ type: 'FOOTER', text: 'f'.repeat(61) },
				{ type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'B'.repeat(26) }] },
			],
		});
		const long = result.errors.filter((f) => / characters long;/.test(f.problem));
		expect(long).toEqual([
			{
				rule: 'bodyLength',
				text: `${body.slice(0, 79)}…`,
				problem: `The body is ${body.length} characters long; Meta allows 1024.`,
				fix: `Shorten it by ${body.length - 1024} character(s).`,
			},
			{
				rule: 'headerLength',
				text: 'H'.repeat(61),
				problem: 'The header is 61 characters long; Meta allows 60.',
				fix: 'Shorten it by 1 character(s).',
			},
			{
				rule: 'footer',
				text: 'f'.repeat(61),
				problem: 'The footer is 61 characters long; Meta allows 60.',
				fix: 'Shorten it by 1 character(s).',
			},
			{
				rule: 'buttonText',
				text: 'B'.repeat(26),
				problem: 'Button 1 text is 26 characters long; Meta allows 25.',
				fix: 'Shorten it by 1 character(s).',
			},
		]);
	});

	it('estimates the MARKETING risk with the phrases that cause it', () => {
		const result = checkTemplateDraft(
			draft('Did you know? Our newest store just opened in {{1}}. Learn more: {{2}} today.', [
				'Lisbon',
				'https://e.com',
			]),
		);
		expect(result.errors).toEqual([]);
		expect(result.marketingRisk.level).toBe('high');
		expect(result.marketingRisk.phrases.map((p) => p.phrase)).toEqual(
			expect.arrayContaining(['Did you know', 'newest', 'Learn more']),
		);
		expect(result.warnings.map((w) => w.rule)).toContain('marketingRisk');
	});

	it('warns when the text does not fit the chosen notification type', () => {
		const result = checkTemplateDraft(
			draft('Hi {{1}}, your order {{2}} has shipped today. Thank you.', ['Ana', 'A1']),
			{ notificationType: 'appointmentReminder' },
		);
		expect(result.warnings.map((w) => w.rule)).toContain('notificationTypeFit');
		expect(
			checkTemplateDraft(draft('Hi {{1}}, your order {{2}} has shipped today. Thank you.', ['Ana', 'A1']), {
				notificationType: 'shippingStatus',
			}).warnings,
		).toEqual([]);
	});

	it('accepts text in the tagged language, also with English brand names', () => {
		for (const [language, text] of [
			['pt_BR', 'Olá {{1}}, seu pedido {{2}} da The Body Shop foi enviado e chega amanhã.'],
			['es', 'Hola {{1}}, su pedido {{2}} de Shop and Go fue enviado y llega mañana.'],
			['de', 'Hallo {{1}}, Ihre Bestellung {{2}} bei The Home Store ist unterwegs.'],
			['en_GB', 'Hi {{1}}, your parcel {{2}} from Casa del Libro is on its way.'],
		]) {
			expect([language, rules(draft(text, ['Ana', 'A1'], { language }))]).toEqual([language, []]);
		}
	});

	it('never throws on garbage', () => {
		expect(checkTemplateDraft(null as unknown as TemplateDraft).ok).toBe(false);
		expect(checkTemplateDraft({ components: 'x' } as unknown as TemplateDraft).errors.map((f) => f.rule)).toEqual(
			expect.arrayContaining(['name', 'language', 'structure']),
		);
	});

	it('stays linear on long hostile input', () => {
		const hostile = `${'{{1}} '.repeat(2000)}${'{'.repeat(5000)}${'a '.repeat(5000)}`;
		const started = Date.now();
		checkTemplateDraft(draft(hostile, ['x']));
		expect(Date.now() - started).toBeLessThan(2000);
	});
});

describe('buildTemplateDraft', () => {
	it('builds Meta components with examples from the form fields', () => {
		const built = buildTemplateDraft({
			name: 'order_shipped',
			language: 'en_US',
			headerFormat: 'TEXT',
			headerText: 'Order {{1}}',
			headerExample: 'A-10023',
			body: 'Hi {{1}}, your order {{2}} ships on {{3}}. Thank you.',
			bodyExamples: [
				{ variable: '{{2}}', example: 'A-10023' },
				{ variable: '1', example: 'Maria' },
				{ variable: '3', example: 'June 12' },
			],
			footer: 'Emulated Shop',
			buttons: [
				{
					type: 'URL',
					text: 'Track',
					url: 'https://shop.example.com/track/{{1}}',
					urlExample: 'https://shop.example.com/track/A-10023',
				},
			],
		});
		expect(built).toEqual({
			name: 'order_shipped',
			language: 'en_US',
			category: 'UTILITY',
			parameter_format: 'POSITIONAL',
			components: [
				{ type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-10023'] } },
				{
					type: 'BODY',
					text: 'Hi {{1}}, your order {{2}} ships on {{3}}. Thank you.',
					example: { body_text: [['Maria', 'A-10023', 'June 12']] },
				},
				{ type: 'FOOTER', text: 'Emulated Shop' },
				{
					type: 'BUTTONS',
					buttons: [
						{
							type: 'URL',
							text: 'Track',
							url: 'https://shop.example.com/track/{{1}}',
							example: ['https://shop.example.com/track/A-10023'],
						},
					],
				},
			],
		});
		expect(checkTemplateDraft(built).errors).toEqual([]);
	});
});

describe('the labelled corpus', () => {
	const corpus = loadCorpus();

	it('has at least 60 drafts, each with a source and a label', () => {
		expect(corpus.length).toBeGreaterThanOrEqual(60);
		for (const entry of corpus) {
			expect(entry.source).toMatch(/^https:\/\//);
			expect(['approved', 'rejected', 'marketing']).toContain(entry.label);
		}
	});

	it('flags no approved example as an error and catches most refused ones', () => {
		const report = evaluate(corpus);
		expect(report.approvedWithErrors).toBe(0);
		const { tp, fn } = report.overall;
		expect(tp / (tp + fn)).toBeGreaterThanOrEqual(0.9);
	});

	it('flags no approved held-out draft as an error (the held-out file is scored, never tuned on)', () => {
		const holdout = loadCorpus('holdout');
		expect(holdout.length).toBeGreaterThanOrEqual(15);
		expect(evaluate(holdout).approvedWithErrors).toBe(0);
	});

	it('fires the expected rule on every rejected format example', () => {
		for (const entry of corpus.filter((e) => e.label === 'rejected' && e.metaReason === 'INVALID_FORMAT')) {
			const fired = firedRules(checkTemplateDraft(entry.draft));
			for (const rule of entry.expectedRules) expect([entry.id, fired.has(rule)]).toEqual([entry.id, true]);
		}
	});
});
