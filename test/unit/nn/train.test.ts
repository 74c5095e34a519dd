// trainRun: the shared PyTorch trajectories with the reference ops, cancellation, a NaN loss, bad labels and
// orders; SGD (nesterov) and the lr schedules against their formulas; data preparation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readLabelled, readOrder, readStateDict } from '../../../src/cli/trainData';
import { prepareData } from '../../../src/nn/data';
import { makeLayer } from '../../../src/nn/layers';
import { defaultOps, jsOps } from '../../../src/nn/ops';
import { learningRate } from '../../../src/nn/schedule';
import { Sgd } from '../../../src/nn/sgd';
import { trainRun } from '../../../src/nn/train';
import type { Dataset, ModelSpec, TrainConfig } from '../../../src/nn/types';
import { randn } from '../helpers';

const GOLDEN = join(__dirname, '../../golden/train/public');
const base: TrainConfig = {
  epochs: 1, batchSize: 4, lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: false, schedule: { kind: 'constant' },
  warmupEpochs: 0, scaleLrByBatch: false, seed: 1,
};
const mlp: ModelSpec = { input_shape: [4], layers: [['Linear', { in_features: 4, out_features: 8 }], ['BatchNorm1d', { num_features: 8 }], ['ReLU', {}], ['Linear', { in_features: 8, out_features: 3 }]] };
const toy = (n: number, seed: number): Dataset => ({ x: randn(n * 4, seed), sampleShape: [4], y: Int32Array.from({ length: n }, (_, i) => i % 3), numClasses: 3 });

test('the PyTorch trajectories hold with the reference JavaScript ops (losses and final state)', async () => {
  const { cases } = JSON.parse(readFileSync(join(GOLDEN, 'cases.json'), 'utf8'));
  for (const c of cases.filter((k: { kind?: string }) => k.kind === 'trajectory')) {
    const f = (k: string) => join(GOLDEN, c.files[k]);
    const spec = JSON.parse(readFileSync(f('model'), 'utf8'));
    const data = prepareData(await readLabelled(f('data'), undefined, 'data'), null, { inputShape: spec.input_shape });
    const order = await readOrder(f('order'));
    const r = await trainRun(spec, data, { ...base, lr: c.hyper.lr, momentum: c.hyper.momentum, weightDecay: c.hyper.weight_decay, batchSize: order.batch, order, init: await readStateDict(f('init')) }, {}, jsOps);
    r.losses.forEach((l, i) => assert.ok(Math.abs(l - c.losses[i]) <= c.tolerance.loss.atol, `${c.id} loss ${i}: ${l} vs ${c.losses[i]}`));
    const final = await readStateDict(f('final'));
    for (const [k, v] of final) {
      const got = r.state.get(k)!.data;
      v.data.forEach((e, i) => assert.ok(Math.abs(got[i] - e) <= c.tolerance.state.atol + c.tolerance.state.rtol * Math.abs(e), `${c.id} ${k}[${i}]: ${got[i]} vs ${e}`));
    }
  }
});

test('an abort rejects with a CancelledError between steps; hooks see every step and epoch', async () => {
  const ac = new AbortController();
  const steps: number[] = [];
  await assert.rejects(trainRun(mlp, { train: toy(400, 1), val: null }, { ...base, epochs: 50 }, {
    signal: ac.signal, onStep: (r) => { steps.push(r.step); if (r.step === 3) ac.abort(); },
  }), { name: 'CancelledError' });
  assert.deepEqual(steps, [1, 2, 3]);
  const epochs: number[] = [];
  const r = await trainRun(mlp, { train: toy(10, 2), val: toy(6, 3) }, { ...base, epochs: 2 }, { onEpoch: (e) => epochs.push(e.epoch) });
  assert.deepEqual(epochs, [1, 2]);
  // 10 samples in batches of 4: 4, 4 and a last batch of 2 (a single leftover sample would be dropped).
  assert.equal(r.losses.length, 6);
  assert.ok(r.epochs[1].val_error !== null && r.examples_per_second > 0);
});

test('a NaN loss stops with an error naming the step; bad labels and orders are refused up front', async () => {
  const bad = toy(8, 4);
  bad.x[4 * 5] = NaN;
  await assert.rejects(trainRun(mlp, { train: bad, val: null }, { ...base, batchSize: 8, momentum: 0 }), /the loss became NaN at step 1 \(epoch 1\)/);
  const labels = toy(8, 5);
  labels.y[6] = 3;
  await assert.rejects(trainRun(mlp, { train: labels, val: null }, base), /label 3 of sample 6 is out of range for a model with 3 outputs/);
  const order = { steps: 2, batch: 2, indices: Int32Array.from([0, 1, 2, 9]) };
  await assert.rejects(trainRun(mlp, { train: toy(8, 6), val: null }, { ...base, order }), /order: index 9 at step 2 is out of range for 8 training samples/);
  await assert.rejects(trainRun(mlp, { train: toy(8, 6), val: null }, { ...base, lr: -1 }), /Invalid learning rate: -1/);
  await assert.rejects(trainRun(mlp, { train: toy(8, 6), val: null }, { ...base, momentum: 0, nesterov: true }), /Nesterov momentum requires a momentum/);
});

