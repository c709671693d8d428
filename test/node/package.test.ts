/**
 * The package as a web app gets it: `npm pack` (whose prepack builds dist/lib), the tarball installed
 * into a scratch Vite app in a temp dir, then
 *   - Node imports 'webtrain' from the scratch app and trains a tiny conv net a few steps (SwiftShader
 *     without a GPU): the loss is finite and goes down;
 *   - Vite builds the scratch app's page (the bundler must leave Node-only modules out and keep the
 *     inlined WGSL), and Chromium (with the flags of scripts/chromium.ts) trains the same steps there.
 * The install is offline-friendly (--prefer-offline: the dependencies come from npm's cache).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.ts';

const root = resolve(import.meta.dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir = '';

// The same few steps in Node and in the page: 3x3 conv, ReLU, linear, cross-entropy, SGD.
const TRAIN = `
export async function train(wt) {
  await wt.init();
  wt.manualSeed(0);
  const model = new wt.nn.Sequential(new wt.nn.Conv2d(1, 4, 3), new wt.nn.ReLU(), new wt.nn.Flatten(), new wt.nn.Linear(4 * 6 * 6, 3));
  const opt = new wt.optim.SGD(model.parameters(), 0.1, 0.9);
  const x = wt.randn(8, 1, 8, 8);
  const y = wt.randint(3, [8]);
  const losses = [];
  for (let step = 0; step < 4; step++) {
    const loss = wt.nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
    opt.zeroGrad();
    losses.push(await loss.item());
  }
  return losses;
}
`;

/** Runs a command; a failure's message carries its output. */
function sh(cmd: string, args: string[], cwd: string, timeout = 60_000): string {
  try {
    return execFileSync(cmd, args, { cwd, timeout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

function expectTrains(losses: number[], where: string): void {
  expect(losses, where).toHaveLength(4);
  for (const l of losses) expect(Number.isFinite(l), `${where}: finite loss (${losses.join(', ')})`).toBe(true);
  expect(losses[3]!, `${where}: the loss goes down (${losses.join(', ')})`).toBeLessThan(losses[0]!);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'webtrain-package-'));
  const packed = JSON.parse(sh(npm, ['pack', '--json', '--pack-destination', dir], root, 60_000)) as { filename: string; files: { path: string }[] }[];
  const files = packed[0]!.files.map((f) => f.path);
  expect(files).toContain('dist/lib/webtrain.js');
  expect(files).toContain('dist/lib/index.d.ts');
  expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  writeFileSync(join(dir, 'train.js'), TRAIN);
  writeFileSync(join(dir, 'node-train.js'), "import * as wt from 'webtrain';\nimport { train } from './train.js';\nconsole.log(JSON.stringify(await train(wt)));\n");
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>\n');
  writeFileSync(
    join(dir, 'main.js'),
    "import * as wt from 'webtrain';\nimport { train } from './train.js';\ntrain(wt).then((l) => { window.__losses = l; }, (e) => { window.__error = String(e && e.stack || e); });\n",
  );
  sh(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(dir, packed[0]!.filename)], dir, 90_000);
}, 150_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package in a scratch app', () => {
  it('ships types and an ESM entry that package.json exports', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', 'webtrain', 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string }> };
    const lib = join(dir, 'node_modules', 'webtrain');
    expect(readFileSync(join(lib, pkg.exports['.']!.types), 'utf8')).toMatch(/export \{[^}]*\bSGD\b|from '.\/optim\/index.js'/);
    expect(readFileSync(join(lib, pkg.exports['.']!.import), 'utf8')).toMatch(/@compute/);
  });

  it("type-checks a consumer against the package's declarations", () => {
    writeFileSync(
      join(dir, 'check.ts'),
      [
        // A web app has WebGPU's types (lib.dom does not yet); this one borrows the repo's.
        `/// <reference path="${join(root, 'node_modules', '@webgpu', 'types', 'dist', 'index.d.ts')}" />`,
        "import * as wt from 'webtrain';",
        'const p: wt.Tensor = wt.zeros(2, 3, { requiresGrad: true });',
        'const opt = new wt.optim.Adam([p], 1e-3, [0.9, 0.99], { maximize: false });',
        'const lr: number = opt.paramGroups[0]!.lr;',
        'const sd: wt.optim.OptimizerStateDict = opt.stateDict();',
        'new wt.optim.StepLR(opt, 2, { gamma: 0.5 });',
        'export { lr, sd };',
        '',
      ].join('\n'),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types')];
    sh(process.execPath, [tsc, ...flags, 'check.ts'], dir, 60_000);
    writeFileSync(join(dir, 'bad.ts'), `/// <reference path="${join(root, 'node_modules', '@webgpu', 'types', 'dist', 'index.d.ts')}" />\nimport * as wt from 'webtrain';\nwt.ops;\n`);
    expect(() => sh(process.execPath, [tsc, ...flags, 'bad.ts'], dir, 60_000)).toThrow(/Property 'ops' does not exist/);
  }, 60_000);

  it('trains in Node, imported as a package', () => {
    const out = sh(process.execPath, ['node-train.js'], dir, 60_000);
    expectTrains(JSON.parse(out.trim().split('\n').pop()!) as number[], 'Node');
  }, 60_000);

  describe('a Vite build of the page', () => {
    let server: Server;
    let url = '';

    beforeAll(async () => {
      sh(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], dir, 60_000);
      const assets = readdirSync(join(dir, 'dist', 'assets')).filter((f) => f.endsWith('.js'));
      const bundle = assets.map((f) => readFileSync(join(dir, 'dist', 'assets', f), 'utf8')).join('\n');
      // Shaders inlined; Node's modules not bundled (only named in the variable-specifier imports).
      expect(bundle).toMatch(/@compute/);
      expect(bundle).not.toMatch(/node_modules\/webgpu\/|from ["']node:/);
      const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
      server = createServer((req, res) => {
        const path = join(dir, 'dist', req.url === '/' ? 'index.html' : decodeURIComponent(req.url!.split('?')[0]!));
        try {
          const body = readFileSync(path);
          res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
          res.end(body);
        } catch {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const addr = server.address();
      url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    }, 90_000);

    afterAll(() => {
      server?.close();
    });

    it('trains in Chromium', async () => {
      const { chromium } = await import('playwright');
      const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(url);
        await page.waitForFunction(() => (window as unknown as { __losses?: unknown; __error?: unknown }).__losses ?? (window as unknown as { __error?: unknown }).__error, null, { timeout: 60_000 });
        const { losses, error } = await page.evaluate(() => {
          const w = window as unknown as { __losses?: number[]; __error?: string };
          return { losses: w.__losses, error: w.__error };
        });
        expect(error ?? errors[0], 'page error').toBeUndefined();
        expectTrains(losses!, 'Chromium');
      } finally {
        await browser.close();
      }
    }, 90_000);
  });
});
