/**
 * Dataset files (Node): IDX (plain and gzip), CIFAR-10 / CIFAR-100 batches, PGM / PPM, PNG, an
 * image folder, written here as small files. Each parser's bad-input behaviour: empty, truncated,
 * wrong magic, lying headers (refused before allocating, so quickly), errors that name the file
 * and the byte or record; and a seeded fuzz of every parser: a FileFormatError or a correct-sized
 * result, nothing else. Splits (random, stratified) and loading progress.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as jpegJs from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { Rng } from '../helpers.js';
import { mutate } from '../mutate.js';
import { encodePng, fixPngCrcs } from './data-files.js';

const D = wt.data;

function bytesOf(n: number, seed: number): Uint8Array {
  const r = new Rng(seed);
  return Uint8Array.from({ length: n }, () => r.int(0, 256));
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'webtrain-data-'));
}

async function expectFormatError(p: Promise<unknown> | (() => unknown), pattern: RegExp): Promise<void> {
  const run = typeof p === 'function' ? Promise.resolve().then(p) : p;
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a FileFormatError matching ${pattern}`).toBeInstanceOf(wt.FileFormatError);
  expect((err as Error).message).toMatch(pattern);
}

/** A [n, h, w] idx3 file and its idx1 labels. */
function mnistLike(n: number, h: number, w: number, seed: number): { images: Uint8Array; labels: Uint8Array; pixels: Uint8Array; lab: Uint8Array } {
  const pixels = bytesOf(n * h * w, seed);
  const lab = Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10);
  return { images: D.encodeIdx([n, h, w], pixels), labels: D.encodeIdx([n], lab), pixels, lab };
}

