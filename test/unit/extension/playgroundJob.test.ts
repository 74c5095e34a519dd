// The playground job: direct calls for the numbers, and through the real worker pool for the shared-memory path.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { computeSummary, compareSummary, defaultGroups, trainSteps, runPlaygroundJob } from '../../../src/extension/jobs/playground';
import { WorkerPool } from '../../../src/extension/pool';
import { generateTensor } from '../../../src/kernels/generate';
import { normalize } from '../../../src/kernels/normalize';
import type { Controls } from '../../../src/protocol/playground';
import type { PlaygroundJobResults } from '../../../src/protocol/playgroundJob';

const shape = [4, 6, 5, 7];
const x = generateTensor({ shape, layout: 'NCHW', distribution: 'normal', seed: 11, channelScale: [1, 4, 9], channelShift: [0, -3, 20] });
const base: Controls = { method: 'group', groups: 3, eps: 1e-5, momentum: 0.1, affine: false, gamma: [], beta: [], layout: 'NCHW', training: true };

test('compute: stats rows, slice values and per-channel moments equal the kernel', async () => {
  const r = await computeSummary(x, shape, base, { sliceN: 1, sliceC: 2 });
  const ref = normalize({ data: x, shape }, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 3 });
  assert.equal(r.numSets, 12);
  assert.equal(r.setSize, 2 * 35);
  assert.equal(r.rows.length, 12);
  assert.equal(r.rows[4].label, 'n=1, g=1 (c 2–3)');
  // The interactive path runs the WebAssembly kernel: equal to the reference up to float64 rounding.
  const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  for (let i = 0; i < 12; i++) {
    assert.ok(near(r.rows[i].mean, ref.stats.mean[i], 1e-12), `mean ${i}`);
    assert.ok(near(r.rows[i].var, ref.stats.var[i], 1e-12), `var ${i}`);
  }
  // slice x[1, 2] is 5 × 7; the table shows its top-left 5 × 7 corner exactly.
  assert.equal(r.slice.before.sliceRows, 5);
  assert.equal(r.slice.before.sliceCols, 7);
  const off = (1 * 6 + 2) * 35;
  assert.equal(r.slice.tableBefore[8], x[off + 8]);
  assert.ok(near(r.slice.tableAfter[8], ref.y[off + 8], 1e-6));
  assert.ok(near(r.slice.after.values[8], ref.y[off + 8], 1e-6));
  // Input channel 2 has shift 20 and scale 9; after GN every channel is near mean 0.
  assert.ok(Math.abs(r.before.mean[2] - 20) < 2);
  assert.ok(Math.abs(r.after.mean[0] + r.after.mean[1]) < 1e-6, 'group 0 output mean is 0');
  assert.equal(r.inputHist.counts.reduce((a, b) => a + b, 0), x.length);
  assert.equal(r.outputHist.counts.reduce((a, b) => a + b, 0), x.length);
});

test('GN with G = 1 equals LN over (C, H, W); G = C equals IN', async () => {
  const gn1 = await computeSummary(x, shape, { ...base, groups: 1 }, { sliceN: 0, sliceC: 0 });
  const ln = await computeSummary(x, shape, { ...base, method: 'layer' }, { sliceN: 0, sliceC: 0 });
  assert.deepEqual(gn1.slice.tableAfter, ln.slice.tableAfter);
  assert.deepEqual(gn1.rows.map((r) => r.mean), ln.rows.map((r) => r.mean));
  const gn6 = await computeSummary(x, shape, { ...base, groups: 6 }, { sliceN: 3, sliceC: 5 });
  const inn = await computeSummary(x, shape, { ...base, method: 'instance' }, { sliceN: 3, sliceC: 5 });
  assert.deepEqual(gn6.slice.tableAfter, inn.slice.tableAfter);
});

// paramsFromControls itself (γ/β broadcast, counts) is tested in test/unit/kernels/inputView.test.ts.
test('a plan the kernel refuses comes back as its error', async () => {
  await assert.rejects(computeSummary(x, shape, { ...base, groups: 4 }, { sliceN: 0, sliceC: 0 }), /divisible by num_groups \(C=6, G=4\)/);
});

test('BN in eval mode without training steps uses PyTorch\'s initial running stats (mean 0, var 1)', async () => {
  const r = await computeSummary(x, shape, { ...base, method: 'batch', training: false }, { sliceN: 0, sliceC: 2 });
  const off = 2 * 35;
  assert.ok(Math.abs(r.slice.tableAfter[3] - x[off + 3] / Math.sqrt(1 + 1e-5)) < 1e-5);
});

test('compare: BN, LN, IN, GN on the same input; 2-D inputs have no spatial dims (IN/GN still run)', async () => {
  assert.equal(defaultGroups(4, 0), 2);
  assert.equal(defaultGroups(64, 0), 32);
  assert.equal(defaultGroups(32, 0), 16);
  assert.equal(defaultGroups(7, 0), 7);
  assert.equal(defaultGroups(6, 3), 3);
  const r = await compareSummary(x, shape, base, { sliceN: 0, sliceC: 0 });
  assert.deepEqual(r.panels.map((p) => p.title), ['BN', 'LN', 'IN', 'GN (G=3)']);
  assert.deepEqual(r.panels.map((p) => p.numSets), [6, 4, 24, 12]);
  for (const p of r.panels) assert.equal(p.error, undefined);
  const one = await compareSummary(Float32Array.of(1, 2, 3, 4), [1, 4], base, { sliceN: 0, sliceC: 0 });
  assert.match(one.panels[0].error ?? '', /more than 1 value per channel/);
});

