// Job: y = x·scale + shift over some rows of a shared tensor (parallelNormalize's second phase), in pieces, checking
// between them whether the job was cancelled. y is shared memory, so the reply carries nothing.
import { runApplyPieces } from '../../kernels/fast/parts';
import type { JobMap } from '../../protocol/worker';
import type { Handler } from '../workerRuntime';

type Job = JobMap['apply'];

export const applyJob: Handler<Job['payload'], Job['result']> = async (part, ctx) => {
  runApplyPieces(part, () => ctx.throwIfCancelled());
  return { result: null };
};
