/** The bench's profile split: self time per package, over the whole profile and inside a case's time window. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { summariseProfiles } from '../../dev/cpuProfile';

describe('summariseProfiles', () => {
	const packageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-pkg-'));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
	const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
	// Samples 1 ms apart from t = 1,000 µs: two in n8n, then two in the package, then one idle.
	fs.writeFileSync(
		path.join(dir, 'main.cpuprofile'),
		JSON.stringify({
			nodes: [
				{ id: 1, callFrame: frame('(idle)', '') },
				{ id: 2, callFrame: frame('run', 'file:///x/node_modules/n8n-workflow/dist/a.js') },
				{ id: 3, callFrame: frame('checkContent', `file://${fs.realpathSync(packageDir)}/dist/nodes/x.js`) },
			],
			samples: [2, 2, 3, 3, 1],
			timeDeltas: [1000, 1000, 1000, 1000, 1000],
			startTime: 1000,
			endTime: 6000,
		}),
	);

	it('counts files under the loaded dist/ as this package, over the whole profile', () => {
		const [p] = summariseProfiles(dir, { packageDir })!.profiles as Array<Record<string, any>>;
		expect(p).toMatchObject({ busyMs: 4, idleMs: 1, packageMs: 2, packagePct: 50 });
		expect(p.byPackage.map((x: { what: string }) => x.what).sort()).toEqual([
			'n8n-nodes-whatsapp-notifications',
			'n8n-workflow',
		]);
	});

	it('splits a case out by its window on the same clock', () => {
		const windows = [{ label: 'case', fromUs: 3500, toUs: 5500 }];
		const [p] = summariseProfiles(dir, { packageDir, windows })!.profiles as Array<Record<string, any>>;
		expect(p.windows).toEqual([
			expect.objectContaining({ label: 'case', wallMs: 2, busyMs: 2, packageMs: 2, packagePct: 100 }),
		]);
	});

	it('answers undefined when the profile folder does not exist', () => {
		expect(summariseProfiles(path.join(dir, 'missing'))).toBeUndefined();
	});
});
