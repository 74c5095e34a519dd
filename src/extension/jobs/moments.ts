// Job: the first pass of parallelNormalize's strategy over some units of a shared tensor (runMomentsPart): shifted sums,
// and for the fused strategies also their y.
import { runMomentsPart } from '../../kernels/fast/parts';
import type { JobMap } from '../../protocol/worker';
import type { Handler } from '../workerRuntime';

type Job = JobMap['moments'];

export const momentsJob: Handler<Job['payload'], Job['result']> = async (part) => {
  const result = runMomentsPart(part);
  return { result, transfer: [result.k.buffer as ArrayBuffer, result.s1.buffer as ArrayBuffer, result.s2.buffer as ArrayBuffer] };
};
