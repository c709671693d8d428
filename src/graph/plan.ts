/**
 * A Plan is a compiled schedule: the kernel launches and copies of a whole graph, with buffers
 * assigned by liveness (intermediates whose lifetimes do not overlap share a buffer), pipelines
 * built, and bind groups prebuilt. It is built once per graph structure and replayed: a training
 * step's second and later runs only bind this step's inputs and outputs and encode. Per-run
 * parameters (LowerContext.params: values in a node's attrs that its key leaves out, like a dropout
 * seed) are written into small pooled buffers before each run.
 */
import type { Device } from '../device/device.js';
import { WebtrainError } from '../errors.js';
import type { BufRef, KernelCall } from '../kernels/context.js';
import type { LowerContext } from './op.js';
import type { Schedule } from './schedule.js';
import { Storage, type Node, type Value } from './value.js';

type VBufKind = 'internal' | 'external' | 'output' | 'param';

/** A per-run parameter buffer (LowerContext.params): written from node `node` of each run's schedule. */
interface ParamSlot {
  node: number;
  bytes: number;
  write: (node: Node) => ArrayBufferView;
}

interface VBuf {
  kind: VBufKind;
  bytes: number;
  /** For externals: index into the schedule's externals. */
  ext: number;
  /** For outputs: index into the plan's output buffers; for params: index of the param slot. */
  out: number;
  first: number;
  last: number;
  /** For internals: index of the arena buffer. */
  phys: number;
}

interface DispatchStep {
  kind: 'dispatch';
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** vbuf per binding number, -1 for unused binding numbers. */
  vbufs: number[];
  workgroups: readonly [number, number, number];
  label: string;
  flops: number;
  bytes: number;
  /** Bind groups by the identity of the bound buffers; steady-state replays hit the last one. */
  cache: Map<string, GPUBindGroup>;
  lastKey: string;
  last: GPUBindGroup | null;
}

interface CopyStep {
  kind: 'copy';
  src: number;
  dst: number;
  bytes: number;
  label: string;
}

interface ClearStep {
  kind: 'clear';
  dst: number;
  bytes: number;
  label: string;
}

type Step = DispatchStep | CopyStep | ClearStep;

/** Profile of one dispatch as planned (timings are added by the profiler). */
export interface PlannedKernel {
  label: string;
  entryPoint: string;
  flops: number;
  bytes: number;
}

/** An external overwritten in place whose new value is not an output of the plan. */
const DONATED_UNCLAIMED = -2;

const bufferIds = new WeakMap<GPUBuffer, number>();
let nextBufferId = 1;
function bufferId(b: GPUBuffer): number {
  let id = bufferIds.get(b);
  if (id === undefined) bufferIds.set(b, (id = nextBufferId++));
  return id;
}

export class Plan {
  /** Times this plan has been executed. */
  runs = 0;
  /** GPU bytes the plan's intermediates take while it runs (shared by liveness). */
  readonly arenaBytes: number;

  private constructor(
    private readonly device: Device,
    readonly key: string,
    private readonly steps: Step[],
    private readonly vbufs: VBuf[],
    /** Sizes of the buffers intermediates are packed into, taken from the pool for each run. */
    private readonly arenaSizes: number[],
    /** vbuf of each schedule output, in order. */
    private readonly outputVbufs: number[],
    /** Output vbufs in allocation order, with their sizes. */
    private readonly outputSizes: number[],
    /** For each schedule external: the output index that overwrites it in place, or -1. */
    private readonly donatedTo: number[],
    readonly label: string,
    private readonly paramSlots: ParamSlot[],
  ) {
    this.arenaBytes = arenaSizes.reduce((s, b) => s + b, 0);
    this.outputBufOf = [];
    vbufs.forEach((b, i) => {
      if (b.kind === 'output') this.outputBufOf[b.out] = i;
    });
  }

  /** For each output buffer (allocation order), its vbuf. */
  private readonly outputBufOf: number[];

  static build(device: Device, sched: Schedule): Plan {
    return new PlanBuilder(device, sched).build();
  }

  get kernels(): PlannedKernel[] {
    return this.steps
      .filter((s): s is DispatchStep => s.kind === 'dispatch')
      .map((s) => ({ label: s.label, entryPoint: s.pipeline.label, flops: s.flops, bytes: s.bytes }));
  }

