/**
 * Hand-made convolution kernels (edge detection, sharpening, blurs, Sobel) applied to an image with
 * webtrain's conv2d, to show what a convolution does before any learning.
 */
import { ArgumentError } from '../errors.js';
import { conv2d } from '../ops/conv.js';
import { tensor } from '../tensor/creation.js';
import { noGrad } from '../util/scope.js';

export interface HandKernel {
  name: string;
  /** What it shows, in a sentence. */
  about: string;
  /** Square, odd-sized weights, row-major. */
  weights: readonly (readonly number[])[];
}

export const HAND_KERNELS: readonly HandKernel[] = [
  { name: 'Identity', about: 'Leaves the image as it is.', weights: [[0, 0, 0], [0, 1, 0], [0, 0, 0]] },
  { name: 'Edges', about: 'Laplacian: responds where brightness changes in any direction.', weights: [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]] },
  { name: 'Sharpen', about: 'Adds the edges back onto the image.', weights: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]] },
  { name: 'Box blur', about: 'The mean of each 3x3 neighbourhood.', weights: [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]] },
  { name: 'Sobel x', about: 'Horizontal gradient: vertical strokes light up, signed by direction.', weights: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] },
  { name: 'Sobel y', about: 'Vertical gradient: horizontal strokes light up, signed by direction.', weights: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]] },
];

/**
 * One kernel applied to a single-channel image [H, W] (row-major) with conv2d, zero 'same'
 * padding: returns the filtered [H, W] plane. (conv2d is cross-correlation, as in PyTorch.)
 */
export async function applyKernel(image: Float32Array, height: number, width: number, weights: readonly (readonly number[])[]): Promise<Float32Array> {
  const k = weights.length;
  if (k % 2 !== 1 || weights.some((r) => r.length !== k)) throw new ArgumentError(`applyKernel: the kernel must be square with an odd size, got ${k} rows`);
  if (image.length !== height * width) throw new ArgumentError(`applyKernel: ${image.length} pixels for ${height}x${width}`);
  const out = noGrad(() => {
    const x = tensor(image, { shape: [1, 1, height, width] });
    const w = tensor(Float32Array.from(weights.flat()), { shape: [1, 1, k, k] });
    return conv2d(x, w, null, { padding: (k - 1) / 2 });
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}
