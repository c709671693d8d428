/**
 * The gain of epilogue fusion (src/graph/fuse.ts), interleaved:
 *   node scripts/vite-run.mjs bench/fusion.ts [--reps 7]
 * Cases: LeNet-5's training step (batch 64: conv + relu and linear + relu fuse), and a ResNet basic
 * block at inference (batch 8, 64 channels, 32x32: conv -> batch norm -> relu, conv -> batch norm ->
 * add -> relu). Each repetition runs every case with fusion on and off (alternating which goes
 * first) and records the GPU time of the step (the sum of its kernels' timestamps) and its wall
 * time (record + submit + wait). Prints the minimum of each and the fused/unfused ratios.
 */
import * as wt from '../src/internal.ts'; // ops and engineFor are internal
import { profilePlan } from '../src/graph/profile.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const reps = Number(arg('reps', '7'));

const device = await wt.init();
const engine = wt.engineFor(device);
const F = wt.nn.functional;

function rand(shape: number[], seed: number, lo = -1, hi = 1): wt.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const a = new Float32Array(n);
  let s = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = lo + (s / 4294967296) * (hi - lo);
  }
  return wt.tensor(a, { shape });
}

interface Case {
  name: string;
  /** Records one step and flushes it (one plan). */
  step(): void;
}

function lenetStep(): Case {
  wt.manualSeed(1);
  const model = new wt.LeNet5();
  const opt = new wt.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = rand([64, 1, 28, 28], 3);
  const labels = wt.tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10), { shape: [64] });
  return {
    name: 'LeNet-5 training step, batch 64',
    step() {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.call(x), labels);
      loss.backward();
      opt.step();
      engine.flush([]);
    },
  };
}

function resnetBlock(): Case {
  const c = 64;
  const x = rand([8, c, 32, 32], 5);
  const w1 = rand([c, c, 3, 3], 6, -0.05, 0.05);
  const w2 = rand([c, c, 3, 3], 7, -0.05, 0.05);
  const bn = (seed: number) => [rand([c], seed), rand([c], seed + 1, 0.5, 1.5), rand([c], seed + 2), rand([c], seed + 3)] as const;
  const [m1, v1, g1, b1] = bn(10);
  const [m2, v2, g2, b2] = bn(20);
  let out: wt.Tensor | null = null;
  return {
    name: 'ResNet basic block, inference, batch 8, 64 ch, 32x32',
    step() {
      out?.dispose();
      out = wt.noGrad(() => {
        const h = F.relu(F.batchNorm(F.conv2d(x, w1, null, { padding: 1 }), m1, v1, g1, b1, false));
        const y = F.batchNorm(F.conv2d(h, w2, null, { padding: 1 }), m2, v2, g2, b2, false);
        return F.relu(wt.ops.add(y, x));
      });
      engine.flush([]);
    },
  };
}

const cases = [lenetStep(), resnetBlock()];
const best = new Map<string, { gpu: number; wall: number; dispatches: number }>();
for (let r = 0; r < reps + 1; r++) {
  for (const c of cases) {
    const order = r % 2 === 0 ? [true, false] : [false, true];
    for (const fuse of order) {
      engine.tuning.fuse = fuse;
      const t0 = performance.now();
      const { kernels } = await profilePlan(device, () => c.step());
      await device.sync();
      const wall = performance.now() - t0;
      if (r === 0) continue;
      const gpu = kernels.reduce((s, k) => s + k.ms, 0);
      const key = `${c.name} | ${fuse ? 'fused' : 'unfused'}`;
      const prev = best.get(key);
      best.set(key, { gpu: Math.min(prev?.gpu ?? Infinity, gpu), wall: Math.min(prev?.wall ?? Infinity, wall), dispatches: kernels.length });
    }
  }
}
engine.tuning.fuse = true;
console.log(`adapter: ${wt.describeAdapter(device.adapter)}; min over ${reps} interleaved repetitions`);
for (const c of cases) {
  const f = best.get(`${c.name} | fused`)!;
  const u = best.get(`${c.name} | unfused`)!;
  console.log(
    `${c.name}: GPU ${f.gpu.toFixed(1)} ms fused vs ${u.gpu.toFixed(1)} ms unfused (x${(u.gpu / f.gpu).toFixed(3)}), ` +
      `wall ${f.wall.toFixed(1)} vs ${u.wall.toFixed(1)} ms (x${(u.wall / f.wall).toFixed(3)}), dispatches ${f.dispatches} vs ${u.dispatches}`,
  );
}
