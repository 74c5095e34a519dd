// PyTorch's default initialisation, from a seeded generator (the distributions, not torch's bit stream):
// Conv2d / Linear weights kaiming_uniform_(a=√5) = U(±1/√fan_in), biases U(±1/√fan_in); norm weight 1,
// bias 0; running mean 0, var 1; num_batches_tracked 0 (the layers start that way).
import { mulberry32 } from '../kernels/generate';
import type { Model } from './model';

export function initModel(model: Model, seed: number): void {
  const rand = mulberry32(seed);
  for (const l of model.layers) {
    if (l.kind !== 'Conv2d' && l.kind !== 'Linear') continue;
    const w = l.params[0];
    const fanIn = w.shape.slice(1).reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    for (const p of l.params) for (let i = 0; i < p.data.length; i++) p.data[i] = (rand() * 2 - 1) * bound;
  }
}
