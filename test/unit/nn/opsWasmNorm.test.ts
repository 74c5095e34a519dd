import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalize } from '../../../src/kernels';
import { normalizeBackward } from '../../../src/kernels/backward';
import { normBackwardSums, type NormDims } from '../../../src/nn/ops/dims';
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

/**
 * A BatchNorm batch split in two as `--workers 2` runs it — plain sums per part (count 1) added up, the backward's A and
 * B added up between its phases, dweight/dbias summed — against one call over the whole batch.
 */
function compareSplit(N: number, C: number, HW: number, at: number, seed: number, relu: boolean): void {
  const per = C * HW;
  const x = randn(N * per, seed, 3, 2);
  const dy = randn(N * per, seed + 1);
  const w = randn(C, seed + 2, 1, 0.5), b = randn(C, seed + 3);
  const whole: NormDims = { N, C, HW, groups: 0, eps: 1e-5 };
  const y = new Float32Array(N * per), mean = new Float64Array(C), variance = new Float64Array(C);
  ops!.normForward!(whole, x, w, b, y, mean, variance, relu);
  const dx = new Float32Array(N * per), dw = new Float32Array(C), db = new Float32Array(C);
  ops!.normBackward!(whole, x, dy, w, mean, variance, dx, dw, db, relu ? y : null);

  const parts = [[0, at], [at, N]].map(([from, to]) => ({
    d: { N: to - from, C, HW, groups: 0, eps: 1e-5 } as NormDims, x: x.subarray(from * per, to * per), dy: dy.subarray(from * per, to * per),
    y: new Float32Array((to - from) * per), mean: new Float64Array(C), variance: new Float64Array(C),
    dx: new Float32Array((to - from) * per), dw: new Float32Array(C), db: new Float32Array(C),
    sums: new Float64Array(normBackwardSums({ N: to - from, C, HW, groups: 0, eps: 1e-5 })),
  }));
  const addUp = (get: (p: typeof parts[number]) => Float64Array, div: number) => {
    const total = get(parts[0]).map((v, i) => (v + get(parts[1])[i]) / div);
    for (const p of parts) get(p).set(total);
  };
  const count = N * HW;
  for (const stage of ['mean', 'var'] as const) {
    for (const p of parts) ops!.normForward!({ ...p.d, count: 1 }, p.x, w, b, p.y, p.mean, p.variance, relu, stage);
    addUp((p) => (stage === 'mean' ? p.mean : p.variance), count);
  }
  for (const p of parts) ops!.normForward!(p.d, p.x, w, b, p.y, p.mean, p.variance, relu, 'apply');
  assertClose(parts[0].mean, mean, 1e-12, 1e-12, 'split mean');
  assertClose(parts[0].variance, variance, 0, 1e-12, 'split var');
  assertClose([...parts[0].y, ...parts[1].y], y, 1e-6, 0, 'split y');
  for (const phase of ['sums', 'dx'] as const) {
    for (const p of parts) ops!.normBackward!({ ...p.d, count }, p.x, p.dy, w, p.mean, p.variance, p.dx, p.dw, p.db, relu ? p.y : null, { phase, sums: p.sums });
    if (phase === 'sums') addUp((p) => p.sums.subarray(p.sums.length - 2 * C), 1);
  }
  assertClose([...parts[0].dx, ...parts[1].dx], dx, 2e-6 * maxAbs(dx), 0, 'split dx');
  assertClose(parts[0].dw.map((v, i) => v + parts[1].dw[i]), dw, 2e-6 * maxAbs(dw), 0, 'split dweight');
  assertClose(parts[0].db.map((v, i) => v + parts[1].db[i]), db, 2e-6 * maxAbs(db), 0, 'split dbias');
}

test('wasm norm over a batch split in two (the stages and phases of --workers 2) = one call over the whole batch', { skip: !ops }, () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1e6 }),
    fc.boolean(), (N, C, HW, seed, relu) => compareSplit(N, C, HW, 1 + (seed % (N - 1)), seed, relu)), { numRuns: 80 });
});
