/**
 * A decoded image (u8, planar [C, H, W]) and the limits every image decoder checks a header
 * against before it allocates.
 */
import { FileFormatError } from '../errors.js';

export interface DecodedImage {
  channels: number;
  height: number;
  width: number;
  /** channels * height * width bytes, planar (all of channel 0, then channel 1 ...). */
  data: Uint8Array;
}

/** Largest side and pixel count a decoder accepts (a header claiming more is refused). */
export const MAX_SIDE = 1 << 15;
export const MAX_PIXELS = 1 << 26;

export function checkImageSize(width: number, height: number, name: string, offset: number): void {
  if (!(width >= 1 && height >= 1)) throw new FileFormatError(`${name}: byte ${offset}: image size ${width}x${height} is empty`);
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    throw new FileFormatError(`${name}: byte ${offset}: image size ${width}x${height} is larger than the ${MAX_SIDE}-pixel side / ${MAX_PIXELS}-pixel limit`);
  }
}

/** Converts between 1 (grey, ITU-R 601 luma as PIL's "L") and 3 (RGB) channels. */
export function toChannels(img: DecodedImage, channels: number): DecodedImage {
  if (img.channels === channels) return img;
  const plane = img.height * img.width;
  const out = new Uint8Array(channels * plane);
  if (img.channels === 1 && channels === 3) {
    for (let c = 0; c < 3; c++) out.set(img.data.subarray(0, plane), c * plane);
  } else if (img.channels === 3 && channels === 1) {
    for (let i = 0; i < plane; i++) {
      out[i] = Math.round((img.data[i]! * 299 + img.data[plane + i]! * 587 + img.data[2 * plane + i]! * 114) / 1000);
    }
  } else {
    throw new FileFormatError(`cannot convert a ${img.channels}-channel image to ${channels} channels`);
  }
  return { channels, height: img.height, width: img.width, data: out };
}

/** Interleaved (HWC) samples to planar (CHW). */
export function planarize(hwc: Uint8Array, channels: number, height: number, width: number): Uint8Array {
  const plane = height * width;
  const out = new Uint8Array(channels * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < channels; c++) out[c * plane + i] = hwc[i * channels + c]!;
  return out;
}
