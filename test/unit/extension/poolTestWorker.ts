// Worker used by pool.test.ts: small jobs that succeed, fail, hang, crash and move buffers.
import { parentPort } from 'node:worker_threads';
import { serveJobs } from '../../../src/extension/workerRuntime';
import { CancelledError } from '../../../src/protocol/rpc';

export interface TestJobs {
  echo: { payload: unknown; result: unknown };
  fail: { payload: { name: string; message: string }; result: never };
  /** Counts to n in steps, reporting progress and honouring cancellation. */
  steps: { payload: { n: number; ms: number }; result: number };
  /** Busy for up to `ms` without ever yielding, checking only ctx.throwIfCancelled between 1 ms chunks. */
  spin: { payload: { ms: number }; result: string };
  /** Ignores cancellation: the pool must replace the worker. */
  stubborn: { payload: { ms: number }; result: string };
  crash: { payload: null; result: never };
  /** Doubles a Float32Array in place and moves it back. */
  double: { payload: { x: Float32Array }; result: { x: Float32Array; shared: boolean } };
  /** Writes into a SharedArrayBuffer view: the host sees the change without a reply payload. */
  fillShared: { payload: { x: Float32Array; value: number }; result: null };
  threadId: { payload: null; result: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

serveJobs<TestJobs>(parentPort!, {
  echo: async (p) => ({ result: p }),
  fail: async (p) => {
    const e = new Error(p.message);
    e.name = p.name;
    throw e;
  },
  steps: async ({ n, ms }, ctx) => {
    for (let i = 0; i < n; i++) {
      if (ctx.signal.aborted) throw new CancelledError();
      await sleep(ms);
      ctx.progress((i + 1) / n);
    }
    return { result: n };
  },
  spin: async ({ ms }, ctx) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      ctx.throwIfCancelled();
      const chunk = Date.now() + 1;
      while (Date.now() < chunk) { /* one chunk of synchronous work */ }
    }
    return { result: 'done' };
  },
  stubborn: async ({ ms }) => {
    const end = Date.now() + ms;
    while (Date.now() < end) { /* busy: never looks at the signal */ }
    return { result: 'done' };
  },
  crash: async () => {
    setImmediate(() => { throw new Error('boom'); });
    await sleep(1000);
    return { result: undefined as never };
  },
  double: async ({ x }) => {
    for (let i = 0; i < x.length; i++) x[i] *= 2;
    return { result: { x, shared: x.buffer instanceof SharedArrayBuffer }, transfer: [x.buffer as ArrayBuffer] };
  },
  fillShared: async ({ x, value }) => {
    x.fill(value);
    return { result: null };
  },
  threadId: async () => ({ result: (await import('node:worker_threads')).threadId }),
});
