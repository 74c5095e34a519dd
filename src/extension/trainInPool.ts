// How the extension and the CLI run an experiment's runs: each one a 'train' job in the worker pool, over data
// prepared once in shared memory. No vscode import.
import { trainConfigFor } from '../experiments/grid';
import type { StartRun, TrainProgress } from '../experiments/runner';
import type { ExperimentConfig } from '../experiments/types';
import type { Dataset } from '../nn/types';
import type { WorkerPool } from './pool';

export function poolStartRun(pool: WorkerPool, config: ExperimentConfig, data: { train: Dataset; val: Dataset }): StartRun {
  return (run, signal, onProgress) => pool.run('train', { model: run.model, config: trainConfigFor(config, run), train: data.train, val: data.val }, {
    signal,
    onProgress: (fraction, detail) => onProgress({ ...(detail as Omit<TrainProgress, 'fraction'> | undefined), fraction }),
  });
}
