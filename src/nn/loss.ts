// Cross-entropy with mean reduction (F.cross_entropy): loss = mean_n(logsumexp(z_n) − z_n[y_n]),
// dL/dz = (softmax(z) − onehot(y)) / N. Computed in float64 from the float32 logits. For a batch split across
// workers, meanOver is the whole batch's N: each worker's loss and gradient are then its share of the whole's.
import { nnFail } from './errors';

export interface LossResult {
  loss: number;
  /** Samples whose argmax (first maximum) is not the label. */
  wrong: number;
}

export function crossEntropy(logits: Float32Array, n: number, K: number, labels: Int32Array, labelOffset: number, dlogits: Float32Array | null,
  meanOver = n): LossResult {
  let total = 0;
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[labelOffset + i];
    if (!(y >= 0 && y < K)) nnFail(`label ${y} is out of range for a model with ${K} outputs`);
    const row = i * K;
    let max = -Infinity;
    let arg = 0;
    for (let k = 0; k < K; k++) {
      if (logits[row + k] > max) {
        max = logits[row + k];
        arg = k;
      }
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(logits[row + k] - max);
    const lse = max + Math.log(sum);
    total += lse - logits[row + y];
    if (arg !== y) wrong++;
    if (dlogits) {
      for (let k = 0; k < K; k++) dlogits[row + k] = (Math.exp(logits[row + k] - lse) - (k === y ? 1 : 0)) / meanOver;
    }
  }
  return { loss: total / meanOver, wrong };
}
