// The learning rate of each step: the base lr (× batch/32 by the GN paper's rule when asked), a schedule
// — constant, cosine over the steps after warm-up (CosineAnnealingLR per step, eta_min 0), or ×0.1 at each
// milestone epoch (MultiStepLR stepped per epoch) — times a linear warm-up factor (step+1)/warmupSteps.
import type { TrainConfig } from './types';

export type LrConfig = Pick<TrainConfig, 'lr' | 'schedule' | 'warmupEpochs' | 'scaleLrByBatch' | 'batchSize'>;

export function baseLr(c: LrConfig): number {
  return c.scaleLrByBatch ? (c.lr * c.batchSize) / 32 : c.lr;
}

export function learningRate(c: LrConfig, step: number, stepsPerEpoch: number, totalSteps: number): number {
  const base = baseLr(c);
  const warmSteps = Math.min(totalSteps, Math.round(c.warmupEpochs * stepsPerEpoch));
  const warm = step < warmSteps ? (step + 1) / warmSteps : 1;
  const s = c.schedule;
  if (s.kind === 'cosine') {
    const span = totalSteps - warmSteps;
    const t = step < warmSteps || span <= 0 ? 0 : (step - warmSteps) / span;
    return warm * base * 0.5 * (1 + Math.cos(Math.PI * t));
  }
  if (s.kind === 'step') {
    const epoch = Math.floor(step / stepsPerEpoch);
    return warm * base * 0.1 ** s.milestones.filter((m) => m <= epoch).length;
  }
  return warm * base;
}
