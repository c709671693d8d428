/**
 * safetensors files (https://github.com/huggingface/safetensors, the format of
 * `safetensors.torch.save_file(model.state_dict(), path)`): an 8-byte little-endian header length,
 * a JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {...} }`,
 * then the tensors' bytes, little-endian, offsets relative to the end of the header.
 *
 * Loading reads the header first and checks all of it (sizes, offsets, dtypes, shapes, UTF-8, JSON)
 * before any tensor is read, so a corrupt or lying file is refused with its name and the byte
 * offset, before a large allocation. Then each tensor is read on its own (a file region in Node, a
 * Blob slice in the browser) and uploaded: the whole file is never held in memory twice.
 *
 * Dtypes: F32 loads as float32; F16, BF16 and F64 are converted to float32; I64, I32, I16, I8 and U8
 * load as int32 (I64 values must fit); BOOL as bool. Saving writes float32 as F32, int32 as I64
 * (PyTorch's index dtype, as `num_batches_tracked` is) and bool as BOOL.
 */
import { FileFormatError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { nodeModule } from '../util/node.js';

/** A path (Node), bytes, or a Blob / File (browser, or Node's Blob). */
export type SafetensorsSource = string | Uint8Array | ArrayBuffer | Blob;

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** Absolute byte offsets in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Entries in the header's order. */
  entries: [string, SafetensorsEntry][];
  metadata: Record<string, string>;
  /** Byte offset of the data section. */
  dataStart: number;
  fileSize: number;
}

/** The spec's limit on the header (100 MB): a larger claimed length is a corrupt file, not an allocation. */
const MAX_HEADER_BYTES = 100_000_000;

const ITEM_SIZE: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

