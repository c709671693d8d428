/**
 * The import graph of src/ follows the layers of the README's architecture diagram: a file imports
 * only from its own layer or the layers below it. Every static import and re-export counts,
 * `import type` included (a type import is still a dependency of the design), and so do dynamic
 * `import()`s. A file in a folder the table does not place fails too, so a new folder gets a layer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from 'vite';
import { describe, expect, it } from 'vitest';

/** Lowest first. A name is a folder of src/ (or shaders/ at the root), or a file directly in src/. */
const LAYERS: readonly (readonly string[])[] = [
  ['util', 'errors.ts'],
  ['shaders'],
  ['device'],
  ['kernels'],
  ['graph'],
  ['tensor', 'ops'],
  ['nn', 'optim', 'data', 'io', 'viz'],
  ['models', 'train'],
  // The package entry, and beside it the internals that tests and benchmarks import, if any.
  ['index.ts', 'internal.ts'],
  ['cli'],
];

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

/** The layer of a repository path (relative to the root), or -1 when the table does not place it. */
function layerOf(path: string): number {
  const parts = path.split('/');
  const name = parts[0] === 'src' ? parts[1]! : parts[0] === 'shaders' ? 'shaders' : '';
  return LAYERS.findIndex((names) => names.includes(name));
}

function layerName(i: number): string {
  return LAYERS[i]!.join(', ');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier `file` imports or re-exports from, types included. */
function importsOf(file: string, text: string): string[] {
  const parsed = parseSync(file, text, { lang: 'ts', sourceType: 'module' });
  if (parsed.errors.length > 0) throw new Error(`${file}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const m = parsed.module;
  const specs = m.staticImports.map((i) => i.moduleRequest.value);
  for (const e of m.staticExports) for (const entry of e.entries) if (entry.moduleRequest) specs.push(entry.moduleRequest.value);
  // import('...') with a literal: dynamic imports and `typeof import(...)` / `import(...).T` types.
  // (A computed specifier, as the loaders of Node built-ins use to hide them from bundlers, names no
  // file of ours to check.)
  for (const match of text.matchAll(/\bimport\(\s*(['"`])([^'"`]+)\1\s*\)/g)) specs.push(match[2]!);
  return [...new Set(specs)];
}

/** Upward or unplaced edges of one file, as messages. */
function violations(fileFromRoot: string, specs: readonly string[]): string[] {
  const out: string[] = [];
  const from = layerOf(fileFromRoot);
  if (from < 0) return [`${fileFromRoot}: its folder is in no layer of the table (test/node/layering.test.ts, README's architecture)`];
  for (const spec of specs) {
    if (!spec.startsWith('.')) continue; // a package: not a layer of ours
    const target = relative(root, resolve(root, dirname(fileFromRoot), spec.replace(/\?.*$/, '').replace(/\.js$/, '.ts')));
    const to = layerOf(target);
    if (to < 0) out.push(`${fileFromRoot} imports '${spec}' (${target}), which is in no layer`);
    else if (to > from) out.push(`${fileFromRoot} (${layerName(from)}) imports '${spec}' from a higher layer (${layerName(to)})`);
  }
  return out;
}

describe('layering of src/', () => {
  const files = sourceFiles(src).map((f) => relative(root, f));

  it('finds the sources and their imports', () => {
    expect(files.length).toBeGreaterThan(50);
    const index = importsOf('src/index.ts', readFileSync(join(root, 'src/index.ts'), 'utf8'));
    expect(index).toContain('./errors.js');
    expect(index).toContain('./tensor/tensor.js');
  });

  it('has no import that goes up a layer', () => {
    const bad = files.flatMap((f) => violations(f, importsOf(f, readFileSync(join(root, f), 'utf8'))));
    expect(bad.length, `upward or unplaced imports:\n${bad.join('\n')}`).toBe(0);
  });

  it('catches an upward import, a type-only one, a re-export and a dynamic one', () => {
    const text = [
      "import type { Tensor } from '../tensor/tensor.js';",
      "export { Plan } from '../graph/plan.js';",
      "import { grid1d } from './grid.js';",
      "const m = () => import('../nn/index.js');",
      "import source from '../../shaders/copy.wgsl?raw';",
    ].join('\n');
    const bad = violations('src/kernels/example.ts', importsOf('src/kernels/example.ts', text));
    expect(bad).toHaveLength(3);
    expect(bad[0]).toContain("src/kernels/example.ts (kernels) imports '../tensor/tensor.js' from a higher layer (tensor, ops)");
    expect(bad.join('\n')).toContain('../graph/plan.js');
    expect(bad.join('\n')).toContain('../nn/index.js');
    expect(violations('src/newfolder/x.ts', [])).toHaveLength(1);
    expect(violations('src/util/x.ts', ['../errors.js', 'commander'])).toEqual([]);
  });

  it("names every layer that exists in the README's architecture section", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const arch = readme.slice(readme.indexOf('## Architecture'), readme.indexOf('\n## ', readme.indexOf('## Architecture') + 1));
    for (const names of LAYERS) {
      for (const name of names.filter((n) => existsSync(join(n === 'shaders' ? root : src, n)))) {
        const shown = name.endsWith('.ts') ? name : `${name}/`;
        expect(arch.includes(shown), `README's architecture section does not mention ${shown}`).toBe(true);
      }
    }
  });
});
