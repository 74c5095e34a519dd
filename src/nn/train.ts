// One run of training: a plain async function of (spec, data, config) that the CLI, the worker pool and the
// tests call unchanged. Buffers are allocated once per run (the layers' grow to the largest batch once);
// between steps, about every 50 ms, it yields a macrotask so an abort can arrive, then checks the signal.
import { CancelledError } from '../formats/errors';
import type { Collective } from './collective';
import { mulberry32 } from '../kernels/generate';
import { nnFail } from './errors';
import { evaluate } from './evaluate';
import { initModel } from './init';
import { crossEntropy } from './loss';
import { buildModel } from './model';
import { defaultOps, jsOps, type NnOps } from './ops';
import { learningRate } from './schedule';
import { checkSgd, Sgd } from './sgd';
import type { Dataset, EpochRecord, ModelSpec, TrainConfig, TrainHooks, TrainResult } from './types';
import { fmtShape } from '../kernels/errors';

const YIELD_MS = 50;
const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const now = () => performance.now();

function checkData(ds: Dataset, what: string, inputShape: number[], classes: number): void {
  const per = inputShape.reduce((a, b) => a * b, 1);
  if (ds.sampleShape.join() !== inputShape.join()) {
    nnFail(`${what}: samples have shape ${fmtShape(ds.sampleShape)} but the model's input_shape is ${fmtShape(inputShape)}`);
  }
  if (ds.y.length === 0) nnFail(`${what}: no samples`);
  if (ds.x.length !== ds.y.length * per) nnFail(`${what}: ${ds.y.length} labels but ${ds.x.length / per} samples`);
  for (let i = 0; i < ds.y.length; i++) {
    const y = ds.y[i];
    if (!(y >= 0 && y < classes)) nnFail(`${what}: label ${y} of sample ${i} is out of range for a model with ${classes} outputs (expected 0 to ${classes - 1})`);
  }
}

function checkConfig(c: TrainConfig): void {
  const posInt = (v: number, name: string) => {
    if (!Number.isInteger(v) || v < 1) nnFail(`${name} expects a positive integer, got ${v}`);
  };
  if (!c.order) {
    posInt(c.epochs, 'epochs');
    posInt(c.batchSize, 'batch size');
  }
  checkSgd(c.lr, c);
  if (!(c.warmupEpochs >= 0)) nnFail(`warm-up epochs must be ≥ 0, got ${c.warmupEpochs}`);
  if (c.schedule.kind === 'step' && !c.schedule.milestones.every((m) => Number.isInteger(m) && m >= 1)) {
    nnFail(`step schedule milestones must be positive epoch numbers, got ${c.schedule.milestones.join(',')}`);
  }
}

/**
 * collective: this worker's place among the workers that split every batch (`--workers N`). Each one calls trainRun
 * with the same arguments; each step every worker takes its share of the batch, they add up BatchNorm's statistics,
 * the gradients and the loss, and each applies the same update, so the replicas stay identical. An error or a
 * cancel in one stops them all.
 */
export async function trainRun(
  spec: ModelSpec, data: { train: Dataset; val: Dataset | null }, config: TrainConfig, hooks: TrainHooks = {}, ops: NnOps = defaultOps,
  collective?: Collective,
): Promise<TrainResult> {
  try {
    return await trainSteps(spec, data, config, hooks, ops, collective);
  } catch (e) {
    collective?.abort();
    throw e;
  }
}

