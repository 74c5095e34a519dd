// Every argument error is a NormError whose message says what was expected and what was found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NormError, normalize, numel, type NormParams } from '../../../src/kernels';

const x = (shape: number[]) => ({ data: new Float32Array(numel(shape)).map((_, i) => Math.sin(i)), shape });
const throws = (shape: number[], p: Partial<NormParams> & Pick<NormParams, 'method'>, msg: RegExp) =>
  assert.throws(() => normalize(x(shape), { layout: 'NCHW', eps: 1e-5, ...p }), (e: unknown) => e instanceof NormError && msg.test((e as Error).message));

test('group count must divide C', () => throws([2, 6, 4], { method: 'group', groups: 4 }, /^num_channels must be divisible by num_groups \(C=6, G=4\)$/));
test('group norm needs a positive integer G', () => {
  throws([2, 6, 4], { method: 'group', groups: 0 }, /num_groups must be a positive integer, got 0/);
  throws([2, 6, 4], { method: 'group' }, /needs --groups/);
});
test('BN training needs more than one value per channel', () =>
  throws([1, 3, 1, 1], { method: 'batch' }, /^Expected more than 1 value per channel when training, got input size \[1, 3, 1, 1\]$/));
test('IN training needs more than one spatial element', () =>
  throws([2, 3, 1], { method: 'instance' }, /Expected more than 1 spatial element when training, got input size \[2, 3, 1\]/));
test('weight and bias sizes are checked against channels / normalized_shape', () => {
  throws([2, 6, 4], { method: 'group', groups: 3, weight: new Float32Array(5) }, /weight: expected 6 values \(shape \[6\], one per channel\), got 5/);
  throws([2, 6, 4], { method: 'layer', normalizedShape: [6, 4], bias: new Float32Array(6) }, /bias: expected 24 values \(shape \[6, 4\], one per element of normalized_shape\), got 6/);
  throws([2, 6], { method: 'rms', bias: new Float32Array(6) }, /rms norm has no bias/);
});
test('normalized_shape must match the trailing dims', () => {
  throws([2, 6, 4], { method: 'layer', normalizedShape: [5] }, /Given normalized_shape=\[5\], expected input with shape \[\*, 5\], but got input of size \[2, 6, 4\]/);
  throws([2, 6, 4], { method: 'layer', normalizedShape: [1, 2, 6, 4] }, /must name 1 to 3 trailing dims/);
});
test('eps must be positive and finite', () => {
  throws([2, 3], { method: 'layer', eps: 0 }, /eps must be a positive finite number, got 0/);
  throws([2, 3], { method: 'layer', eps: Number.NaN }, /got NaN/);
  throws([2, 3], { method: 'layer', eps: -1 }, /got -1/);
});
test('unsupported ranks are named', () => {
  throws([6], { method: 'batch' }, /batch norm expects a 2-D to 5-D input \(N, C, \*spatial\), got 1-D input of shape \[6\]/);
  throws([1, 2, 2, 2, 2, 2], { method: 'group', groups: 1 }, /got 6-D input/);
});
test('running stats: both or neither, sized C, and only for batch/instance', () => {
  throws([4, 3], { method: 'batch', runningMean: new Float32Array(3) }, /need both a running mean and a running var/);
  throws([4, 3], { method: 'batch', runningMean: new Float32Array(2), runningVar: new Float32Array(2) }, /running_mean: expected 3 values/);
  throws([4, 3], { method: 'layer', runningMean: new Float32Array(3), runningVar: new Float32Array(3) }, /layer norm has no running statistics/);
});
test('momentum: a number in [0, 1], or none for batch only', () => {
  throws([4, 3], { method: 'batch', momentum: 2 }, /momentum must be a number in \[0, 1\] or none, got 2/);
  throws([4, 3, 2], { method: 'instance', momentum: null }, /only defined for batch norm/);
});
test('instance eval without running stats is refused', () =>
  throws([2, 3, 4], { method: 'instance', training: false, useInputStats: false }, /needs running mean and var/));
test('data length must match the shape, and no dim may be 0', () => {
  assert.throws(() => normalize({ data: new Float32Array(5), shape: [2, 3] }, { method: 'layer', layout: 'NCHW', eps: 1e-5 }), /data has 5 values but shape \[2, 3\] needs 6/);
  throws([0, 3], { method: 'layer' }, /at least 1, got shape \[0, 3\]/);
});

test('NaN and Inf propagate to their own set only, as in PyTorch', () => {
  const t = x([2, 4, 3]);
  t.data[0] = Number.NaN;
  t.data[13] = Number.POSITIVE_INFINITY;
  const r = normalize(t, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 2 });
  // sets: (n0,g0) has NaN, (n0,g1) finite, (n1,g0) has Inf, (n1,g1) finite
  assert.ok(Number.isNaN(r.stats.mean[0]) && Number.isFinite(r.stats.mean[1]));
  assert.ok(r.y.subarray(0, 6).every(Number.isNaN));
  assert.ok(r.y.subarray(6, 12).every(Number.isFinite));
  assert.ok(r.y.subarray(12, 18).every(Number.isNaN));
  assert.ok(r.y.subarray(18, 24).every(Number.isFinite));
});

test('constant input: var 0, output = bias exactly', () => {
  const r = normalize({ data: new Float32Array(12).fill(3.25), shape: [2, 2, 3] }, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 1, bias: Float32Array.of(0.5, -1) });
  assert.deepEqual([...r.stats.var], [0, 0]);
  assert.deepEqual([...r.y], [0.5, 0.5, 0.5, -1, -1, -1, 0.5, 0.5, 0.5, -1, -1, -1]);
});

test('BN eval uses running stats; without them, batch stats (torch rule)', () => {
  const t = x([4, 2]);
  const rm = Float32Array.of(1, -1);
  const rv = Float32Array.of(4, 0.25);
  const ev = normalize(t, { method: 'batch', layout: 'NCHW', eps: 0.01, training: false, runningMean: rm, runningVar: rv });
  assert.ok(Math.abs(ev.y[0] - (t.data[0] - 1) / Math.sqrt(4.01)) < 1e-6);
  assert.deepEqual([...ev.running!.mean], [1, -1]);
  const noRunning = normalize(t, { method: 'batch', layout: 'NCHW', eps: 0.01, training: false });
  const train = normalize(t, { method: 'batch', layout: 'NCHW', eps: 0.01 });
  assert.deepEqual(noRunning.y, train.y);
});