test('SGD follows torch.optim.SGD: buffer = grad on the first step, weight decay, nesterov', () => {
  const p = { data: Float32Array.from([1, -2]), grad: Float32Array.from([0.5, 0.25]) };
  const sgd = new Sgd([p], { momentum: 0.9, weightDecay: 0.1, nesterov: true });
  // step 1: d = g + 0.1·p = [0.6, 0.05]; buf = d; nesterov step = d + 0.9·buf = 1.9·d
  sgd.step(0.1);
  const p1 = [1 - 0.1 * 1.9 * 0.6, -2 - 0.1 * 1.9 * 0.05];
  p1.forEach((v, i) => assert.ok(Math.abs(p.data[i] - v) < 1e-6));
  // step 2: d = g + 0.1·p1; buf = 0.9·buf + d; step = d + 0.9·buf
  sgd.step(0.1);
  [0.6, 0.05].forEach((b0, i) => {
    const d = [0.5, 0.25][i] + 0.1 * p1[i];
    const buf = 0.9 * b0 + d;
    assert.ok(Math.abs(p.data[i] - (p1[i] - 0.1 * (d + 0.9 * buf))) < 1e-6);
  });
});

test('schedules: constant, cosine over the steps after warm-up, ×0.1 at milestones, linear warm-up, lr·B/32', () => {
  const c = { lr: 0.2, batchSize: 8, warmupEpochs: 0, scaleLrByBatch: false, schedule: { kind: 'constant' as const } };
  assert.equal(learningRate(c, 57, 10, 100), 0.2);
  assert.equal(learningRate({ ...c, scaleLrByBatch: true }, 0, 10, 100), 0.05);
  const cos = { ...c, schedule: { kind: 'cosine' as const } };
  assert.equal(learningRate(cos, 0, 10, 100), 0.2);
  assert.ok(Math.abs(learningRate(cos, 50, 10, 100) - 0.1) < 1e-12);
  const step = { ...c, schedule: { kind: 'step' as const, milestones: [3, 6] } };
  assert.deepEqual([29, 30, 59, 60].map((s) => learningRate(step, s, 10, 100)), [0.2, 0.2 * 0.1, 0.2 * 0.1, 0.2 * 0.1 ** 2]);
  const warm = { ...cos, warmupEpochs: 2 };
  assert.ok(Math.abs(learningRate(warm, 0, 10, 100) - 0.2 / 20) < 1e-12);
  assert.ok(Math.abs(learningRate(warm, 19, 10, 100) - 0.2) < 1e-12);
  assert.ok(Math.abs(learningRate(warm, 60, 10, 100) - 0.1) < 1e-12);
});

test('uint8 images are scaled to [0, 1] and standardized with the training set\'s mean and std', () => {
  const x = { data: Uint8Array.from([0, 255, 0, 255]), shape: [2, 2], uint8: true };
  const y = { data: [0, 1], shape: [2], uint8: false };
  const d = prepareData({ x, y }, { x: { ...x, data: Uint8Array.from([255, 255, 0, 0]) }, y }, {});
  assert.deepEqual(d.standardized, { mean: 0.5, std: 0.5 });
  assert.deepEqual([...d.train.x], [-1, 1, -1, 1]);
  assert.deepEqual([...d.val!.x], [1, 1, -1, -1]);
  const f = prepareData({ x: { data: [3, 4, 5, 6], shape: [2, 1, 2], uint8: false }, y }, null, { inputShape: [2] });
  assert.equal(f.standardized, null);
  assert.deepEqual(f.train.sampleShape, [2]);
  assert.deepEqual([...f.train.x], [3, 4, 5, 6]);
  assert.throws(() => prepareData({ x, y: { data: [0, 1.5], shape: [2], uint8: false } }, null), /label 1 is 1.5/);
});

test('BatchNorm training on one value per channel fails with PyTorch\'s message (test/golden/train/extra/errors.json)', () => {
  const cases = JSON.parse(readFileSync(join(GOLDEN, '../extra/errors.json'), 'utf8'));
  for (const c of cases) {
    const [n, ...inShape] = c.input_shape as number[];
    for (const ops of [jsOps, defaultOps]) {
      const layer = makeLayer(c.layer[0], c.layer[1], { index: 0, inShape, ops });
      const want = String(c.torch_message).replace(/torch\.Size\((\[[^\]]*\])\)/, '$1');
      assert.throws(() => layer.forward(new Float32Array(inShape.reduce((a, b) => a * b, n)), n, true), (e: Error) => e.message === want);
    }
  }
});
