// The collective of `normlab train --workers N`, between real worker threads: sums in rank order, the same bits in
// every worker, round after round; an abort or a cancel in one worker frees the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { createCollective, shareOf } from '../../../src/nn/collective';

const entry = new URL('./collectiveWorker.mjs', import.meta.url);

function runWorkers(world: number, scenario: string, ranks = Array.from({ length: world }, (_, r) => r), stop = new Int32Array(new SharedArrayBuffer(4 * world))) {
  const init = createCollective(world, 16);
  return {
    stop,
    results: ranks.map((rank) => new Promise<Record<string, unknown>>((resolve, reject) => {
      const w = new Worker(entry, { workerData: { init, rank, scenario, stop } });
      w.once('message', (m) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    })),
  };
}

test('shareOf splits n items into contiguous parts that cover them, sizes differing by at most one', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 9 }), (n, world) => {
    const parts = Array.from({ length: world }, (_, r) => shareOf(n, r, world));
    assert.equal(parts[0][0], 0);
    assert.equal(parts[world - 1][1], n);
    parts.forEach(([a, b], r) => {
      if (r > 0) assert.equal(a, parts[r - 1][1]);
      assert.ok(b - a === Math.floor(n / world) || b - a === Math.ceil(n / world));
    });
  }));
});

test('allReduceSum: every worker gets the sum over all of them, the same bits, for 50 rounds in a row', async () => {
  const world = 3;
  const got = (await Promise.all(runWorkers(world, 'sum').results)) as { sums: number[][] }[];
  for (let round = 0; round < 50; round++) {
    const a = Array.from({ length: 5 }, (_, i) => [0, 1, 2].reduce((s, r) => s + ((r + 1) * 0.1 + i + round), 0));
    const b = Array.from({ length: 3 }, (_, i) => Math.fround([0, 1, 2].reduce((s, r) => s + Math.fround(r * 1e-3 + i), 0)));
    for (const g of got) assert.deepEqual(g.sums[round], [...a, ...b], `round ${round}`);
  }
});

test('an abort in one worker makes the others\' allReduceSum throw CancelledError instead of waiting', async () => {
  const got = await Promise.all(runWorkers(3, 'abort').results);
  assert.deepEqual(got[1], { done: true });
  for (const r of [0, 2]) assert.equal(got[r].error, 'CancelledError', JSON.stringify(got[r]));
});

test('a worker cancelled while it waits throws, and aborts the collective for the others', async () => {
  // Ranks 1 and 2 wait for a rank 0 that never comes; cancelling rank 1 frees both.
  const { stop, results } = runWorkers(3, 'cancel', [1, 2]);
  await new Promise((r) => setTimeout(r, 200));
  Atomics.store(stop, 1, 1);
  const [one, two] = await Promise.all(results);
  assert.equal(one.message, 'rank 1 cancelled');
  assert.equal(two.error, 'CancelledError');
});

test('allReduceSum refuses more values than the collective holds', async () => {
  const { Collective } = await import('../../../src/nn/collective');
  const c = new Collective(createCollective(1, 4), 0);
  assert.throws(() => c.allReduceSum(new Float64Array(5)), /5 values exceeds the collective's capacity of 4/);
  const one = Float64Array.of(1, 2);
  c.allReduceSum(one); // a world of one: its own values
  assert.deepEqual([...one], [1, 2]);
});
