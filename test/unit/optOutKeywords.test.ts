import {
	DEFAULT_KEYWORDS,
	compileKeywords,
	matchKeyword,
	matchPayload,
	normaliseKeywordText,
	splitKeywordList,
} from '../../nodes/shared/domain/optOutKeywords';

describe('normaliseKeywordText', () => {
	it.each([
		['STOP', 'stop'],
		['  Stop. 🙏 ', 'stop'],
		['¡BAJA!', 'baja'],
		['Não quero mais', 'nao quero mais'],
		['Abmelden!!!', 'abmelden'],
		['STOPP', 'stopp'],
	])('%p → %p', (input, expected) => expect(normaliseKeywordText(input)).toBe(expected));
});

describe('matchKeyword (defaults)', () => {
	it.each([
		['STOP', 'optOut', 'en'],
		['stop', 'optOut', 'en'],
		['Stop!', 'optOut', 'en'],
		['stop please', 'optOut', 'en'],
		['Please unsubscribe', 'optOut', 'en'],
		['UNSUBSCRIBE', 'optOut', 'en'],
		['PARAR', 'optOut', 'pt'],
		['Sair', 'optOut', 'pt'],
		['CANCELAR', 'optOut', 'pt'],
		['Não quero mais', 'optOut', 'pt'],
		['BAJA', 'optOut', 'es'],
		['Dar de baja por favor', 'optOut', 'es'],
		['ABMELDEN', 'optOut', 'de'],
		['Stopp', 'optOut', 'de'],
		['abbestellen bitte', 'optOut', 'de'],
		['START', 'optIn', 'en'],
		['Unstop', 'optIn', 'en'],
		['COMEÇAR', 'optIn', 'pt'],
		['Alta', 'optIn', 'es'],
		['Anmelden', 'optIn', 'de'],
	])('%p is %p (%p)', (text, intent, language) => {
		expect(matchKeyword(text)).toMatchObject({ intent, language });
	});

	it.each([
		"don't stop my order",
		'Please do not stop my order',
		'When does the shop stop selling this?',
		'cancel my 3 pm appointment please, I am sick',
		'stopover in Lisbon',
		'unsubscribed?? why did I get this',
		'Bis wann kann ich mich abmelden für den Kurs am Freitag?',
		'starting tomorrow',
		'',
		'   ',
	])('%p is not a request', (text) => {
		expect(matchKeyword(text)).toBeUndefined();
	});

	it('ignores non-strings', () => {
		expect(matchKeyword(undefined)).toBeUndefined();
		expect(matchKeyword(null)).toBeUndefined();
	});

	it('has opt-out and opt-in words in en, pt, es, de', () => {
		expect(DEFAULT_KEYWORDS.map((l) => l.language).sort()).toEqual(['de', 'en', 'es', 'pt']);
		for (const list of DEFAULT_KEYWORDS) {
			expect(list.optOut.length).toBeGreaterThan(0);
			expect(list.optIn.length).toBeGreaterThan(0);
		}
	});
});

describe('matchPayload', () => {
	it('reads separators in button payloads', () => {
		expect(matchPayload('STOP_PROMOTIONS')).toMatchObject({ intent: 'optOut', keyword: 'stop promotions' });
		expect(matchPayload('opt-out')).toMatchObject({ intent: 'optOut' });
		expect(matchPayload('Unsubscribe')).toMatchObject({ intent: 'optOut' });
		expect(matchPayload('cancel-button')).toBeUndefined();
		expect(matchPayload('confirm_order_1234')).toBeUndefined();
	});
});

describe('custom keyword lists', () => {
	it('adds extra words and can drop the defaults', () => {
		const compiled = compileKeywords({ useDefaults: false, extraOptOut: ['no more', 'HALT'], extraOptIn: ['resume'] });
		expect(matchKeyword('STOP', compiled)).toBeUndefined();
		expect(matchKeyword('halt!', compiled)).toEqual({ intent: 'optOut', keyword: 'halt', language: 'custom' });
		expect(matchKeyword('Resume', compiled)).toMatchObject({ intent: 'optIn' });
	});

	it('resolves a word in both lists as opt-out (the safer reading)', () => {
		const compiled = compileKeywords({ extraOptIn: ['stop'] });
		expect(matchKeyword('stop', compiled)?.intent).toBe('optOut');
	});

	it('splits lists on commas, semicolons and new lines', () => {
		expect(splitKeywordList('a, b;c\n d ,,')).toEqual(['a', 'b', 'c', 'd']);
		expect(splitKeywordList(undefined)).toEqual([]);
	});
});
