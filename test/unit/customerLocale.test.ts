import { chooseLanguage, parseLocale } from '../../nodes/shared/domain/locale';

describe('parseLocale', () => {
	it.each([
		['pt-BR', { language: 'pt', region: 'BR' }],
		['pt_BR', { language: 'pt', region: 'BR' }],
		['PT_br', { language: 'pt', region: 'BR' }],
		['de', { language: 'de' }],
		[' de-DE ', { language: 'de', region: 'DE' }],
		['en-GB,en;q=0.9', { language: 'en', region: 'GB' }],
		['zh-Hant-TW', { language: 'zh', region: 'TW' }],
		['es-419', { language: 'es', region: '419' }],
		['iw', { language: 'he' }],
		['fil', { language: 'fil' }],
	])('%j', (input, expected) => {
		expect(parseLocale(input)).toEqual(expected);
	});

	it.each(['', 'German', 'deutsch', '12', 'pt-BR-x-very-long-private-use-thing-that-is-not-a-locale'])(
		'refuses %j',
		(input) => {
			expect(parseLocale(input)).toBeUndefined();
		},
	);
});

describe('chooseLanguage', () => {
	const available = ['en_US', 'pt_BR', 'pt_PT', 'de', 'es_AR', 'es_MX'];
	const choose = (text: string) => chooseLanguage(parseLocale(text), text, available, 'en_US');

	it('takes the exact language and region', () => {
		expect(choose('pt-BR')).toMatchObject({ language: 'pt_BR', match: 'exact' });
		expect(choose('pt_PT')).toMatchObject({ language: 'pt_PT', match: 'exact' });
		expect(choose('de')).toMatchObject({ language: 'de', match: 'exact' });
	});

	it('falls back to the same language, a region-less translation first, and says why', () => {
		expect(choose('de-AT')).toMatchObject({
			language: 'de',
			match: 'sameLanguage',
			reason: expect.stringMatching(/No approved translation for "de-AT"/),
		});
		expect(choose('es-ES')).toMatchObject({ language: 'es_AR', match: 'sameLanguage' });
		expect(choose('en')).toMatchObject({ language: 'en_US', match: 'sameLanguage' });
		expect(chooseLanguage(parseLocale('en-AU'), 'en-AU', ['en_GB', 'en_US'], 'en_US')).toMatchObject({
			language: 'en_US',
		});
	});

	it('falls back to the default language when the language has no approved translation', () => {
		expect(choose('fr-FR')).toMatchObject({
			language: 'en_US',
			match: 'default',
			reason: expect.stringMatching(/No approved translation in fr/),
		});
		expect(chooseLanguage(undefined, '', available, 'de')).toMatchObject({
			language: 'de',
			match: 'default',
			reason: expect.stringMatching(/No recipient language/),
		});
	});
});
