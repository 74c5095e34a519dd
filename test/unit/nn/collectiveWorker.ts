// One worker of collective.test.ts: joins the collective in workerData and plays its scenario, posting what it saw.
import { parentPort, workerData } from 'node:worker_threads';
import { Collective, type CollectiveInit } from '../../../src/nn/collective';

const { init, rank, scenario, stop } = workerData as { init: CollectiveInit; rank: number; scenario: string; stop: Int32Array };
// The host sets stop[rank] to cancel this worker's "job" while it waits.
const c = new Collective(init, rank, () => {
  if (Atomics.load(stop, rank)) throw new Error(`rank ${rank} cancelled`);
});
const post = (m: object) => parentPort!.postMessage(m);
try {
  if (scenario === 'sum') {
    const sums: number[][] = [];
    for (let round = 0; round < 50; round++) {
      // Different lengths in one call, float32 and float64, values that differ per rank and per round.
      const a = Float64Array.from({ length: 5 }, (_, i) => (rank + 1) * 0.1 + i + round);
      const b = Float32Array.from({ length: 3 }, (_, i) => rank * 1e-3 + i);
      c.allReduceSum(a, b);
      sums.push([...a, ...b]);
    }
    post({ sums });
  } else if (scenario === 'abort') {
    // Rank 1 fails before the first sum; the others must not wait forever.
    if (rank === 1) c.abort();
    else c.allReduceSum(new Float64Array(2));
    post({ done: true });
  } else if (scenario === 'cancel') {
    c.allReduceSum(new Float64Array(1)); // rank 0 never comes: the others wait until their own cancel
    post({ done: true });
  }
} catch (e) {
  post({ error: (e as Error).name, message: (e as Error).message });
}
