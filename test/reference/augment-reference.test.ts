/**
 * The augmentation references on their own: hand-worked values (a 2x upscale, a mirrored padded
 * crop, a contrast blend towards the grey mean, saturation, lighting, normalization).
 */
import { describe, expect, it } from 'vitest';
import * as ref from './augment.js';
import { ndarray } from './ndarray.js';

describe('augmentation references', () => {
  it('bilinear 2x upscale of a 1x2 row (align_corners = false)', () => {
    const x = ndarray([1, 1, 1, 2], [0, 1]);
    const y = ref.resample(x, [{ src: 0, top: 0, left: 0, height: 1, width: 2, flip: false }], 1, 4);
    // Sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (neighbour clamped): 0, 0.25, 0.75, 1.
    expect(Array.from(y.data)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('a crop reaching into the zero padding, mirrored', () => {
    const x = ndarray([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]);
    const y = ref.resample(x, [{ src: 0, top: -1, left: 1, height: 2, width: 3, flip: true }], 2, 3);
    expect(Array.from(y.data)).toEqual([0, 0, 0, 0, 3, 2]);
  });

  it('contrast blends towards the mean grey value; saturation 0 gives grey; lighting adds', () => {
    const x = ndarray([1, 1, 1, 2], [0.2, 0.6]);
    expect(Array.from(ref.adjustColors(x, { contrast: [0.5] }).data).map((v) => +v.toFixed(12))).toEqual([0.3, 0.5]);
    const rgb = ndarray([1, 3, 1, 1], [1, 0, 0]);
    expect(Array.from(ref.adjustColors(rgb, { saturation: [0] }).data)).toEqual([0.2989, 0.2989, 0.2989]);
    expect(Array.from(ref.adjustColors(rgb, { lighting: [0.5, -1, 2] }).data)).toEqual([1.5, -1, 2]);
    expect(Array.from(ref.adjustColors(rgb, { brightness: [3] }).data)).toEqual([1, 0, 0]);
  });

  it('normalize', () => {
    expect(Array.from(ref.normalize(ndarray([1, 2, 1, 1], [1, 1]), [0.5, 1], [0.5, 2]).data)).toEqual([1, 0]);
  });
});
