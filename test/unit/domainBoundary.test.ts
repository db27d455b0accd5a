/**
 * The domain boundary is enforced by the lint (eslint.config.mjs): code in nodes/shared/domain may use n8n's types
 * but not its runtime, and may not reach into I/O, the n8n glue or a node folder. This checks the rule itself, so
 * that a config change that drops it fails here and not silently.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
interface LintMessage {
	ruleId: string | null;
	message: string;
}

interface Probe {
	file: string;
	source: string;
}

/** Lints all probes in one ESLint process (its flat config is ESM, so it runs outside jest's module system). */
function lintAll(probes: Probe[]): LintMessage[][] {
	const script = `
		const { ESLint } = require('eslint');
		const probes = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
		const eslint = new ESLint({ cwd: process.cwd() });
		Promise.all(probes.map((p) => eslint.lintText(p.source, { filePath: p.file })))
			.then((results) => process.stdout.write(JSON.stringify(results.map((r) => r[0].messages))));
	`;
	const output = execFileSync(process.execPath, ['-e', script], {
		cwd: root,
		input: JSON.stringify(probes),
		encoding: 'utf8',
	});
	return JSON.parse(output) as LintMessage[][];
}

const boundary = (messages: LintMessage[]) =>
	messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');

const inDomain = 'nodes/shared/domain/probe.ts';
const probes = {
	runtime: {
		file: inDomain,
		source: "import { NodeOperationError } from 'n8n-workflow';\nexport const probe = NodeOperationError;\n",
	},
	typeOnly: {
		file: inDomain,
		source: "import type { IDataObject } from 'n8n-workflow';\nexport const probe = (value: IDataObject) => value;\n",
	},
	io: {
		file: inDomain,
		source: "import { graphRequest } from '../io/transport';\nexport const probe = graphRequest;\n",
	},
	glue: { file: inDomain, source: "import { errorItem } from '../n8n/errors';\nexport const probe = errorItem;\n" },
	nodeFolder: {
		file: inDomain,
		source:
			"import { sendNotifications } from '../../SendNotification/actions/send';\nexport const probe = sendNotifications;\n",
	},
	ioUsesBoth: {
		file: 'nodes/shared/io/probe.ts',
		source:
			"import { NodeOperationError } from 'n8n-workflow';\nimport { isRecord } from '../domain/guards';\nexport const probe = [NodeOperationError, isRecord];\n",
	},
};

describe('the domain boundary (nodes/shared/domain)', () => {
	const names = Object.keys(probes) as Array<keyof typeof probes>;
	let found: Record<keyof typeof probes, LintMessage[]>;
	beforeAll(() => {
		const results = lintAll(names.map((name) => probes[name]));
		found = Object.fromEntries(names.map((name, i) => [name, boundary(results[i])])) as typeof found;
	});

	it("refuses n8n-workflow's runtime in the domain, with the reason", () => {
		expect(found.runtime).toHaveLength(1);
		expect(found.runtime[0].message).toMatch(/plain functions/);
	});

	it('allows type-only imports of n8n-workflow', () => {
		expect(found.typeOnly).toEqual([]);
	});

	it.each([['io'], ['glue'], ['nodeFolder']] as const)('refuses an import from %s', (name) => {
		expect(found[name]).toHaveLength(1);
		expect(found[name][0].message).toMatch(/must not depend on I\/O/);
	});

	it('lets I/O use n8n and the domain', () => {
		expect(found.ioUsesBoth).toEqual([]);
	});
});