  get dispatchCount(): number {
    return this.steps.filter((s) => s.kind === 'dispatch').length;
  }

  /**
   * Encodes the plan into the device's open encoder for this schedule's externals, and attaches the
   * results to the schedule's output values.
   */
  execute(sched: Schedule, timestamps?: { querySet: GPUQuerySet; first: number }): void {
    const device = this.device;
    const externals = sched.externals.map((v) => v.storage!);
    const outBuffers = this.outputSizes.map((bytes) => device.acquire(bytes, 'plan output'));
    // The arena comes from the pool for this run only, so plans that are not running hold no
    // memory; released in reverse order, the pool hands the same buffers out next time, and the
    // bind groups built for them are reused.
    const arena = this.arenaSizes.map((bytes) => device.acquire(bytes, 'plan arena'));
    // Per-run parameters, written before this run's commands are encoded: device.write submits any
    // work already encoded first, so an earlier run's readers see their own values.
    const params = this.paramSlots.map((p) => {
      const buffer = device.acquire(p.bytes, 'plan params');
      device.write(buffer, 0, p.write(sched.nodes[p.node]!));
      return buffer;
    });
    const phys = (vbuf: number): GPUBuffer => {
      const vb = this.vbufs[vbuf]!;
      if (vb.kind === 'internal') return arena[vb.phys]!;
      if (vb.kind === 'param') return params[vb.out]!;
      if (vb.kind === 'external') return externals[vb.ext]!.buffer;
      return outBuffers[vb.out]!;
    };
    const encoder = device.encoder(this.label);
    let pass: GPUComputePassEncoder | null = null;
    let q = timestamps?.first ?? 0;
    for (const step of this.steps) {
      if (step.kind === 'dispatch') {
        if (timestamps) {
          pass?.end();
          pass = encoder.beginComputePass({
            label: step.label,
            timestampWrites: { querySet: timestamps.querySet, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 },
          });
          q += 2;
        } else if (!pass) {
          pass = encoder.beginComputePass({ label: this.label });
        }
        pass.setPipeline(step.pipeline);
        pass.setBindGroup(0, this.bindGroup(step, phys));
        pass.dispatchWorkgroups(step.workgroups[0], step.workgroups[1], step.workgroups[2]);
      } else {
        if (pass) {
          pass.end();
          pass = null;
        }
        if (step.kind === 'copy') encoder.copyBufferToBuffer(phys(step.src), 0, phys(step.dst), 0, step.bytes);
        else encoder.clearBuffer(phys(step.dst), 0, step.bytes);
      }
    }
    pass?.end();
    this.runs++;
    for (let i = params.length - 1; i >= 0; i--) device.release(params[i]!);
    for (let i = arena.length - 1; i >= 0; i--) device.release(arena[i]!);

    // Attach results. Donated externals hand their storage to the output that overwrote them.
    const storages = new Map<number, Storage>();
    sched.externals.forEach((v, i) => {
      const o = this.donatedTo[i]!;
      if (o >= 0) {
        const s = v.takeStorage(`was overwritten in place by ${describeWriter(sched.outputs[o]!)}`);
        storages.set(this.outputVbufs[o]!, s);
      } else if (o === DONATED_UNCLAIMED) {
        v.release('was overwritten in place by a later op of the same step');
      }
    });
    outBuffers.forEach((buffer, i) => {
      storages.set(this.outputBufOf[i]!, new Storage(device, buffer, this.outputSizes[i]!));
    });
    sched.outputs.forEach((v, i) => {
      const vb = this.vbufs[this.outputVbufs[i]!]!;
      const s = vb.kind === 'external' ? (storages.get(this.outputVbufs[i]!) ?? externals[vb.ext]!) : storages.get(this.outputVbufs[i]!)!;
      v.setStorage(s);
    });
  }

  private bindGroup(step: DispatchStep, phys: (vbuf: number) => GPUBuffer): GPUBindGroup {
    const buffers = step.vbufs.map((v) => (v < 0 ? null : phys(v)));
    const key = buffers.map((b) => (b ? bufferId(b) : 0)).join(',');
    if (key === step.lastKey && step.last) return step.last;
    let bg = step.cache.get(key);
    if (!bg) {
      if (step.cache.size > 64) step.cache.clear();
      bg = this.device.gpu.createBindGroup({
        label: step.label,
        layout: step.layout,
        entries: bindGroupEntries(buffers),
      });
      step.cache.set(key, bg);
    }
    step.lastKey = key;
    step.last = bg;
    return bg;
  }

