// Normalization backward: finite differences of the float64 forward, and GN(G=1) = LN, GN(G=C) = IN.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkNormInput, foldStatistics, setMoments, type NormParams } from '../../../src/kernels';
import { normalizeBackward } from '../../../src/kernels/backward';
import { assertClose, randn } from '../helpers';

/** Σ y·dy with y computed in float64 from the kernel's own scale/shift (the forward under test). */
function loss(x: Float64Array, shape: number[], p: NormParams, dy: Float32Array): number {
  const { plan, p: cp } = checkNormInput({ data: x, shape }, p);
  const { scale, shift } = foldStatistics(plan, cp, setMoments(plan, x));
  const { C, S } = plan;
  let t = 0;
  for (let i = 0; i < x.length; i++) {
    const n = Math.floor(i / (C * S));
    const c = plan.layout === 'NCHW' || S === 1 ? Math.floor(i / S) % C : i % C;
    t += (x[i] * scale[n * C + c] + shift[n * C + c]) * dy[i];
  }
  return t;
}

function fdCheck(shape: number[], p: NormParams, seed: number): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const x32 = randn(n, seed, 0.5, 1.5);
  const dy = randn(n, seed + 1);
  const g = normalizeBackward({ data: x32, shape }, p, dy);
  const x = Float64Array.from(x32);
  const h = 1e-5;
  const fd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = x[i];
    x[i] = o + h;
    const up = loss(x, shape, p, dy);
    x[i] = o - h;
    const down = loss(x, shape, p, dy);
    x[i] = o;
    fd[i] = (up - down) / (2 * h);
  }
  assertClose(g.dx, fd, 2e-5, 1e-4, `dx ${p.method} ${shape}`);
  if (p.weight) {
    const w = Float64Array.from(p.weight);
    const fdw = w.map((_, c) => {
      const o = w[c];
      const at = (v: number) => {
        w[c] = v;
        const r = loss(x, shape, { ...p, weight: w }, dy);
        w[c] = o;
        return r;
      };
      return (at(o + h) - at(o - h)) / (2 * h);
    });
    assertClose(g.dweight!, fdw, 2e-5, 1e-4, 'dweight');
  }
}

const affine = (c: number, seed: number) => ({ weight: randn(c, seed, 1, 0.3), bias: randn(c, seed + 7) });

test('backward matches finite differences for every method, layout and mode', () => {
  fdCheck([3, 4, 2, 3], { method: 'batch', layout: 'NCHW', eps: 1e-5, ...affine(4, 1) }, 10);
  fdCheck([3, 2, 3, 4], { method: 'batch', layout: 'NHWC', eps: 1e-5, ...affine(4, 2) }, 11);
  fdCheck([5, 3], { method: 'batch', layout: 'NCHW', eps: 1e-5 }, 12);
  fdCheck([2, 6, 3, 2], { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 3, ...affine(6, 3) }, 13);
  fdCheck([2, 3, 2, 6], { method: 'group', layout: 'NHWC', eps: 1e-5, groups: 2, ...affine(6, 4) }, 14);
  fdCheck([2, 3, 4, 4], { method: 'instance', layout: 'NCHW', eps: 1e-5, ...affine(3, 5) }, 15);
  fdCheck([2, 3, 5], { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: [3, 5], ...affine(15, 6) }, 16);
  fdCheck([4, 6], { method: 'rms', layout: 'NCHW', eps: 1e-5, weight: randn(6, 7, 1, 0.3) }, 17);
  const running = { runningMean: randn(4, 8), runningVar: randn(4, 9, 2, 0.2) };
  fdCheck([3, 4, 2, 2], { method: 'batch', layout: 'NCHW', eps: 1e-5, training: false, ...running, ...affine(4, 10) }, 18);
  fdCheck([2, 4, 3, 3], { method: 'instance', layout: 'NCHW', eps: 1e-5, training: false, useInputStats: false, ...running, ...affine(4, 11) }, 19);
});

test('GN with G = 1 is LN over (C, spatial) and GN with G = C is IN, in backward too', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 1e6 }), (N, C, S, seed) => {
      const shape = [N, C, S];
      const x = randn(N * C * S, seed, 3, 2);
      const dy = randn(N * C * S, seed + 1);
      const g1 = normalizeBackward({ data: x, shape }, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 1 }, dy);
      const ln = normalizeBackward({ data: x, shape }, { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: [C, S] }, dy);
      assertClose(g1.dx, ln.dx, 1e-6, 1e-5, 'G=1 vs LN');
      const gc = normalizeBackward({ data: x, shape }, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: C, ...affine(C, seed) }, dy);
      const inn = normalizeBackward({ data: x, shape }, { method: 'instance', layout: 'NCHW', eps: 1e-5, ...affine(C, seed) }, dy);
      assertClose(gc.dx, inn.dx, 1e-6, 1e-5, 'G=C vs IN');
      assertClose(gc.dweight!, inn.dweight!, 1e-9, 1e-9, 'dweight');
    }),
    { numRuns: 40 },
  );
});

test('large offsets keep their digits: Σ dx over a channel is 0 for BN without affine', () => {
  const shape = [8, 2, 4, 4];
  const x = randn(256, 5, 1e4, 1e-2);
  const dy = randn(256, 6);
  const { dx } = normalizeBackward({ data: x, shape }, { method: 'batch', layout: 'NCHW', eps: 1e-5 }, dy);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < 128; i++) {
    const k = Math.floor(i / 16) * 32 + (i % 16);
    sum += dx[k];
    max = Math.max(max, Math.abs(dx[k]));
  }
  assert.ok(max > 1, `dx is scaled by 1/std: max |dx| = ${max}`);
  assert.ok(Math.abs(sum) < 1e-4 * max * 128, `Σ dx over a channel is ~0, got ${sum}`);
});

test('dy of the wrong size is a clear error', () => {
  assert.throws(() => normalizeBackward({ data: new Float32Array(8), shape: [2, 4] }, { method: 'layer', layout: 'NCHW', eps: 1e-5 }, new Float32Array(7)), /dy: expected the shape of x \[2, 4\]/);
});
