/**
 * wt.summary(model, inputShape): the model's layers with their output shapes, parameters,
 * multiply-adds and receptive fields, and the totals, as torchinfo's summary() shows them.
 *
 * It traces one forward pass on an input of the given shape. Tensors are lazy, so the trace only
 * records nodes and knows every shape without running a kernel; the recorded nodes are then
 * discarded, so a summary of ResNet-50 at 224x224 costs no GPU time at all.
 *
 * - Parameters: each module's own parameters and those of its children (a parameter shared by two
 *   modules counts once in the totals).
 * - Multiply-adds: those of Conv2d, ConvTranspose2d and Linear, from the shapes of each call (so
 *   a layer called twice counts twice); normalization, activation and pooling are counted as 0.
 * - Receptive field: the size and stride (jump), in input pixels, of the window of the input that
 *   one output element of the layer sees. Convolutions and pooling grow it; element-wise ops and
 *   concatenations take the largest of their inputs'; adaptive/global pooling, flattening and fully
 *   connected layers see the whole input ('global').
 */
import { ArgumentError, fmtShape } from '../errors.js';
import { engineFor } from '../graph/engine.js';
import { noGrad } from '../util/scope.js';
import type { Value } from '../graph/value.js';
import { zeros } from '../ops/fill.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultDevice } from '../device/default.js';
import { Module } from './module.js';

export interface ReceptiveField {
  /** [height, width] in input pixels; Infinity for a global one. */
  size: [number, number];
  /** [height, width]: input pixels between neighbouring outputs. */
  jump: [number, number];
}

export interface SummaryRow {
  /** Module path ('' for the model itself), and its depth in the tree. */
  path: string;
  depth: number;
  type: string;
  outputShape: number[][];
  /** Parameters of this module and its children. */
  params: number;
  trainableParams: number;
  /** Multiply-adds of this call (its leaf layers). */
  macs: number;
  receptiveField: ReceptiveField | null;
}

export interface ModelSummary {
  rows: SummaryRow[];
  inputShape: number[];
  totalParams: number;
  trainableParams: number;
  totalMacs: number;
  /** Bytes of the parameters and buffers (float32 / int32). */
  paramBytes: number;
  toString(): string;
}

export interface SummaryOptions {
  /** Rows deeper than this are left out of toString() (they still count in the totals). Default 3. */
  depth?: number;
}

type Pair = [number, number];
const pair = (v: unknown, fallback: Pair): Pair =>
  typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number') ? [v[0], v[1]] : fallback;

/** The window geometry of a layer that slides one (convolution, pooling), else null. */
function windowOf(m: Module<unknown>): Window | null {
  const a = m as unknown as Record<string, unknown>;
  const name = m.constructor.name;
  if (!('kernelSize' in a) || name.startsWith('Adaptive')) return null;
  const k = pair(a['kernelSize'], [1, 1]);
  return { k, s: pair(a['stride'] ?? k, k), d: pair(a['dilation'], [1, 1]), transposed: name.startsWith('ConvTranspose') };
}

type Window = { k: Pair; s: Pair; d: Pair; transposed: boolean };

/** The receptive field after a sliding window: it grows by (k - 1) * dilation input jumps; the jump multiplies by the stride. */
function grow(r: ReceptiveField, w: Window): ReceptiveField {
  if (!Number.isFinite(r.size[0])) return r;
  const jump: Pair = w.transposed ? [r.jump[0] / w.s[0], r.jump[1] / w.s[1]] : [r.jump[0] * w.s[0], r.jump[1] * w.s[1]];
  const step = w.transposed ? jump : r.jump;
  return { size: [r.size[0] + (w.k[0] - 1) * w.d[0] * step[0], r.size[1] + (w.k[1] - 1) * w.d[1] * step[1]], jump };
}

/** Ops whose attrs carry a pooling window (kh, kw, sh, sw, dh, dw), for pooling called functionally. */
const FUNCTIONAL_WINDOWS = new Set(['max_pool2d', 'avg_pool2d']);

