// How the extension and the CLI run training in the worker pool: an experiment's runs, each one a 'train' job over
// data prepared once in shared memory; and one run split across workers ('trainPart' jobs). No vscode import.
import { trainConfigFor } from '../experiments/grid';
import type { StartRun, TrainProgress } from '../experiments/runner';
import type { ExperimentConfig } from '../experiments/types';
import { NormError } from '../kernels';
import { abortCollective, createCollective } from '../nn/collective';
import { sharedDataset } from '../nn/data';
import { collectiveCapacity } from '../nn/train';
import type { Dataset, ModelSpec, TrainConfig, TrainHooks, TrainResult } from '../nn/types';
import type { TrainPartProgress } from '../protocol/worker';
import { CancelledError } from '../formats/errors';
import { NnError } from '../nn/errors';
import type { WorkerPool } from './pool';

export function poolStartRun(pool: WorkerPool, config: ExperimentConfig, data: { train: Dataset; val: Dataset }): StartRun {
  return (run, signal, onProgress) => pool.run('train', { model: run.model, config: trainConfigFor(config, run), train: data.train, val: data.val }, {
    signal,
    onProgress: (fraction, detail) => onProgress({ ...(detail as Omit<TrainProgress, 'fraction'> | undefined), fraction }),
  });
}

/**
 * One run with each batch split across `workers` workers of the pool (which must have that many free): trainRun's
 * result, the same as one worker's within float32 rounding. An error in one part stops the others; the first error
 * that is not a cancellation is the one thrown.
 */
export async function trainSplit(
  pool: WorkerPool, workers: number, spec: ModelSpec, data: { train: Dataset; val: Dataset | null }, config: TrainConfig, hooks: TrainHooks = {},
): Promise<TrainResult> {
  if (hooks.signal?.aborted) throw new CancelledError();
  const collective = createCollective(workers, collectiveCapacity(spec));
  // A part that fails stops the others through the collective (they then end with a CancelledError of their own);
  // so does a cancel, which also cancels every part's job.
  const stop = new AbortController();
  const onAbort = () => {
    abortCollective(collective);
    stop.abort();
  };
  hooks.signal?.addEventListener('abort', onAbort);
  const train = sharedDataset(data.train);
  const val = data.val && sharedDataset(data.val);
  const parts = Array.from({ length: workers }, (_, rank) => pool.run('trainPart', { model: spec, config, train, val, collective, rank }, {
    signal: stop.signal,
    onProgress: rank === 0 ? (_f, detail) => {
      const d = detail as TrainPartProgress;
      if ('epoch' in d) hooks.onEpoch?.(d.epoch);
      else hooks.onStep?.(d.step);
    } : undefined,
  }).catch((e: unknown) => {
    abortCollective(collective); // a part that crashed cannot tell the others
    throw e;
  }));
  try {
    const settled = await Promise.allSettled(parts);
    const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error);
    const cause = failed.find((e) => e?.name !== 'CancelledError');
    // The engine's own errors become theirs again (the CLI prints them as one line).
    if (cause) throw cause.name === 'NnError' ? new NnError(cause.message) : cause.name === 'NormError' ? new NormError(cause.message) : cause;
    if (failed.length) throw new CancelledError();
    return (settled[0] as PromiseFulfilledResult<TrainResult | null>).value!;
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}
