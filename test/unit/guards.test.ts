/** The domain's shared type guards and readers. */
import { isRecord, upperCode } from '../../nodes/shared/domain/guards';

describe('guards', () => {
	it('takes only plain objects as records', () => {
		expect(isRecord({ a: 1 })).toBe(true);
		expect([null, [], 'x', 1, undefined].map(isRecord)).toEqual([false, false, false, false, false]);
	});

	it('reads a string as an upper-case code, anything else as empty', () => {
		expect(upperCode(' image ')).toBe('IMAGE');
		expect(upperCode('QUICK_REPLY')).toBe('QUICK_REPLY');
		expect([undefined, null, 3, {}].map(upperCode)).toEqual(['', '', '', '']);
	});
});
