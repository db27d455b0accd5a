/** The per-item loop Check Consent and Notification Template share. */
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { forEachItem } from '../../nodes/shared/n8n/perItem';

const node: INode = { id: '1', name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };

function ctxOf(items: number, continueOnFail: boolean): IExecuteFunctions {
	return {
		getInputData: () => Array.from({ length: items }, () => ({ json: {} })),
		getNode: () => node,
		continueOnFail: () => continueOnFail,
	} as unknown as IExecuteFunctions;
}

describe('forEachItem', () => {
	it('pairs every answer, one or several per item, with its input item', async () => {
		const [out] = await forEachItem(ctxOf(2, false), 'Not done', async (i) =>
			i === 0 ? { n: 0 } : [{ n: 1 }, { n: 2 }],
		);
		expect(out).toEqual([
			{ json: { n: 0 }, pairedItem: { item: 0 } },
			{ json: { n: 1 }, pairedItem: { item: 1 } },
			{ json: { n: 2 }, pairedItem: { item: 1 } },
		]);
	});

	it('stops the run at a failing item, or answers it with an error item under Continue On Fail', async () => {
		const fail = async (i: number) => {
			if (i === 1) throw new Error('boom');
			return { ok: true };
		};
		await expect(forEachItem(ctxOf(2, false), 'Not done', fail)).rejects.toThrow('boom');
		const [out] = await forEachItem(ctxOf(3, true), 'Not done', fail);
		expect(out).toHaveLength(3);
		expect(out[1].pairedItem).toEqual({ item: 1 });
		expect(out[1].json.error).toMatchObject({ title: 'Not done', outcome: 'not_done' });
		expect(out[2].json).toEqual({ ok: true });
	});
});
