// Eval mode: logits and the loss / error over a data set, in batches (running statistics, no updates).
import type { Collective } from './collective';
import { crossEntropy } from './loss';
import { buildModel, type Model } from './model';
import type { NnOps } from './ops';
import type { Dataset, ModelSpec, StateDict } from './types';

export const EVAL_BATCH = 256;

/** Logits (n, classes) of n samples in eval mode. */
export function predictLogits(model: Model, x: Float32Array, n: number): Float32Array {
  const per = x.length / n;
  const K = model.numClasses;
  const out = new Float32Array(n * K);
  for (let i = 0; i < n; i += EVAL_BATCH) {
    const b = Math.min(EVAL_BATCH, n - i);
    out.set(model.forward(x.subarray(i * per, (i + b) * per), b, false), i * K);
  }
  return out;
}

/**
 * Mean cross-entropy and the fraction misclassified, in eval mode. With a collective, each worker evaluates its
 * share of the samples and they add up their sums.
 */
export function evaluate(model: Model, ds: Dataset, collective?: Collective): { loss: number; error: number } {
  const n = ds.y.length;
  const per = ds.x.length / n;
  const [from, to] = collective ? collective.share(n) : [0, n];
  const sums = new Float64Array(2); // Σ loss, wrong
  for (let i = from; i < to; i += EVAL_BATCH) {
    const b = Math.min(EVAL_BATCH, to - i);
    const logits = model.forward(ds.x.subarray(i * per, (i + b) * per), b, false);
    const r = crossEntropy(logits, b, model.numClasses, ds.y, i, null);
    sums[0] += r.loss * b;
    sums[1] += r.wrong;
  }
  collective?.allReduceSum(sums);
  return { loss: sums[0] / n, error: sums[1] / n };
}

/** Logits of a saved model: what `normlab train --eval-in` and the experiments call after a run. */
export function evalLogits(spec: ModelSpec, state: StateDict, x: Float32Array, n: number, ops?: NnOps): Float32Array {
  const model = buildModel(spec, ops);
  model.loadStateDict(state);
  return predictLogits(model, x, n);
}