const GLOBAL: ReceptiveField = { size: [Infinity, Infinity], jump: [Infinity, Infinity] };
const isSpatial = (v: Value): boolean => v.shape.length === 4;

function macsOf(m: Module<unknown>, input: Value | undefined, outputs: Value[]): number {
  const a = m as unknown as Record<string, unknown>;
  const out = outputs[0];
  if (!out || !input) return 0;
  const name = m.constructor.name;
  const groups = typeof a['groups'] === 'number' ? (a['groups'] as number) : 1;
  if (name === 'Conv2d') {
    const k = pair(a['kernelSize'], [1, 1]);
    return out.numel * (input.shape[1]! / groups) * k[0] * k[1];
  }
  if (name === 'ConvTranspose2d') {
    const k = pair(a['kernelSize'], [1, 1]);
    return input.numel * (out.shape[1]! / groups) * k[0] * k[1];
  }
  if (name === 'Linear') return out.numel * (input.shape[input.shape.length - 1] ?? 1);
  return 0;
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

function fmtRf(rf: ReceptiveField | null): string {
  if (!rf) return '';
  if (!Number.isFinite(rf.size[0])) return 'global';
  const [h, w] = rf.size;
  const [jh, jw] = rf.jump;
  return `${h === w ? h : `${h}x${w}`} /${jh === jw ? jh : `${jh}x${jw}`}`;
}

function table(s: ModelSummary, depth: number): string {
  const rows = s.rows.filter((r) => r.depth <= depth);
  const cells = rows.map((r) => [
    `${'  '.repeat(r.depth)}${r.path ? `${r.path.split('.').pop()} (${r.type})` : r.type}`,
    r.outputShape.map(fmtShape).join(', '),
    r.params ? fmtCount(r.params) : '--',
    r.macs ? fmtCount(r.macs) : '--',
    fmtRf(r.receptiveField),
  ]);
  const head = ['Layer (type)', 'Output shape', 'Params', 'Mult-adds', 'Receptive field'];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 0 ? x.padEnd(width[i]!) : x.padStart(width[i]!))).join('  ');
  const rule = '='.repeat(width.reduce((a, b) => a + b + 2, -2));
  return [
    rule,
    line(head),
    rule,
    ...cells.map(line),
    rule,
    `Input shape: ${fmtShape(s.inputShape)}`,
    `Total params: ${fmtCount(s.totalParams)}`,
    `Trainable params: ${fmtCount(s.trainableParams)}`,
    `Non-trainable params: ${fmtCount(s.totalParams - s.trainableParams)}`,
    `Total mult-adds: ${fmtCount(s.totalMacs)} (${(s.totalMacs / 1e9).toFixed(3)} G)`,
    `Params + buffers size: ${(s.paramBytes / 2 ** 20).toFixed(2)} MiB`,
    rule,
  ].join('\n');
}

