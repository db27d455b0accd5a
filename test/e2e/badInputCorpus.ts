/**
 * The bad input corpus (issue 8): inputs a user, a shop, a misconfigured credential or an attacker can hand the four
 * nodes and the two credentials. Each case names what must come back: for node runs the error message (what is
 * wrong) and its description (how to fix it); for webhook calls the HTTP status and answer; for credential tests
 * n8n's test message. badInput.e2e.test.ts runs them in real n8n and also checks that nothing was sent to Meta,
 * that nothing was written to the consent ledger and that no execution was started by a refused webhook call.
 */

type Json = Record<string, any>;

/** Cloud credential variants. */
export type CloudVariant =
	| 'ok'
	| 'wrongToken'
	| 'wrongAccount'
	/** A Graph stand-in answering Meta's "Session has expired" (190 / subcode 463). */
	| 'expiredToken'
	| 'closedPort'
	/** Base URL pointing at something that is not the Graph API (n8n itself). */
	| 'notGraph';

/** Ledger credential variants. */
export type LedgerVariant =
	| 'ok'
	| 'unreachable'
	| 'wrongKey'
	/** An n8n API key with no data-table scope at all. */
	| 'noDataTableScopes'
	/** An n8n API key that may read the tables but not write rows. */
	| 'readOnlyScopes'
	| 'shortSecret'
	/** Base URL with a path where no public API answers. */
	| 'wrongPath';

export interface ErrorExpectation {
	/** What is wrong. */
	message: RegExp;
	/** How to fix it (the error's description). */
	fix?: RegExp;
}

/** Shared by every case: a known defect of the node (the test runs as it.failing until it is fixed). */
interface CaseBase {
	id: string;
	label: string;
	/** Set when the case shows a bug or a poor message in the package: reported to the lead, run as it.failing. */
	knownIssue?: string;
}

export interface SendCase extends CaseBase {
	node: 'send';
	/** Node parameters over the default shipping_update send. */
	params?: Json;
	/** Item fields over the default item. */
	item?: Json;
	cloud?: CloudVariant;
	/** Set: Use Consent Ledger on, with this ledger credential. */
	ledger?: LedgerVariant;
	/** Set: n8n itself refuses to publish the workflow (static parameter check) with this message. */
	publishRefused?: RegExp;
	expect: ErrorExpectation;
}

export interface ConsentCase extends CaseBase {
	node: 'consent';
	params: Json;
	item?: Json;
	ledger?: LedgerVariant;
	publishRefused?: RegExp;
	expect: ErrorExpectation;
}

export interface WebhookEnv {
	wabaId: string;
	phoneNumberId: string;
	/** A fresh id for this call (message id, phone suffix). */
	unique: string;
	now: number;
}

export interface TriggerCase extends CaseBase {
	node: 'trigger';
	/** The raw body. */
	body: (env: WebhookEnv) => string;
	/** How the X-Hub-Signature-256 header is made. */
	signature: 'valid' | 'wrongSecret' | 'missing' | 'notSha256' | 'otherBody';
	contentType?: string;
	method?: 'POST' | 'GET';
	/** GET only: the query string. */
	query?: (verifyToken: string) => string;
	/** Post the same signed body a second time (Meta-style replay): must start no second execution. */
	replay?: boolean;
	expect: { status: number; text?: RegExp; executions: number };
}

export interface PollCase extends CaseBase {
	node: 'poll';
	cloud: CloudVariant;
	expect: ErrorExpectation;
}

export interface CredentialCase extends CaseBase {
	node: 'cloudCredential' | 'ledgerCredential';
	variant: CloudVariant | LedgerVariant;
	expect: { message: RegExp };
}

export type BadInputCase = SendCase | ConsentCase | TriggerCase | PollCase | CredentialCase;

const WORDING = 'Send me order and delivery updates from Example Shop on WhatsApp';

