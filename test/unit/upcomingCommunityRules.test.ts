/**
 * Rules on their way into n8n's community lint (`@n8n/eslint-plugin-community-nodes`, recommended config) that the
 * plugin version this package pins does not run yet, checked with the semantics of their sources in n8n-io/n8n
 * (packages/@n8n/eslint-plugin-community-nodes/src/rules/<rule>.ts). docs/verification.md lists them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import ts from 'typescript';

const root = path.resolve(__dirname, '..', '..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const sourceOf = (built: string) => path.join(root, built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

/** require-continue-on-fail: does this method body call `this.continueOnFail()` anywhere (lexically)? */
function callsContinueOnFail(node: ts.Node): boolean {
	if (
		ts.isCallExpression(node) &&
		ts.isPropertyAccessExpression(node.expression) &&
		node.expression.expression.kind === ts.SyntaxKind.ThisKeyword &&
		node.expression.name.text === 'continueOnFail'
	) {
		return true;
	}
	return ts.forEachChild(node, callsContinueOnFail) ?? false;
}

/** The `execute` methods of the classes in a node file that implement INodeType. */
function executeMethods(file: string): ts.MethodDeclaration[] {
	const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
	const methods: ts.MethodDeclaration[] = [];
	for (const statement of source.statements) {
		if (!ts.isClassDeclaration(statement)) continue;
		const implementsNodeType = (statement.heritageClauses ?? []).some((clause) =>
			clause.types.some((t) => t.expression.getText(source) === 'INodeType'),
		);
		if (!implementsNodeType) continue;
		for (const member of statement.members) {
			if (ts.isMethodDeclaration(member) && member.name.getText(source) === 'execute' && member.body)
				methods.push(member);
		}
	}
	return methods;
}

describe('require-continue-on-fail', () => {
	// What the rule lints: every *.node.ts (the version classes of a versioned node included).
	const nodeFiles: string[] = fs
		.readdirSync(path.join(root, 'nodes'), { recursive: true, encoding: 'utf8' })
		.filter((f) => f.endsWith('.node.ts'))
		.map((f) => path.join(root, 'nodes', f));

	it.each(nodeFiles.map((f) => [path.relative(root, f)]))('%s: execute() handles this.continueOnFail()', (file) => {
		for (const method of executeMethods(path.join(root, file))) {
			expect(callsContinueOnFail(method.body!)).toBe(true);
		}
	});

	it('finds the execute() methods it checks (Send Notification, Check Consent and Notification Template have one; triggers and polls do not)', () => {
		const withExecute = nodeFiles.filter((f) => executeMethods(f).length > 0).map((f) => path.basename(f));
		expect(withExecute.sort()).toEqual([
			'WhatsAppCheckConsent.node.ts',
			'WhatsAppNotificationTemplate.node.ts',
			'WhatsAppSendNotificationV2.node.ts',
		]);
	});

	it('would report an execute() that leaves errors to n8n', () => {
		const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rule-')), 'X.node.ts');
		fs.writeFileSync(file, 'export class X implements INodeType { async execute() { return await run.call(this); } }');
		expect(executeMethods(file).map((m) => callsContinueOnFail(m.body!))).toEqual([false]);
	});
});

describe('require-mit-license', () => {
	it('package.json says MIT and LICENSE is the MIT licence', () => {
		expect(packageJson.license).toBe('MIT');
		expect(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
	});
});

describe('no-monorepo', () => {
	it('the package is its repository (no repository.directory, no workspaces)', () => {
		expect(packageJson.repository).toEqual(expect.objectContaining({ type: 'git' }));
		expect(packageJson.repository.directory).toBeUndefined();
		expect(packageJson.workspaces).toBeUndefined();
	});
});

describe('no-logic-or-flow-nodes', () => {
	const codexFiles: string[] = packageJson.n8n.nodes.map((built: string) => sourceOf(built).replace(/\.ts$/, '.json'));

	it.each(codexFiles.map((f) => [path.relative(root, f)]))('%s: no Logic or Flow category or subcategory', (file) => {
		const codex = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
		const subcategories = Object.values(codex.subcategories ?? {}).flat();
		for (const category of [...(codex.categories ?? []), ...subcategories]) {
			expect(['Logic', 'Flow']).not.toContain(category);
		}
		expect(codex.categories).toEqual(['Communication']);
	});
});
