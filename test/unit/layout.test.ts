/**
 * The folders keep to their roles: scripts/ (demo, bench) and test/ share code only through dev/ (the emulator, the
 * n8n launcher), never import each other; the published code (nodes/, credentials/) imports neither.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const SPECIFIER = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(folder: string): string[] {
	return fs
		.readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
		.filter((file) => /\.(ts|js|mjs)$/.test(file) && !file.includes('node_modules'))
		.map((file) => path.join(root, folder, file));
}

/** The top-level folder each relative import of `file` lands in. */
function importedFolders(file: string): string[] {
	const text = fs.readFileSync(file, 'utf8');
	return [...text.matchAll(SPECIFIER)].map(
		(match) => path.relative(root, path.resolve(path.dirname(file), match[1])).split(path.sep)[0],
	);
}

const crossings = (from: string, forbidden: string[]) =>
	sourceFiles(from).flatMap((file) =>
		importedFolders(file)
			.filter((folder) => forbidden.includes(folder))
			.map((folder) => `${path.relative(root, file)} → ${folder}/`),
	);

describe('folder roles', () => {
	it('finds the imports it checks', () => {
		expect(importedFolders(path.join(root, 'scripts', 'bench.ts'))).toContain('dev');
	});

	it('scripts/ does not import from test/', () => {
		expect(crossings('scripts', ['test'])).toEqual([]);
	});

	it('test/ does not import from scripts/', () => {
		expect(crossings('test', ['scripts'])).toEqual([]);
	});

	it('dev/ does not import from test/ or scripts/', () => {
		expect(crossings('dev', ['test', 'scripts'])).toEqual([]);
	});

	it('the published code imports neither dev tools nor tests', () => {
		expect([
			...crossings('nodes', ['dev', 'test', 'scripts']),
			...crossings('credentials', ['dev', 'test', 'scripts']),
		]).toEqual([]);
	});
});