/** A smooth RGB image encoded by jpeg-js at quality 95, with its RGBA pixels. */
function smoothJpeg(w: number, h: number): { bytes: Uint8Array; rgba: Uint8Array } {
  const rgba = new Uint8Array(4 * w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set([40 + 10 * x, 30 + 12 * y, 200 - 5 * (x + y), 255], 4 * (y * w + x));
  return { bytes: new Uint8Array(jpegJs.encode({ data: rgba, width: w, height: h }, 95).data), rgba };
}

describe('IDX (MNIST, Fashion-MNIST)', () => {
  it('reads plain and gzip files by path, with progress', async () => {
    const dir = tmp();
    const m = mnistLike(5, 28, 28, 1);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), m.images);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), m.labels);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(m.images));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(m.labels));
    for (const ext of ['', '.gz']) {
      const events: wt.data.LoadProgress[] = [];
      const d = await D.loadIdx(
        { images: join(dir, `train-images-idx3-ubyte${ext}`), labels: join(dir, `train-labels-idx1-ubyte${ext}`) },
        { onProgress: (p) => events.push(p) },
      );
      expect([d.count, d.channels, d.height, d.width, d.numClasses]).toEqual([5, 1, 28, 28, 10]);
      expect(Array.from(d.images)).toEqual(Array.from(m.pixels));
      expect(Array.from(d.labels)).toEqual(Array.from(m.lab));
      expect(events.length).toBeGreaterThanOrEqual(2);
      expect(events[0]!.file).toContain('images');
      expect(events.at(-1)!.records).toBe(5);
    }
  });

  it('decodes the other element types big-endian', () => {
    const f = new Uint8Array(4 + 4 + 8);
    f.set([0, 0, 0x0d, 1]);
    const v = new DataView(f.buffer);
    v.setUint32(4, 2, false);
    v.setFloat32(8, 1.5, false);
    v.setFloat32(12, -2.25, false);
    const a = D.parseIdx(f, 'f.idx');
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.data)).toEqual([1.5, -2.25]);
  });

  it('refuses empty, truncated, wrong-magic, lying and mismatched files, naming the file and byte', async () => {
    const m = mnistLike(3, 4, 5, 2);
    expect(() => D.parseIdx(new Uint8Array(0), 'e.idx')).toThrow(/e\.idx: 0 bytes is too short/);
    expect(() => D.parseIdx(Uint8Array.from([1, 2, 8, 3]), 'm.idx')).toThrow(/m\.idx: not an IDX file: bytes 0-1/);
    expect(() => D.parseIdx(Uint8Array.from([0, 0, 7, 3]), 't.idx')).toThrow(/t\.idx: byte 2: unknown IDX type code 0x07/);
    expect(() => D.parseIdx(m.images.subarray(0, 10), 'h.idx')).toThrow(/h\.idx: truncated header/);
    expect(() => D.parseIdx(m.images.subarray(0, m.images.length - 1), 'x.idx')).toThrow(/x\.idx: truncated: the data stops at byte 75; the header \[3, 4, 5\] of u8 needs 76 bytes/);
    // A header claiming 2^20 x 2^20 x 2^20 pixels: refused at once, nothing allocated.
    const lying = m.images.slice();
    const v = new DataView(lying.buffer);
    v.setUint32(4, 2 ** 20, false);
    v.setUint32(8, 2 ** 20, false);
    v.setUint32(12, 2 ** 20, false);
    const t0 = performance.now();
    expect(() => D.parseIdx(lying, 'lie.idx')).toThrow(/lie\.idx: truncated.*\[1048576, 1048576, 1048576\]/);
    expect(performance.now() - t0).toBeLessThan(50);
    const badLabels = m.labels.slice();
    badLabels[9] = 10;
    const images = D.parseIdx(m.images, 'i');
    expect(() => D.idxDataset(images, D.parseIdx(badLabels, 'l'), { images: 'i', labels: 'l' })).toThrow(/l: record 1 \(byte 9\): label 10 is outside 0\.\.9/);
    expect(() => D.idxDataset(images, D.parseIdx(D.encodeIdx([2], Uint8Array.of(1, 2)), 'l2'), { images: 'i', labels: 'l2' })).toThrow(/l2: 2 labels for the 3 images/);
    await expectFormatError(D.loadIdx({ images: { name: 'bad.gz', bytes: gzipSync(m.images).subarray(0, 30) }, labels: { name: 'l', bytes: m.labels } }), /bad\.gz: corrupt or truncated/);
    await expectFormatError(D.loadIdx({ images: '/nonexistent/x-idx3-ubyte', labels: 'y' }), /\/nonexistent\/x-idx3-ubyte: cannot read the file/);
  });

  it('bounds what a gzip file may decompress to', async () => {
    const bomb = gzipSync(new Uint8Array(1 << 20));
    await expectFormatError(D.gunzipIfNeeded(bomb, 'bomb.gz', 1 << 16), /bomb\.gz/);
    expect((await D.gunzipIfNeeded(bomb, 'ok.gz', 1 << 21)).length).toBe(1 << 20);
  });
});

