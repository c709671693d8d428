/**
 * PNG images without a native dependency: the chunks are walked and checked (CRC-32 of each), IHDR
 * is checked against the size limits before anything is allocated, the IDAT stream is inflated
 * with its output bounded by the size IHDR implies, and the five scanline filters are undone.
 * Supported: bit depth 8 (and 16, keeping the high byte) of grey, grey + alpha, RGB, RGBA, and
 * 8-bit palette images; alpha is dropped. Interlaced (Adam7) files and bit depths below 8 are
 * refused with a message saying so.
 */
import { FileFormatError } from '../errors.js';
import { inflateZlib } from './bytes.js';
import { checkImageSize, planarize, type DecodedImage } from './image.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable: Uint32Array | null = null;

export function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** What scanline filter `f` predicts from the bytes left (a), above (b) and above-left (c). */
export function filterPrediction(f: number, a: number, b: number, c: number): number {
  if (f === 1) return a;
  if (f === 2) return b;
  if (f === 3) return (a + b) >> 1;
  if (f === 4) {
    // Paeth: the neighbour closest to a + b - c.
    const p = a + b - c;
    const pa = Math.abs(p - a);
    const pb = Math.abs(p - b);
    const pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }
  return 0;
}

/** Samples per pixel of each colour type. */
const COLOUR_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export async function decodePng(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  if (!isPng(bytes)) throw new FileFormatError(`${name}: not a PNG file (the 8-byte signature at byte 0 is missing)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = -1;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  let ended = false;
  while (!ended) {
    if (at + 12 > bytes.length) throw new FileFormatError(`${name}: truncated: chunk header at byte ${at} runs past the end (${bytes.length} bytes)`);
    const length = view.getUint32(at, false);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (length > bytes.length - at - 12) throw new FileFormatError(`${name}: truncated: chunk "${type}" at byte ${at} claims ${length} bytes, the file stops at byte ${bytes.length}`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes, at + 4, at + 8 + length) !== view.getUint32(at + 8 + length, false)) {
      throw new FileFormatError(`${name}: byte ${at}: CRC mismatch in chunk "${type}" (the file is corrupt)`);
    }
    if (at === 8 && type !== 'IHDR') throw new FileFormatError(`${name}: byte 8: the first chunk is "${type}", not IHDR`);
    if (type === 'IHDR') {
      if (length !== 13) throw new FileFormatError(`${name}: byte ${at}: IHDR has ${length} bytes, not 13`);
      width = view.getUint32(at + 8, false);
      height = view.getUint32(at + 12, false);
      checkImageSize(width, height, name, at + 8);
      depth = data[8]!;
      colour = data[9]!;
      if (!(colour in COLOUR_SAMPLES)) throw new FileFormatError(`${name}: byte ${at + 17}: colour type ${colour} is not a PNG colour type`);
      if (depth !== 8 && !(depth === 16 && colour !== 3)) {
        throw new FileFormatError(`${name}: byte ${at + 16}: bit depth ${depth} (colour type ${colour}) is not supported; 8-bit (16-bit except palette) images are`);
      }
      if (data[10] !== 0 || data[11] !== 0) throw new FileFormatError(`${name}: byte ${at + 18}: unknown compression or filter method`);
      if (data[12] !== 0) throw new FileFormatError(`${name}: byte ${at + 20}: interlaced (Adam7) PNG files are not supported; save it non-interlaced`);
    } else if (type === 'PLTE') {
      if (length % 3 !== 0 || length === 0 || length > 768) throw new FileFormatError(`${name}: byte ${at}: PLTE of ${length} bytes is not 1..256 RGB entries`);
      palette = data;
    } else if (type === 'IDAT') {
      idat.push(data);
      idatBytes += length;
    } else if (type === 'IEND') {
      ended = true;
    }
    at += 12 + length;
  }
  if (idat.length === 0) throw new FileFormatError(`${name}: no IDAT chunk (no image data)`);
  if (colour === 3 && !palette) throw new FileFormatError(`${name}: a palette image without a PLTE chunk`);
  const samples = COLOUR_SAMPLES[colour]!;
  const bpp = (samples * depth) / 8;
  const stride = width * bpp;
  const expected = height * (stride + 1);
  const compressed = new Uint8Array(idatBytes);
  let o = 0;
  for (const c of idat) {
    compressed.set(c, o);
    o += c.length;
  }
  const raw = await inflateZlib(compressed, name, expected);
  if (raw.length !== expected) throw new FileFormatError(`${name}: the image data inflates to ${raw.length} bytes, ${width}x${height} needs ${expected}`);
  // Undo the per-scanline filters in place (None, Sub, Up, Average, Paeth).
  const img = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    if (f > 4) throw new FileFormatError(`${name}: scanline ${y}: unknown filter type ${f}`);
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? img[row + i - bpp]! : 0;
      const b = y > 0 ? img[prev + i]! : 0;
      const c = i >= bpp && y > 0 ? img[prev + i - bpp]! : 0;
      img[row + i] = (raw[src + i]! + filterPrediction(f, a, b, c)) & 0xff;
    }
  }
  const channels = colour === 0 || colour === 4 ? 1 : 3;
  const plane = width * height;
  const hwc = new Uint8Array(plane * channels);
  const step = depth / 8;
  for (let p = 0; p < plane; p++) {
    if (colour === 3) {
      const e = img[p]!;
      if (3 * e + 2 >= palette!.length) throw new FileFormatError(`${name}: pixel ${p}: palette index ${e} past the ${palette!.length / 3}-entry PLTE`);
      hwc[3 * p] = palette![3 * e]!;
      hwc[3 * p + 1] = palette![3 * e + 1]!;
      hwc[3 * p + 2] = palette![3 * e + 2]!;
    } else {
      for (let c = 0; c < channels; c++) hwc[p * channels + c] = img[(p * samples + c) * step]!;
    }
  }
  return { channels, height, width, data: planarize(hwc, channels, height, width) };
}
