import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BlockMeans, blockMeans } from '../../../src/kernels/blockMeans';

test('a tile no larger than the slice is the slice itself; big slices are capped a side', () => {
  const m = Float64Array.from({ length: 16 }, (_, i) => i);
  const t = blockMeans(m, 4, 4, 64);
  assert.deepEqual([...t.values], [...m]);
  assert.equal(t.min, 0);
  assert.equal(t.max, 15);
  const big = blockMeans(new Float64Array(200 * 130).fill(2), 200, 130, 64);
  assert.equal(big.rows, 64);
  assert.equal(big.cols, 64);
  assert.equal(big.values[100], 2);
});

test('element (r, c) falls in block (floor(r·rows/R), floor(c·cols/C))', () => {
  // 6 × 7 down to 3 × 3: rows {0,1}, {2,3}, {4,5}; cols {0,1,2}, {3,4}, {5,6}.
  const m = Float64Array.from({ length: 42 }, (_, i) => i);
  const t = blockMeans(m, 6, 7, 3);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.equal(t.values[0], mean([0, 1, 2, 7, 8, 9]));
  assert.equal(t.values[1], mean([3, 4, 10, 11]));
  assert.equal(t.values[8], mean([33, 34, 40, 41]));
});

test('NaN rule: a block is the mean of its finite values, NaN when it has none; the range ignores NaN blocks', () => {
  const t = blockMeans([1, NaN, 3, Infinity, NaN, NaN, NaN, -Infinity], 2, 4, 2);
  // blocks: (row 0, cols 0-1) = {1, NaN}, (row 0, cols 2-3) = {3, Inf}, (row 1, ...) = {NaN, NaN}, {NaN, -Inf}.
  assert.equal(t.values[0], 1);
  assert.equal(t.values[1], 3);
  assert.ok(Number.isNaN(t.values[2]) && Number.isNaN(t.values[3]));
  assert.equal(t.min, 1);
  assert.equal(t.max, 3);
  const none = blockMeans([NaN, NaN], 1, 2, 8);
  assert.equal(none.min, null);
  assert.equal(none.max, null);
});

test('property: feeding the slice in any runs gives the same tile as feeding it whole', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 50 }), (R, C, side, run) => {
    const m = Float64Array.from({ length: R * C }, (_, i) => Math.sin(i));
    const whole = blockMeans(m, R, C, side);
    const b = new BlockMeans(R, C, side);
    for (let i = 0; i < m.length; i += run) b.add(m.subarray(i, i + run), i);
    assert.deepEqual(b.result(), whole);
  }));
});
