/**
 * The engine records nodes and runs them. Nothing runs when an op is called: the op records a
 * node. A flush (a read, an optimizer step, or `realize`) takes what must be computed, finds or
 * builds the Plan for that graph's structure, and encodes it into the one command encoder the
 * device submits at the end of the task.
 *
 * What a flush materializes: the values asked for, every value recorded since the last flush that
 * nothing consumed (so a loss or a metric computed before `optimizer.step()` is ready to read
 * afterwards without running anything again), and values marked `keep` (parameters, optimizer
 * state, gradients). Other intermediates live only inside the plan, in shared buffers; reading one
 * later recomputes it, as long as the values it came from have not been overwritten.
 */
import type { Device } from '../device/device.js';
import { ArgumentError } from '../errors.js';
import type { DType } from '../util/dtype.js';
import type { OpDef } from './op.js';
import { Plan } from './plan.js';
import { schedule } from './schedule.js';
import { Node, Value } from './value.js';

export interface OutputSpec {
  shape: readonly number[];
  dtype: DType;
  aux?: boolean;
}

export interface EngineStats {
  flushes: number;
  planBuilds: number;
  planHits: number;
  /** Nodes recorded in total. */
  recorded: number;
}

/** Record this many nodes without a flush and the engine flushes on its own. */
const AUTO_FLUSH_NODES = 50_000;
/** Plans kept in the cache. */
const PLAN_CACHE_SIZE = 64;

export class Engine {
  private recorded: Node[] = [];
  private readonly plans = new Map<string, Plan>();
  readonly stats: EngineStats = { flushes: 0, planBuilds: 0, planHits: 0, recorded: 0 };
  /** The plan run by the latest flush (for tests and the profiler). */
  lastPlan: Plan | null = null;
  /**
   * Algorithm choices that can be forced (benchmarks, tests): conv 'auto' picks by shape; fuse:
   * whether elementwise epilogues are folded into conv / matmul kernels (graph/fuse.ts).
   */
  tuning: { conv: 'auto' | 'direct' | 'gemm' | 'matmul1x1' | 'depthwise' | 'winograd'; fuse: boolean } = { conv: 'auto', fuse: true };
  /** When set, the next flushes write per-dispatch timestamps here (profiler). */
  profiler: ((plan: Plan) => { querySet: GPUQuerySet; first: number } | undefined) | null = null;

  constructor(readonly device: Device) {}

  /** Records a node and returns its output values. */
  record<A>(op: OpDef<A>, inputs: readonly Value[], attrs: A, outputs: readonly OutputSpec[], layer: string | undefined): Value[] {
    for (const v of inputs) {
      const d = v.device;
      if (d && d !== this.device) {
        throw new ArgumentError(`${op.name}: all tensors must be on the same device; ${v.describe()} is on another one`);
      }
    }
    const node = new Node<A>(op, inputs, attrs, this.device, layer);
    for (const spec of outputs) {
      node.outputs.push(new Value(spec.shape, spec.dtype, node as Node, node.outputs.length, spec.aux ?? false));
    }
    for (const v of inputs) v.consumers++;
    this.recorded.push(node as Node);
    this.stats.recorded++;
    if (this.recorded.length >= AUTO_FLUSH_NODES) this.flush([]);
    return node.outputs;
  }

  /** Computes `targets` (and the pending sinks and kept values) in one plan execution. */
  flush(targets: readonly Value[]): void {
    this.device.check();
    const outputs: Value[] = [];
    const seen = new Set<Value>();
    const add = (v: Value): void => {
      if (!v.storage && !seen.has(v)) {
        seen.add(v);
        outputs.push(v);
      }
    };
    for (const v of targets) add(v);
    const recorded = this.recorded;
    this.recorded = [];
    for (const node of recorded) {
      for (const v of node.outputs) {
        if (!v.stale && (v.keep || (v.consumers === 0 && !v.aux))) add(v);
      }
    }
    if (outputs.length === 0) return;
    this.stats.flushes++;

    const sched = schedule(outputs, { fuse: this.tuning.fuse });
    let plan = this.plans.get(sched.key);
    if (plan) {
      this.stats.planHits++;
      // Refresh LRU position.
      this.plans.delete(sched.key);
      this.plans.set(sched.key, plan);
    } else {
      plan = Plan.build(this.device, sched);
      this.stats.planBuilds++;
      this.plans.set(sched.key, plan);
      if (this.plans.size > PLAN_CACHE_SIZE) {
        const oldest = this.plans.keys().next().value as string;
        this.plans.get(oldest)!.dispose();
        this.plans.delete(oldest);
      }
    }
    this.lastPlan = plan;
    plan.execute(sched, this.profiler?.(plan));
  }

  /** A mark for discardRecordedSince: the number of nodes recorded so far. */
  get recordedMark(): number {
    return this.stats.recorded;
  }

  /**
   * Forgets the nodes recorded since `mark` without running them, as if they had never been
   * recorded: a trace that only wanted shapes (wt.summary). Their values stay readable (a read
   * computes them from their inputs); nodes already flushed are not affected.
   */
  discardRecordedSince(mark: number): void {
    const n = Math.min(this.recorded.length, this.stats.recorded - mark);
    for (const node of this.recorded.splice(this.recorded.length - n, n)) {
      for (const v of node.inputs) v.consumers--;
    }
  }

  /** Drops all cached plans and their arenas. */
  clearPlans(): void {
    for (const p of this.plans.values()) p.dispose();
    this.plans.clear();
  }

  get planCount(): number {
    return this.plans.size;
  }

  /** Reads a value back to the CPU, computing it first if needed. */
  async read(v: Value): Promise<ArrayBuffer> {
    if (!v.storage) this.flush([v]);
    const s = v.storage;
    if (!s) throw new Error('internal: value not realized after flush');
    return this.device.read(s.buffer, 0, v.bytes, v.describe());
  }
}

const engines = new WeakMap<Device, Engine>();

export function engineFor(device: Device): Engine {
  let e = engines.get(device);
  if (!e) engines.set(device, (e = new Engine(device)));
  return e;
}
