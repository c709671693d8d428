/**
 * The receptive field of one unit, as a window of input pixels: which rows and columns of the input
 * the output element (row, col) of a layer can see.
 *
 * wt.summary gives the window's size and jump per layer; its position also needs the paddings. For
 * a chain of sliding windows (convolutions and poolings) l = 1..L with kernel k, stride s, padding
 * p (top / left) and dilation d, in input pixels, starting from R = 1, J = 1, S = 0:
 *
 *     R += (k - 1) * d * J      size of the window
 *     S -= p * J                offset of unit 0's first pixel (negative: it starts in the padding)
 *     J *= s                    jump: input pixels between neighbouring units
 *
 * and unit i sees input rows S + i * J ... S + i * J + R - 1 (columns alike). Element-wise steps
 * (activations, normalization) change nothing. Part of that window can lie outside the image, or
 * in the padding of an intermediate map (a unit at the edge of a map looks at padding there), so
 * the pixels the unit actually depends on (`seen`) are found by walking back from the unit: output
 * position o of a layer reads o * s - p + t * d (t = 0 .. k - 1) of the map before it, those inside
 * that map. The gradient of the unit with respect to the input is non-zero exactly on `seen`
 * (test/gpu/viz.test.ts), the smallest box around those pixels (with dilation it can have holes).
 */
import { ArgumentError } from '../errors.js';
import type { StagedModel } from './stages.js';

type IntOrPair = number | readonly [number, number];

/**
 * One sliding window. A Conv2d module has these fields and can be passed as it is; a pooling
 * (F.maxPool2d(x, 2), or a MaxPool2d module) is { kernelSize, stride, padding, pooling: true }.
 */
export interface SlidingWindow {
  kernelSize: IntOrPair;
  stride?: IntOrPair | null;
  /** Top / left padding, or 'valid' (0) or 'same' (stride 1: (d * (k - 1)) / 2 rounded down at the top, as PyTorch). */
  padding?: IntOrPair | 'same' | 'valid';
  dilation?: IntOrPair;
  /** A pooling window: its stride defaults to its kernel size (as F.maxPool2d's). */
  pooling?: boolean;
}

/** A box of input pixels: rows top .. top + height - 1, columns left .. left + width - 1. */
export interface PixelBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * The full window of a unit (top and left are negative where it starts in the padding, and it may
 * end past the image; height and width are wt.summary's receptiveField.size), and what it sees.
 */
export interface ReceptiveWindow extends PixelBox {
  /** Input pixels between neighbouring units (wt.summary's receptiveField.jump). */
  jump: [number, number];
  /**
   * The input pixels the unit depends on: the window without what lies outside the image or in the
   * padding of any layer on the way (a unit near the border of an intermediate map sees less).
   */
  seen: PixelBox;
}

const pairOf = (v: IntOrPair | null | undefined, fallback: number): [number, number] =>
  v == null ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

interface Axis {
  k: number;
  s: number;
  d: number;
  /** Padding before and after (they differ only for 'same' with an even span). */
  before: number;
  after: number;
}

function axes(w: SlidingWindow): [Axis, Axis] {
  const k = pairOf(w.kernelSize, 1);
  const s = w.stride == null && w.pooling ? k : pairOf(w.stride, 1);
  const d = pairOf(w.dilation, 1);
  const p = w.padding === 'valid' || w.padding === 'same' ? null : pairOf(w.padding, 0);
  return [0, 1].map((a): Axis => {
    const span = d[a]! * (k[a]! - 1);
    if (w.padding === 'same') return { k: k[a]!, s: s[a]!, d: d[a]!, before: Math.floor(span / 2), after: span - Math.floor(span / 2) };
    const pad = p ? p[a]! : 0;
    return { k: k[a]!, s: s[a]!, d: d[a]!, before: pad, after: pad };
  }) as [Axis, Axis];
}

/**
 * The window of input pixels that the unit (row, col) of the last of `windows` sees, on an input of
 * inputSize [height, width] (ceilMode pooling is not modelled). Throws when the unit is not in the
 * last map.
 */
export function receptiveWindow(windows: readonly SlidingWindow[], row: number, col: number, inputSize: readonly [number, number]): ReceptiveWindow {
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0) {
    throw new ArgumentError(`receptiveWindow: the unit's row and column must be integers >= 0, got (${row}, ${col})`);
  }
  const chain = windows.map(axes);
  const full: number[] = [];
  const seen: number[] = [];
  const jump: [number, number] = [1, 1];
  for (const a of [0, 1] as const) {
    const unit = a === 0 ? row : col;
    // Forward: size, offset and jump of the window (the formulas at the top), and each map's size.
    let size = 1;
    let start = 0;
    let j = 1;
    const sizes = [inputSize[a]];
    for (const c of chain) {
      const l = c[a];
      size += (l.k - 1) * l.d * j;
      start -= l.before * j;
      j *= l.s;
      sizes.push(Math.floor((sizes[sizes.length - 1]! + l.before + l.after - l.d * (l.k - 1) - 1) / l.s) + 1);
    }
    const last = sizes[sizes.length - 1]!;
    if (unit >= last) throw new ArgumentError(`receptiveWindow: unit (${row}, ${col}) is outside the last map of ${sizes[sizes.length - 1]} ${a === 0 ? 'rows' : 'columns'}`);
    jump[a] = j;
    full.push(start + unit * j, size);
    // Backward: the positions of each map the unit depends on (a set: dilation can leave holes).
    let reads = new Set([unit]);
    for (let i = chain.length - 1; i >= 0; i--) {
      const l = chain[i]![a];
      const next = new Set<number>();
      for (const o of reads) {
        for (let t = 0; t < l.k; t++) {
          const p = o * l.s - l.before + t * l.d;
          if (p >= 0 && p < sizes[i]!) next.add(p);
        }
      }
      reads = next;
    }
    const lo = reads.size ? Math.min(...reads) : 0;
    const hi = reads.size ? Math.max(...reads) : -1;
    seen.push(lo, Math.max(0, hi - lo + 1));
  }
  return {
    top: full[0]!,
    height: full[1]!,
    left: full[2]!,
    width: full[3]!,
    jump,
    seen: { top: seen[0]!, height: seen[1]!, left: seen[2]!, width: seen[3]! },
  };
}

/**
 * The window of the unit (row, col) of a stage of a staged model on an input of inputSize: the
 * sliding windows of every stage up to and including it, in order. Each of those stages must say
 * its windows (Stage.windows; [] for an element-wise stage).
 */
export function stageWindow(m: StagedModel, stage: string, row: number, col: number, inputSize: readonly [number, number]): ReceptiveWindow {
  const i = m.stages.findIndex((s) => s.name === stage);
  if (i < 0) throw new ArgumentError(`stageWindow: no stage '${stage}' (stages: ${m.stages.map((s) => s.name).join(', ')})`);
  const windows: SlidingWindow[] = [];
  for (const s of m.stages.slice(0, i + 1)) {
    if (!s.windows) throw new ArgumentError(`stageWindow: stage '${s.name}' does not say its sliding windows (Stage.windows), so the window of a unit of '${stage}' is unknown`);
    windows.push(...s.windows);
  }
  return receptiveWindow(windows, row, col, inputSize);
}
