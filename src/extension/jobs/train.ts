// The 'train' job: one run of an experiment (trainRun) in a worker. The data arrive in SharedArrayBuffers (no
// copy); losses are sent in batches about every 250 ms and each finished epoch at once, for the panel's live charts.
import type { TrainProgress, TrainSummary } from '../../experiments/runner';
import { trainRun } from '../../nn/train';
import type { EpochRecord } from '../../nn/types';
import type { TrainJob } from '../../protocol/worker';
import type { Handler } from '../workerRuntime';

const REPORT_MS = 250;

export const trainJob: Handler<TrainJob, TrainSummary> = async (p, ctx) => {
  let losses: number[] = [];
  let fraction = 0;
  let last = Date.now();
  const flush = (epoch?: EpochRecord) => {
    const detail: Omit<TrainProgress, 'fraction'> = epoch ? { losses, epoch } : { losses };
    ctx.report(fraction, detail);
    losses = [];
    last = Date.now();
  };
  const r = await trainRun(p.model, { train: p.train, val: p.val }, p.config, {
    signal: ctx.signal,
    onStep(s) {
      losses.push(s.loss);
      fraction = s.step / s.totalSteps;
      if (Date.now() - last >= REPORT_MS) flush();
    },
    onEpoch: (e) => flush(e),
  });
  return { result: { epochs: r.epochs, examples_per_second: r.examples_per_second, train_seconds: r.train_seconds } };
};
