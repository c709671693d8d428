/** A conv layer's weights as a grid of small images: one tile per output channel. */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { imageGrid, toImage, upscale, type GridOptions, type RGBAImage, type ToImageOptions } from './image.js';

export interface FilterGridOptions extends GridOptions, ToImageOptions {
  /** Integer upscaling of each tile. Default 1. */
  scale?: number;
  /** The input channel shown for filters of several; default 0. */
  inputChannel?: number;
}

/**
 * The filters of a conv weight [O, I, kh, kw] as one image. Each tile is scaled on its own,
 * symmetric around zero with the diverging colormap by default (blue negative, red positive).
 */
export async function filterGrid(weight: Tensor, options: FilterGridOptions = {}): Promise<RGBAImage> {
  if (weight.ndim !== 4) throw new ArgumentError(`filterGrid: expected a conv weight [O, I, kh, kw], got [${weight.shape.join(', ')}]`);
  const [o, i, kh, kw] = weight.shape as [number, number, number, number];
  const ic = options.inputChannel ?? 0;
  if (!Number.isInteger(ic) || ic < 0 || ic >= i) throw new ArgumentError(`filterGrid: inputChannel must be in [0, ${i - 1}], got ${ic}`);
  const w = (await weight.data()) as Float32Array;
  const scale = options.scale ?? 1;
  const tiles: RGBAImage[] = [];
  for (let f = 0; f < o; f++) {
    const start = (f * i + ic) * kh * kw;
    const tile = toImage(w.subarray(start, start + kh * kw), kh, kw, { colormap: options.colormap ?? 'diverging', range: options.range ?? 'symmetric' });
    tiles.push(scale > 1 ? upscale(tile, scale) : tile);
  }
  return imageGrid(tiles, options);
}