describe('CIFAR-10 and CIFAR-100 binary batches', () => {
  const px = 3072;
  it('reads batches in order; CIFAR-100 fine labels by default, coarse on request', async () => {
    const dir = tmp();
    const imgs = bytesOf(5 * px, 3);
    writeFileSync(join(dir, 'data_batch_1.bin'), D.encodeCifar(imgs.subarray(0, 3 * px), [[1], [9], [0]]));
    writeFileSync(join(dir, 'data_batch_2.bin'), D.encodeCifar(imgs.subarray(3 * px), [[4], [5]]));
    const events: wt.data.LoadProgress[] = [];
    const c10 = await D.loadCifar([join(dir, 'data_batch_1.bin'), join(dir, 'data_batch_2.bin')], 'cifar10', { onProgress: (p) => events.push(p) });
    expect([c10.count, c10.channels, c10.height, c10.width, c10.numClasses]).toEqual([5, 3, 32, 32, 10]);
    expect(Array.from(c10.labels)).toEqual([1, 9, 0, 4, 5]);
    expect(Array.from(c10.images)).toEqual(Array.from(imgs));
    expect(events.map((e) => e.records).filter((r) => r > 0)).toEqual([3, 5]);
    const c100 = D.encodeCifar(imgs.subarray(0, 2 * px), [[19, 99], [3, 42]]);
    const fine = D.parseCifar(c100, 'train.bin', 'cifar100');
    expect([fine.numClasses, ...fine.labels]).toEqual([100, 99, 42]);
    const coarse = D.parseCifar(c100, 'train.bin', 'cifar100', { labels: 'coarse' });
    expect([coarse.numClasses, ...coarse.labels]).toEqual([20, 19, 3]);
    expect(Array.from(coarse.images)).toEqual(Array.from(imgs.subarray(0, 2 * px)));
  });

  it('refuses empty, truncated and mislabelled batches naming the record and byte', () => {
    const two = D.encodeCifar(bytesOf(2 * px, 4), [[1], [2]]);
    expect(() => D.parseCifar(new Uint8Array(0), 'e.bin', 'cifar10')).toThrow(/e\.bin: empty file/);
    expect(() => D.parseCifar(two.subarray(0, 3073 + 100), 't.bin', 'cifar10')).toThrow(/t\.bin: 3173 bytes .*record 1 at byte 3073 is truncated/);
    const bad = two.slice();
    bad[3073] = 10;
    expect(() => D.parseCifar(bad, 'b.bin', 'cifar10')).toThrow(/b\.bin: record 1 \(byte 3073\): label 10 is outside 0\.\.9/);
    const c100 = D.encodeCifar(bytesOf(px, 5), [[20, 5]]);
    expect(() => D.parseCifar(c100, 'c.bin', 'cifar100')).toThrow(/c\.bin: record 0 \(byte 0\): coarse label 20 is outside 0\.\.19/);
    // A CIFAR-10 file read as CIFAR-100 is not a whole number of records.
    expect(() => D.parseCifar(two, 'w.bin', 'cifar100')).toThrow(/w\.bin: 6146 bytes is not a whole number of 3074-byte cifar100 records/);
  });
});

