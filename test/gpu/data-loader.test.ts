/**
 * Data loading that runs in Node and in Chromium: the prefetching async iterator of DataLoader
 * (the same batches as the synchronous one; the next batch is prepared while the consumer awaits),
 * IDX through gzip (node:zlib in Node, DecompressionStream in the browser), and the browser's image
 * decoding (createImageBitmap), which in Node is refused with a message; a fuzz of the gzip and
 * PNG paths of the platform (DecompressionStream in Chromium).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { Rng } from '../helpers.js';
import { mutate } from '../mutate.js';

const D = wt.data;
const inBrowser = typeof window !== 'undefined';

beforeAll(async () => {
  await wt.init();
});

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function dataset(count: number): wt.ImageDataset {
  return {
    count,
    channels: 1,
    height: 3,
    width: 2,
    numClasses: 5,
    images: Uint8Array.from({ length: count * 6 }, (_, i) => (i * 37) % 256),
    labels: Int32Array.from({ length: count }, (_, i) => i % 5),
  };
}

describe('DataLoader prefetching', () => {
  it('for await gives the batches (and draws) of the synchronous iterator', async () => {
    const opts = { batchSize: 4, shuffle: true, seed: 7, transform: new wt.transforms.RandomHorizontalFlip(0.5) };
    const sync = new wt.DataLoader(dataset(11), opts);
    const prefetching = new wt.DataLoader(dataset(11), opts);
    const a: number[][] = [];
    for (const b of sync) a.push([...(await b.x.data()), ...(await b.y.data())]);
    const b: number[][] = [];
    for await (const batch of prefetching) b.push([...(await batch.x.data()), ...(await batch.y.data())]);
    expect(b.length).toBe(3);
    expect(b).toEqual(a);
  });

  it('GPU augmentation through the loader: seeded, the same with and without prefetching', async () => {
    const opts = {
      batchSize: 3,
      shuffle: true,
      seed: 4,
      transform: new wt.transforms.RandomHorizontalFlip(0.5),
      augment: new wt.augment.Compose([new wt.augment.RandomCrop([3, 2], { padding: 1 }), new wt.augment.RandomHorizontalFlip()]),
    };
    const check = async (b: wt.Batch): Promise<number[]> => {
      expect(b.x.shape).toEqual([b.size, 1, 3, 2]);
      return Array.from(await b.x.data());
    };
    const read = async (loader: wt.DataLoader): Promise<number[][]> => {
      const out: number[][] = [];
      for (const b of loader) out.push(await check(b));
      return out;
    };
    const a = await read(new wt.DataLoader(dataset(8), opts));
    const prefetched: number[][] = [];
    for await (const b of new wt.DataLoader(dataset(8), opts)) prefetched.push(await check(b));
    expect(prefetched).toEqual(a);
    const plain = await read(new wt.DataLoader(dataset(8), { ...opts, augment: null }));
    expect(plain).not.toEqual(a);
  });

  it('prepares the next batch while the consumer awaits its step', async () => {
    let prepared = 0;
    const counting: wt.transforms.Transform = { apply: () => void prepared++ };
    const loader = new wt.DataLoader(dataset(12), { batchSize: 4, transform: counting });
    const seen: number[] = [];
    for await (const batch of loader) {
      seen.push(prepared);
      // The "training step": awaiting GPU work lets the loader's task run.
      await batch.x.data();
      await new Promise((r) => setTimeout(r, 20));
      seen.push(prepared);
    }
    // Before each step only the batches handed out exist; after it, the next one is ready too.
    expect(seen).toEqual([1, 2, 2, 3, 3, 3]);
  });
});

describe('formats through the platform', () => {
  it('IDX through gzip', async () => {
    const pixels = Uint8Array.from({ length: 2 * 4 * 3 }, (_, i) => i * 5);
    const images = await gzip(D.encodeIdx([2, 4, 3], pixels));
    const labels = await gzip(D.encodeIdx([2], Uint8Array.of(3, 8)));
    const d = await D.loadIdx({ images: { name: 'i.gz', bytes: images }, labels: new Blob([labels as Uint8Array<ArrayBuffer>]) });
    expect([d.count, d.height, d.width, ...d.labels]).toEqual([2, 4, 3, 3, 8]);
    expect(Array.from(d.images)).toEqual(Array.from(pixels));
    await expect(D.loadIdx({ images: { name: 'cut.gz', bytes: images.subarray(0, 20) }, labels: { name: 'l', bytes: labels } })).rejects.toThrow(/cut\.gz: corrupt or truncated/);
  });

  it(inBrowser ? 'imagesFromFiles decodes PNGs with createImageBitmap; the PNG decoder agrees' : 'imagesFromFiles is refused in Node with a message', async () => {
    if (!inBrowser) {
      await expect(D.imagesFromFiles([], { height: 2, width: 2, numClasses: 1 })).rejects.toThrow(/needs createImageBitmap and OffscreenCanvas \(a browser\); in Node use imageFolder/);
      return;
    }
    const canvas = new OffscreenCanvas(5, 4);
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(5, 4);
    for (let p = 0; p < 20; p++) img.data.set([(p * 13) % 256, (p * 29) % 256, (p * 47) % 256, 255], 4 * p);
    ctx.putImageData(img, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const d = await D.imagesFromFiles([{ source: blob, label: 1 }], { height: 4, width: 5, numClasses: 2 });
    for (let p = 0; p < 20; p++) for (let c = 0; c < 3; c++) expect(d.images[c * 20 + p]).toBe(img.data[4 * p + c]);
    const decoded = await D.decodePng(new Uint8Array(await blob.arrayBuffer()), 'canvas.png');
    expect(Array.from(decoded.data)).toEqual(Array.from(d.images));
    await expect(D.imagesFromFiles([{ source: new Blob([Uint8Array.of(1, 2, 3)]), label: 0 }], { height: 4, width: 5, numClasses: 2 })).rejects.toThrow(/cannot decode this image/);
  });
});

describe('fuzz through the platform decompression', () => {
  async function fuzz(what: string, file: Uint8Array, parse: (b: Uint8Array) => Promise<unknown>): Promise<void> {
    const rng = new Rng(what.length);
    for (let i = 0; i < 150; i++) {
      const b = mutate(file, rng);
      try {
        await parse(b);
      } catch (e) {
        if (!(e instanceof wt.FileFormatError)) throw new Error(`${what}: mutation ${i} threw ${(e as Error).name}: ${(e as Error).message}`);
        expect((e as Error).message).toMatch(/^f:/);
      }
    }
  }

  it('IDX through gzip', async () => {
    const file = await gzip(D.encodeIdx([3, 5, 4], Uint8Array.from({ length: 60 }, (_, i) => i)));
    await fuzz('idx.gz', file, async (b) => D.parseIdx(await D.gunzipIfNeeded(b, 'f:', 1 << 16), 'f:'));
  });

  it(inBrowser ? 'PNG written by Chromium' : 'PNG (one written by hand)', async () => {
    let png: Uint8Array;
    if (inBrowser) {
      const canvas = new OffscreenCanvas(6, 5);
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#3a7';
      ctx.fillRect(1, 1, 3, 2);
      png = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    } else {
      // A 1x1 grey PNG: IHDR, one IDAT, IEND.
      png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0));
      expect((await D.decodePng(png, 'one.png')).data.length).toBe(1);
    }
    await fuzz('png', png, (b) => D.decodePng(b, 'f:'));
  });
});