/** torchinfo.summary(model, input_size): see the file comment. */
export function summary(model: Module<unknown>, inputShape: readonly number[], options: SummaryOptions = {}): ModelSummary {
  if (!(model instanceof Module)) throw new ArgumentError(`summary: expected an nn.Module, got ${Object.prototype.toString.call(model)}`);
  if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ArgumentError(`summary: inputShape must be a list of positive integers such as [1, 3, 224, 224], got ${JSON.stringify(inputShape)}`);
  }
  const depth = options.depth ?? 3;
  const paths = new Map<Module<unknown>, string>();
  for (const [p, m] of (model as Module).namedModules()) if (!paths.has(m)) paths.set(m, p);

  const rf = new Map<Value, ReceptiveField | null>();
  const rfOf = (v: Value): ReceptiveField | null => {
    const known = rf.get(v);
    if (known !== undefined) return known;
    let result: ReceptiveField | null = null;
    const g = v.node && FUNCTIONAL_WINDOWS.has(v.node.op.name) ? (v.node.attrs as Partial<Record<'kh' | 'kw' | 'sh' | 'sw' | 'dh' | 'dw', number>>) : null;
    if (v.node && g && typeof g.kh === 'number' && typeof g.kw === 'number') {
      // A pooling call outside a module (F.maxPool2d in a forward): the same rule as a layer's.
      const r = rfOf(v.node.inputs[0]!);
      result = r && grow(r, { k: [g.kh, g.kw], s: [g.sh ?? g.kh, g.sw ?? g.kw], d: [g.dh ?? 1, g.dw ?? 1], transposed: false });
    } else if (v.node) {
      for (const i of v.node.inputs) {
        const r = rfOf(i);
        if (!r) continue;
        result = result ? { size: [Math.max(result.size[0], r.size[0]), Math.max(result.size[1], r.size[1])], jump: [Math.max(result.jump[0], r.jump[0]), Math.max(result.jump[1], r.jump[1])] } : r;
      }
      if (result && !isSpatial(v)) result = GLOBAL;
    }
    rf.set(v, result);
    return result;
  };

  const rows: SummaryRow[] = [];
  const stack: SummaryRow[] = [];
  const proto = Module.prototype as unknown as { call: (...inputs: Tensor[]) => unknown };
  const original = proto.call;
  const engine = engineFor(defaultDevice());
  const mark = engine.recordedMark;
  const input = zeros([...inputShape]);
  rf.set(input._value, { size: [1, 1], jump: [1, 1] });
  proto.call = function (this: Module<unknown>, ...inputs: Tensor[]): unknown {
    const path = paths.get(this) ?? '?';
    const own = (this as Module).parameters();
    const row: SummaryRow = {
      path,
      depth: path === '' ? 0 : path.split('.').length,
      type: this.constructor.name,
      outputShape: [],
      params: own.reduce((n, p) => n + p.numel(), 0),
      trainableParams: own.filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0),
      macs: 0,
      receptiveField: null,
    };
    rows.push(row);
    stack.push(row);
    let out: unknown;
    try {
      out = original.apply(this, inputs);
    } finally {
      stack.pop();
    }
    const outs = (Array.isArray(out) ? out : out && typeof out === 'object' && !('_value' in out) ? Object.values(out) : [out]).filter(
      (t): t is Tensor => !!t && typeof t === 'object' && '_value' in t,
    );
    const values = outs.map((t) => t._value);
    row.outputShape = values.map((v) => [...v.shape]);
    const leaf = (this as Module).children().length === 0;
    if (leaf) {
      row.macs = macsOf(this, inputs[0]?._value, values);
      for (const parent of stack) parent.macs += row.macs;
      const inRf = inputs[0] ? rfOf(inputs[0]._value) : null;
      const w = windowOf(this);
      for (const v of values) {
        if (!inRf) rf.set(v, null);
        else if (!isSpatial(v) || !Number.isFinite(inRf.size[0])) rf.set(v, GLOBAL);
        else if (this.constructor.name.startsWith('Adaptive') && (v.shape[2] !== inputs[0]!.shape[2] || v.shape[3] !== inputs[0]!.shape[3])) rf.set(v, GLOBAL);
        else rf.set(v, w ? grow(inRf, w) : inRf);
      }
    }
    row.receptiveField = values[0] ? rfOf(values[0]) : null;
    return out;
  };
  try {
    noGrad(() => model.call(input));
  } finally {
    proto.call = original;
    engine.discardRecordedSince(mark);
  }
  const params = (model as Module).parameters();
  const buffers = (model as Module).buffers();
  const result: ModelSummary = {
    rows,
    inputShape: [...inputShape],
    totalParams: params.reduce((n, p) => n + p.numel(), 0),
    trainableParams: params.filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0),
    totalMacs: rows[0]?.macs ?? 0,
    paramBytes: [...params, ...buffers].reduce((n, t) => n + t.numel() * 4, 0),
    toString: () => table(result, depth),
  };
  return result;
}