  /** Drops cached bind groups (when the plan is evicted from the cache). */
  dispose(): void {
    for (const step of this.steps) if (step.kind === 'dispatch') step.cache.clear();
  }
}

function bindGroupEntries(buffers: (GPUBuffer | null)[]): GPUBindGroupEntry[] {
  const entries: GPUBindGroupEntry[] = [];
  buffers.forEach((buffer, binding) => {
    if (buffer) entries.push({ binding, resource: { buffer } });
  });
  return entries;
}

function describeWriter(v: Value): string {
  const n = v.node;
  if (!n) return 'an in-place update';
  return `${n.op.name}${n.layer ? ` (${n.layer})` : ''}`;
}

class PlanBuilder {
  private readonly vbufs: VBuf[] = [];
  private readonly steps: Step[] = [];
  private readonly valueBuf = new Map<Value, number>();
  private readonly used = new Set<Value>();
  private readonly donatedTo: number[];
  private readonly paramSlots: ParamSlot[] = [];

  constructor(
    private readonly device: Device,
    private readonly sched: Schedule,
  ) {
    this.donatedTo = sched.externals.map(() => -1);
  }

  private newBuf(kind: VBufKind, bytes: number): number {
    this.vbufs.push({ kind, bytes, ext: -1, out: -1, first: this.steps.length, last: this.steps.length, phys: -1 });
    return this.vbufs.length - 1;
  }

  private touch(vbuf: number): void {
    const b = this.vbufs[vbuf]!;
    b.first = Math.min(b.first, this.steps.length);
    b.last = Math.max(b.last, this.steps.length);
  }

  build(): Plan {
    const { sched, device } = this;
    sched.externals.forEach((v, i) => {
      const b = this.newBuf('external', v.bytes);
      this.vbufs[b]!.ext = i;
      this.valueBuf.set(v, b);
    });
    for (const n of sched.nodes) for (const v of n.inputs) this.used.add(v);
    for (const v of sched.outputs) this.used.add(v);

    const labels = new Set<string>();
    sched.nodes.forEach((node, index) => {
      const label = node.layer ? `${node.op.name} (${node.layer})` : node.op.name;
      labels.add(node.op.name);
      this.lowerNode(node, label, index);
    });

    // Classify: any vbuf holding an output value outlives the plan (unless it is an external).
    const outputVbufs = sched.outputs.map((v) => this.valueBuf.get(v)!);
    const outputSizes: number[] = [];
    for (const vb of outputVbufs) {
      const b = this.vbufs[vb]!;
      if (b.kind === 'internal') {
        b.kind = 'output';
        b.out = outputSizes.length;
        outputSizes.push(b.bytes);
      }
    }
    sched.outputs.forEach((_, i) => {
      const b = this.vbufs[outputVbufs[i]!]!;
      if (b.kind === 'external' && this.donatedTo[b.ext] === DONATED_UNCLAIMED) this.donatedTo[b.ext] = i;
    });

    const arenaSizes = this.assignArena();
    const name = [...labels].slice(0, 4).join('+') + (labels.size > 4 ? `+${labels.size - 4} ops` : '');
    return new (Plan as unknown as PlanCtor)(
      device,
      sched.key,
      this.steps,
      this.vbufs,
      arenaSizes,
      outputVbufs,
      outputSizes,
      this.donatedTo,
      `plan[${name}]`,
      this.paramSlots,
    );
  }

