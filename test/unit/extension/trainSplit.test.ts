// One training run with each batch split across workers of the pool (normlab train --workers N): the same losses,
// state and validation error as one worker within float32 rounding, for every kind of normalization layer; an uneven
// split; errors and cancellation that reach every part.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../../../src/extension/pool';
import { trainSplit } from '../../../src/extension/trainInPool';
import { CancelledError } from '../../../src/formats/errors';
import { NnError } from '../../../src/nn/errors';
import { trainRun } from '../../../src/nn/train';
import type { Dataset, ModelSpec, TrainConfig } from '../../../src/nn/types';
import { randn } from '../helpers';

const workerFile = fileURLToPath(new URL('./poolRealWorker.mjs', import.meta.url));
let pool: WorkerPool;
before(() => {
  pool = new WorkerPool({ size: 3, workerFile });
});
after(() => pool.dispose());

const images = (n: number, seed: number): Dataset => ({
  x: randn(n * 2 * 8 * 8, seed), sampleShape: [2, 8, 8], y: Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % 4), numClasses: 4,
});
const cnn = (norm: [string, Record<string, unknown>]): ModelSpec => ({
  input_shape: [2, 8, 8],
  layers: [['Conv2d', { in_channels: 2, out_channels: 6, kernel_size: 3, padding: 1 }], norm, ['ReLU', {}], ['MaxPool2d', { kernel_size: 2 }],
    ['Conv2d', { in_channels: 6, out_channels: 6, kernel_size: 3, stride: 2, bias: false }], ['BatchNorm2d', { num_features: 6, momentum: null }],
    ['AdaptiveAvgPool2d', { output_size: 1 }], ['Flatten', {}], ['Linear', { in_features: 6, out_features: 8 }], ['BatchNorm1d', { num_features: 8 }],
    ['ReLU', {}], ['Linear', { in_features: 8, out_features: 4 }]],
});
const config: TrainConfig = {
  epochs: 2, batchSize: 5, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, nesterov: false, schedule: { kind: 'cosine' },
  warmupEpochs: 0, scaleLrByBatch: false, seed: 3,
};
const data = { train: images(23, 1), val: images(9, 2) };

const norms: [string, [string, Record<string, unknown>]][] = [
  ['BatchNorm2d', ['BatchNorm2d', { num_features: 6 }]],
  ['GroupNorm', ['GroupNorm', { num_groups: 3, num_channels: 6 }]],
  ['InstanceNorm2d with running statistics', ['InstanceNorm2d', { num_features: 6, affine: true, track_running_stats: true }]],
];
for (const [name, norm] of norms) {
  for (const workers of [2, 3]) {
    test(`${name}, batches of 5 split across ${workers} workers = one worker (losses, state, validation)`, async () => {
      const spec = cnn(norm);
      const one = await trainRun(spec, data, config);
      const steps: number[] = [];
      const split = await trainSplit(pool, workers, spec, data, config, { onStep: (s) => steps.push(s.step) });
      assert.equal(split.losses.length, one.losses.length);
      split.losses.forEach((l, i) => assert.ok(Math.abs(l - one.losses[i]) <= 1e-5 * Math.max(1, Math.abs(l)), `loss ${i}: ${l} vs ${one.losses[i]}`));
      assert.ok(steps.length > 0 && steps.at(-1) === one.losses.length, 'rank 0 reports the last step');
      for (const [k, t] of one.state) {
        const got = split.state.get(k)!.data;
        t.data.forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 1e-4 * Math.max(1, Math.abs(v)), `${k}[${i}]: ${got[i]} vs ${v}`));
      }
      one.epochs.forEach((e, i) => {
        assert.ok(Math.abs(split.epochs[i].val_loss! - e.val_loss!) < 1e-4, `epoch ${i + 1} val loss`);
        assert.equal(split.epochs[i].train_error, e.train_error);
      });
    });
  }
}

test('a batch smaller than the number of workers is refused with both numbers', async () => {
  const spec = cnn(['BatchNorm2d', { num_features: 6 }]);
  await assert.rejects(trainSplit(pool, 3, spec, data, { ...config, batchSize: 2 }),
    (e: Error) => e instanceof NnError && /splitting each batch across 3 workers needs batches of at least 3 samples, got one of 2/.test(e.message));
});

test('a loss that turns NaN stops every part with the step named (not a cancellation)', async () => {
  const spec = cnn(['GroupNorm', { num_groups: 3, num_channels: 6 }]);
  await assert.rejects(trainSplit(pool, 2, spec, data, { ...config, lr: 1e30, schedule: { kind: 'constant' } }),
    (e: Error) => e instanceof NnError && /the loss became (NaN|Infinity) at step \d+/.test(e.message));
});

test('cancelling stops every part; the workers are free for the next run', async () => {
  const spec = cnn(['BatchNorm2d', { num_features: 6 }]);
  const big = { train: images(4000, 5), val: null };
  const abort = new AbortController();
  let seen = 0;
  const run = trainSplit(pool, 2, spec, big, { ...config, epochs: 50 }, {
    signal: abort.signal,
    onStep: () => {
      if (++seen === 2) abort.abort();
    },
  });
  await assert.rejects(run, (e: Error) => e instanceof CancelledError);
  const again = await trainSplit(pool, 2, spec, data, { ...config, epochs: 1 });
  assert.equal(again.losses.length, 5);
});