test('train steps stop between steps when cancelled, and report rising progress', async () => {
  const c: Controls = { ...base, method: 'batch' };
  const ac = new AbortController();
  const seen: number[] = [];
  const run = trainSteps(x, shape, c, null, 1000, 4, 1, { signal: ac.signal, progress: (f) => {
    seen.push(f);
    if (seen.length === 5) ac.abort();
  } });
  await assert.rejects(run, { name: 'CancelledError' });
  assert.equal(seen.length, 5, 'no step ran after the cancel');
  assert.ok(seen.every((f, i) => f >= 0 && f < 1 && (i === 0 || f > seen[i - 1])), seen.join(', '));
});

// A newer request or a closed panel aborts the job's signal: each long job stops at its next checkpoint.
for (const op of ['compute', 'compare', 'sensitivity'] as const) {
  test(`${op} stops with CancelledError at its next checkpoint once its signal is aborted`, async () => {
    const job = { op, x, shape, controls: base, view: { sliceN: 0, sliceC: 0 } } as const;
    await assert.rejects(runPlaygroundJob(job, { signal: AbortSignal.abort() }), { name: 'CancelledError' });
    const ac = new AbortController();
    let seen = 0;
    await assert.rejects(runPlaygroundJob(job, { signal: ac.signal, progress: () => {
      seen++;
      ac.abort();
    } }), { name: 'CancelledError' });
    assert.equal(seen, 1, 'no chunk ran after the cancel');
    const done = await runPlaygroundJob(job, { signal: new AbortController().signal });
    assert.ok(done.result, 'an un-aborted signal lets it finish');
  });
}

test('train steps: running stats move toward the full-data statistics and the train/eval gap closes', async () => {
  const c: Controls = { ...base, method: 'batch', momentum: 0.5 };
  const a = await trainSteps(x, shape, c, null, 1, 2, 1);
  assert.equal(a.running.numBatchesTracked, 1);
  assert.equal(a.history.length, 1);
  const b = await trainSteps(x, shape, c, a.running, 40, 4, 2);
  assert.equal(b.running.numBatchesTracked, 41);
  // batch size 4 = N: every batch is the whole input, so running stats converge to the target.
  for (let ch = 0; ch < 6; ch++) {
    assert.ok(Math.abs(b.running.mean[ch] - b.target.mean[ch]) < 1e-6 * (1 + Math.abs(b.target.mean[ch])), `mean ${ch}`);
    assert.ok(Math.abs(b.running.var[ch] / b.target.var[ch] - 1) < 1e-6, `var ${ch}`);
  }
  assert.ok(b.gap.maxAbs < a.gap.maxAbs);
  // What remains is PyTorch's own train/eval difference: eval divides by the UNBIASED running var (n = N·H·W = 140).
  const full = normalize({ data: x, shape }, { method: 'batch', layout: 'NCHW', eps: 1e-5 });
  const yMax = full.y.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const expected = yMax * (1 - Math.sqrt(139 / 140));
  assert.ok(Math.abs(b.gap.maxAbs - expected) < 0.05 * expected, `gap ${b.gap.maxAbs} vs ${expected}`);
  const cumulative = await trainSteps(x, shape, { ...c, momentum: null }, null, 3, 4, 1);
  assert.ok(Math.abs(cumulative.running.mean[2] - cumulative.target.mean[2]) < 1e-5);
});

test('a 1M-element input is summarized: capped rows, every set counted (its speed is in npm run bench)', async () => {
  const big = [16, 64, 32, 32];
  const xb = generateTensor({ shape: big, layout: 'NCHW', distribution: 'normal', seed: 1, channelScale: [], channelShift: [] });
  const r = await computeSummary(xb, big, { ...base, groups: 32 }, { sliceN: 0, sliceC: 0 });
  assert.equal(r.rows.length, 256);
  assert.equal(r.numSets, 512);
});

const pool = new WorkerPool({ size: 1, workerFile: fileURLToPath(new URL('./poolRealWorker.mjs', import.meta.url)) });
after(() => pool.dispose());

test('through the worker pool: generate into shared memory, then compute on it without a copy', async () => {
  const spec = { shape: [2, 4, 3, 3], layout: 'NCHW' as const, distribution: 'uniform' as const, seed: 5, channelScale: [], channelShift: [] };
  const g = (await pool.run('playground', { op: 'generate', spec })) as PlaygroundJobResults['generate'];
  assert.ok(g.x.buffer instanceof SharedArrayBuffer);
  assert.deepEqual([...g.x], [...generateTensor(spec)]);
  const r = (await pool.run('playground', { op: 'compute', x: g.x, shape: g.shape, controls: { ...base, groups: 2 }, view: { sliceN: 0, sliceC: 0 } })) as PlaygroundJobResults['compute'];
  const direct = (await runPlaygroundJob({ op: 'compute', x: g.x, shape: g.shape, controls: { ...base, groups: 2 }, view: { sliceN: 0, sliceC: 0 } })).result as PlaygroundJobResults['compute'];
  assert.deepEqual(r.rows, direct.rows);
  const p = (await pool.run('playground', { op: 'parse', text: '[[1, 2], [3, 4]]' })) as PlaygroundJobResults['parse'];
  assert.deepEqual(p.shape, [2, 2]);
  await assert.rejects(pool.run('playground', { op: 'parse', text: '[[1, 2], [3]]' }), (e: Error) => e.name === 'TextTensorError' && /line 1, column 10/.test(e.message));
});
