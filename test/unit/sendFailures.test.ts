import {
	collisionFailure,
	earlierAttemptFailure,
	failureFromGraph,
	failureFromNetwork,
	graphRetryDelayMs,
	idempotencyCheckFailure,
	noMessageIdFailure,
	runProgressNote,
	UNKNOWN_OUTCOME_ADVICE,
} from '../../nodes/shared/domain/sendFailures';

describe('send failures', () => {
	it('words a Meta error by the error table and keeps its code, trace id and status', () => {
		const failure = failureFromGraph(
			{ message: '(#130429) Rate limit hit', code: 130429, fbtrace_id: 'T1' },
			429,
			false,
		);
		expect(failure).toMatchObject({
			code: 130429,
			outcome: 'not_sent',
			retryable: true,
			httpCode: 429,
			fbtrace_id: 'T1',
		});
		expect(failure.title).toBeTruthy();
		expect(failure.graphError?.code).toBe(130429);
	});

	it('an answer that may have gone out is retryable only when the user accepts duplicates', () => {
		const unsure = failureFromGraph({ message: 'Something went wrong', code: 131000 }, 500, false);
		expect(unsure).toMatchObject({ outcome: 'unknown', retryable: false });
		expect(unsure.description).toContain(UNKNOWN_OUTCOME_ADVICE);
		expect(failureFromGraph({ message: 'Something went wrong', code: 131000 }, 500, true).retryable).toBe(true);
	});

	it('a refused connection certainly sent nothing; a timeout may have', () => {
		const refused = failureFromNetwork({ message: 'refused', details: 'ECONNREFUSED', certainlyNotSent: true });
		expect(refused).toMatchObject({ title: 'Connection failed', outcome: 'not_sent', retryable: true });
		expect(refused.description).toMatch(/^\(ECONNREFUSED\) Nothing reached Meta/);
		const timeout = failureFromNetwork({ message: 'timed out', certainlyNotSent: false });
		expect(timeout).toMatchObject({
			title: 'Outcome unknown',
			outcome: 'unknown',
			retryable: false,
			description: UNKNOWN_OUTCOME_ADVICE,
		});
	});

	it('waits before a retry only when the failure is retryable', () => {
		const throughput = failureFromGraph({ message: 'Rate limit hit', code: 130429 }, 429, false);
		expect(graphRetryDelayMs(throughput, 0)).toBeGreaterThan(0);
		expect(graphRetryDelayMs({ ...throughput, retryable: false }, 0)).toBe(0);
		expect(graphRetryDelayMs({ ...throughput, code: undefined }, 1)).toBeGreaterThan(0);
	});

	it('names the idempotency failures and what became of the message', () => {
		expect(noMessageIdFailure(200)).toMatchObject({ outcome: 'unknown', httpCode: 200, title: 'Unexpected answer' });
		expect(idempotencyCheckFailure('HTTP 500', 'Fix the ledger.')).toMatchObject({
			outcome: 'not_sent',
			retryable: true,
			message: 'The consent ledger could not be asked whether this notification was already sent: HTTP 500',
			description: 'Nothing was sent. Fix the ledger. Idempotency Window 0 sends without the check.',
		});
		expect(earlierAttemptFailure(true, 'r').title).toBe('Already being sent');
		expect(earlierAttemptFailure(false, 'r')).toMatchObject({ title: 'Outcome unknown', outcome: 'unknown' });
		expect(collisionFailure('used', true).description).toMatch(/An Idempotency Key names one message/);
		expect(collisionFailure('used', false).description).toMatch(/Under one Correlation Key/);
		expect(runProgressNote(3, 2)).toBe(' (3 message(s) of this run were sent, 2 not attempted)');
	});
});
