/**
 * JPEG images in Node through the pure-JS `jpeg-js` decoder (baseline and progressive, 8-bit). The
 * frame header (SOF) is found and its size checked against the limits before the decoder runs, and
 * the decoder's own resolution and memory limits are set from them; whatever the decoder throws is
 * reported as a FileFormatError naming the file. Grey (1-component) JPEGs give 1 channel, others
 * RGB. In the browser, decode JPEGs with imagesFromFiles (createImageBitmap) instead.
 */
import { FileFormatError } from '../errors.js';
import { nodeModule } from '../util/node.js';
import { MAX_PIXELS, checkImageSize, planarize, type DecodedImage } from './image.js';

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** The frame header: size and component count (SOF0..SOF15 but DHT, JPG and DAC). */
export function jpegFrame(bytes: Uint8Array, name: string): { width: number; height: number; components: number } {
  if (!isJpeg(bytes)) throw new FileFormatError(`${name}: not a JPEG file (no SOI marker FF D8 at byte 0)`);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new FileFormatError(`${name}: byte ${at}: expected a marker (FF), found 0x${bytes[at]!.toString(16)}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) throw new FileFormatError(`${name}: truncated: segment FF${marker.toString(16).toUpperCase()} at byte ${at} claims ${length} bytes`);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 8) throw new FileFormatError(`${name}: byte ${at}: frame header of ${length} bytes`);
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      checkImageSize(width, height, name, at + 5);
      return { width, height, components: bytes[at + 9]! };
    }
    at += 2 + length;
  }
  throw new FileFormatError(`${name}: no frame header (SOF) before the image data or the end at byte ${Math.min(at, bytes.length)}`);
}

interface JpegJs {
  decode(data: Uint8Array, opts: { useTArray: true; formatAsRGBA: false; tolerantDecoding: boolean; maxResolutionInMP: number; maxMemoryUsageInMB: number }): { width: number; height: number; data: Uint8Array };
}

export async function decodeJpeg(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  const frame = jpegFrame(bytes, name);
  const jpeg = await nodeModule<JpegJs>('jpeg-js', `decoding the JPEG ${name}`);
  let out: { width: number; height: number; data: Uint8Array };
  try {
    out = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_PIXELS / 1e6,
      // The decoder's working set: its component planes and the output.
      maxMemoryUsageInMB: Math.ceil((frame.width * frame.height * 16) / 2 ** 20) + 16,
    });
  } catch (cause) {
    throw new FileFormatError(`${name}: cannot decode the JPEG (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  }
  if (out.width !== frame.width || out.height !== frame.height || out.data.length !== 3 * out.width * out.height) {
    throw new FileFormatError(`${name}: the JPEG decoded to ${out.width}x${out.height} (${out.data.length} bytes), its frame header says ${frame.width}x${frame.height}`);
  }
  const rgb = planarize(out.data, 3, out.height, out.width);
  if (frame.components === 1) return { channels: 1, height: out.height, width: out.width, data: rgb.subarray(0, out.height * out.width) };
  return { channels: 3, height: out.height, width: out.width, data: rgb };
}