interface ByteSource {
  name: string;
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

async function openSource(src: SafetensorsSource): Promise<ByteSource> {
  if (typeof src === 'string') {
    const fs = await nodeModule<typeof import('node:fs/promises')>('node:fs/promises', 'reading a safetensors file by path');
    let fh: import('node:fs/promises').FileHandle;
    try {
      fh = await fs.open(src, 'r');
    } catch (cause) {
      throw new FileFormatError(`${src}: cannot open: ${(cause as Error).message}`, { cause });
    }
    const size = (await fh.stat()).size;
    return {
      name: src,
      size,
      async read(offset, length) {
        const buf = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
          if (bytesRead === 0) throw new FileFormatError(`${src}: the file ended at byte ${offset + done} while reading ${length} bytes at ${offset} (was it truncated while open?)`);
          done += bytesRead;
        }
        return buf;
      },
      close: () => fh.close(),
    };
  }
  if (typeof Blob !== 'undefined' && src instanceof Blob) {
    const name = (src as Blob & { name?: string }).name || 'blob';
    return {
      name,
      size: src.size,
      read: async (offset, length) => new Uint8Array(await src.slice(offset, offset + length).arrayBuffer()),
      close: async () => {},
    };
  }
  const bytes = src instanceof Uint8Array ? src : src instanceof ArrayBuffer ? new Uint8Array(src) : null;
  if (!bytes) throw new FileFormatError(`loadSafetensors: expected a path, a Uint8Array, an ArrayBuffer or a Blob, got ${Object.prototype.toString.call(src)}`);
  return {
    name: 'buffer',
    size: bytes.byteLength,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    close: async () => {},
  };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses and checks the header; every error names the file and a byte offset. */
async function readHeader(src: ByteSource): Promise<SafetensorsHeader> {
  const bad = (at: number, what: string): FileFormatError => new FileFormatError(`${src.name}: not a valid safetensors file: ${what} (byte ${at})`);
  if (src.size < 8) throw bad(0, `the file is ${src.size} bytes, shorter than the 8-byte header length`);
  const lenBytes = await src.read(0, 8);
  const len = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
  if (len > src.size - 8) throw bad(0, `the header length ${len} runs past the end of the file (${src.size} bytes)`);
  if (len > MAX_HEADER_BYTES) throw bad(0, `the header length ${len} is over the format's limit of ${MAX_HEADER_BYTES} bytes`);
  if (len < 2) throw bad(0, `the header length ${len} is too short for a JSON object`);
  const raw = await src.read(8, len);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw bad(8, 'the header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(8, `the header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad(8, 'the header is not a JSON object');
  const dataStart = 8 + len;
  const dataSize = src.size - dataStart;
  const entries: [string, SafetensorsEntry][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((m) => typeof m !== 'string')) {
        throw bad(8, '__metadata__ must be an object of strings');
      }
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw bad(8, `entry '${name}' is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in ITEM_SIZE)) {
      throw bad(8, `entry '${name}' has dtype ${JSON.stringify(e.dtype)}; supported: ${Object.keys(ITEM_SIZE).join(', ')}`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) throw bad(8, `entry '${name}' has shape ${JSON.stringify(e.shape)}, not a list of non-negative integers`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !isCount(offs[0]) || !isCount(offs[1]) || offs[0] > offs[1]) {
      throw bad(8, `entry '${name}' has data_offsets ${JSON.stringify(offs)}, not [begin, end] with 0 <= begin <= end`);
    }
    if (offs[1] > dataSize) {
      throw bad(dataStart + offs[0], `entry '${name}' ends at data byte ${offs[1]}, past the ${dataSize} bytes of data (the file is truncated or the header lies)`);
    }
    const shape = e.shape as number[];
    // Multiply in floating point: an absurd shape (2^40 elements) must not wrap around.
    const bytes = shape.reduce((a, b) => a * b, 1) * ITEM_SIZE[e.dtype]!;
    if (bytes !== offs[1] - offs[0]) {
      throw bad(dataStart + offs[0], `entry '${name}' (${e.dtype}, shape ${fmtShape(shape)}) needs ${bytes} bytes but its data_offsets span ${offs[1] - offs[0]}`);
    }
    entries.push([name, { dtype: e.dtype, shape, begin: dataStart + offs[0], end: dataStart + offs[1] }]);
  }
  const byBegin = [...entries].sort((a, b) => a[1].begin - b[1].begin);
  for (let i = 1; i < byBegin.length; i++) {
    const [prev, p] = byBegin[i - 1]!;
    const [name, e] = byBegin[i]!;
    if (e.begin < p.end) throw bad(e.begin, `entries '${prev}' and '${name}' overlap`);
  }
  return { entries, metadata, dataStart, fileSize: src.size };
}

function aligned<T>(bytes: Uint8Array, size: number, make: (buf: ArrayBuffer, offset: number, n: number) => T): T {
  const n = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return make(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
  return make(bytes.slice().buffer as ArrayBuffer, 0, n);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decodes one entry's bytes into a tensor. */
function toTensor(fileName: string, name: string, e: SafetensorsEntry, bytes: Uint8Array): Tensor {
  const shape = e.shape;
  switch (e.dtype) {
    case 'F32':
      return tensor(aligned(bytes, 4, (b, o, n) => new Float32Array(b, o, n)), { shape });
    case 'F64':
      return tensor(Float32Array.from(aligned(bytes, 8, (b, o, n) => new Float64Array(b, o, n))), { shape });
    case 'F16':
      return tensor(Float32Array.from(aligned(bytes, 2, (b, o, n) => new Uint16Array(b, o, n)), halfToFloat), { shape });
    case 'BF16': {
      const out = new Float32Array(bytes.byteLength / 2);
      const u = new Uint32Array(out.buffer);
      aligned(bytes, 2, (b, o, n) => new Uint16Array(b, o, n)).forEach((h, i) => (u[i] = h << 16));
      return tensor(out, { shape });
    }
    case 'I64': {
      const src = aligned(bytes, 8, (b, o, n) => new BigInt64Array(b, o, n));
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i]!;
        if (v > 2147483647n || v < -2147483648n) {
          throw new FileFormatError(`${fileName}: '${name}' is I64 and its element ${i} (${v}) does not fit webtrain's int32 (byte ${e.begin + 8 * i})`);
        }
        out[i] = Number(v);
      }
      return tensor(out, { shape, dtype: 'int32' });
    }
    case 'I32':
      return tensor(Int32Array.from(aligned(bytes, 4, (b, o, n) => new Int32Array(b, o, n))), { shape, dtype: 'int32' });
    case 'I16':
      return tensor(Int32Array.from(aligned(bytes, 2, (b, o, n) => new Int16Array(b, o, n))), { shape, dtype: 'int32' });
    case 'I8':
      return tensor(Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)), { shape, dtype: 'int32' });
    case 'U8':
      return tensor(Int32Array.from(bytes), { shape, dtype: 'int32' });
    case 'BOOL':
      return tensor(Int32Array.from(bytes, (b) => (b ? 1 : 0)), { shape, dtype: 'bool' });
    default:
      throw new FileFormatError(`${fileName}: '${name}' has unsupported dtype ${e.dtype}`);
  }
}

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** Reads only the header of a safetensors file: names, dtypes, shapes, offsets and metadata. */
export async function readSafetensorsHeader(source: SafetensorsSource): Promise<SafetensorsHeader> {
  const src = await openSource(source);
  try {
    return await readHeader(src);
  } finally {
    await src.close();
  }
}

