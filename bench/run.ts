// `npm run bench [-- --json] [--shape A[,B..]] [--quick] [--cpu]`: NormLab's kernels on the benchmark shapes (bench/shapes.ts).
//
// Bytes are counted as 8 per element (one float32 read, one write). Beside every kernel the same run measures this
// machine's Float32Array copy bandwidth (dst.set(src), 64 MB) and a naive two-pass JS kernel (naive.ts),
// and checks each benchmarked output against the reference. Times are medians of samples of at least SAMPLE_MS.
//
// Rows: workers 0 = normalizeFast in this thread (the CLI's path); workers k = parallelNormalize over a pool of k
// workers (the extension's path) with x already in shared memory (allocSharedTensor). y is written into a buffer
// reused between runs (as PyTorch's allocator reuses memory); `alloc_gbps` reports what a fresh y costs here.
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { WorkerPool } from '../src/extension/pool';
import { parallelNormalize } from '../src/extension/parallelNormalize';
import { normalizeFast, strategy } from '../src/kernels/fast';
import { fusedArgs } from '../src/kernels/fast/fused';
import { runMomentsPart } from '../src/kernels/fast/parts';
import { allocSharedTensor, sharedSlotOf, writeHeader } from '../src/kernels/fast/sharedTensor';
import { checkNormInput, normalize } from '../src/kernels/normalize';
import type { NormParams, NormResult } from '../src/kernels/types';
import { naiveNormalize } from './naive';
import { SHAPES, makeInput, type BenchShape } from './shapes';
import { computeSummary } from '../src/extension/jobs/playground';
import { generateTensor } from '../src/kernels/generate';

interface Row {
  shape: string;
  method: string;
  dims: number[];
  workers: number;
  ms: number;
  gbps: number;
  max_abs_err_vs_reference: number;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
// --cpu: also the CPU time of one thread per kernel (what one core does when it gets to run; on a shared machine the
// wall clock also counts time spent waiting for a core).
const cpuMode = args.includes('--cpu');
const shapeArg = args.indexOf('--shape');
const wanted = shapeArg >= 0 ? (args[shapeArg + 1] ?? '').toUpperCase().split(',') : SHAPES.map((s) => s.key);
const unknown = wanted.filter((k) => !SHAPES.some((s) => s.key === k));
if (unknown.length) {
  console.error(`unknown shape ${unknown.join(', ')}: expected some of ${SHAPES.map((s) => s.key).join(', ')}`);
  process.exit(2);
}
const REPS = quick ? 5 : 11;
const WARM = quick ? 2 : 3;
const log = (s: string) => {
  if (!json) console.log(s);
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Each sample lasts at least this long: a sub-millisecond call is averaged over several back-to-back calls. */
const SAMPLE_MS = 5;

/** Median ms per call over `reps` samples, after `warm` calls (which also size the samples). */
async function timeIt(fn: () => unknown, reps = REPS, warm = WARM): Promise<number> {
  const w: number[] = [];
  for (let i = 0; i < warm; i++) {
    const a = performance.now();
    await fn();
    w.push(performance.now() - a);
  }
  const calls = Math.min(100, Math.max(1, Math.ceil(SAMPLE_MS / Math.max(1e-3, median(w.length ? w : [SAMPLE_MS])))));
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = performance.now();
    for (let c = 0; c < calls; c++) await fn();
    t.push((performance.now() - a) / calls);
  }
  return median(t);
}

const gbps = (numel: number, ms: number) => (numel * 8) / (ms * 1e6);

function maxAbsErr(a: Float32Array, b: Float32Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > e || Number.isNaN(d)) e = Number.isNaN(d) ? Infinity : d;
  }
  return e;
}

/** Copy timings, sampled before and after the kernels so that a change in the machine's load shows in both. */
const copySamples: number[] = [];
async function sampleCopy(): Promise<void> {
  const src = new Float32Array(16 << 20).fill(1.5);
  const dst = new Float32Array(src.length).fill(0);
  for (let i = 0; i < 3; i++) dst.set(src);
  for (let i = 0; i < (quick ? 5 : 9); i++) {
    const a = performance.now();
    dst.set(src);
    copySamples.push(performance.now() - a);
  }
}

/** A fresh y each time: allocation plus first write (page faults), the cost the `ms` column leaves out. */
async function allocGbps(): Promise<number> {
  const n = 16 << 20;
  return gbps(n, await timeIt(() => new Float32Array(n).fill(1), quick ? 5 : 9, 1));
}