  private lowerNode(node: Node, label: string, index: number): void {
    const op = node.op;
    const donations = this.sched.donations.get(node);
    node.outputs.forEach((out, j) => {
      if (op.view) {
        const b = this.valueBuf.get(node.inputs[0]!)!;
        this.valueBuf.set(out, b);
        this.touch(b);
        return;
      }
      const pair = op.inPlace?.find(([o, i]) => o === j && i < node.inputs.length);
      if (pair) {
        const input = node.inputs[pair[1]]!;
        const src = this.valueBuf.get(input)!;
        if (donations?.has(pair[1])) {
          this.valueBuf.set(out, src);
          const b = this.vbufs[src]!;
          if (b.kind === 'external') this.donatedTo[b.ext] = DONATED_UNCLAIMED; // resolved to an output in build()
          this.touch(src);
          return;
        }
        const dst = this.newBuf('internal', out.bytes);
        this.touch(src);
        this.steps.push({ kind: 'copy', src, dst, bytes: out.bytes, label });
        this.valueBuf.set(out, dst);
        return;
      }
      this.valueBuf.set(out, this.newBuf('internal', out.bytes));
    });
    if (op.view) return;
    if (!op.lower) throw new WebtrainError(`op ${op.name} has no kernels`);

    const refOf = (v: Value): BufRef => ({ vbuf: this.valueBuf.get(v)! });
    const ctx: LowerContext = {
      device: this.device,
      input: (i) => refOf(node.inputs[i]!),
      output: (i) => refOf(node.outputs[i]!),
      temp: (bytes) => ({ vbuf: this.newBuf('internal', bytes) }),
      used: (i) => this.used.has(node.outputs[i]!),
      dispatch: (call) => this.dispatch(call, label),
      copy: (src, dst, bytes) => {
        this.touch(src.vbuf);
        this.touch(dst.vbuf);
        this.steps.push({ kind: 'copy', src: src.vbuf, dst: dst.vbuf, bytes, label });
      },
      params: (bytes, write) => {
        const vbuf = this.newBuf('param', bytes);
        this.vbufs[vbuf]!.out = this.paramSlots.length;
        this.paramSlots.push({ node: index, bytes: Math.max(16, bytes), write });
        return { vbuf };
      },
      clear: (buf, bytes) => {
        this.touch(buf.vbuf);
        this.steps.push({ kind: 'clear', dst: buf.vbuf, bytes, label });
      },
    };
    op.lower(ctx, node);
  }

  private dispatch(call: KernelCall, label: string): void {
    const [x, y, z] = call.workgroups;
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new WebtrainError(
        `${label}: kernel ${call.shader.file}:${call.entryPoint} asks for ${x}x${y}x${z} workgroups; the adapter allows ${max} per dimension`,
      );
    }
    for (const b of call.bindings) if (b) this.touch(b.vbuf);
    if (x === 0 || y === 0 || z === 0) return;
    const pipeline = this.device.pipelines.get(call.shader, call.entryPoint, call.constants);
    this.steps.push({
      kind: 'dispatch',
      pipeline,
      layout: pipeline.getBindGroupLayout(0),
      vbufs: call.bindings.map((b) => (b ? b.vbuf : -1)),
      workgroups: call.workgroups,
      label,
      flops: call.flops ?? 0,
      bytes: call.bytes ?? 0,
      cache: new Map(),
      lastKey: '',
      last: null,
    });
  }

  /**
   * Assigns internal buffers to arena buffers, greedy by size (as TFLite's shared-object planner):
   * the largest intermediates first, each into the smallest arena buffer whose values' lifetimes
   * (step ranges) do not overlap its own, or a new buffer. Big values placed first cannot be split
   * across buffers pinned by small long-lived ones, which a walk in step order does: LeNet-5's 5.4
   * MiB im2col matrix, freed after conv1's product, was reused by a small activation kept until the
   * end of the backward pass, and the next big matrix needed a buffer of its own.
   */
  private assignArena(): number[] {
    const internal = this.vbufs.filter((b) => b.kind === 'internal');
    internal.sort((p, q) => q.bytes - p.bytes || p.first - q.first);
    const arena: { size: number; lives: { first: number; last: number }[] }[] = [];
    for (const b of internal) {
      let best = -1;
      for (let i = 0; i < arena.length; i++) {
        const a = arena[i]!;
        if (best >= 0 && a.size >= arena[best]!.size) continue;
        if (a.lives.every((l) => l.last < b.first || l.first > b.last)) best = i;
      }
      if (best < 0) {
        best = arena.length;
        arena.push({ size: b.bytes, lives: [] });
      }
      arena[best]!.lives.push({ first: b.first, last: b.last });
      b.phys = best;
    }
    return arena.map((a) => Math.max(a.size, 4));
  }
}

type PlanCtor = new (
  device: Device,
  key: string,
  steps: Step[],
  vbufs: VBuf[],
  arenaSizes: number[],
  outputVbufs: number[],
  outputSizes: number[],
  donatedTo: number[],
  label: string,
  paramSlots: ParamSlot[],
) => Plan;
