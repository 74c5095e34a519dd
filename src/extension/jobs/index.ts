// Job kind -> handler, one line each. A new kind needs its JobMap entry (src/protocol/worker.ts) and a line here.
import type { JobMap } from '../../protocol/worker';
import type { HandlerMap } from '../workerRuntime';
import { fileListJob, fileStatsJob, heatmapJob, readTensorJob } from './files';
import { applyJob } from './apply';
import { momentsJob } from './moments';
import { normalizeJob } from './normalize';
import { playgroundJob } from './playground';
import { trainJob, trainPartJob } from './train';

export const handlers: HandlerMap<JobMap> = {
  normalize: normalizeJob,
  fileList: fileListJob,
  fileStats: fileStatsJob,
  readTensor: readTensorJob,
  heatmap: heatmapJob,
  playground: playgroundJob,
  train: trainJob,
  trainPart: trainPartJob,
  moments: momentsJob,
  apply: applyJob,
};
