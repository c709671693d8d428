/**
 * Which kernels run each pass of a convolution (measurements: bench/NOTES.md, "conv2d
 * algorithms"):
 *
 *  - 'direct':    implicit GEMM, shaders/conv2d.wgsl (direct.ts); runs anything.
 *  - 'gemm':      im2col + vec4 matrix products (shaders/im2col.wgsl, shaders/gemm.wgsl; im2col.ts),
 *                 one product per (image, group).
 *  - 'matmul1x1': a 1x1 convolution with stride 1 and no padding is a plain matrix product over x
 *                 itself: gemm.wgsl without im2col or col2im.
 *  - 'depthwise': groups = C (O a multiple of C): shaders/depthwise.wgsl (depthwise.ts), tiles along
 *                 one channel's rows instead of across 4 output channels that share nothing.
 *  - 'winograd':  F(2x2, 3x3) for 3x3 stride-1 convolutions (groups 1), forward and input gradient:
 *                 shaders/winograd.wgsl (winograd.ts) transforms around 16 products of gemm.wgsl.
 */
import { isDepthwise } from './depthwise.js';
import { MAX_CONV_TEMP_BYTES, type ConvGeometry } from './geometry.js';
import { colLayout, isPlain1x1 } from './im2col.js';
import { canWinograd } from './winograd.js';

export type ConvAlgorithm = 'direct' | 'gemm' | 'matmul1x1' | 'depthwise' | 'winograd';
/** What engine.tuning.conv may force ('auto': chooseConvAlgorithm decides per shape and pass). */
export type ConvPreference = 'auto' | ConvAlgorithm;
export type ConvPass = 'forward' | 'inputGrad' | 'weightGrad';

/** Whether `algorithm` can run `pass` of this convolution. */
export function canRunConv(geo: ConvGeometry, algorithm: ConvAlgorithm, pass: ConvPass = 'forward'): boolean {
  switch (algorithm) {
    case 'direct':
      return true;
    case 'matmul1x1':
      return isPlain1x1(geo);
    case 'depthwise':
      return isDepthwise(geo);
    case 'winograd':
      return pass !== 'weightGrad' && canWinograd(geo, pass);
    case 'gemm': {
      const { kp, s4 } = colLayout(geo);
      return geo.n * kp * s4 * 4 <= MAX_CONV_TEMP_BYTES;
    }
  }
}

/**
 * Winograd's transforms cost per channel what its products save per channel pair: below this many
 * input and output channels im2col + gemm is faster (bench/NOTES.md, "conv2d algorithms"). The
 * input gradient wins from fewer channels than the forward (its gemm path pays col2im too).
 */
export const WINOGRAD_MIN_CHANNELS = { forward: 32, inputGrad: 8 } as const;

/**
 * The algorithm for one pass of a convolution: the preference when it can run the pass, else the
 * measured best (bench/NOTES.md, "conv2d algorithms"; SwiftShader):
 *  - a plain 1x1 convolution is a matrix product over x ('matmul1x1');
 *  - depthwise convolutions use their own kernels ('depthwise');
 *  - 3x3 stride-1 convolutions with at least WINOGRAD_MIN_CHANNELS channels each way use Winograd
 *    for the forward and the input gradient (it has no weight gradient of its own);
 *  - other convolutions with groups = 1 use im2col + gemm (its weight gradient reuses the forward's
 *    col when the forward ran it too, otherwise it runs im2col again: still faster than direct);
 *  - grouped convolutions (not depthwise) use the direct kernels.
 */
export function chooseConvAlgorithm(geo: ConvGeometry, preference: ConvPreference, pass: ConvPass = 'forward'): ConvAlgorithm {
  if (preference !== 'auto' && canRunConv(geo, preference, pass)) return preference;
  if (canRunConv(geo, 'matmul1x1', pass)) return 'matmul1x1';
  if (canRunConv(geo, 'depthwise', pass)) return 'depthwise';
  if (pass !== 'weightGrad' && canRunConv(geo, 'winograd', pass) && Math.min(geo.c, geo.o) >= WINOGRAD_MIN_CHANNELS[pass]) return 'winograd';
  if (geo.groups === 1 && canRunConv(geo, 'gemm', pass)) return 'gemm';
  return 'direct';
}

/**
 * An im2col matrix at least this many times the size of its input is not kept from the forward
 * pass to the weight gradient but computed again there (one memory-bound pass): LeNet-5's conv1
 * (1 channel, 5x5, padding 2) has a matrix 28x its input, 5.4 MiB at batch 64, which otherwise stays
 * allocated through the whole backward pass. 3x3 convolutions (~9x) and LeNet's conv2 (~13x) keep
 * theirs. bench/NOTES.md, "Why the LeNet step's memory".
 */
export const RECOMPUTE_COL_RATIO = 16;

/** Whether the weight gradient of a 'gemm' forward reads the forward's im2col matrix. */
export function keepsCol(geo: ConvGeometry): boolean {
  const { kp, s4 } = colLayout(geo);
  return kp * s4 < RECOMPUTE_COL_RATIO * geo.c * geo.h * geo.w;
}