async function workerFile(): Promise<string> {
  // The extension's real worker entry, bundled as for dist/worker.js, into a temp dir (leaves dist/ alone).
  const outfile = join(tmpdir(), `normlab-bench-worker-${process.pid}.js`);
  await build({ entryPoints: ['src/extension/worker.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
  return outfile;
}

/** Median CPU time (user + system) of fn in this thread, in ms; the bench process runs no other work meanwhile. */
function cpuMs(fn: () => unknown): number {
  for (let i = 0; i < WARM; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const a = process.cpuUsage();
    fn();
    const d = process.cpuUsage(a);
    t.push((d.user + d.system) / 1000);
  }
  return median(t);
}

interface CpuRow {
  shape: string;
  /** normalizeFast (chunks copied through wasm memory) and the workers' zero-copy kernel, each on one thread. */
  in_thread_gbps: number;
  zero_copy_gbps: number;
  copy_gbps: number;
}
const cpuRows: CpuRow[] = [];

async function benchShape(s: BenchShape, pools: WorkerPool[], rows: Row[], naive: Record<string, number>): Promise<void> {
  const { x, params } = makeInput(s);
  const numel = x.length;
  const tensor = { data: x, shape: s.dims };
  const ref: NormResult = normalize(tensor, params);
  const out = new Float32Array(numel);
  // The naive kernel is slow: fewer runs.
  const tNaive = await timeIt(() => naiveNormalize(x, s.dims, params, out), quick ? 3 : 5, 1);
  naive[s.key] = gbps(numel, tNaive);
  const naiveErr = maxAbsErr(out, ref.y);
  if (!(naiveErr < 1e-3)) throw new Error(`naive kernel disagrees with the reference on ${s.key} (max abs err ${naiveErr})`);

  const t0 = await timeIt(() => normalizeFast(tensor, params, out));
  rows.push({ shape: s.key, method: s.method, dims: s.dims, workers: 0, ms: t0, gbps: gbps(numel, t0), max_abs_err_vs_reference: maxAbsErr(out, ref.y) });

  // x in shared wasm memory (allocSharedTensor), as the extension can read it: fused plans then run with no copy and
  // write y into the slot after x (strategy 'shared'); the others write into `ys`, reused between runs.
  const xs = allocSharedTensor(numel);
  xs.set(x);
  const { plan, p } = checkNormInput(tensor, params);
  const ys = strategy(plan, p, { zeroCopy: true }).kind === 'shared' ? undefined : new Float32Array(new SharedArrayBuffer(numel * 4));
  if (cpuMode) cpuRows.push(cpuRow(s, x, xs, params, out));
  for (const pool of pools) {
    let y: Float32Array | undefined;
    const t = await timeIt(async () => {
      y = (await parallelNormalize(pool, xs, s.dims, params, { out: ys })).y;
    });
    rows.push({ shape: s.key, method: s.method, dims: s.dims, workers: pool.size, ms: t, gbps: gbps(numel, t), max_abs_err_vs_reference: maxAbsErr(y!, ref.y) });
  }
}

function cpuRow(s: BenchShape, x: Float32Array, xs: Float32Array, params: NormParams, out: Float32Array): CpuRow {
  const numel = x.length;
  const slot = sharedSlotOf(xs)!;
  const { plan, p } = checkNormInput({ data: xs, shape: s.dims }, params);
  const shared = () => {
    const { wp, bp, statp } = writeHeader(slot, plan, p.weight, p.bias);
    return { memory: slot.memory, xp: slot.xp, yp: slot.yp, statp, fused: fusedArgs(plan, p, wp, bp) };
  };
  const zero = strategy(plan, p, { zeroCopy: true }).kind === 'shared'
    ? cpuMs(() => runMomentsPart({ kind: 'shared', x: xs, shape: s.dims, params, unit0: 0, unit1: plan.numSets, shared: shared() }))
    : NaN;
  const src = new Float32Array(16 << 20).fill(1.5);
  const dst = new Float32Array(src.length).fill(0);
  return {
    shape: s.key,
    in_thread_gbps: gbps(numel, cpuMs(() => normalizeFast({ data: x, shape: s.dims }, params, out))),
    zero_copy_gbps: gbps(numel, zero),
    copy_gbps: gbps(src.length, cpuMs(() => dst.set(src))),
  };
}

function table(copy: number, alloc: number, naive: Record<string, number>, rows: Row[]): string {
  const lines = [
    `copy bandwidth (Float32Array set, 64 MB, median of samples before and after): ${copy.toFixed(1)} GB/s;  fresh 64 MB allocate+fill: ${alloc.toFixed(1)} GB/s`,
    'shape  method    workers        ms    GB/s  x copy  x naive  max|err| vs ref',
  ];
  for (const r of rows) {
    const who = r.workers === 0 ? 'in-thread' : String(r.workers);
    lines.push(
      `${r.shape.padEnd(6)} ${r.method.padEnd(9)} ${who.padStart(9)} ${r.ms.toFixed(2).padStart(9)} ${r.gbps.toFixed(2).padStart(7)} ` +
      `${(r.gbps / copy).toFixed(2).padStart(7)} ${(r.gbps / naive[r.shape]).toFixed(1).padStart(8)}  ${r.max_abs_err_vs_reference.toExponential(1)}`,
    );
  }
  lines.push('naive two-pass JS kernel GB/s: ' + Object.entries(naive).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', '));
  return lines.join('\n');
}

/**
 * Starts every worker before anything is timed: a worker takes ~0.2 s to start here, longer than a whole small
 * shape's timing loop, and the extension's pool lives as long as the window, so start-up is not per call.
 */
async function startWorkers(pools: WorkerPool[]): Promise<void> {
  const tiny = () => ({ x: new Float32Array(4), shape: [2, 2], params: { method: 'layer', layout: 'NCHW', eps: 1e-5 } as const });
  await Promise.all(pools.flatMap((pool) => Array.from({ length: pool.size }, () => pool.run('normalize', tiny()))));
}

/** The playground's recompute of a 1M-element input (what its worker job does on every edit), median ms. */
async function playgroundRecomputeMs(): Promise<number> {
  const shape = [16, 64, 32, 32];
  const x = generateTensor({ shape, layout: 'NCHW', distribution: 'normal', seed: 1, channelScale: [], channelShift: [] });
  const controls = { method: 'group', groups: 32, eps: 1e-5, momentum: 0.1, affine: false, gamma: [], beta: [], layout: 'NCHW', training: true } as const;
  return timeIt(() => computeSummary(x, shape, { ...controls, gamma: [], beta: [] }, { sliceN: 0, sliceC: 0 }), quick ? 3 : 5, 1);
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  log(`NormLab bench — ${new Date().toISOString()} — ${cpus()[0]?.model ?? 'cpu'} × ${cores}, Node ${process.version}${quick ? ' (quick)' : ''}, load average ${loadavg()[0].toFixed(1)}`);
  const file = await workerFile();
  const sizes = [...new Set([1, cores])];
  const pools = sizes.map((size) => new WorkerPool({ size, workerFile: file }));
  try {
    await startWorkers(pools);
    await sampleCopy();
    const alloc = await allocGbps();
    const rows: Row[] = [];
    const naive: Record<string, number> = {};
    for (const s of SHAPES.filter((sh) => wanted.includes(sh.key))) {
      log(`… ${s.key} ${s.label} (${s.dims.join('×')})`);
      await benchShape(s, pools, rows, naive);
    }
    await sampleCopy();
    const playgroundMs = await playgroundRecomputeMs();
    const copy = gbps(16 << 20, median(copySamples));
    const round = (v: number, d: number) => Number(v.toFixed(d));
    if (json) {
      console.log(JSON.stringify({
        copy_gbps: round(copy, 2),
        alloc_gbps: round(alloc, 2),
        naive_gbps: Object.fromEntries(Object.entries(naive).map(([k, v]) => [k, round(v, 3)])),
        results: rows.map((r) => ({ ...r, ms: round(r.ms, 3), gbps: round(r.gbps, 3) })),
        playground_1m_recompute_ms: round(playgroundMs, 1),
        ...(cpuMode ? { cpu_time: cpuRows } : {}),
      }));
    } else {
      console.log(table(copy, alloc, naive, rows));
      if (cpuMode) {
        console.log('CPU time of one thread (GB/s by the same byte rule): copy | normalizeFast in-thread | zero-copy worker kernel');
        for (const c of cpuRows) console.log(`${c.shape}  ${c.copy_gbps.toFixed(1)} | ${c.in_thread_gbps.toFixed(2)} | ${c.zero_copy_gbps.toFixed(2)}`);
      }
      console.log(`playground: recompute of a 1M-element input (GN, summaries for the webview): ${playgroundMs.toFixed(0)} ms median`);
      console.log(`load average at the end: ${loadavg()[0].toFixed(1)} (other processes share these cores: compare medians of several runs)`);
    }
  } finally {
    await Promise.all(pools.map((p) => p.dispose()));
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
