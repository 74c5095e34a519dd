import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { histogram, summarize, SummaryAccumulator } from '../../src/kernels/summary';

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