describe('netpbm and PNG images, and an image folder', () => {
  it('PGM / PPM, binary and text, 8 and 16 bit', () => {
    const rgb = { channels: 3, height: 2, width: 3, data: bytesOf(18, 6) };
    const back = D.decodeNetpbm(D.encodeNetpbm(rgb), 'a.ppm');
    expect(back).toEqual(rgb);
    const text = new TextEncoder().encode('P2\n# a comment\n2 2\n15\n0 15\n  5 10\n');
    expect(Array.from(D.decodeNetpbm(text, 'b.pgm').data)).toEqual([0, 255, 85, 170]);
    const p16 = Uint8Array.from([...new TextEncoder().encode('P5 2 1 65535\n'), 0xff, 0xff, 0x80, 0x00]);
    expect(Array.from(D.decodeNetpbm(p16, 'c.pgm').data)).toEqual([255, 128]);
    expect(() => D.decodeNetpbm(new TextEncoder().encode('P5 1048576 1048576 255\n'), 'big.pgm')).toThrow(/big\.pgm: byte \d+: image size 1048576x1048576 is larger/);
    // Within the size limit but far more than the file holds: refused before the samples are allocated.
    const t0 = performance.now();
    expect(() => D.decodeNetpbm(new TextEncoder().encode('P6 8000 8000 255\nabc'), 'lie.ppm')).toThrow(/lie\.ppm: truncated: 8000x8000x3 samples need 192000017 bytes/);
    expect(() => D.decodeNetpbm(new TextEncoder().encode('P3 8000 8000 255\n1 2 3'), 'lie.ppm')).toThrow(/lie\.ppm: truncated: 8000x8000x3 samples need at least/);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(() => D.decodeNetpbm(new TextEncoder().encode('P6 4 4 255\nabc'), 't.ppm')).toThrow(/t\.ppm: truncated: 4x4x3 samples need 59 bytes, the file stops at byte 14/);
    expect(() => D.decodeNetpbm(new TextEncoder().encode('P2 1 1 10\n11'), 's.pgm')).toThrow(/s\.pgm: byte 10: sample 11 is larger than maxval 10/);
    expect(() => D.decodeNetpbm(new TextEncoder().encode('P4 1 1\n'), 'bits.pbm')).toThrow(/P4 is not supported/);
  });

  it('PNG: grey, RGB, grey+alpha, RGBA with all five filters; corrupt files refused', async () => {
    const w = 7;
    const h = 6; // rows use filters 0..4, then 0
    for (const [colour, samples, channels] of [[0, 1, 1], [2, 3, 3], [4, 2, 1], [6, 4, 3]] as const) {
      const hwc = bytesOf(w * h * samples, colour + 10);
      const img = await D.decodePng(encodePng(w, h, colour, hwc), 'a.png');
      expect([img.channels, img.height, img.width]).toEqual([channels, h, w]);
      for (let p = 0; p < w * h; p++) for (let c = 0; c < channels; c++) expect(img.data[c * w * h + p]).toBe(hwc[p * samples + c]);
    }
    const good = encodePng(w, h, 2, bytesOf(w * h * 3, 1));
    await expectFormatError(D.decodePng(good.subarray(0, 50), 't.png'), /t\.png: truncated: chunk "IDAT" at byte 33 claims/);
    const crc = good.slice();
    crc[20] ^= 1;
    await expectFormatError(D.decodePng(crc, 'c.png'), /c\.png: byte 8: CRC mismatch in chunk "IHDR"/);
    const lying = good.slice();
    new DataView(lying.buffer).setUint32(16, 2 ** 30, false);
    fixPngCrcs(lying);
    await expectFormatError(D.decodePng(lying, 'l.png'), /l\.png: byte 16: image size 1073741824x6 is larger/);
    const interlaced = good.slice();
    interlaced[28] = 1;
    fixPngCrcs(interlaced);
    await expectFormatError(D.decodePng(interlaced, 'i.png'), /interlaced/);
  });

  it('JPEG (jpeg-js): decoded close to what was encoded; lying, truncated and corrupt files refused', async () => {
    const jpg = smoothJpeg(16, 12);
    const img = await D.decodeJpeg(jpg.bytes, 'a.jpg');
    expect([img.channels, img.height, img.width]).toEqual([3, 12, 16]);
    let err = 0;
    for (let p = 0; p < 16 * 12; p++) for (let c = 0; c < 3; c++) err += Math.abs(img.data[c * 192 + p]! - jpg.rgba[4 * p + c]!);
    expect(err / (3 * 192), 'mean absolute error (quality 95)').toBeLessThan(4);
    const lying = jpg.bytes.slice();
    const sof = D.jpegFrame(jpg.bytes, 'a.jpg');
    expect(sof).toEqual({ width: 16, height: 12, components: 3 });
    const at = lying.findIndex((b, i) => b === 0xff && lying[i + 1] === 0xc0);
    lying[at + 5] = 0xff;
    lying[at + 7] = 0xff;
    const t0 = performance.now();
    await expectFormatError(D.decodeJpeg(lying, 'lie.jpg'), /lie\.jpg: byte \d+: image size 65296x65292 is larger/);
    expect(performance.now() - t0).toBeLessThan(50);
    await expectFormatError(D.decodeJpeg(jpg.bytes.subarray(0, 8), 't.jpg'), /t\.jpg: truncated: segment FFE0 at byte 2/);
    await expectFormatError(D.decodeJpeg(jpg.bytes.subarray(0, jpg.bytes.length - 40), 'cut.jpg'), /cut\.jpg: cannot decode the JPEG/);
    await expectFormatError(D.decodeImage(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9), 'empty.jpg'), /empty\.jpg: no frame header/);
  });

  it('imageFolder: classes sorted, PNG and PPM, converted to the requested channels, progress', async () => {
    const root = tmp();
    const pixels: Record<string, Uint8Array> = {};
    for (const [cls, files] of [['dog', ['b.png', 'a.ppm']], ['cat', ['x.png']]] as const) {
      mkdirSync(join(root, cls));
      for (const f of files) {
        const hwc = bytesOf(4 * 5 * 3, f.charCodeAt(0));
        pixels[`${cls}/${f}`] = hwc;
        const planar = { channels: 3, height: 4, width: 5, data: Uint8Array.from({ length: 60 }, (_, i) => hwc[(i % 20) * 3 + Math.floor(i / 20)]!) };
        writeFileSync(join(root, cls, f), f.endsWith('.png') ? encodePng(5, 4, 2, hwc) : D.encodeNetpbm(planar));
      }
    }
    writeFileSync(join(root, 'cat', 'notes.txt'), 'not an image');
    let last: wt.data.LoadProgress | null = null;
    const d = await D.imageFolder(root, { onProgress: (p) => (last = p) });
    expect(d.classes).toEqual(['cat', 'dog']);
    expect(d.files.map((f) => f.slice(root.length + 1))).toEqual(['cat/x.png', 'dog/a.ppm', 'dog/b.png']);
    expect(Array.from(d.labels)).toEqual([0, 1, 1]);
    expect([d.count, d.channels, d.height, d.width]).toEqual([3, 3, 4, 5]);
    expect(d.images[60 + 20 + 3]).toBe(pixels['dog/a.ppm']![3 * 3 + 1]); // image 1, green, pixel 3
    expect(last!.records).toBe(3);
    const grey = await D.imageFolder(root, { channels: 1 });
    const hwc = pixels['cat/x.png']!;
    expect(grey.images[0]).toBe(Math.round((hwc[0]! * 299 + hwc[1]! * 587 + hwc[2]! * 114) / 1000));
    writeFileSync(join(root, 'dog', 'c.pgm'), D.encodeNetpbm({ channels: 1, height: 3, width: 5, data: new Uint8Array(15) }));
    await expectFormatError(D.imageFolder(root), /dog\/c\.pgm: image 3 is 5x3, the folder's first image .* is 5x4/);
    await expectFormatError(D.imageFolder(join(root, 'cat')), /no class folders/);
    const jroot = tmp();
    mkdirSync(join(jroot, 'a'));
    writeFileSync(join(jroot, 'a', 'one.jpg'), smoothJpeg(8, 8).bytes);
    writeFileSync(join(jroot, 'a', 'two.jpeg'), smoothJpeg(8, 8).bytes);
    const jd = await D.imageFolder(jroot);
    expect([jd.count, jd.channels, jd.height, jd.width]).toEqual([2, 3, 8, 8]);
  });
});

