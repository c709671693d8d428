/**
 * Reading dataset files: whole files as bytes (Node paths, browser Blobs/Files, or bytes already in
 * memory), gzip decompressed with a bound on the output (Node's zlib; DecompressionStream in the
 * browser), and loading progress reported as bytes and records.
 */
import { FileFormatError } from '../errors.js';
import { nodeModule } from '../util/node.js';

/** What a loader reports while it reads: bytes read so far of the current file, records decoded. */
export interface LoadProgress {
  /** The file being read. */
  file: string;
  /** Bytes of this file read so far, and its size (compressed size for a gzip file). */
  bytes: number;
  totalBytes: number;
  /** Records (images) decoded so far over all files of this load. */
  records: number;
}

export type ProgressCallback = (p: LoadProgress) => void;

/** A file to read: a path (Node), a Blob / File (browser), or its bytes with a name for errors. */
export type FileSource = string | Blob | { name: string; bytes: Uint8Array };

/** Decompressed gzip output larger than this (1 GiB) is refused (a gzip bomb or a wrong file); MNIST's largest file is 47 MB. */
export const DEFAULT_MAX_BYTES = 2 ** 30;

export function sourceName(src: FileSource): string {
  if (typeof src === 'string') return src;
  if (typeof Blob !== 'undefined' && src instanceof Blob) return (src as File).name ?? 'blob';
  return (src as { name: string }).name;
}

/** The bytes of `src`, reporting progress as they arrive. */
export async function readSource(src: FileSource, onProgress?: ProgressCallback, records = 0): Promise<Uint8Array> {
  const name = sourceName(src);
  let bytes: Uint8Array;
  if (typeof src === 'string') {
    const fs = await nodeModule<typeof import('node:fs')>('node:fs', `reading ${name}`);
    try {
      bytes = new Uint8Array(await fs.promises.readFile(src));
    } catch (cause) {
      throw new FileFormatError(`${name}: cannot read the file (${(cause as Error).message})`, { cause });
    }
  } else if (typeof Blob !== 'undefined' && src instanceof Blob) {
    bytes = new Uint8Array(await src.arrayBuffer());
  } else {
    bytes = (src as { bytes: Uint8Array }).bytes;
  }
  onProgress?.({ file: name, bytes: bytes.length, totalBytes: bytes.length, records });
  return bytes;
}

/** Node's zlib in Node (and wherever DecompressionStream is missing); the platform's stream elsewhere (pages, workers). */
function useNodeZlib(): boolean {
  const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  return inNode || typeof DecompressionStream === 'undefined';
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip bytes (a file that does not start with the gzip magic is returned as is);
 * output past `maxBytes` is refused before it is collected.
 */
export async function gunzipIfNeeded(bytes: Uint8Array, name: string, maxBytes = DEFAULT_MAX_BYTES): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  if (useNodeZlib()) {
    const zlib = await nodeModule<typeof import('node:zlib')>('node:zlib', `decompressing ${name}`);
    try {
      return new Uint8Array(zlib.gunzipSync(bytes, { maxOutputLength: maxBytes }));
    } catch (cause) {
      const msg = (cause as Error).message;
      throw new FileFormatError(`${name}: corrupt or truncated gzip data (${msg})`, { cause });
    }
  }
  return collectStream(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')), name, maxBytes);
}

/** Inflates zlib-wrapped deflate data (PNG's IDAT stream); output past `maxBytes` is refused. */
export async function inflateZlib(bytes: Uint8Array, name: string, maxBytes: number): Promise<Uint8Array> {
  if (useNodeZlib()) {
    const zlib = await nodeModule<typeof import('node:zlib')>('node:zlib', `decompressing ${name}`);
    try {
      return new Uint8Array(zlib.inflateSync(bytes, { maxOutputLength: maxBytes }));
    } catch (cause) {
      throw new FileFormatError(`${name}: corrupt or truncated compressed data (${(cause as Error).message})`, { cause });
    }
  }
  return collectStream(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate')), name, maxBytes);
}

async function collectStream(stream: ReadableStream<Uint8Array>, name: string, maxBytes: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new FileFormatError(`${name}: compressed data expands to more than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof FileFormatError) throw cause;
    throw new FileFormatError(`${name}: corrupt or truncated compressed data (${(cause as Error).message})`, { cause });
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
