// strategy(): the one decision between the fused, zero-copy and two-pass fast paths, which both runners execute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategy } from '../../../src/kernels/fast/strategy';
import { runMomentsPart } from '../../../src/kernels/fast/parts';
import { checkNormInput } from '../../../src/kernels/normalize';
import { numel, type NormParams } from '../../../src/kernels';

const decide = (shape: number[], params: NormParams, zeroCopy: boolean) => {
  const { plan, p } = checkNormInput({ data: new Float32Array(numel(shape)), shape }, params);
  return strategy(plan, p, { zeroCopy });
};
const eps = 1e-5;

test('sets normalized by their own statistics fuse; zero-copy where the runner can share x and y', () => {
  const gn: NormParams = { method: 'group', layout: 'NCHW', eps, groups: 4 };
  assert.deepEqual(decide([2, 8, 5, 5], gn, false), { kind: 'fused', walk: 'sets', units: 8, align: 1, rows: 0 });
  assert.deepEqual(decide([2, 8, 5, 5], gn, true), { kind: 'shared', walk: 'sets', units: 8, align: 1, rows: 0 });
  assert.equal(decide([3, 7], { method: 'layer', layout: 'NCHW', eps, normalizedShape: [7] }, false).kind, 'fused');
  assert.equal(decide([3, 7], { method: 'rms', layout: 'NCHW', eps, normalizedShape: [7] }, false).kind, 'fused');
  assert.equal(decide([2, 3, 4, 4], { method: 'batch', layout: 'NCHW', eps }, false).kind, 'fused');
});

test('a BatchNorm channel larger than a chunk fuses only zero-copy', () => {
  const bn: NormParams = { method: 'batch', layout: 'NCHW', eps };
  assert.equal(decide([16, 2, 130, 130], bn, false).kind, 'twoPass'); // 16·130·130 floats per channel > 2^18
  assert.equal(decide([16, 2, 130, 130], bn, true).kind, 'shared');
});

test('channels-last, BatchNorm on (N, C) and running statistics take two passes, whatever the runner', () => {
  for (const zeroCopy of [false, true]) {
    assert.deepEqual(decide([2, 3, 3, 4], { method: 'instance', layout: 'NHWC', eps }, zeroCopy),
      { kind: 'twoPass', walk: 'positions', units: 18, align: 9, rows: 18 });
    assert.deepEqual(decide([10, 4], { method: 'batch', layout: 'NCHW', eps }, zeroCopy),
      { kind: 'twoPass', walk: 'positions', units: 10, align: 1, rows: 10 });
    const evalBn: NormParams = { method: 'batch', layout: 'NCHW', eps, training: false, runningMean: new Float32Array(4), runningVar: new Float32Array(4).fill(1) };
    assert.deepEqual(decide([2, 4, 3, 3], evalBn, zeroCopy), { kind: 'twoPass', walk: 'sets', units: 4, align: 1, rows: 8 });
  }
});

test('a worker refuses a part whose strategy is not the one strategy() picks', () => {
  const shape = [2, 3, 4, 4];
  const x = new Float32Array(numel(shape));
  const params: NormParams = { method: 'instance', layout: 'NHWC', eps };
  assert.throws(() => runMomentsPart({ kind: 'fused', x, shape, params, unit0: 0, unit1: 1, y: new Float32Array(x.length) }),
    /internal: a 'fused' part for a plan whose strategy is 'twoPass'/);
});
