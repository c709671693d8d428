/**
 * Writers for the small dataset files the Node loader tests make (no downloads): PNG with every
 * scanline filter (deflated by node:zlib), and CRC repair for the fuzz tests.
 */
import { deflateSync } from 'node:zlib';
import { crc32, filterPrediction } from '../../src/data/png.js';
import { concat } from '../mutate.js';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, false);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length), false);
  return out;
}


/** A PNG of interleaved 8-bit samples (colour 0 grey, 2 RGB, 4 grey+alpha, 6 RGBA), row y filtered with type y % 5. */
export function encodePng(width: number, height: number, colour: 0 | 2 | 4 | 6, hwc: Uint8Array): Uint8Array {
  const samples = { 0: 1, 2: 3, 4: 2, 6: 4 }[colour];
  const stride = width * samples;
  const raw = new Uint8Array(height * (stride + 1));
  const px = (y: number, i: number): number => (y < 0 || i < 0 ? 0 : hwc[y * stride + i]!);
  for (let y = 0; y < height; y++) {
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let i = 0; i < stride; i++) {
      const a = px(y, i - samples);
      const b = px(y - 1, i);
      const c = px(y - 1, i - samples);
      raw[y * (stride + 1) + 1 + i] = (px(y, i) - filterPrediction(f, a, b, c)) & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width, false);
  v.setUint32(4, height, false);
  ihdr[8] = 8;
  ihdr[9] = colour;
  const z = new Uint8Array(deflateSync(raw));
  // Two IDAT chunks: decoders must join them.
  const cut = Math.floor(z.length / 2);
  return concat([
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', z.subarray(0, cut)),
    chunk('IDAT', z.subarray(cut)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Recomputes the CRC of every chunk that fits, so a mutation reaches the parts after the CRC check. */
export function fixPngCrcs(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  while (at + 12 <= bytes.length) {
    const len = view.getUint32(at, false);
    if (len > bytes.length - at - 12) return;
    view.setUint32(at + 8 + len, crc32(bytes, at + 4, at + 8 + len), false);
    at += 12 + len;
  }
}

