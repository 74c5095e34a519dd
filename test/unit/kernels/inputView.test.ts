import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { asBatch, channelCount, channelMoments, inputPlan, normalizedShapeOf, paramsFromControls, sliceView, storageIndex, type Controls } from '../../../src/kernels/inputView';
import { cubeSpec } from '../../../src/kernels/figure2';
import { convertLayout, logicalShapeOf } from '../../../src/kernels/shape';
import { normalize } from '../../../src/kernels/normalize';

const base: Controls = { method: 'group', groups: 3, eps: 1e-5, momentum: 0.1, affine: false, gamma: [], beta: [], layout: 'NCHW', training: true };

test('a 1-D input is one sample of C values, everywhere', () => {
  assert.deepEqual(asBatch([5]), [1, 5]);
  assert.deepEqual(asBatch([2, 5]), [2, 5]);
  const p = inputPlan([5], 'NCHW');
  assert.deepEqual([p.N, p.C, p.S], [1, 5, 1]);
  assert.equal(channelCount([5], 'NHWC'), 5);
  assert.deepEqual(normalizedShapeOf([5]), [5]);
  assert.deepEqual(normalizedShapeOf([2, 3, 4]), [3, 4]);
  const spec = cubeSpec([5], 'NCHW', 'instance');
  assert.deepEqual([spec.N, spec.C, spec.S], [1, 5, 1]);
});

test('property: channelCount equals the plan\'s C; storageIndex walks the stored tensor in logical order', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }), fc.constantFrom('NCHW' as const, 'NHWC' as const), (shape, layout) => {
    const plan = inputPlan(shape, layout);
    assert.equal(channelCount(shape, layout), plan.C);
    const count = plan.N * plan.C * plan.S;
    const logical = Float32Array.from({ length: count }, (_, i) => i);
    const stored = convertLayout(logical, asBatch(logicalShapeOf(shape, layout)), 'NCHW', layout);
    const at = storageIndex(plan);
    for (let n = 0; n < plan.N; n++) for (let c = 0; c < plan.C; c++) for (let s = 0; s < plan.S; s++) {
      assert.equal(stored[at(n, c, s)], (n * plan.C + c) * plan.S + s);
    }
  }));
});

test('affine γ/β: one value broadcasts, one per channel applies per channel, a wrong count is refused', () => {
  const shape = [4, 6, 5, 7];
  const p = paramsFromControls(shape, { ...base, affine: true, gamma: [2], beta: [1, 2, 3, 4, 5, 6] });
  assert.deepEqual([...p.weight!], [2, 2, 2, 2, 2, 2]);
  assert.deepEqual([...p.bias!], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => paramsFromControls(shape, { ...base, affine: true, gamma: [1, 2] }), /γ \(weight\): expected 1 or 6 values .* got 2/);
  const ln = paramsFromControls(shape, { ...base, method: 'layer', affine: true, gamma: [3] });
  assert.equal(ln.weight!.length, 6 * 5 * 7);
  const bnEval = paramsFromControls(shape, { ...base, method: 'batch', training: false });
  assert.deepEqual([...bnEval.runningVar!], [1, 1, 1, 1, 1, 1]);
});

test('channel moments are the BatchNorm plan\'s statistics (population std), in either layout', () => {
  const shape = [3, 4, 2, 5];
  const x = Float32Array.from({ length: 120 }, (_, i) => Math.cos(i) * (1 + (i % 7)));
  for (const layout of ['NCHW', 'NHWC'] as const) {
    const m = channelMoments(x, inputPlan(shape, layout), 64);
    const bn = normalize({ data: x, shape }, { method: 'batch', layout, eps: 1e-5, training: true });
    const C = channelCount(shape, layout);
    for (let c = 0; c < C; c++) {
      assert.ok(Math.abs(m.mean[c] - bn.stats.mean[c]) < 1e-9);
      assert.ok(Math.abs(m.std[c] - Math.sqrt(bn.stats.var[c])) < 1e-9);
    }
    assert.equal(channelMoments(x, inputPlan(shape, layout), 2).mean.length, 2);
  }
});

test('the slice view: x[n, c] over the spatial dims, or the (N, C) matrix without them', () => {
  const shape = [2, 3, 4, 5];
  const x = Float32Array.from({ length: 120 }, (_, i) => i);
  const v = sliceView(x, x, inputPlan(shape, 'NCHW'), 1, 2, { tileSide: 64, tableSide: 3 });
  assert.equal(v.label, 'x[1, 2]: 4 × 5');
  assert.deepEqual(v.tableBefore, [100, 101, 102, 105, 106, 107, 110, 111, 112]);
  assert.equal(v.before.values[0], 100);
  const flat = sliceView(x.subarray(0, 6), x.subarray(0, 6), inputPlan([2, 3], 'NCHW'), 0, 0, { tileSide: 64, tableSide: 8 });
  assert.equal(flat.label, '(N, C) = (2, 3)');
  assert.deepEqual(flat.tableAfter, [0, 1, 2, 3, 4, 5]);
});
