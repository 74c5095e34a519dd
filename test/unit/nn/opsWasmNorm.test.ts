import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalize } from '../../../src/kernels';
import { normalizeBackward } from '../../../src/kernels/backward';
import type { NormDims } from '../../../src/nn/ops/dims';
import { wasmOps } from '../../../src/nn/wasm/wasmOps';
import { assertClose, randn } from '../helpers';

const ops = wasmOps();

function maxAbs(a: ArrayLike<number>): number {
  let m = 1;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** wasm normForward/normBackward against the kernels' reference normalize / normalizeBackward. */
function compareNorm(d: NormDims, seed: number, affine: boolean, offset: number, std: number): void {
  const n = d.N * d.C * d.HW;
  const x = randn(n, seed, offset, std);
  const dy = randn(n, seed + 1);
  const weight = affine ? randn(d.C, seed + 2, 1, 0.5) : null;
  const bias = affine ? randn(d.C, seed + 3) : null;
  const params = {
    method: d.groups === 0 ? 'batch' as const : 'group' as const, layout: 'NCHW' as const, eps: d.eps,
    ...(d.groups ? { groups: d.groups } : { training: true }), ...(affine ? { weight: weight!, bias: bias! } : {}),
  };
  const shape = [d.N, d.C, d.HW];
  const ref = normalize({ data: x, shape }, params);
  const refB = normalizeBackward({ data: x, shape }, params, dy);
  const sets = d.groups === 0 ? d.C : d.N * d.groups;
  const y = new Float32Array(n).fill(7), mean = new Float64Array(sets), variance = new Float64Array(sets);
  ops!.normForward!(d, x, weight, bias, y, mean, variance);
  assertClose(y, ref.y, 2e-6 * maxAbs(ref.y), 0, 'y');
  assertClose(mean, ref.stats.mean, 1e-12 * Math.abs(offset) + 1e-9 * std, 0, 'mean');
  assertClose(variance, ref.stats.var, 0, 1e-9, 'var');
  const dx = new Float32Array(n).fill(7), dw = new Float32Array(d.C).fill(7), db = new Float32Array(d.C).fill(7);
  ops!.normBackward!(d, x, dy, weight, mean, variance, dx, affine ? dw : null, affine ? db : null);
  assertClose(dx, refB.dx, 2e-6 * maxAbs(refB.dx), 0, 'dx');
  if (affine) {
    assertClose(dw, refB.dweight!, 2e-6 * maxAbs(refB.dweight!), 0, 'dweight');
    assertClose(db, refB.dbias!, 2e-6 * maxAbs(refB.dbias!), 0, 'dbias');
  }
}

test('wasm normForward/normBackward (BN, GN) = the reference kernels over random shapes', { skip: !ops }, () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 40 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (N, G, cpg, HW, bn, affine, seed) => {
      if (bn && N * HW < 2) return;
      compareNorm({ N, C: G * cpg, HW, groups: bn ? 0 : G, eps: 1e-5 }, seed, affine, 0, 1);
    }), { numRuns: 120 });
});

test('wasm norm: large offsets (mean 1e4, std 1e-2) keep their digits, as the float64 reference', { skip: !ops }, () => {
  compareNorm({ N: 4, C: 8, HW: 49, groups: 0, eps: 1e-5 }, 11, true, 1e4, 1e-2);
  compareNorm({ N: 2, C: 16, HW: 196, groups: 8, eps: 1e-5 }, 12, true, 1e4, 1e-2);
  compareNorm({ N: 3, C: 4, HW: 9, groups: 4, eps: 1e-3 }, 13, false, -5e3, 0.1);
});

test('wasm reluForward/reluBackward: max(x, 0), gradient where y > 0; only the first n values', { skip: !ops }, () => {
  const x = new Float32Array([-1, 2, 0, -0.5, 3, NaN, -2, 5, 9]);
  const y = new Float32Array(9).fill(42);
  ops!.reluForward!(8, x, y);
  assert.deepEqual(Array.from(y), [0, 2, 0, 0, 3, NaN, 0, 5, 42]);
  const dx = new Float32Array(9).fill(42);
  ops!.reluBackward!(8, y, new Float32Array(9).fill(1.5), dx);
  assert.deepEqual(Array.from(dx), [0, 1.5, 0, 0, 1.5, 0, 0, 1.5, 42]);
});

test('wasm norm with the ReLU fused = normForward then reluForward, and reluBackward then normBackward', { skip: !ops }, () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 2, max: 30 }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1e6 }), (N, G, cpg, HW, bn, affine, seed) => {
      const d: NormDims = { N, C: G * cpg, HW, groups: bn ? 0 : G, eps: 1e-5 };
      const n = N * d.C * HW;
      const x = randn(n, seed), dy = randn(n, seed + 1);
      const weight = affine ? randn(d.C, seed + 2, 1, 0.5) : null;
      const bias = affine ? randn(d.C, seed + 3) : null;
      const sets = bn ? d.C : N * G;
      const run = (fused: boolean) => {
        const y = new Float32Array(n).fill(7), mean = new Float64Array(sets), variance = new Float64Array(sets);
        const dx = new Float32Array(n).fill(7), dw = new Float32Array(d.C).fill(7), db = new Float32Array(d.C).fill(7);
        ops!.normForward!(d, x, weight, bias, y, mean, variance, fused);
        let r = y;
        let g = dy;
        if (!fused) {
          r = new Float32Array(n);
          ops!.reluForward!(n, y, r);
          g = new Float32Array(n);
          ops!.reluBackward!(n, r, dy, g);
        }
        ops!.normBackward!(d, x, g, weight, mean, variance, dx, affine ? dw : null, affine ? db : null, fused ? r : null);
        return { r, dx, dw, db };
      };
      const f = run(true), e = run(false);
      assert.deepEqual(f.r, e.r, 'relu(y)');
      assertClose(f.dx, e.dx, 1e-6 * maxAbs(e.dx), 0, 'dx');
      assertClose(f.dw, e.dw, 1e-6 * maxAbs(e.dw), 0, 'dweight');
      assertClose(f.db, e.db, 1e-6 * maxAbs(e.db), 0, 'dbias');
    }), { numRuns: 100 });
});
