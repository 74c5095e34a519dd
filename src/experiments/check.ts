// Everything that can be checked before an experiment's first run: the configuration (grid.ts) and every run's
// model as the training engine builds it (layer fit, worded as PyTorch words it). Not imported by the webview:
// building a model pulls in the training engine.
import { NnError } from '../nn/errors';
import { buildModel } from '../nn/model';
import { jsOps } from '../nn/ops/js';
import { applyNorm, validateConfig } from './grid';
import { ExperimentConfigError, type ExperimentConfig } from './types';

export function checkExperiment(c: ExperimentConfig): void {
  validateConfig(c);
  for (const n of c.norms) {
    try {
      buildModel(applyNorm(c.model, n), jsOps);
    } catch (e) {
      if (e instanceof NnError) throw new ExperimentConfigError(e.message);
      throw e;
    }
  }
}