async function trainSteps(
  spec: ModelSpec, data: { train: Dataset; val: Dataset | null }, config: TrainConfig, hooks: TrainHooks, ops: NnOps, collective?: Collective,
): Promise<TrainResult> {
  const model = buildModel(spec, ops, collective);
  const K = model.numClasses;
  checkConfig(config);
  checkData(data.train, 'training data', spec.input_shape, K);
  if (data.val) checkData(data.val, 'validation data', spec.input_shape, K);
  if (config.init) model.loadStateDict(config.init, 'the initial state');
  else initModel(model, config.seed);

  const { train } = data;
  const N = train.y.length;
  const per = train.x.length / N;
  const order = config.order;
  if (order) {
    if (order.indices.length !== order.steps * order.batch) nnFail(`order: expected ${order.steps}×${order.batch} indices, got ${order.indices.length}`);
    for (let i = 0; i < order.indices.length; i++) {
      const v = order.indices[i];
      if (!(v >= 0 && v < N)) nnFail(`order: index ${v} at step ${Math.floor(i / order.batch) + 1} is out of range for ${N} training samples`);
    }
  }
  const B = order ? order.batch : Math.min(config.batchSize, N);
  // DataLoader(shuffle=True, drop_last=False), except that a last batch of one sample is dropped: BatchNorm
  // cannot train on it and it would stop every such run at the end of its first epoch.
  const stepsPerEpoch = order ? order.steps : Math.ceil(N / B) - (N % B === 1 && N > 1 ? 1 : 0);
  const epochs = order ? 1 : config.epochs;
  const totalSteps = epochs * stepsPerEpoch;
  const world = collective?.world ?? 1;
  const smallest = order ? B : Math.min(B, N - (stepsPerEpoch - 1) * B);
  if (smallest < world) nnFail(`splitting each batch across ${world} workers needs batches of at least ${world} samples, got one of ${smallest}`);

  const xb = new Float32Array(B * per);
  const yb = new Int32Array(B);
  const dlogits = new Float32Array(B * K);
  const perm = new Int32Array(N).map((_, i) => i);
  const shuffleRand = mulberry32((config.seed ^ 0x5f3759df) >>> 0);
  const sgd = new Sgd(model.params, config, model.ops);
  const grads = model.params.map((p) => p.grad);
  const lossSums = new Float64Array(2); // this step's loss (its share), misclassified samples
  // Every worker has built its model: the first step's time is not another one's start-up.
  collective?.allReduceSum(lossSums);
  const losses: number[] = [];
  const records: EpochRecord[] = [];
  let trainMs = 0;
  let lastYield = now();
  let step = 0;

  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (!order) {
      for (let i = N - 1; i > 0; i--) {
        const j = Math.floor(shuffleRand() * (i + 1));
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
    }
    let lossSum = 0;
    let wrong = 0;
    let seen = 0;
    let epochMs = 0;
    for (let s = 0; s < stepsPerEpoch; s++, step++) {
      if (now() - lastYield >= YIELD_MS) {
        await macrotask();
        lastYield = now();
      }
      if (hooks.signal?.aborted) throw new CancelledError();
      const t0 = now();
      const batch = order ? order.indices.subarray(step * B, (step + 1) * B) : perm.subarray(s * B, Math.min(N, (s + 1) * B));
      const b = batch.length;
      const idx = collective ? batch.subarray(...collective.share(b)) : batch;
      const bl = idx.length;
      for (let i = 0; i < bl; i++) {
        xb.set(train.x.subarray(idx[i] * per, (idx[i] + 1) * per), i * per);
        yb[i] = train.y[idx[i]];
      }
      const xv = bl === B ? xb : xb.subarray(0, bl * per);
      const dl = bl === B ? dlogits : dlogits.subarray(0, bl * K);
      const logits = model.forward(xv, bl, true);
      const r = crossEntropy(logits, bl, K, yb, 0, dl, b);
      model.backward(dl, bl);
      if (collective) {
        // Each worker's shares of the gradients and the loss become the whole batch's.
        lossSums[0] = r.loss;
        lossSums[1] = r.wrong;
        collective.allReduceSum(...grads, lossSums);
        r.loss = lossSums[0];
        r.wrong = lossSums[1];
      }
      // Checked before the update, so a NaN never reaches the parameters.
      if (!Number.isFinite(r.loss)) {
        nnFail(`the loss became ${r.loss} at step ${step + 1} (epoch ${epoch}); try a lower learning rate (lr ${learningRate(config, step, stepsPerEpoch, totalSteps)})`);
      }
      const lr = learningRate(config, step, stepsPerEpoch, totalSteps);
      sgd.step(lr);
      losses.push(r.loss);
      lossSum += r.loss * b;
      wrong += r.wrong;
      seen += b;
      epochMs += now() - t0;
      hooks.onStep?.({ step: step + 1, totalSteps, epoch, loss: r.loss, lr });
    }
    trainMs += epochMs;
    const val = data.val ? evaluate(model, data.val, collective) : null;
    const rec: EpochRecord = {
      epoch, train_loss: lossSum / seen, train_error: wrong / seen,
      val_loss: val ? val.loss : null, val_error: val ? val.error : null, seconds: epochMs / 1000,
    };
    records.push(rec);
    hooks.onEpoch?.(rec);
  }
  const trainSeconds = trainMs / 1000;
  const examples = losses.length === 0 ? 0 : order ? order.steps * order.batch : epochs * Math.min(N, stepsPerEpoch * B);
  return {
    losses, epochs: records, train_seconds: trainSeconds,
    examples_per_second: trainSeconds > 0 ? examples / trainSeconds : 0,
    state: model.stateDict(),
  };
}

/**
 * The float64 values a collective for this model must add up at once: every gradient and the loss (each step),
 * or a normalization layer's two statistics per channel and a count.
 */
export function collectiveCapacity(spec: ModelSpec): number {
  const model = buildModel(spec, jsOps);
  const params = model.params.reduce((s, p) => s + p.data.length, 0);
  const channels = Math.max(...model.layers.map((l) => l.inShape[0] ?? 1));
  return Math.max(params + 2, 2 * channels + 1);
}
