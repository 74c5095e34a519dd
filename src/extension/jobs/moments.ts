// Job: the first pass of parallelNormalize's strategy over some units of a shared tensor (runMomentsPart): shifted sums,
// and for the fused strategies also their y. In pieces, checking between them whether the job was cancelled.
import { runMomentsPieces } from '../../kernels/fast/parts';
import type { JobMap } from '../../protocol/worker';
import type { Handler } from '../workerRuntime';

type Job = JobMap['moments'];

export const momentsJob: Handler<Job['payload'], Job['result']> = async (part, ctx) => {
  const result = runMomentsPieces(part, () => ctx.throwIfCancelled());
  return { result, transfer: result.flatMap((s) => [s.k.buffer as ArrayBuffer, s.s1.buffer as ArrayBuffer, s.s2.buffer as ArrayBuffer]) };
};
