import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunScheduler } from '../../../src/experiments/scheduler';

/** A fake run: resolves after `ms`, reports progress, rejects with CancelledError when aborted. */
function fakeRun(ms: number, log: string[], index: number, signal: AbortSignal, progress: (f: number) => void, fail = false): Promise<number> {
  log.push(`start ${index}`);
  return new Promise((resolve, reject) => {
    const half = setTimeout(() => progress(0.5), ms / 2);
    const timer = setTimeout(() => {
      log.push(`end ${index}`);
      if (fail) reject(new Error(`run ${index} diverged`));
      else resolve(index * 10);
    }, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      clearTimeout(half);
      const e = new Error('cancelled');
      e.name = 'CancelledError';
      reject(e);
    }, { once: true });
  });
}

test('never more than N runs at once; costliest first; outcomes in grid order', async () => {
  const log: string[] = [];
  let running = 0;
  let peak = 0;
  const costs = [1, 5, 3, 4, 2];
  const s = new RunScheduler<number>({
    workers: 2,
    runs: costs.map((cost, index) => ({ index, cost })),
    start: async (i, signal, progress) => {
      running++;
      peak = Math.max(peak, running);
      try {
        return await fakeRun(10 + costs[i] * 5, log, i, signal, progress);
      } finally {
        running--;
      }
    },
  });
  const out = await s.done;
  assert.equal(peak, 2);
  assert.deepEqual(log.filter((l) => l.startsWith('start')).slice(0, 2), ['start 1', 'start 3']);
  assert.deepEqual(out.map((o) => [o.index, o.status]), [[0, 'done'], [1, 'done'], [2, 'done'], [3, 'done'], [4, 'done']]);
  assert.deepEqual(out.map((o) => (o.status === 'done' ? o.result : null)), [0, 10, 20, 30, 40]);
  assert.equal(s.etaSeconds(), 0);
});

test('cancel one running run, one queued run; the others finish', async () => {
  const log: string[] = [];
  const s = new RunScheduler<number>({
    workers: 1,
    runs: [0, 1, 2].map((index) => ({ index, cost: 3 - index })),
    start: (i, signal, progress) => fakeRun(60, log, i, signal, progress),
  });
  setTimeout(() => {
    assert.equal(s.status(0).status, 'running');
    assert.equal(s.status(2).status, 'pending');
    s.cancel(2); // queued: never starts
    s.cancel(0); // running: aborted
  }, 20);
  const out = await s.done;
  assert.deepEqual(out.map((o) => o.status), ['cancelled', 'done', 'cancelled']);
  assert.ok(!log.includes('start 2'), 'a cancelled queued run must not start');
  assert.ok(!log.includes('end 0'));
});

test('cancel all stops running and queued runs; a failing run is reported as failed', async () => {
  const log: string[] = [];
  const s = new RunScheduler<number>({
    workers: 2,
    runs: [0, 1, 2, 3].map((index) => ({ index, cost: 1 })),
    start: (i, signal, progress) => fakeRun(i === 0 ? 5 : 200, log, i, signal, progress, i === 0),
  });
  setTimeout(() => s.cancelAll(), 50);
  const out = await s.done;
  assert.equal(out[0].status, 'failed');
  assert.equal(out[0].status === 'failed' && out[0].error.message, 'run 0 diverged');
  assert.deepEqual(out.slice(1).map((o) => o.status), ['cancelled', 'cancelled', 'cancelled']);
  assert.ok(!log.includes('start 3'));
});

test('ETA from a fake clock: remaining cost at the measured speed, spread over the workers', async () => {
  let now = 0;
  const resolvers: (() => void)[] = [];
  const progress: ((f: number) => void)[] = [];
  const s = new RunScheduler<void>({
    workers: 2, now: () => now,
    runs: [0, 1, 2, 3].map((index) => ({ index, cost: 10 })),
    start: (i, _signal, p) => {
      progress[i] = p;
      return new Promise<void>((resolve) => (resolvers[i] = resolve));
    },
  });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(s.etaSeconds(), null, 'nothing measured yet');
  now = 10_000;
  progress[0](0.5);
  progress[1](0.5);
  // 10 cost units in 20 worker-seconds: 0.5 unit/s per worker; remaining 30 units over 2 workers: 30 s
  assert.equal(s.etaSeconds(), 30);
  assert.equal(s.elapsedSeconds(), 10);
  now = 20_000;
  resolvers[0]();
  resolvers[1]();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(s.status(0).status, 'done');
  assert.equal(s.status(2).status, 'running');
  assert.equal(s.etaSeconds(), 20);
  resolvers[2]();
  resolvers[3]();
  await s.done;
});

test('a start() that throws synchronously is a failed run, not a crash; no runs resolves at once', async () => {
  const s = new RunScheduler<number>({ workers: 1, runs: [{ index: 0, cost: 1 }], start: () => { throw new Error('no data'); } });
  const [o] = await s.done;
  assert.equal(o.status, 'failed');
  assert.deepEqual(await new RunScheduler<number>({ workers: 3, runs: [], start: () => Promise.resolve(1) }).done, []);
  assert.throws(() => new RunScheduler({ workers: 0, runs: [], start: () => Promise.resolve(1) }), RangeError);
});
