import { CONTENT_RULES, checkContent } from '../../nodes/shared/domain/contentPolicy';

function rulesOf(text: string): string[] {
	return [...new Set(checkContent(text).map((finding) => finding.rule))];
}

describe('CONTENT_RULES table', () => {
	it('covers the seed §4 categories that can be checked on text', () => {
		expect(CONTENT_RULES.map((rule) => rule.id)).toEqual([
			'sales',
			'discounts',
			'recommendations',
			'reEngagement',
			'reviewRequest',
			'shareRequest',
			'survey',
			'coldCall',
		]);
	});

	it('has phrases in English, Portuguese, Spanish and German for every rule', () => {
		for (const rule of CONTENT_RULES) {
			expect(rule.description).toBeTruthy();
			for (const language of ['en', 'pt', 'es', 'de'] as const) {
				expect(rule.patterns[language].length).toBeGreaterThan(0);
			}
		}
	});

	it('has unique rule ids', () => {
		expect(new Set(CONTENT_RULES.map((rule) => rule.id)).size).toBe(CONTENT_RULES.length);
	});
});

describe('checkContent — true positives', () => {
	it.each([
		// English
		['Get 20% off everything this weekend!', 'discounts', 'en', '20% off'],
		['Get 20 % OFF today', 'discounts', 'en', '20 % OFF'],
		['Use promo code SPRING at checkout', 'discounts', 'en', 'promo code'],
		['Enjoy free shipping on your next order', 'discounts', 'en', 'free shipping on your next'],
		['Huge savings: buy now while stocks last', 'sales', 'en', 'buy now'],
		['Our summer sale ends Sunday', 'sales', 'en', 'summer sale'],
		['You might also like our new headphones', 'recommendations', 'en', 'You might also like'],
		['A special offer just for you', 'recommendations', 'en', 'special offer'],
		['We miss you! Here is something for you', 'reEngagement', 'en', 'We miss you'],
		['We’ve missed you at Acme', 'reEngagement', 'en', 'We’ve missed you'],
		['Come back and shop our new range', 'reEngagement', 'en', 'Come back and shop'],
		['Loving the app? Rate us on the App Store', 'reviewRequest', 'en', 'Rate us'],
		['Please leave a review', 'reviewRequest', 'en', 'leave a review'],
		['Refer a friend and both get $10', 'shareRequest', 'en', 'Refer a friend'],
		['Take our survey about shopping habits', 'survey', 'en', 'Take our survey'],
		['Thanks for your interest, can we talk now?', 'coldCall', 'en', 'Thanks for your interest'],
		// Portuguese
		['Aproveite 30% de desconto em toda a loja', 'discounts', 'pt', '30% de desconto'],
		['Use o cupom de desconto BEMVINDO', 'discounts', 'pt', 'cupom de desconto'],
		['Grande promoção de verão!', 'discounts', 'pt', 'promoção'],
		['Frete grátis na sua próxima compra', 'discounts', 'pt', 'Frete grátis na sua próxima'],
		['Compre agora e receba amanhã', 'sales', 'pt', 'Compre agora'],
		['Recomendados para você: novos tênis', 'recommendations', 'pt', 'Recomendados para você'],
		['Sentimos sua falta! Volte a comprar conosco', 'reEngagement', 'pt', 'Sentimos sua falta'],
		['Avalie nosso app na loja', 'reviewRequest', 'pt', 'Avalie nosso app'],
		['Indique um amigo e ganhe R$ 10', 'shareRequest', 'pt', 'Indique um amigo'],
		['Participe da nossa pesquisa de mercado', 'survey', 'pt', 'Participe da nossa pesquisa'],
		['Agradecemos seu interesse, podemos conversar agora, rapidamente?', 'coldCall', 'pt', 'Agradecemos seu interesse'],
		// Spanish
		['Consigue un 25% de descuento', 'discounts', 'es', '25% de descuento'],
		['Código promocional: VERANO', 'discounts', 'pt,es', 'Código promocional'],
		['¡Compra ahora, no te lo pierdas!', 'sales', 'es', 'Compra ahora'],
		['También te puede gustar esta chaqueta', 'recommendations', 'es', 'También te puede gustar'],
		['¡Te echamos de menos!', 'reEngagement', 'es', 'Te echamos de menos'],
		['Deja una reseña en la tienda', 'reviewRequest', 'es', 'Deja una reseña'],
		['Invita a tus amigos y gana', 'shareRequest', 'es', 'Invita a tus amigos'],
		['Responde nuestra encuesta de 5 minutos', 'survey', 'es', 'Responde nuestra encuesta'],
		['Gracias por su interés, ¿tiene un minuto?', 'coldCall', 'es', 'Gracias por su interés'],
		// German
		['Jetzt 15 % Rabatt sichern!', 'discounts', 'de', '15 % Rabatt'],
		['Ihr Gutscheincode: HERBST', 'discounts', 'de', 'Gutscheincode'],
		['Jetzt kaufen und sparen', 'sales', 'de', 'Jetzt kaufen'],
		['Großer Schlussverkauf im Januar', 'sales', 'de', 'Schlussverkauf'],
		['Das könnte Ihnen auch gefallen', 'recommendations', 'de', 'Das könnte Ihnen auch gefallen'],
		['Exklusives Angebot für Sie', 'recommendations', 'de', 'Exklusives Angebot'],
		['Wir vermissen dich!', 'reEngagement', 'de', 'Wir vermissen dich'],
		['Bewerten Sie unsere App mit 5 Sternen', 'reviewRequest', 'de', 'Bewerten Sie unsere App'],
		['Freunde werben und Prämie sichern', 'shareRequest', 'de', 'Freunde werben'],
		['Nehmen Sie an unserer Umfrage teil', 'survey', 'de', 'Nehmen Sie an unserer Umfrage teil'],
		['Vielen Dank für Ihr Interesse, haben Sie kurz Zeit?', 'coldCall', 'de', 'Vielen Dank für Ihr Interesse'],
	])('%j → %s (%s)', (text, rule, language, phrase) => {
		const findings = checkContent(text);
		expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ rule, language, phrase })]));
		const finding = findings.find((candidate) => candidate.rule === rule);
		expect(finding?.ruleDescription).toBe(CONTENT_RULES.find((candidate) => candidate.id === rule)?.description);
	});

	it('is case- and accent-insensitive and reports the original text', () => {
		expect(checkContent('PROMOCAO imperdivel')[0]).toMatchObject({ rule: 'discounts', phrase: 'PROMOCAO' });
		expect(checkContent('Sentimos Sua FALTA')[0]).toMatchObject({ rule: 'reEngagement', phrase: 'Sentimos Sua FALTA' });
		expect(checkContent('Das koennte... das konnte ihnen auch gefallen')[0].phrase).toBe(
			'das konnte ihnen auch gefallen',
		);
	});

	it('maps phrases back to the original text around ß and combining accents', () => {
		const findings = checkContent('Straße frei – und´ Promoc\u0327a\u0303o jetzt');
		expect(findings).toEqual([expect.objectContaining({ rule: 'discounts', phrase: 'Promoc\u0327a\u0303o' })]);
	});

	it('allows hyphens and line breaks between words', () => {
		expect(rulesOf('This is a limited-time offer')).toContain('recommendations');
		expect(rulesOf('Buy\nnow')).toContain('sales');
	});

	it('reports findings in text order and keeps only the longest overlapping phrase of a rule', () => {
		const findings = checkContent('Use coupon code X. We miss you.');
		expect(findings.map((finding) => [finding.rule, finding.phrase])).toEqual([
			['discounts', 'coupon code'],
			['reEngagement', 'We miss you'],
		]);
	});

	it('reads a typed backtick or acute accent as an apostrophe, in upper case too', () => {
		expect(checkContent('DON`T MISS OUT')[0]).toMatchObject({ rule: 'sales', phrase: 'DON`T MISS OUT' });
		expect(checkContent('Don´t miss out')[0]).toMatchObject({ rule: 'sales', phrase: 'Don´t miss out' });
		expect(checkContent('Dont miss out')[0]).toMatchObject({ rule: 'sales', phrase: 'Dont miss out' });
	});

	it('keeps only the outermost phrase of a rule across thousands of findings, in text order', () => {
		// Findings of two rules, over and over: a text pasted many times into one variable.
		const block = 'Save 20% today. Coupon code X. We miss you. Your order shipped. ';
		const findings = checkContent(block.repeat(2000));
		const once = checkContent(block);
		expect(once.length).toBeGreaterThanOrEqual(3);
		expect(findings).toHaveLength(once.length * 2000);
		expect(findings.slice(0, once.length)).toEqual(once);
		expect(findings.slice(-once.length)).toEqual(once);
	});

	it('reports a phrase shared by two languages once, naming both', () => {
		const findings = checkContent('Oferta especial hoje').filter((finding) => finding.rule === 'recommendations');
		expect(findings).toEqual([expect.objectContaining({ phrase: 'Oferta especial', language: 'pt,es' })]);
	});
});

