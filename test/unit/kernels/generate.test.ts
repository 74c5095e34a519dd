import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTensor, mulberry32, type GenerateSpec } from '../../../src/kernels/generate';
import { NormError } from '../../../src/kernels/errors';

const spec = (over: Partial<GenerateSpec> = {}): GenerateSpec => ({
  shape: [8, 4, 16, 16], layout: 'NCHW', distribution: 'normal', seed: 42, channelScale: [], channelShift: [], ...over,
});

function channelMoments(x: Float32Array, N: number, C: number, S: number, nhwc = false): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    let s2 = 0;
    for (let n = 0; n < N; n++) for (let k = 0; k < S; k++) {
      const v = x[nhwc ? (n * S + k) * C + c : (n * C + c) * S + k];
      s += v;
      s2 += v * v;
    }
    const m = s / (N * S);
    mean.push(m);
    std.push(Math.sqrt(s2 / (N * S) - m * m));
  }
  return { mean, std };
}

test('mulberry32 is deterministic and in [0, 1)', () => {
  const a = mulberry32(7);
  const b = mulberry32(7);
  for (let i = 0; i < 1000; i++) {
    const v = a();
    assert.equal(v, b());
    assert.ok(v >= 0 && v < 1);
  }
  assert.notEqual(mulberry32(8)(), mulberry32(7)());
});

test('same spec, same tensor; different seed, different tensor', () => {
  assert.deepEqual(generateTensor(spec()), generateTensor(spec()));
  assert.notDeepEqual(generateTensor(spec()).slice(0, 10), generateTensor(spec({ seed: 43 })).slice(0, 10));
});

test('normal has mean ~0 and std ~1; uniform in [-1, 1); constant is all ones; offset sits at 1e4', () => {
  const { mean, std } = channelMoments(generateTensor(spec()), 8, 4, 256);
  for (let c = 0; c < 4; c++) {
    assert.ok(Math.abs(mean[c]) < 0.1, `mean ${mean[c]}`);
    assert.ok(Math.abs(std[c] - 1) < 0.1, `std ${std[c]}`);
  }
  const u = generateTensor(spec({ distribution: 'uniform' }));
  assert.ok(u.every((v) => v >= -1 && v < 1));
  assert.ok(generateTensor(spec({ distribution: 'constant' })).every((v) => v === 1));
  const o = generateTensor(spec({ distribution: 'offset' }));
  assert.ok(o.every((v) => Math.abs(v - 1e4) < 1));
});

test('per-channel scale and shift land on the channel axis of the layout (cycled)', () => {
  const x = generateTensor(spec({ channelScale: [1, 10], channelShift: [0, 5, -5] }));
  const { mean, std } = channelMoments(x, 8, 4, 256);
  const expect = [[0, 1], [5, 10], [-5, 1], [0, 10]];
  for (let c = 0; c < 4; c++) {
    assert.ok(Math.abs(mean[c] - expect[c][0]) < 0.15 * expect[c][1], `channel ${c} mean ${mean[c]}`);
    assert.ok(Math.abs(std[c] / expect[c][1] - 1) < 0.1, `channel ${c} std ${std[c]}`);
  }
  const y = generateTensor(spec({ shape: [8, 16, 16, 4], layout: 'NHWC', channelShift: [0, 100] }));
  const m = channelMoments(y, 8, 4, 256, true).mean;
  assert.ok(Math.abs(m[1] - 100) < 0.2 && Math.abs(m[3] - 100) < 0.2 && Math.abs(m[0]) < 0.2, String(m));
});

test('bad specs are refused with what was expected and found', () => {
  assert.throws(() => generateTensor(spec({ shape: [2, 0] })), (e: unknown) => e instanceof NormError && /positive integer, got shape \[2, 0\]/.test(e.message));
  assert.throws(() => generateTensor(spec({ shape: [1, 2, 3, 4, 5, 6] })), /1 to 5 dims/);
  assert.throws(() => generateTensor(spec({ seed: -1 })), /seed .* got -1/);
  assert.throws(() => generateTensor(spec({ distribution: 'cauchy' as never })), /normal, uniform, constant, offset, got 'cauchy'/);
  assert.throws(() => generateTensor(spec({ shape: [4096, 4096, 2] })), /at most 16777216 elements/);
});
