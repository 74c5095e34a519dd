// Job: y = x·scale + shift over some rows of a shared tensor (parallelNormalize's second phase). y is shared memory,
// so the reply carries nothing.
import { runApplyPart } from '../../kernels/fast/parts';
import type { JobMap } from '../../protocol/worker';
import type { Handler } from '../workerRuntime';

type Job = JobMap['apply'];

export const applyJob: Handler<Job['payload'], Job['result']> = async (part) => {
  runApplyPart(part);
  return { result: null };
};
