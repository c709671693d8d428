/**
 * Netpbm images: PGM (P5 binary, P2 text: grey) and PPM (P6 binary, P3 text: RGB), maxval up to
 * 65535 (16-bit samples are big-endian; values are rescaled to 0..255). Header: magic, width,
 * height, maxval as decimal text separated by whitespace, '#' comments to the end of a line; one
 * whitespace byte, then the samples of a binary file.
 */
import { FileFormatError } from '../errors.js';
import { checkImageSize, planarize, type DecodedImage } from './image.js';

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}

/** A cursor over the text tokens of a header (or of a P2/P3 body). */
class Tokens {
  /** Where the last number read starts. */
  start = 0;

  constructor(
    private readonly bytes: Uint8Array,
    public at: number,
    private readonly name: string,
  ) {}

  int(what: string, max: number): number {
    const b = this.bytes;
    for (;;) {
      while (this.at < b.length && isSpace(b[this.at]!)) this.at++;
      if (this.at < b.length && b[this.at] === 0x23) {
        while (this.at < b.length && b[this.at] !== 0x0a && b[this.at] !== 0x0d) this.at++;
        continue;
      }
      break;
    }
    const start = this.at;
    this.start = start;
    let v = 0;
    while (this.at < b.length && b[this.at]! >= 0x30 && b[this.at]! <= 0x39 && this.at - start < 10) v = v * 10 + (b[this.at++]! - 0x30);
    if (this.at === start) {
      throw new FileFormatError(`${this.name}: byte ${start}: expected the ${what} as a decimal number, found ${start >= b.length ? 'the end of the file' : `byte 0x${b[start]!.toString(16)}`}`);
    }
    if (v > max) throw new FileFormatError(`${this.name}: byte ${start}: ${what} ${v} is larger than ${max}`);
    return v;
  }
}

export function isNetpbm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && bytes[1]! >= 0x32 && bytes[1]! <= 0x36 && bytes[1] !== 0x34;
}

export function decodeNetpbm(bytes: Uint8Array, name: string): DecodedImage {
  if (bytes.length < 2 || bytes[0] !== 0x50) throw new FileFormatError(`${name}: not a netpbm file (no "P" magic at byte 0)`);
  const kind = bytes[1]! - 0x30;
  if (kind !== 2 && kind !== 3 && kind !== 5 && kind !== 6) {
    throw new FileFormatError(`${name}: byte 1: netpbm type P${String.fromCharCode(bytes[1]!)} is not supported (P2, P3, P5 and P6 are)`);
  }
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const t = new Tokens(bytes, 2, name);
  const width = t.int('width', 2 ** 31);
  const height = t.int('height', 2 ** 31);
  checkImageSize(width, height, name, t.at);
  const maxval = t.int('maxval', 65535);
  if (maxval === 0) throw new FileFormatError(`${name}: byte ${t.at}: maxval 0`);
  const samples = width * height * channels;
  // The file must be able to hold the samples before they are allocated: binary ones need 1 or 2
  // bytes each, text ones a digit and a separator.
  const binary = kind === 5 || kind === 6;
  const size = maxval > 255 ? 2 : 1;
  const least = binary ? t.at + 1 + samples * size : t.at + 2 * samples - 1;
  if (bytes.length < least) {
    throw new FileFormatError(`${name}: truncated: ${width}x${height}x${channels} samples need ${binary ? '' : 'at least '}${least} bytes, the file stops at byte ${bytes.length}`);
  }
  const hwc = new Uint8Array(samples);
  const scale = (v: number, at: number): number => {
    if (v > maxval) throw new FileFormatError(`${name}: byte ${at}: sample ${v} is larger than maxval ${maxval}`);
    return maxval === 255 ? v : Math.round((v * 255) / maxval);
  };
  if (binary) {
    if (t.at >= bytes.length || !isSpace(bytes[t.at]!)) throw new FileFormatError(`${name}: byte ${t.at}: expected one whitespace byte after the header`);
    const start = t.at + 1;
    for (let i = 0; i < samples; i++) {
      const at = start + i * size;
      hwc[i] = scale(size === 2 ? (bytes[at]! << 8) | bytes[at + 1]! : bytes[at]!, at);
    }
  } else {
    for (let i = 0; i < samples; i++) {
      const v = t.int(`sample ${i}`, 65535);
      hwc[i] = scale(v, t.start);
    }
  }
  return { channels, height, width, data: planarize(hwc, channels, height, width) };
}

/** A binary PGM (1 channel) or PPM (3 channels) file of a planar u8 image. */
export function encodeNetpbm(img: DecodedImage): Uint8Array {
  const head = new TextEncoder().encode(`${img.channels === 3 ? 'P6' : 'P5'}\n${img.width} ${img.height}\n255\n`);
  const plane = img.height * img.width;
  const out = new Uint8Array(head.length + plane * img.channels);
  out.set(head);
  for (let i = 0; i < plane; i++) for (let c = 0; c < img.channels; c++) out[head.length + i * img.channels + c] = img.data[c * plane + i]!;
  return out;
}