/** Reads a safetensors file's tensors (in the header's order) and its `__metadata__`. */
export async function readSafetensors(source: SafetensorsSource): Promise<SafetensorsContents> {
  const src = await openSource(source);
  try {
    const header = await readHeader(src);
    const tensors: Record<string, Tensor> = {};
    for (const [name, e] of header.entries) {
      tensors[name] = toTensor(src.name, name, e, await src.read(e.begin, e.end - e.begin));
    }
    return { tensors, metadata: header.metadata };
  } finally {
    await src.close();
  }
}

/** safetensors.torch.load_file: the tensors of a file by name (a state dict for `loadStateDict`). */
export async function loadSafetensors(source: SafetensorsSource): Promise<Record<string, Tensor>> {
  return (await readSafetensors(source)).tensors;
}

export interface SaveSafetensorsOptions {
  /** String key/values stored as the header's `__metadata__`. */
  metadata?: Record<string, string>;
}

const SAVED: Record<string, { dtype: string; size: number }> = { float32: { dtype: 'F32', size: 4 }, int32: { dtype: 'I64', size: 8 }, bool: { dtype: 'BOOL', size: 1 } };

function encodeData(t: Tensor, data: Float32Array | Int32Array | Uint8Array): Uint8Array {
  if (t.dtype === 'float32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (t.dtype === 'int32') return new Uint8Array(BigInt64Array.from(data as Int32Array, (v) => BigInt(v)).buffer);
  return Uint8Array.from(data, (v) => (v ? 1 : 0));
}

/** The header (from shapes and dtypes alone, so it can be written before any tensor is read), padded with spaces to 8 bytes. */
function encodeHeader(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new FileFormatError(`saveSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header['__metadata__'] = metadata;
  }
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const { dtype, size } = SAVED[t.dtype]!;
    const length = t.numel() * size;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).byteLength % 8)) % 8);
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + body.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  out.set(body, 8);
  return out;
}

/** The header, then each tensor's bytes, read back from the GPU one tensor at a time. */
async function* fileChunks(tensors: Record<string, Tensor>, options: SaveSafetensorsOptions): AsyncGenerator<Uint8Array> {
  yield encodeHeader(tensors, options.metadata);
  for (const t of Object.values(tensors)) yield encodeData(t, await t.data());
}

/**
 * safetensors.torch.save_file / save. With a path (Node), streams the file atomically: to a
 * temporary file beside it, flushed, then renamed over it, so a crash mid-write leaves the old file.
 * Without one, returns the file as a Blob (browser: a download, IndexedDB, OPFS).
 */
export async function saveSafetensors(tensors: Record<string, Tensor>, path: string, options?: SaveSafetensorsOptions): Promise<void>;
export async function saveSafetensors(tensors: Record<string, Tensor>, options?: SaveSafetensorsOptions): Promise<Blob>;
export async function saveSafetensors(tensors: Record<string, Tensor>, pathOrOptions?: string | SaveSafetensorsOptions, maybeOptions: SaveSafetensorsOptions = {}): Promise<void | Blob> {
  if (typeof pathOrOptions === 'string') return writeFileAtomic(pathOrOptions, fileChunks(tensors, maybeOptions));
  const parts: Uint8Array[] = [];
  for await (const c of fileChunks(tensors, pathOrOptions ?? {})) parts.push(c);
  return new Blob(parts as BlobPart[], { type: 'application/octet-stream' });
}

/** safetensors.torch.save: the file's bytes. */
export async function serializeSafetensors(tensors: Record<string, Tensor>, options: SaveSafetensorsOptions = {}): Promise<Uint8Array> {
  return new Uint8Array(await (await saveSafetensors(tensors, options)).arrayBuffer());
}

/** Writes `chunks` to `path` through a temporary file and a rename (Node). */
export async function writeFileAtomic(path: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  const fs = await nodeModule<typeof import('node:fs/promises')>('node:fs/promises', 'writing a file by path');
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fh = await fs.open(tmp, 'w');
  try {
    for await (const c of chunks) await fh.write(c);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await fs.rename(tmp, path);
}
