// Test helpers: seeded data and float comparisons.
import assert from 'node:assert/strict';
import { encodeNpyHeader } from '../../src/formats/npy';
import { mulberry32 } from '../../src/kernels/generate';
import type { NormResult } from '../../src/kernels/types';

/** Seeded uniform [0, 1) draws, so failures reproduce. */
export const rng = mulberry32;

export function randn(n: number, seed: number, mean = 0, std = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0, what = 'value'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    const d = Math.abs(a - e);
    if (!(d <= atol + rtol * Math.abs(e))) assert.fail(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${d} > ${atol} + ${rtol}·|e|)`);
  }
}

/**
 * A fast kernel's result against the reference normalize(): y by the golden pass rule (atol 1e-5·max(1, max|y|),
 * rtol 1e-4), statistics within the fast kernels' stated accuracy (README, "Correctness"): float32 block sums give
 * per set |Δmean| ≤ 1e-5·σ (+ 1e-12·|mean|), var and ms within 3e-5 relative; running stats move with them.
 */
export function assertMatchesReference(fast: NormResult, ref: NormResult): void {
  let maxY = 1;
  for (const v of ref.y) if (Number.isFinite(v)) maxY = Math.max(maxY, Math.abs(v));
  assertClose(fast.y, ref.y, 1e-5 * maxY, 1e-4, 'y');
  assert.deepEqual(fast.stats.shape, ref.stats.shape);
  assert.equal(fast.stats.count, ref.stats.count);
  const { mean, var: v } = ref.stats;
  const meanTol = (i: number) => 1e-5 * Math.sqrt(v[i]) + 1e-12 * Math.abs(mean[i]) + 1e-300;
  for (let i = 0; i < mean.length; i++) {
    assertClose([fast.stats.mean[i]], [mean[i]], meanTol(i), 0, `mean[${i}]`);
    assertClose([fast.stats.var[i]], [v[i]], 1e-300, 3e-5, `var[${i}]`);
  }
  assertClose(fast.stats.rstd, ref.stats.rstd, 0, 2e-5, 'rstd');
  if (ref.stats.ms) assertClose(fast.stats.ms!, ref.stats.ms, 1e-300, 3e-5, 'ms');
  assert.equal(!!fast.running, !!ref.running);
  if (ref.running) {
    // running = (1 - m)·running + m·stat (or the CMA's weights): its error is at most the statistic's.
    let maxMeanTol = 0;
    let maxVar = 0;
    for (let i = 0; i < mean.length; i++) {
      maxMeanTol = Math.max(maxMeanTol, meanTol(i));
      maxVar = Math.max(maxVar, Number.isFinite(v[i]) ? v[i] : 0);
    }
    // The unbiased running var uses count/(count - 1) ≤ 2 times the var.
    assertClose(fast.running!.mean, ref.running.mean, maxMeanTol, 1e-12, 'running mean');
    assertClose(fast.running!.var, ref.running.var, 6e-5 * maxVar + 1e-300, 1e-12, 'running var');
    assert.equal(fast.running!.numBatchesTracked, ref.running.numBatchesTracked);
  }
}

/** A .npy file's bytes: the header for (descr, shape), then `body` (already in that dtype's byte order). */
export function npyBytes(descr: string, shape: number[], body: Uint8Array): Uint8Array {
  const head = encodeNpyHeader(descr, shape);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}
