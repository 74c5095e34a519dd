// Properties that must hold between the methods (the GN paper's Figure 2 as equalities), via fast-check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { convertLayout, normalize, numel, storedShapeOf, type NormParams } from '../../../src/kernels';
import { assertClose, randn } from '../helpers';

const dims = fc.record({
  N: fc.integer({ min: 1, max: 4 }),
  C: fc.integer({ min: 1, max: 8 }),
  spatial: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 3 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});
const shapeOf = (d: { N: number; C: number; spatial: number[] }) => [d.N, d.C, ...d.spatial];
const RUNS = { numRuns: 60 };

test('GN with G=1 equals LN over (C, spatial)', () => {
  fc.assert(
    fc.property(dims, (d) => {
      const shape = shapeOf(d);
      const x = { data: randn(numel(shape), d.seed), shape };
      const gn = normalize(x, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 1 });
      const ln = normalize(x, { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: shape.slice(1) });
      assertClose(gn.y, ln.y, 1e-6, 0, 'y');
      assertClose(gn.stats.mean, ln.stats.mean, 1e-12, 0, 'mean');
    }),
    RUNS,
  );
});

test('GN with G=C equals IN, including a per-channel affine', () => {
  fc.assert(
    fc.property(dims.filter((d) => d.spatial.reduce((a, b) => a * b, 1) > 1), (d) => {
      const shape = shapeOf(d);
      const x = { data: randn(numel(shape), d.seed), shape };
      const weight = randn(d.C, d.seed + 1, 1, 0.5);
      const bias = randn(d.C, d.seed + 2);
      const gn = normalize(x, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: d.C, weight, bias });
      const inn = normalize(x, { method: 'instance', layout: 'NCHW', eps: 1e-5, weight, bias });
      assert.deepEqual(gn.y, inn.y);
      assertClose(gn.stats.var, inn.stats.var, 0, 0, 'var');
    }),
    RUNS,
  );
});

test('normalize(a·x + b, eps·a²) = normalize(x, eps) for a > 0 (every centered method)', () => {
  const method = fc.constantFrom<NormParams['method']>('batch', 'layer', 'instance', 'group');
  fc.assert(
    // S > 1 so that BN and IN in training both have more than one value per set.
    fc.property(dims.filter((d) => d.spatial.reduce((a, b) => a * b, 1) > 1), method,
      fc.double({ min: 0.1, max: 10, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true }), (d, m, a, b) => {
        const shape = shapeOf(d);
        const data = randn(numel(shape), d.seed);
        const shifted = data.map((v) => a * v + b);
        const p = (eps: number): NormParams => ({ method: m, layout: 'NCHW', eps, groups: 1 });
        const y0 = normalize({ data, shape }, p(1e-5)).y;
        const y1 = normalize({ data: shifted, shape }, p(1e-5 * a * a)).y;
        // a·x + b is rounded to float32: its error relative to the std a is ~|b|/a · 2^-24.
        assertClose(y1, y0, 1e-4 + (Math.abs(b) / a) * 3e-7 * 10, 0, `${m} y`);
      }),
    RUNS,
  );
});

test('RMSNorm is scale invariant: rms(a·x, eps·a²) = rms(x, eps)', () => {
  fc.assert(
    fc.property(dims, fc.double({ min: 0.01, max: 100, noNaN: true }), (d, a) => {
      const shape = shapeOf(d);
      const data = randn(numel(shape), d.seed);
      const y0 = normalize({ data, shape }, { method: 'rms', layout: 'NCHW', eps: 1e-6 }).y;
      const y1 = normalize({ data: data.map((v) => a * v), shape }, { method: 'rms', layout: 'NCHW', eps: 1e-6 * a * a }).y;
      assertClose(y1, y0, 1e-5, 1e-5, 'y');
    }),
    RUNS,
  );
});

test('NHWC result equals the NCHW result transposed (BN, IN, GN)', () => {
  const method = fc.constantFrom<NormParams['method']>('batch', 'instance', 'group');
  fc.assert(
    // S > 1: instance norm in training needs more than one spatial element (PyTorch raises otherwise).
    fc.property(dims.filter((d) => d.spatial.reduce((a, b) => a * b, 1) > 1), method, (d, m) => {
      const logical = shapeOf(d);
      const nchw = randn(numel(logical), d.seed);
      const nhwc = convertLayout(nchw, logical, 'NCHW', 'NHWC');
      const weight = randn(d.C, d.seed + 3, 1, 0.3);
      const base = { method: m, eps: 1e-5, groups: 1, weight } as const;
      const a = normalize({ data: nchw, shape: logical }, { ...base, layout: 'NCHW' });
      const b = normalize({ data: nhwc, shape: storedShapeOf(logical, 'NHWC') }, { ...base, layout: 'NHWC' });
      assertClose(b.y, convertLayout(a.y, logical, 'NCHW', 'NHWC'), 1e-6, 0, 'y');
      assertClose(b.stats.mean, a.stats.mean, 1e-12, 1e-12, 'mean');
      assertClose(b.stats.var, a.stats.var, 1e-12, 1e-12, 'var');
    }),
    RUNS,
  );
});

test('before affine, each set of the output has mean ≈ 0 and variance ≈ var/(var + eps)', () => {
  fc.assert(
    fc.property(dims.filter((d) => d.spatial.length > 0 && d.spatial.reduce((a, b) => a * b, 1) > 1), fc.constantFrom(1e-5, 1e-2, 1), (d, eps) => {
      const shape = shapeOf(d);
      const x = { data: randn(numel(shape), d.seed, 3, 2), shape };
      const r = normalize(x, { method: 'instance', layout: 'NCHW', eps });
      const S = numel(shape.slice(2));
      for (let set = 0; set < d.N * d.C; set++) {
        const ys = Array.from(r.y.subarray(set * S, (set + 1) * S));
        const m = ys.reduce((a, b) => a + b, 0) / S;
        const v = ys.reduce((a, b) => a + (b - m) ** 2, 0) / S;
        const want = r.stats.var[set] / (r.stats.var[set] + eps);
        assert.ok(Math.abs(m) < 1e-5, `set ${set}: mean ${m}`);
        assert.ok(Math.abs(v - want) < 1e-5 * Math.max(1, want), `set ${set}: var ${v}, expected ${want}`);
      }
    }),
    RUNS,
  );
});

test('large offset (mean 1e4, std 1e-2): variance exact where naive float32 E[x²]−E[x]² fails', () => {
  const shape = [2, 4, 16, 16];
  const data = randn(numel(shape), 99, 1e4, 1e-2);
  const r = normalize({ data, shape }, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 2 });
  // Compare with an exact two-pass over float64 copies.
  const per = numel(shape) / 4;
  for (let s = 0; s < 4; s++) {
    const xs = Array.from(data.subarray(s * per, (s + 1) * per));
    const m = xs.reduce((a, b) => a + b, 0) / per;
    const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / per;
    assert.ok(Math.abs(r.stats.var[s] - v) < 1e-12, `set ${s}: var ${r.stats.var[s]} vs ${v}`);
  }
  assert.ok(r.stats.var[0] > 5e-5 && r.stats.var[0] < 2e-4);
});