describe('fuzz: every parser returns a correct result or throws a FileFormatError', () => {
  const N = 300;
  /** Runs `parse` on N mutations of `seedFile`; `check` validates a result against its input's size. */
  async function fuzz(what: string, seedFile: Uint8Array, parse: (b: Uint8Array) => unknown, check: (r: unknown, b: Uint8Array) => void, prepare?: (b: Uint8Array) => void): Promise<void> {
    const rng = new Rng(what.length * 7919);
    const t0 = performance.now();
    let accepted = 0;
    for (let i = 0; i < N; i++) {
      const b = mutate(seedFile, rng);
      if (prepare && i % 2 === 0) prepare(b);
      try {
        check(await parse(b), b);
        accepted++;
      } catch (e) {
        if (!(e instanceof wt.FileFormatError)) throw new Error(`${what}: mutation ${i} threw ${(e as Error).name}: ${(e as Error).message}`);
        expect((e as Error).message, what).toMatch(/^f:/);
      }
    }
    expect(performance.now() - t0, `${what}: ${N} mutations`).toBeLessThan(10_000);
    expect(accepted).toBeLessThan(N);
  }

  it('IDX', async () => {
    const m = mnistLike(4, 6, 5, 7);
    await fuzz('idx', m.images, (b) => D.parseIdx(b, 'f:'), (r, b) => {
      const a = r as wt.data.IdxArray;
      expect(a.data.length * a.data.BYTES_PER_ELEMENT).toBeLessThanOrEqual(b.length);
      expect(a.shape.reduce((x, y) => x * y, 1)).toBe(a.data.length);
    });
  });

  it('IDX gzip', async () => {
    const m = mnistLike(4, 6, 5, 8);
    await fuzz('idx.gz', new Uint8Array(gzipSync(m.images)), async (b) => D.parseIdx(await D.gunzipIfNeeded(b, 'f:', 1 << 16), 'f:'), () => undefined);
  });

  it('CIFAR-10 and CIFAR-100', async () => {
    const c = D.encodeCifar(bytesOf(2 * 3072, 9), [[3], [7]]);
    await fuzz('cifar10', c, (b) => D.parseCifar(b, 'f:', 'cifar10'), (r, b) => expect((r as wt.ImageDataset).images.length).toBeLessThanOrEqual(b.length));
    const c100 = D.encodeCifar(bytesOf(2 * 3072, 9), [[3, 30], [7, 70]]);
    await fuzz('cifar100', c100, (b) => D.parseCifar(b, 'f:', 'cifar100'), (r, b) => expect((r as wt.ImageDataset).images.length).toBeLessThanOrEqual(b.length));
  });

  it('netpbm', async () => {
    const ppm = D.encodeNetpbm({ channels: 3, height: 4, width: 5, data: bytesOf(60, 10) });
    await fuzz('ppm', ppm, (b) => D.decodeNetpbm(b, 'f:'), (r, b) => expect((r as wt.data.DecodedImage).data.length).toBeLessThanOrEqual(b.length));
    const pgm = new TextEncoder().encode('P2\n3 2\n255\n1 2 3\n4 5 6\n');
    await fuzz('pgm', pgm, (b) => D.decodeNetpbm(b, 'f:'), (r, b) => expect((r as wt.data.DecodedImage).data.length).toBeLessThanOrEqual(b.length));
  });

  it('JPEG', async () => {
    await fuzz('jpeg', smoothJpeg(16, 16).bytes, (b) => D.decodeJpeg(b, 'f:'), (r) => {
      const img = r as wt.data.DecodedImage;
      expect(img.data.length).toBe(img.channels * img.height * img.width);
    });
  });

  it('PNG (half the mutations with their CRCs repaired, to reach IHDR, inflate and the filters)', async () => {
    const png = encodePng(6, 5, 2, bytesOf(90, 11));
    await fuzz('png', png, (b) => D.decodePng(b, 'f:'), (r) => {
      const img = r as wt.data.DecodedImage;
      expect(img.data.length).toBe(img.channels * img.height * img.width);
      expect(img.height * img.width).toBeLessThanOrEqual(D.MAX_PIXELS);
    }, fixPngCrcs);
  });
});

