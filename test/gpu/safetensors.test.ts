/**
 * safetensors in memory and as Blobs (Node and Chromium): round trips of every dtype webtrain saves,
 * decoding of every dtype it loads, every class of corrupt file refused with the file's name and a
 * byte offset before any large allocation, a seeded fuzz of mutated files (an error or a correct
 * result, never a crash), and loadStateDict's report of every offending key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { Rng, expectEqualValues } from '../helpers.js';

beforeAll(async () => {
  await wt.init();
});

/** A file from a header object and a data section, as a writer would lay it out (no padding needed). */
function fileOf(header: Record<string, unknown>, data: Uint8Array, lengthOverride?: bigint): Uint8Array<ArrayBuffer> {
  const body = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + body.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(body.byteLength), true);
  out.set(body, 8);
  out.set(data, 8 + body.byteLength);
  return out;
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

async function expectFileError(file: Uint8Array | Blob, pattern: RegExp): Promise<void> {
  await expect(wt.io.loadSafetensors(file)).rejects.toThrow(wt.FileFormatError);
  await expect(wt.io.loadSafetensors(file)).rejects.toThrow(pattern);
}

describe('safetensors round trips', () => {
  it('float32, int32 (saved as I64) and bool tensors with metadata, from bytes, an ArrayBuffer and a Blob', async () => {
    const tensors = {
      'layer1.0.conv1.weight': wt.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 3.5), { shape: [2, 3, 2, 2] }),
      'bn.num_batches_tracked': wt.tensor(Int32Array.of(-7), { shape: [], dtype: 'int32' }),
      mask: wt.tensor([[true, false, true]]),
      empty: wt.zeros([0, 4]),
    };
    const bytes = await wt.io.serializeSafetensors(tensors, { metadata: { format: 'pt', epoch: '3' } });
    const header = await wt.io.readSafetensorsHeader(bytes);
    expect(header.entries.map(([k, e]) => [k, e.dtype, e.shape])).toEqual([
      ['layer1.0.conv1.weight', 'F32', [2, 3, 2, 2]],
      ['bn.num_batches_tracked', 'I64', []],
      ['mask', 'BOOL', [1, 3]],
      ['empty', 'F32', [0, 4]],
    ]);
    expect(header.dataStart % 8).toBe(0);
    const blob = await wt.io.saveSafetensors(tensors, { metadata: { format: 'pt', epoch: '3' } });
    for (const source of [bytes, bytes.slice().buffer, blob]) {
      const { tensors: back, metadata } = await wt.io.readSafetensors(source);
      expect(metadata).toEqual({ format: 'pt', epoch: '3' });
      expect(Object.keys(back)).toEqual(Object.keys(tensors));
      for (const [k, t] of Object.entries(tensors)) {
        expect(back[k]!.shape, k).toEqual(t.shape);
        expect(back[k]!.dtype, k).toBe(t.dtype);
        expectEqualValues(await back[k]!.data(), await t.data(), k);
      }
    }
  });

  it('decodes F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL', async () => {
    const f64 = Float64Array.of(1.5, -2.25, 1e-3);
    const f16 = Uint16Array.of(0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00); // 1, -2, 0.333..., 2^-24, inf
    const bf16 = Uint16Array.of(0x3f80, 0xc0a0, 0x4049); // 1, -5, 3.140625
    const i64 = BigInt64Array.of(-3n, 2147483647n);
    const i32 = Int32Array.of(-2147483648, 5);
    const i16 = Int16Array.of(-300, 300);
    const i8 = Int8Array.of(-128, 127);
    const u8 = Uint8Array.of(0, 255);
    const b = Uint8Array.of(1, 0, 2);
    const parts: [string, string, ArrayBufferView, number[]][] = [
      ['f64', 'F64', f64, [3]], ['i64', 'I64', i64, [2]], ['i32', 'I32', i32, [2]], ['f16', 'F16', f16, [5]],
      ['bf16', 'BF16', bf16, [3]], ['i16', 'I16', i16, [2]], ['i8', 'I8', i8, [2]], ['u8', 'U8', u8, [2]], ['b', 'BOOL', b, [3]],
    ];
    const header: Record<string, unknown> = {};
    let offset = 0;
    const chunks: Uint8Array[] = [];
    for (const [name, dtype, arr, shape] of parts) {
      header[name] = { dtype, shape, data_offsets: [offset, offset + arr.byteLength] };
      chunks.push(bytesOf(arr));
      offset += arr.byteLength;
    }
    const data = new Uint8Array(offset);
    chunks.reduce((at, c) => (data.set(c, at), at + c.byteLength), 0);
    const t = await wt.io.loadSafetensors(fileOf(header, data));
    expect([...(await t['f64']!.data())]).toEqual([...Float32Array.from(f64)]);
    expect([...(await t['f16']!.data())]).toEqual([1, -2, Math.fround(0.333251953125), 2 ** -24, Infinity]);
    expect([...(await t['bf16']!.data())]).toEqual([1, -5, 3.140625]);
    expect(t['i64']!.dtype).toBe('int32');
    expect([...(await t['i64']!.data())]).toEqual([-3, 2147483647]);
    expect([...(await t['i32']!.data())]).toEqual([-2147483648, 5]);
    expect([...(await t['i16']!.data())]).toEqual([-300, 300]);
    expect([...(await t['i8']!.data())]).toEqual([-128, 127]);
    expect([...(await t['u8']!.data())]).toEqual([0, 255]);
    expect(t['b']!.dtype).toBe('bool');
    expect([...(await t['b']!.data())]).toEqual([1, 0, 1]);
  });
});

