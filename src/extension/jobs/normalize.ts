// Job: one normalization with the reference kernel, in chunks, checking between them whether the job was cancelled
// (and reporting progress); the output buffer moves back to the host.
import { normalize } from '../../kernels/normalize';
import type { JobMap } from '../../protocol/worker';
import type { Handler } from '../workerRuntime';

type Job = JobMap['normalize'];

export const normalizeJob: Handler<Job['payload'], Job['result']> = async ({ x, shape, params }, ctx) => {
  ctx.progress(0);
  const result = normalize({ data: x, shape }, params, {
    between: (done) => {
      ctx.throwIfCancelled();
      ctx.progress(done);
    },
  });
  ctx.progress(1);
  return { result, transfer: [result.y.buffer as ArrayBuffer] };
};