describe('checkContent — no false positives on utility texts', () => {
	it.each([
		'Your order #SALE-123 has shipped and will arrive on Tuesday.',
		'Wholesale order status: your pallet left the warehouse.',
		'Your Salesforce case 00123 has been updated.',
		'Your payment of €20 is due on 1 March.',
		'Your discounted invoice INV-77 is ready to download.',
		'We could not offer delivery to your address; please choose a pickup point.',
		'Your appointment with Dr. Silva is tomorrow at 10:00. Reply to reschedule.',
		'Your flight LH123 now departs from gate B12.',
		'Use code 483920 to open locker 12 at the pickup station.',
		'Our courier will come back and try again tomorrow.',
		'Please come back to us if the problem persists.',
		'Your parcel is out for delivery. Track it here.',
		'Your account password was changed. If this was not you, contact us.',
		'Your ticket for Saturday is attached. Doors open at 19:00.',
		'Power outage in your area until 18:00.',
		'Following up on your support request from Monday: your lost parcel was found.',
		'Seu cupom fiscal está disponível.',
		'A liquidação do seu boleto foi confirmada.',
		'Para que você não perca seu voo, o portão mudou para B12.',
		'Sua reserva no hotel de 5 estrelas está confirmada.',
		'Su liquidación de nómina está disponible.',
		'Su pedido 123 ha sido enviado.',
		'Damit Sie Ihren Termin nicht verpassen: morgen um 10 Uhr.',
		'Die Filiale ist nur heute geschlossen.',
		'Die Veranstaltung ist ausverkauft; Ihr Ticket bleibt gültig.',
		'Ihre Rechnung über 49,90 € ist fällig. Skonto bis zum 5.3.',
		'Ihr Paket wird heute zugestellt.',
		'Your refund credit will be applied to your next order.',
		'Promotional opt-out confirmed: you will no longer receive offers.',
		'',
	])('%j has no findings', (text) => {
		expect(checkContent(text)).toEqual([]);
	});

	it('returns nothing for non-string input', () => {
		expect(checkContent(undefined as unknown as string)).toEqual([]);
	});
});