describe('splits', () => {
  const labels = Int32Array.from({ length: 103 }, (_, i) => (i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2));
  const ds: wt.ImageDataset = { count: 103, channels: 1, height: 1, width: 2, numClasses: 3, images: Uint8Array.from({ length: 206 }, (_, i) => i >> 1), labels };

  it('randomSplit: fractions as torch (floor, remainder from the first), disjoint, seeded', () => {
    expect(D.splitLengths(103, [0.9, 0.1])).toEqual([93, 10]);
    expect(D.splitLengths(10, [0.34, 0.33, 0.33])).toEqual([4, 3, 3]);
    expect(D.splitLengths(10, [6, 4])).toEqual([6, 4]);
    expect(() => D.splitLengths(10, [6, 5])).toThrow(wt.ArgumentError);
    const [train, val] = D.randomSplit(ds, [0.9, 0.1], { generator: new wt.Generator(3) });
    expect([train!.count, val!.count]).toEqual([93, 10]);
    const ids = [...train!.images.filter((_, i) => i % 2 === 0), ...val!.images.filter((_, i) => i % 2 === 0)];
    expect(new Set(ids).size).toBe(103);
    const again = D.randomSplit(ds, [0.9, 0.1], { generator: new wt.Generator(3) });
    expect(Array.from(again[1]!.images)).toEqual(Array.from(val!.images));
    const other = D.randomSplit(ds, [0.9, 0.1], { generator: new wt.Generator(4) });
    expect(Array.from(other[1]!.images)).not.toEqual(Array.from(val!.images));
    // Labels travel with their images.
    for (let i = 0; i < val!.count; i++) expect(val!.labels[i]).toBe(labels[val!.images[2 * i]!]);
  });

  it('stratified: every split keeps the class proportions', () => {
    const [train, val] = D.randomSplit(ds, [0.8, 0.2], { generator: new wt.Generator(1), stratify: true });
    const counts = (d: wt.ImageDataset) => [0, 1, 2].map((c) => Array.from(d.labels).filter((l) => l === c).length);
    const all = counts(ds);
    expect(counts(train!).map((c, k) => c + counts(val!)[k]!)).toEqual(all);
    counts(val!).forEach((c, k) => expect(Math.abs(c - all[k]! * 0.2)).toBeLessThanOrEqual(1));
  });
});
