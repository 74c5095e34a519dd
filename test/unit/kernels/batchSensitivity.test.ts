import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchSensitivity } from '../../../src/kernels/batchSensitivity';
import { generateTensor } from '../../../src/kernels/generate';
import { convertLayout } from '../../../src/kernels/shape';

const shape = [32, 4, 4, 4];
const x = generateTensor({ shape, layout: 'NCHW', distribution: 'normal', seed: 3, channelScale: [1, 5], channelShift: [0, 10] });

test('BN scatter shrinks as the batch grows and is 0 at the full batch; GN scatter is 0 at every size', () => {
  const pts = batchSensitivity(x, shape, { layout: 'NCHW', groups: 2, sizes: [1, 2, 4, 8, 16, 32, 64], seed: 1 });
  assert.deepEqual(pts.map((p) => p.batchSize), [1, 2, 4, 8, 16, 32]);
  for (let i = 1; i < pts.length; i++) {
    assert.ok(pts[i].bnMean < pts[i - 1].bnMean, `mean scatter at ${pts[i].batchSize}`);
    assert.ok(pts[i].bnVar < pts[i - 1].bnVar, `var scatter at ${pts[i].batchSize}`);
  }
  assert.ok(pts[5].bnMean < 1e-12 && pts[5].bnVar < 1e-12);
  for (const p of pts) assert.ok(p.gnMean < 1e-12 && p.gnVar < 1e-12, `GN at ${p.batchSize}`);
  assert.ok(pts.every((p) => p.batches >= 32));
});

test('batch size 1: the scatter is the RMS of per-sample channel means around the full mean, in full stds', () => {
  const [N, C, S] = [32, 4, 16];
  let acc = 0;
  for (let c = 0; c < C; c++) {
    const means: number[] = [];
    let all = 0;
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < S; k++) s += x[(n * C + c) * S + k];
      means.push(s / S);
      all += s;
    }
    const m = all / (N * S);
    let v = 0;
    for (let n = 0; n < N; n++) for (let k = 0; k < S; k++) v += (x[(n * C + c) * S + k] - m) ** 2;
    const std = Math.sqrt(v / (N * S));
    for (const mn of means) acc += ((mn - m) / std) ** 2;
  }
  const expected = Math.sqrt(acc / (N * C));
  const [p] = batchSensitivity(x, shape, { layout: 'NCHW', groups: 1, sizes: [1], seed: 9, minBatches: 32 });
  assert.equal(p.batches, 32);
  assert.ok(Math.abs(p.bnMean - expected) < 1e-9, `${p.bnMean} vs ${expected}`);
});

test('NHWC gives the same numbers as NCHW for the same logical tensor', () => {
  const y = convertLayout(x, shape, 'NCHW', 'NHWC');
  const a = batchSensitivity(x, shape, { layout: 'NCHW', groups: 2, sizes: [2, 8], seed: 5 });
  const b = batchSensitivity(y, [32, 4, 4, 4], { layout: 'NHWC', groups: 2, sizes: [2, 8], seed: 5 });
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(a[i].bnMean - b[i].bnMean) < 1e-12 && Math.abs(a[i].bnVar - b[i].bnVar) < 1e-12);
});
