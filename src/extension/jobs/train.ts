// The 'train' job: one run of an experiment (trainRun) in a worker. The data arrive in SharedArrayBuffers (no
// copy); losses are sent in batches about every 250 ms and each finished epoch at once, for the panel's live charts.
// The 'trainPart' job: one worker's part of a run split across workers (normlab train --workers N).
import type { TrainProgress, TrainSummary } from '../../experiments/runner';
import { Collective } from '../../nn/collective';
import { trainRun } from '../../nn/train';
import type { EpochRecord, StepReport, TrainResult } from '../../nn/types';
import type { JobMap, TrainJob, TrainPartProgress } from '../../protocol/worker';
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

/** How often rank 0 reports a step (the CLI redraws its progress line at most every 200 ms). */
const STEP_REPORT_MS = 100;

export const trainPartJob: Handler<JobMap['trainPart']['payload'], TrainResult | null> = async (p, ctx) => {
  const collective = new Collective(p.collective, p.rank, () => ctx.throwIfCancelled());
  let last = 0;
  let fraction = 0;
  const hooks = p.rank !== 0 ? { signal: ctx.signal } : {
    signal: ctx.signal,
    onStep(s: StepReport) {
      fraction = s.step / s.totalSteps;
      const now = Date.now();
      if (now - last < STEP_REPORT_MS && s.step < s.totalSteps) return;
      last = now;
      ctx.report(fraction, { step: s } satisfies TrainPartProgress);
    },
    onEpoch: (e: EpochRecord) => ctx.report(fraction, { epoch: e } satisfies TrainPartProgress),
  };
  const r = await trainRun(p.model, { train: p.train, val: p.val }, p.config, hooks, undefined, collective);
  return { result: p.rank === 0 ? r : null };
};
