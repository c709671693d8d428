/**
 * Running a PyTorch fixture case (the format of test/fixtures/generate.py's run_case) through
 * webtrain: inputs become tensors (float inputs with a stored gradient require grad; `dtypes` marks
 * int32 and bool ones), the op runs, backward takes the stored upstream gradient, and output,
 * indices and every gradient are read from poisoned buffers and compared. Runs in Node and Chromium.
 */
import { assert, expect } from 'vitest';
import * as wt from '../src/index.js';
import { expectClose, expectEqualValues, readPoisoned } from './helpers.js';

/** Fixtures are PyTorch's float64 results for float32 inputs: 1e-4 leaves room for float32 rounding. */
export const FIXTURE_TOL = 1e-4;

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export interface FixtureCase {
  name: string;
  args: Record<string, unknown>;
  inputs: Record<string, FixtureTensor>;
  output: FixtureTensor;
  indices?: FixtureTensor;
  upstream?: FixtureTensor;
  grads?: Record<string, FixtureTensor>;
  dtypes?: Record<string, 'int32' | 'bool'>;
  [extra: string]: unknown;
}

export function fixtureCases(json: unknown): FixtureCase[] {
  const f = json as { torch: string; cases: FixtureCase[] };
  if (!/^1\.13/.test(f.torch)) assert.fail(`fixture made with torch ${f.torch}, expected 1.13`);
  return f.cases;
}

/** The case's inputs as tensors, by name. */
export function fixtureInputs(c: FixtureCase): Record<string, wt.Tensor> {
  const out: Record<string, wt.Tensor> = {};
  for (const [k, v] of Object.entries(c.inputs)) {
    const dtype = c.dtypes?.[k];
    if (dtype === 'int32') out[k] = wt.tensor(Int32Array.from(v.data), { shape: v.shape });
    else if (dtype === 'bool') out[k] = wt.tensor(Int32Array.from(v.data), { shape: v.shape, dtype: 'bool' });
    else out[k] = wt.tensor(Float32Array.from(v.data), { shape: v.shape, requiresGrad: c.grads?.[k] !== undefined });
  }
  return out;
}

/**
 * Runs `op` on the case's inputs and compares output (exactly for int32 outputs), indices and every
 * stored gradient with PyTorch's.
 */
export async function compareFixture(
  c: FixtureCase,
  op: (t: Record<string, wt.Tensor>) => wt.Tensor | readonly [wt.Tensor, wt.Tensor],
  tol = FIXTURE_TOL,
): Promise<void> {
  const t = fixtureInputs(c);
  const result = op(t);
  const [y, indices] = Array.isArray(result) ? (result as [wt.Tensor, wt.Tensor]) : [result as wt.Tensor, null];
  expect(y.shape, `${c.name}: output shape`).toEqual(c.output.shape);
  if (c.upstream) y.backward(wt.tensor(Float32Array.from(c.upstream.data), { shape: c.upstream.shape }));
  const gradNames = Object.keys(c.grads ?? {});
  for (const k of gradNames) expect(t[k]!.grad, `${c.name}: gradient of ${k}`).toBeTruthy();
  const read = await readPoisoned(y, ...(indices ? [indices] : []), ...gradNames.map((k) => t[k]!.grad!));
  const out = read.shift()!;
  if (y.dtype === 'float32') expectClose(out, c.output.data, tol, `${c.name}: output vs PyTorch`);
  else expectEqualValues(out, c.output.data, `${c.name}: output vs PyTorch`);
  if (indices) {
    expect(indices.shape, `${c.name}: indices shape`).toEqual(c.indices!.shape);
    expectEqualValues(read.shift()!, c.indices!.data, `${c.name}: indices vs PyTorch`);
  } else {
    expect(c.indices, `${c.name}: PyTorch returned indices`).toBeUndefined();
  }
  gradNames.forEach((k, i) => expectClose(read[i]!, c.grads![k]!.data, tol, `${c.name}: d/d${k} vs PyTorch`));
}