const statusBody = (env: WebhookEnv, extra: Json = {}) =>
	JSON.stringify({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: env.wabaId,
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550100100', phone_number_id: env.phoneNumberId },
							statuses: [
								{
									id: `wamid.BADINPUT${env.unique}`,
									status: 'delivered',
									timestamp: String(Math.floor(env.now / 1000)),
									recipient_id: '4915123450001',
								},
							],
							...extra,
						},
					},
				],
			},
		],
	});

const inboundBody = (env: WebhookEnv, text: string) =>
	JSON.stringify({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: env.wabaId,
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550100100', phone_number_id: env.phoneNumberId },
							contacts: [
								{
									profile: { name: 'Mallory' },
									wa_id: `49151299${env.unique.slice(0, 5).replace(/\D/g, '7').padEnd(5, '7')}`,
								},
							],
							messages: [
								{
									from: `49151299${env.unique.slice(0, 5).replace(/\D/g, '7').padEnd(5, '7')}`,
									id: `wamid.FORGED${env.unique}`,
									timestamp: String(Math.floor(env.now / 1000)),
									type: 'text',
									text: { body: text },
								},
							],
						},
					},
				],
			},
		],
	});

const tpl = (value: string, mode = 'name') => ({ template: { __rl: true, mode, value } });
const vars = (value: Json) => ({ variables: { mappingMode: 'defineBelow', value, matchingColumns: [], schema: [] } });

