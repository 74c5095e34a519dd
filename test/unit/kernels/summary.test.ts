import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { histogram, summarize, SummaryAccumulator } from '../../../src/kernels/summary';

test('summary of a small array: population std, finite values only', () => {
  const s = summarize([1, 2, 3, 4, NaN, Infinity, -Infinity]);
  assert.equal(s.count, 4);
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
  assert.equal(s.mean, 2.5);
  assert.equal(s.std, Math.sqrt(1.25));
  assert.equal(s.nan, 1);
  assert.equal(s.inf, 2);
});

test('no finite value gives nulls', () => {
  assert.deepEqual(summarize([NaN, Infinity]), { count: 0, min: null, max: null, mean: null, std: null, nan: 1, inf: 1 });
  assert.deepEqual(summarize([]), { count: 0, min: null, max: null, mean: null, std: null, nan: 0, inf: 0 });
});

test('chunked adds and merges equal one pass (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.nat(), (xs, cut) => {
      const k = cut % (xs.length + 1);
      const a = new SummaryAccumulator();
      a.add(xs.slice(0, k));
      const b = new SummaryAccumulator();
      b.add(xs.slice(k));
      a.merge(b);
      const got = a.result();
      const want = summarize(xs);
      assert.equal(got.count, want.count);
      assert.equal(got.min, want.min);
      assert.equal(got.max, want.max);
      const tol = 1e-9 * (1 + Math.max(...xs.map(Math.abs)));
      assert.ok(Math.abs(got.mean! - want.mean!) <= tol);
      assert.ok(Math.abs(got.std! - want.std!) <= tol);
    }),
  );
});

test('large offset does not lose the variance (no naive E[x^2]-E[x]^2)', () => {
  const acc = new SummaryAccumulator();
  for (let c = 0; c < 100; c++) acc.add(Array.from({ length: 1000 }, (_, i) => 1e9 + (i % 2 ? 1 : -1)));
  const s = acc.result();
  assert.equal(s.mean, 1e9);
  assert.equal(s.std, 1);
});

test('histogram matches numpy.histogram conventions', () => {
  // numpy.histogram([0, 1, 1, 2, 3, 3, 3], bins=3) -> counts [1, 2, 4], edges [0, 1, 2, 3]
  const h = histogram([0, 1, 1, 2, 3, 3, 3], 3);
  assert.deepEqual(h.edges, [0, 1, 2, 3]);
  assert.deepEqual(h.counts, [1, 2, 4]);
  // a single value: range [v-0.5, v+0.5]
  assert.deepEqual(histogram([5, 5], 2), { edges: [4.5, 5, 5.5], counts: [0, 2] });
  // values outside the range and NaN are dropped
  assert.deepEqual(histogram([-1, 0.25, 0.75, 2, NaN], 2, [0, 1]).counts, [1, 1]);
  assert.throws(() => histogram([1], 0), /bins must be an integer/);
});

test('float32 chunks (the SIMD kernel) give the JavaScript path\'s summary, NaN/Inf counts and min/max exactly (property)', () => {
  const special = fc.constantFrom(NaN, Infinity, -Infinity);
  const value = fc.oneof({ weight: 8, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }) }, { weight: 1, arbitrary: special });
  fc.assert(
    fc.property(fc.array(value, { minLength: 256, maxLength: 3000 }), fc.double({ min: -1e4, max: 1e4, noNaN: true }), (xs, offset) => {
      const f32 = Float32Array.from(xs, (v) => v + offset);
      const simd = new SummaryAccumulator();
      simd.add(f32);
      const js = new SummaryAccumulator();
      js.add(Array.from(f32));
      const a = simd.result();
      const b = js.result();
      assert.deepEqual([a.count, a.nan, a.inf, a.min, a.max], [b.count, b.nan, b.inf, b.min, b.max]);
      if (b.count === 0) return assert.equal(a.mean, null);
      let big = 1;
      for (const v of f32) if (v - v === 0) big = Math.max(big, Math.abs(v));
      assert.ok(Math.abs(a.mean! - b.mean!) <= 1e-9 * big, `mean ${a.mean} vs ${b.mean}`);
      assert.ok(Math.abs(a.std! - b.std!) <= 1e-9 * big, `std ${a.std} vs ${b.std}`);
    }),
    { numRuns: 300 },
  );
  // Only non-finite values, and a long run of them before the first finite one.
  const bad = new Float32Array(300).fill(NaN);
  bad[7] = Infinity;
  assert.deepEqual(summarize(bad), { count: 0, min: null, max: null, mean: null, std: null, nan: 299, inf: 1 });
  const late = new Float32Array(1000).fill(-Infinity);
  late[990] = 2.5;
  late[995] = -1.5;
  const s = summarize(late);
  assert.deepEqual([s.count, s.min, s.max, s.mean, s.inf, s.nan], [2, -1.5, 2.5, 0.5, 998, 0]);
});

test('float32 histograms (the wasm kernel) count exactly as the JavaScript loop, edges included (property)', () => {
  const value = fc.oneof({ weight: 10, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, 1, -1) });
  fc.assert(
    fc.property(fc.array(value, { minLength: 256, maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), fc.boolean(), (xs, bins, ranged) => {
      const f32 = Float32Array.from(xs);
      // Values that sit exactly on edges are the hard case: include the edges themselves.
      const range: [number, number] | undefined = ranged ? [-1, 1] : undefined;
      if (range) for (let i = 0; i <= bins && i < f32.length; i++) f32[i] = -1 + (2 * i) / bins;
      const a = histogram(f32, bins, range);
      const b = histogram(Array.from(f32), bins, range);
      assert.deepEqual(a, b);
    }),
    { numRuns: 300 },
  );
});