describe('corrupt safetensors files are refused with the file and the byte offset', () => {
  const good = { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } };
  const data = new Uint8Array(16);

  it('a file shorter than the length field', async () => {
    await expectFileError(new Uint8Array(5), /buffer: not a valid safetensors file: the file is 5 bytes.*\(byte 0\)/);
  });

  it('a header length past the end of the file, and one over the format limit', async () => {
    await expectFileError(fileOf(good, data, 1000n), /header length 1000 runs past the end.*\(byte 0\)/);
    await expectFileError(fileOf(good, data, 2n ** 62n), /header length \d+ runs past the end/);
  });

  it('a header that is not UTF-8, not JSON, or not an object', async () => {
    const f = fileOf(good, data);
    f[10] = 0xff;
    await expectFileError(f, /not valid UTF-8 \(byte 8\)/);
    const g = fileOf(good, data);
    g[8] = 0x5b; // '[' for '{'
    await expectFileError(g, /not valid JSON/);
    await expectFileError(fileOf([1, 2] as unknown as Record<string, unknown>, data), /not a JSON object/);
  });

  it('offsets past the data, spans that disagree with the shape, overlaps, unknown dtypes, absurd shapes', async () => {
    await expectFileError(fileOf({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 64] } }, data), /'w' ends at data byte 64, past the 16 bytes of data/);
    await expectFileError(fileOf({ w: { dtype: 'F32', shape: [3, 2], data_offsets: [0, 16] } }, data), /'w' \(F32, shape \[3, 2\]\) needs 24 bytes but its data_offsets span 16/);
    await expectFileError(
      fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data),
      /entries 'a' and 'b' overlap \(byte \d+\)/,
    );
    await expectFileError(fileOf({ w: { dtype: 'Q4', shape: [2], data_offsets: [0, 8] } }, data), /'w' has dtype "Q4"; supported/);
    await expectFileError(fileOf({ w: { dtype: 'F32', shape: [1 << 20, 1 << 20], data_offsets: [0, 16] } }, data), /needs 4398046511104 bytes/);
    await expectFileError(fileOf({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 16] } }, data), /not a list of non-negative integers/);
    await expectFileError(fileOf({ w: { dtype: 'F32', shape: [4], data_offsets: [8, 4] } }, data), /not \[begin, end\]/);
    await expectFileError(fileOf({ __metadata__: { n: 3 }, ...good }, data), /__metadata__ must be an object of strings/);
  });

  it('an I64 value that does not fit int32 names the tensor, the element and its byte', async () => {
    await expectFileError(fileOf({ n: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, bytesOf(BigInt64Array.of(1n, 2n ** 40n))), /'n' is I64 and its element 1 \(1099511627776\) does not fit/);
  });

  it('a Blob (a File in the browser) is named in the error', async () => {
    const file = typeof File !== 'undefined' ? new File([fileOf(good, data, 999n)], 'weights.safetensors') : new Blob([fileOf(good, data, 999n)]);
    await expectFileError(file, typeof File !== 'undefined' ? /weights\.safetensors: not a valid safetensors file/ : /blob: not a valid/);
  });

  it('fuzz: 400 seeded mutations of a valid file load correctly or raise FileFormatError, nothing else', async () => {
    const tensors = { a: wt.tensor(Float32Array.of(1, 2, 3, 4), { shape: [2, 2] }), n: wt.tensor(Int32Array.of(3), { shape: [], dtype: 'int32' }) };
    const valid = await wt.io.serializeSafetensors(tensors, { metadata: { k: 'v' } });
    const rng = new Rng(2024);
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const f = valid.slice(0, rng.next() < 0.15 ? Math.floor(rng.next() * valid.length) : valid.length);
      const flips = 1 + Math.floor(rng.next() * 3);
      for (let j = 0; j < flips && f.length > 0; j++) f[Math.floor(rng.next() * f.length)] = Math.floor(rng.next() * 256);
      try {
        const back = await wt.io.loadSafetensors(f);
        for (const t of Object.values(back)) expect(t.numel()).toBeLessThanOrEqual(f.length);
      } catch (e) {
        if (!(e instanceof wt.FileFormatError)) throw new Error(`mutation ${i}: ${(e as Error).name}: ${(e as Error).message}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});

describe('loadStateDict reports every offending key', () => {
  const model = (): wt.nn.Module => new wt.nn.Sequential(new wt.nn.Conv2d(1, 2, 3), new wt.nn.BatchNorm2d(2));

  it('strict: missing, unexpected and mis-shaped keys in one error, with shapes, and nothing loaded', () => {
    const m = model();
    const sd = m.stateDict();
    const before = sd['0.bias']!;
    const bad = { ...sd, '0.weight': wt.zeros([2, 1, 5, 5]), extra: wt.zeros([1]), '0.bias': wt.ones([2]) } as Record<string, wt.Tensor>;
    delete bad['1.running_var'];
    let err: Error | null = null;
    try {
      m.loadStateDict(bad);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(wt.FileFormatError);
    expect(err!.message).toContain('1 missing, 1 unexpected, 1 mismatched');
    expect(err!.message).toContain('missing: 1.running_var (expected [2] float32)');
    expect(err!.message).toContain('unexpected: extra ([1] float32)');
    expect(err!.message).toContain('mismatched: 0.weight: expected [2, 1, 3, 3] float32, found [2, 1, 5, 5] float32');
    expect(m.stateDict()['0.bias']).toBe(before);
  });

  it('strict: false loads what matches and reports the rest', async () => {
    const m = model();
    const r = m.loadStateDict({ '0.bias': wt.full([2], 0.5), '0.weight': wt.zeros([3, 3]), other: wt.zeros([1]) }, { strict: false });
    expect(r.unexpectedKeys).toEqual(['other']);
    expect(r.mismatchedKeys).toEqual([{ key: '0.weight', expected: '[2, 1, 3, 3] float32', found: '[3, 3] float32' }]);
    expect(r.missingKeys).toContain('1.running_mean');
    expect([...(await m.stateDict()['0.bias']!.data())]).toEqual([0.5, 0.5]);
  });
});