export const CORPUS: BadInputCase[] = [
	// ------------------------------------------------------------------ Send Notification: recipients
	{
		node: 'send',
		id: 'S01',
		label: 'phone with letters',
		item: { phone: 'call me maybe' },
		expect: { message: /Invalid recipient phone number "call me maybe"/, fix: /not digits.*\+4915112345678/ },
	},
	{
		node: 'send',
		id: 'S02',
		label: 'phone too short',
		item: { phone: '+49 151' },
		expect: { message: /Invalid recipient phone number/, fix: /only 5 digits.*at least/ },
	},
	{
		node: 'send',
		id: 'S03',
		label: 'phone too long',
		item: { phone: '+49 151 2345 6789 0123 45' },
		expect: { message: /Invalid recipient phone number/, fix: /digits; E\.164 numbers have at most 15/ },
	},
	{
		node: 'send',
		id: 'S04',
		label: 'phone empty',
		item: { phone: '' },
		expect: { message: /Invalid recipient phone number ""/, fix: /empty.*international format/ },
	},
	{
		node: 'send',
		id: 'S05',
		label: 'phone only "+"',
		item: { phone: '+' },
		expect: { message: /Invalid recipient phone number "\+"/, fix: /no digits after the '\+'/ },
	},
	{
		node: 'send',
		id: 'S06',
		label: 'national number without country code',
		item: { phone: '0151 2345 6789' },
		expect: { message: /Invalid recipient/, fix: /national number.*country code/ },
	},
	{
		node: 'send',
		id: 'S07',
		label: "'+' in the middle",
		item: { phone: '49+15123456789' },
		expect: { message: /Invalid recipient/, fix: /'\+' in the middle/ },
	},
	{
		node: 'send',
		id: 'S08',
		label: 'unknown country calling code',
		item: { phone: '+280 1234 5678' },
		expect: { message: /Invalid recipient/, fix: /known country calling code/ },
	},
	{
		node: 'send',
		id: 'S09',
		label: 'recipient of the wrong type (an object)',
		params: { recipient: '={{ $json.contact }}' },
		item: { contact: { phone: '+4915123456789' } },
		expect: { message: /Recipient Phone Number is an object/, fix: /\$json\.customer\.phone/ },
	},
	// ------------------------------------------------------------------ Send Notification: templates
	{
		node: 'send',
		id: 'S10',
		label: 'unknown template name',
		params: tpl('no_such_template'),
		expect: { message: /no template named "no_such_template"/, fix: /spelling|pick the template/ },
	},
	{
		node: 'send',
		id: 'S11',
		label: 'template in a language it does not exist in',
		params: tpl('shipping_update/fr_FR'),
		expect: { message: /no template "shipping_update" in language "fr_FR"/, fix: /en_US.*pt_BR|pt_BR.*en_US/ },
	},
	{
		node: 'send',
		id: 'S12',
		label: 'template name in several languages without one',
		params: tpl('shipping_update'),
		expect: { message: /several languages/, fix: /Add the language, e\.g\. shipping_update\// },
	},
	{
		node: 'send',
		id: 'S13',
		label: 'template ID that is not a number',
		params: tpl('={{ "shipping-update" }}', 'id'),
		expect: { message: /is not a template ID/, fix: /digits only/ },
	},
	{
		node: 'send',
		id: 'S14',
		label: 'template ID that does not exist',
		params: tpl('9999999999999999', 'id'),
		expect: { message: /No template with ID 9999999999999999/, fix: /deleted|pick the template/ },
	},
	{
		node: 'send',
		id: 'S15',
		label: 'MARKETING template (wrong category)',
		params: { ...tpl('summer_sale'), ...vars({ body_1: 'Ann', body_2: 'X' }) },
		expect: { message: /MARKETING/, fix: /UTILITY|template/i },
	},
	{
		node: 'send',
		id: 'S16',
		label: 'AUTHENTICATION template (wrong category)',
		params: { ...tpl('login_code'), ...vars({ body_1: '123456' }) },
		expect: { message: /AUTHENTICATION/, fix: /UTILITY|template/i },
	},
	{
		node: 'send',
		id: 'S17',
		label: 'PAUSED template (unapproved)',
		params: { ...tpl('paused_update'), ...vars({ body_1: 'Ann', body_2: 'x' }) },
		expect: { message: /PAUSED|paused/, fix: /\w+/ },
	},
	{
		node: 'send',
		id: 'S18',
		label: 'DISABLED template (unapproved)',
		params: { ...tpl('disabled_update'), ...vars({ body_1: 'Ann', body_2: 'x' }) },
		expect: { message: /DISABLED|disabled/, fix: /\w+/ },
	},
	{
		node: 'send',
		id: 'S19',
		label: 'PENDING template (in review)',
		params: { ...tpl('pending_update'), ...vars({ body_1: 'Ann', body_2: 'x' }) },
		expect: { message: /PENDING|review/i, fix: /48|wait|review/i },
	},
	{
		node: 'send',
		id: 'S20',
		label: 'REJECTED template',
		params: { ...tpl('rejected_update'), ...vars({ body_1: 'Ann' }) },
		expect: { message: /REJECTED it with reason PROMOTIONAL/, fix: /Remove offers, discounts/ },
	},
	{
		node: 'send',
		id: 'S21',
		label: 'template Meta will move to MARKETING',
		params: { ...tpl('order_followup'), ...vars({ body_1: 'Ann', body_2: 'SO-1' }) },
		expect: { message: /MARKETING/, fix: /\w+/ },
	},
	// ------------------------------------------------------------------ Send Notification: variables
	{
		node: 'send',
		id: 'S22',
		label: 'missing variable',
		item: { eta: '' },
		expect: { message: /variables do not fit.*body_3/, fix: /Fill in/ },
	},
	{
		node: 'send',
		id: 'S23',
		label: 'extra variable',
		params: vars({ body_1: 'Ann', body_2: 'SO-1', body_3: 'Friday', button_0_url: 'SO-1', body_4: 'surplus' }),
		expect: { message: /"body_4" does not match any variable/, fix: /Remove it, or use one of: .*body_3/ },
	},
	{
		node: 'send',
		id: 'S24',
		label: 'every variable empty',
		params: vars({}),
		expect: { message: /has no value/, fix: /Fill in/ },
	},
	{
		node: 'send',
		id: 'S25',
		label: 'body over 1024 characters once filled in',
		item: { name: 'A'.repeat(1100) },
		expect: { message: /1024/, fix: /shorten|shorter|1024|fewer/i },
	},
	{
		node: 'send',
		id: 'S26',
		label: 'multi-line variable',
		item: { name: 'Ann\nSmith' },
		expect: { message: /line break/, fix: /Replace line breaks/ },
	},
	{
		node: 'send',
		id: 'S27',
		label: 'variable with a tab',
		item: { name: 'Ann\tSmith' },
		expect: { message: /tab/, fix: /Replace line breaks and tabs/ },
	},
	{
		node: 'send',
		id: 'S28',
		label: 'variable with five spaces in a row',
		item: { name: 'Ann     Smith' },
		expect: { message: /more than 4 spaces/, fix: /collapse/ },
	},
	{
		node: 'send',
		id: 'S29',
		label: 'variable of the wrong type (an object)',
		params: vars({ body_1: '={{ $json.person }}', body_2: 'SO-1', body_3: 'Friday', button_0_url: 'SO-1' }),
		item: { person: { first: 'Ann' } },
		expect: { message: /body_1|\{\{1\}\}/, fix: /text|currency|date_time/i },
	},
	{
		node: 'send',
		id: 'S30',
		label: 'positional variables for a named template',
		params: {
			notificationType: 'paymentRequest',
			...tpl('order_confirmation'),
			...vars({ body_1: 'Ann', body_2: 'SO-1' }),
		},
		expect: { message: /"body_1" does not match any variable/, fix: /body_first_name/ },
	},
	{
		node: 'send',
		id: 'S31',
		label: 'header text over 60 characters',
		params: {
			notificationType: 'appointmentReminder',
			...tpl('appointment_reminder'),
			...vars({ header_1: 'x'.repeat(70), body_1: 'Ann', body_2: '10:30' }),
		},
		expect: { message: /60/, fix: /shorten|shorter|60|fewer/i },
	},
	{
		node: 'send',
		id: 'S32',
		label: 'media header without media',
		params: {
			notificationType: 'ticketUpdate',
			...tpl('ticket_update'),
			...vars({ body_1: 'Ann', body_2: 'the concert' }),
		},
		expect: { message: /Header image.*has no value/, fix: /Fill in Header image/ },
	},
	{
		node: 'send',
		id: 'S33',
		label: 'URL-button suffix with spaces',
		item: { order: 'SO 1001' },
		expect: { message: /button_0_url|URL/, fix: /space|encode/i },
	},
	{
		node: 'send',
		id: 'S49',
		label: 'header media as an http link',
		params: {
			notificationType: 'ticketUpdate',
			...tpl('ticket_update'),
			...vars({ header_media: 'http://cdn.example.com/ticket.png', body_1: 'Ann', body_2: 'the concert' }),
		},
		expect: { message: /http: link.*must be an https link/, fix: /over https|media ID/ },
	},
	{
		node: 'send',
		id: 'S50',
		label: 'header media link to a link-local address (cloud metadata)',
		params: {
			notificationType: 'ticketUpdate',
			...tpl('ticket_update'),
			...vars({ header_media: 'https://169.254.169.254/latest/meta-data', body_1: 'Ann', body_2: 'the concert' }),
		},
		expect: { message: /169\.254\.169\.254, a link-local address/, fix: /public https address/ },
	},
	{
		node: 'send',
		id: 'S51',
		label: 'header media link to a loopback address written as a number',
		params: {
			notificationType: 'ticketUpdate',
			...tpl('ticket_update'),
			...vars({ header_media: 'https://2130706433/ticket.png', body_1: 'Ann', body_2: 'the concert' }),
		},
		expect: { message: /127\.0\.0\.1, a loopback address/, fix: /public https address/ },
	},
	{
		node: 'send',
		id: 'S52',
		label: 'header media link with user:password',
		params: {
			notificationType: 'ticketUpdate',
			...tpl('ticket_update'),
			...vars({ header_media: 'https://shop:secret@cdn.example.com/ticket.png', body_1: 'Ann', body_2: 'the concert' }),
		},
		expect: { message: /user name or password/, fix: /without credentials/ },
	},
	{
		node: 'send',
		id: 'S53',
		label: "URL-button suffix with '@'",
		item: { order: '@evil.example/login' },
		expect: { message: /button_0_url.*'@'/, fix: /Remove the '@'/ },
	},
	{
		node: 'send',
		id: 'S54',
		label: 'URL-button suffix with a right-to-left override',
		item: { order: 'SO-1\u202egnp.exe' },
		expect: { message: /invisible .*U\+202E/, fix: /Remove the invisible character/ },
	},
	{
		node: 'send',
		id: 'S55',
		label: 'variable with a line separator (U+2028)',
		item: { name: 'Ann\u2028Smith' },
		expect: { message: /line separator \(U\+2028\)/, fix: /Replace line breaks/ },
	},
	{
		node: 'send',
		id: 'S56',
		label: 'variable with five no-break spaces in a row',
		item: { name: 'Ann\u00a0\u00a0\u00a0\u00a0\u00a0Smith' },
		expect: { message: /more than 4 spaces/, fix: /no-break spaces/ },
	},
	{
		node: 'send',
		id: 'S34',
		label: 'promotional wording in a variable',
		item: { eta: 'Friday. Use code SAVE20 for 20% off your next order' },
		expect: { message: /reads as promotional/, fix: /Remove promotional wording/ },
	},
	{
		node: 'send',
		id: 'S35',
		label: 'Customer Service Resumption without a reference message ID',
		params: {
			notificationType: 'customerServiceResumption',
			referenceMessageId: '={{ $json.lastMessageId }}',
			...tpl('support_followup'),
			...vars({ body_1: 'Ann', body_2: '#5521' }),
		},
		expect: { message: /needs the ID of the last message/, fix: /Reference Message ID.*wamid/ },
	},
	{
		node: 'send',
		id: 'S36',
		label: 'Customer Service Resumption with a reference that is not a wamid',
		params: {
			notificationType: 'customerServiceResumption',
			referenceMessageId: 'order-77',
			...tpl('support_followup'),
			...vars({ body_1: 'Ann', body_2: '#5521' }),
		},
		expect: { message: /"order-77" is not a WhatsApp message ID/, fix: /starts with "wamid\."/ },
	},
	{
		node: 'send',
		id: 'S37',
		label: 'sender that is a phone number, not its ID',
		params: { sender: { __rl: true, mode: 'id', value: '={{ "+1 555 010 0100" }}' } },
		expect: { message: /is not a phone number ID/, fix: /numeric phone number ID/ },
	},
	{
		node: 'send',
		id: 'S38',
		label: 'correlation key too long',
		params: { options: { correlationKey: 'k'.repeat(600) } },
		expect: { message: /Correlation Key is too long/, fix: /under 400/ },
	},
	{
		node: 'send',
		id: 'S39',
		label: 'rate card that is not JSON',
		params: { options: { rateCard: '{ not json' } },
		expect: { message: /Rate Card option is not usable/, fix: /Fix the JSON or clear the option/ },
	},
	{
		node: 'send',
		id: 'S47',
		label: 'template ID with letters typed into the field (n8n refuses to publish)',
		params: tpl('shipping-update', 'id'),
		publishRefused: /invalid required parameters: template/,
		expect: { message: /./ },
	},
	{
		node: 'send',
		id: 'S48',
		label: 'sender phone number typed as its ID (n8n refuses to publish)',
		params: { sender: { __rl: true, mode: 'id', value: '+1 555 010 0100' } },
		publishRefused: /invalid required parameters: sender/,
		expect: { message: /./ },
	},
	// ------------------------------------------------------------------ Send Notification: credentials
	{
		node: 'send',
		id: 'S40',
		label: 'wrong access token',
		cloud: 'wrongToken',
		expect: { message: /access token|OAuth|190/i, fix: /token/i },
	},
	{
		node: 'send',
		id: 'S41',
		label: 'wrong WhatsApp Business Account ID',
		cloud: 'wrongAccount',
		expect: {
			message: /does not exist|Business Account|could not list templates/i,
			fix: /Business Account ID|account/i,
		},
	},
	{
		node: 'send',
		id: 'S42',
		label: 'expired access token (190 / 463)',
		cloud: 'expiredToken',
		expect: { message: /expired/i, fix: /new .*token|token/i },
	},
	{
		node: 'send',
		id: 'S43',
		label: 'Graph API unreachable (closed port)',
		cloud: 'closedPort',
		expect: { message: /refused/i, fix: /Base URL/ },
	},
	{
		node: 'send',
		id: 'S44',
		label: 'ledger unreachable',
		ledger: 'unreachable',
		expect: { message: /could not be reached|refused the connection/, fix: /n8n Base URL/ },
	},
	{
		node: 'send',
		id: 'S45',
		label: 'ledger API key without data-table scopes',
		ledger: 'noDataTableScopes',
		expect: { message: /refused.*HTTP 403/, fix: /scopes: dataTable:list/ },
	},
	{
		node: 'send',
		id: 'S46',
		label: 'ledger API key wrong',
		ledger: 'wrongKey',
		expect: { message: /refused.*HTTP 401/, fix: /API key .* wrong, revoked or expired/ },
	},
	// ------------------------------------------------------------------ Check Consent
	{
		node: 'consent',
		id: 'C01',
		label: 'vague opt-in wording "yes"',
		params: { operation: 'recordOptIn', proofWording: 'yes' },
		expect: { message: /Not recorded: The proof wording "yes"/, fix: /exact sentence/ },
	},
	{
		node: 'consent',
		id: 'C02',
		label: 'opt-in wording "true"',
		params: { operation: 'recordOptIn', proofWording: 'true' },
		expect: { message: /Not recorded: .*"true"/, fix: /exact sentence/ },
	},
	{
		node: 'consent',
		id: 'C03',
		label: 'opt-in with source "unknown"',
		params: { operation: 'recordOptIn', source: 'unknown' },
		expect: { message: /source "unknown" does not say where/, fix: /Say where the person opted in/ },
	},
	{
		node: 'consent',
		id: 'C04',
		label: 'opt-in without a source',
		params: { operation: 'recordOptIn', source: '={{ "" }}' },
		expect: { message: /no source/, fix: /Say where the person opted in/ },
	},
	{
		node: 'consent',
		id: 'C05',
		label: 'opt-in captured in the future',
		params: { operation: 'recordOptIn', capturedAt: '2099-01-01T00:00:00Z' },
		expect: { message: /in the future/, fix: /moment the person ticked the box/ },
	},
	{
		node: 'consent',
		id: 'C06',
		label: 'opt-in with a capturedAt that is not a date',
		params: { operation: 'recordOptIn', capturedAt: 'last tuesday-ish' },
		expect: { message: /is not a date and time/, fix: /ISO 8601/ },
	},
	{
		node: 'consent',
		id: 'C07',
		label: 'opt-in for a contact that is not a number',
		item: { phone: 'ann@example.com' },
		params: { operation: 'recordOptIn' },
		expect: { message: /contact is not usable/, fix: /international format/ },
	},
	{
		node: 'consent',
		id: 'C08',
		label: 'opt-in for an empty contact',
		item: { phone: '' },
		params: { operation: 'recordOptIn' },
		expect: { message: /contact is not usable/, fix: /international format/ },
	},
	{
		node: 'consent',
		id: 'C09',
		label: 'purpose that is not a notification type',
		params: { operation: 'recordOptIn', purpose: 'marketing' },
		expect: { message: /"marketing" is not a consent purpose/, fix: /notification type|All Utility/ },
	},
	{
		node: 'consent',
		id: 'C10',
		label: 'ticked checkbox with vague wording (Record From Item)',
		params: { operation: 'checkFromItem', consentGiven: true, proofWording: 'checked' },
		expect: { message: /consent cannot be recorded/, fix: /exact sentence/ },
	},
	{
		node: 'consent',
		id: 'C11',
		label: 'check with the ledger unreachable',
		params: { operation: 'check' },
		ledger: 'unreachable',
		expect: { message: /could not be reached|refused the connection/, fix: /n8n Base URL/ },
	},
	{
		node: 'consent',
		id: 'C12',
		label: 'check with a key without data-table scopes',
		params: { operation: 'check' },
		ledger: 'noDataTableScopes',
		expect: { message: /HTTP 403/, fix: /scopes: dataTable:list/ },
	},
	{
		node: 'consent',
		id: 'C13',
		label: 'opt-in with a read-only key (no partial write)',
		params: { operation: 'recordOptIn' },
		ledger: 'readOnlyScopes',
		expect: { message: /HTTP 403/, fix: /dataTableRow:create/ },
	},
	{
		node: 'consent',
		id: 'C14',
		label: 'wrong API key',
		params: { operation: 'recordOptIn' },
		ledger: 'wrongKey',
		expect: { message: /HTTP 401/, fix: /Create a new one/ },
	},
	{
		node: 'consent',
		id: 'C15',
		label: 'Contact Key Secret too short',
		params: { operation: 'check' },
		ledger: 'shortSecret',
		expect: { message: /Contact Key Secret is missing or shorter than 16/, fix: /long random string/ },
	},
	{
		node: 'consent',
		id: 'C16',
		label: 'Base URL with a path where no API answers',
		params: { operation: 'check' },
		ledger: 'wrongPath',
		expect: { message: /HTTP 404/, fix: /Base URL/ },
	},
	{
		node: 'consent',
		id: 'C17',
		label: 'opt-in with the source left empty (n8n refuses to publish)',
		params: { operation: 'recordOptIn', source: '' },
		publishRefused: /invalid required parameters: source/,
		expect: { message: /./ },
	},
	// ------------------------------------------------------------------ Session Window Trigger: webhook bodies
	{
		node: 'trigger',
		id: 'T01',
		label: 'body that is not JSON (text/plain)',
		body: () => '{"object":"whatsapp_business_account","entry":[',
		contentType: 'text/plain',
		signature: 'valid',
		expect: { status: 400, text: /not valid JSON/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T02',
		label: 'body that is not JSON (application/json, refused by n8n)',
		body: () => 'this is not json',
		signature: 'valid',
		expect: { status: 422, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T03',
		label: 'JSON that is not WhatsApp (object "page")',
		body: () => JSON.stringify({ object: 'page', entry: [] }),
		signature: 'valid',
		expect: { status: 400, text: /"page", not "whatsapp_business_account"/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T04',
		label: 'WhatsApp object without an entry array',
		body: () => JSON.stringify({ object: 'whatsapp_business_account', entry: { id: '1' } }),
		signature: 'valid',
		expect: { status: 400, text: /"entry" is not an array/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T05',
		label: 'JSON array instead of an object',
		body: () => '[1,2,3]',
		contentType: 'text/plain',
		signature: 'valid',
		expect: { status: 400, text: /not a JSON object/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T06',
		label: 'huge body (5 MB, signed)',
		body: (env) => statusBody(env, { padding: 'x'.repeat(5 * 1024 * 1024) }),
		contentType: 'text/plain',
		signature: 'valid',
		expect: { status: 413, text: /more than the 3145728 bytes \(3 MB\)/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T07',
		label: 'signed with the wrong secret',
		body: (env) => statusBody(env),
		signature: 'wrongSecret',
		expect: { status: 401, text: /signature does not match/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T08',
		label: 'signature header missing',
		body: (env) => statusBody(env),
		signature: 'missing',
		expect: { status: 401, text: /header is missing/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T09',
		label: 'signature not sha256=',
		body: (env) => statusBody(env),
		signature: 'notSha256',
		expect: { status: 401, text: /does not start with "sha256="/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T10',
		label: 'valid signature of another body',
		body: (env) => statusBody(env),
		signature: 'otherBody',
		expect: { status: 401, text: /signature does not match/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T11',
		label: 'forged STOP (wrong secret) with ledger recording on',
		body: (env) => inboundBody(env, 'STOP'),
		signature: 'wrongSecret',
		expect: { status: 401, text: /signature/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T12',
		label: 'forged START (no signature) with ledger recording on',
		body: (env) => inboundBody(env, 'START'),
		signature: 'missing',
		expect: { status: 401, text: /header is missing/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T13',
		label: 'replayed genuine delivery',
		body: (env) => statusBody(env),
		signature: 'valid',
		replay: true,
		expect: { status: 200, text: /EVENT_RECEIVED/, executions: 1 },
	},
	{
		node: 'trigger',
		id: 'T14',
		label: 'verification handshake with the wrong verify token',
		method: 'GET',
		body: () => '',
		signature: 'missing',
		query: () => 'hub.mode=subscribe&hub.verify_token=guess&hub.challenge=42',
		expect: { status: 403, text: /verify token does not match/, executions: 0 },
	},
	{
		node: 'trigger',
		id: 'T15',
		label: 'verification handshake without hub parameters',
		method: 'GET',
		body: () => '',
		signature: 'missing',
		query: () => 'hello=1',
		expect: { status: 400, text: /hub\.mode=subscribe/, executions: 0 },
	},
	// ------------------------------------------------------------------ Template Status Poll
	{
		node: 'poll',
		id: 'P01',
		label: 'wrong access token',
		cloud: 'wrongToken',
		expect: { message: /access token|190|OAuth/i },
	},
	{
		node: 'poll',
		id: 'P02',
		label: 'wrong WhatsApp Business Account ID',
		cloud: 'wrongAccount',
		expect: { message: /Business Account|does not exist|account/i },
	},
	{
		node: 'poll',
		id: 'P03',
		label: 'Graph API unreachable',
		cloud: 'closedPort',
		expect: { message: /refused|reach|ECONNREFUSED/i },
	},
	// ------------------------------------------------------------------ Credentials (n8n's Test button)
	{
		node: 'cloudCredential',
		id: 'K01',
		label: 'wrong access token',
		variant: 'wrongToken',
		expect: { message: /access token.*190|190.*access token/i },
	},
	{
		node: 'cloudCredential',
		id: 'K02',
		label: 'wrong account ID',
		variant: 'wrongAccount',
		expect: { message: /WhatsApp Business Account ID/ },
	},
	{
		node: 'cloudCredential',
		id: 'K03',
		label: 'expired token (190 / 463)',
		variant: 'expiredToken',
		expect: { message: /expired|190/i },
	},
	{
		node: 'cloudCredential',
		id: 'K04',
		label: 'Base URL that is not the Graph API',
		variant: 'notGraph',
		expect: { message: /Base URL|Graph API version/ },
	},
	{
		node: 'cloudCredential',
		id: 'K05',
		label: 'Base URL at a closed port',
		variant: 'closedPort',
		expect: { message: /ECONNREFUSED|refused|connect/i },
	},
	{
		node: 'ledgerCredential',
		id: 'L01',
		label: 'wrong n8n API key',
		variant: 'wrongKey',
		expect: { message: /refused the API key.*Create a new key/ },
	},
	{
		node: 'ledgerCredential',
		id: 'L02',
		label: 'API key without data-table scopes',
		variant: 'noDataTableScopes',
		expect: { message: /may not list data tables.*scopes/ },
	},
	{
		node: 'ledgerCredential',
		id: 'L03',
		label: 'n8n unreachable',
		variant: 'unreachable',
		expect: { message: /ECONNREFUSED|refused|connect/i },
	},
	{
		node: 'ledgerCredential',
		id: 'L04',
		label: 'Base URL path where no API answers',
		variant: 'wrongPath',
		expect: { message: /No n8n public API at this address/ },
	},
];

export { WORDING };
