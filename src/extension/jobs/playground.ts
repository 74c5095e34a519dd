// Job: everything the playground computes, in the worker. The host keeps the input in shared memory and sends
// it with each request; only summaries come back (capped table rows, histogram bins, block-mean tiles, the first
// channels), never a whole output, except for `output` which export asks for. No vscode import.
import { batchSensitivityPoints, DEFAULT_SIZES, type SensitivityPoint } from '../../kernels/batchSensitivity';
import { fail } from '../../kernels/errors';
import { cubeSpec, setLabel } from '../../kernels/figure2';
import { toShared } from '../../kernels/fast/sharedTensor';
import { generateTensor, mulberry32 } from '../../kernels/generate';
import { normalize, type NormalizeOptions } from '../../kernels/normalize';
import type { BlockTile } from '../../kernels/blockMeans';
import { channelMoments, inputPlan, paramCount, paramsFromControls, sliceView as sliceTiles } from '../../kernels/inputView';
import type { NormPlan } from '../../kernels/plan';
import { histogram } from '../../kernels/summary';
import { parseTensorText } from '../../kernels/textTensor';
import type { FloatArray, Method } from '../../kernels/types';
import {
  HIST_BINS, MAX_CHANNELS, MAX_ROWS, MAX_TILE_SIDE, TABLE_SIDE,
  type CompareResult, type ComparePanel, type ComputeResult, type Controls,
  type SliceView, type Tile, type TrainResult, type TrainState,
} from '../../protocol/playground';
import type { PlaygroundJob, PlaygroundJobResult, PlaygroundJobResults } from '../../protocol/playgroundJob';
import type { HistogramBins } from '../../protocol/worker';
import { CancelledError, isCancelled } from '../../protocol/rpc';
import type { Handler, JobContext, JobOutput } from '../workerRuntime';

function finiteRange(v: FloatArray): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : undefined;
}

function hist(v: FloatArray): HistogramBins {
  const range = finiteRange(v);
  return range ? histogram(v, HIST_BINS, range) : { edges: [], counts: [] };
}

/** A block-mean tile as the webview gets it (plain numbers; 0 for the range of a tile with no finite value). */
function toTile(t: BlockTile): Tile {
  return { rows: t.rows, cols: t.cols, sliceRows: t.sliceRows, sliceCols: t.sliceCols, values: Array.from(t.values), min: t.min ?? 0, max: t.max ?? 0 };
}

/** The (n, c) slice before and after, summarized for the webview. */
export function sliceView(x: FloatArray, y: FloatArray, plan: NormPlan, n: number, c: number): SliceView {
  const v = sliceTiles(x, y, plan, n, c, { tileSide: MAX_TILE_SIDE, tableSide: TABLE_SIDE });
  return { ...v, before: toTile(v.before), after: toTile(v.after) };
}

/** Stops with CancelledError once the job was cancelled: synchronous, so it also runs between a kernel's chunks. */
function stopIfCancelled(ctx: Partial<JobContext>): void {
  if (ctx.throwIfCancelled) ctx.throwIfCancelled();
  else if (ctx.signal?.aborted) throw new CancelledError();
}

/**
 * Between two steps of a long job: stops if it was cancelled (outside a worker, after letting an abort arrive), then
 * reports progress.
 */
async function checkpoint(ctx: Partial<JobContext>, fraction: number): Promise<void> {
  if (!ctx.throwIfCancelled && ctx.signal) await new Promise((resolve) => setImmediate(resolve));
  stopIfCancelled(ctx);
  ctx.progress?.(fraction);
}

/** A normalization inside a job: checked for cancellation between its chunks, its progress mapped onto [from, to]. */
function chunked(ctx: Partial<JobContext>, from?: number, to?: number): NormalizeOptions {
  return {
    between: (done) => {
      stopIfCancelled(ctx);
      if (from !== undefined && to !== undefined) ctx.progress?.(from + (to - from) * done);
    },
  };
}

const clampIndex = (i: number, size: number) => Math.max(0, Math.min(size - 1, i));

export async function computeSummary(
  x: Float32Array, shape: number[], c: Controls, view: { sliceN: number; sliceC: number }, running?: TrainState,
  ctx: Partial<JobContext> = {},
): Promise<ComputeResult> {
  const t0 = performance.now();
  const params = paramsFromControls(shape, c, c.training ? undefined : running);
  await checkpoint(ctx, 0);
  // The reference kernel: fast enough here (~0.1–0.3 s for 1M elements) and the numbers the tests hold it to.
  const r = normalize({ data: x, shape }, params, chunked(ctx, 0, 0.5));
  await checkpoint(ctx, 0.5);
  const spec = cubeSpec(shape, c.layout, c.method, c.groups);
  const plan = inputPlan(shape, c.layout);
  const { N, C, S } = plan;
  const rows = [];
  for (let set = 0; set < Math.min(spec.numSets, MAX_ROWS); set++) {
    rows.push({ set, label: setLabel(spec, set), mean: r.stats.mean[set], var: r.stats.var[set], rstd: r.stats.rstd[set] });
  }
  const n = clampIndex(view.sliceN, N);
  const ch = clampIndex(view.sliceC, C);
  const inputHist = hist(x);
  const outputHist = hist(r.y);
  await checkpoint(ctx, 0.75);
  const out: ComputeResult = {
    method: c.method, N, C, S, groups: spec.groups, numSets: spec.numSets, setSize: spec.setSize,
    paramCount: paramCount(shape, c), rows, inputHist, outputHist,
    channelsShown: Math.min(C, MAX_CHANNELS),
    before: channelMoments(x, plan, MAX_CHANNELS), after: channelMoments(r.y, plan, MAX_CHANNELS),
    slice: sliceView(x, r.y, plan, n, ch),
    ms: 0,
  };
  if (r.running) out.running = { mean: [...r.running.mean.slice(0, MAX_CHANNELS)], var: [...r.running.var.slice(0, MAX_CHANNELS)] };
  out.ms = performance.now() - t0;
  return out;
}

/**
 * GN's group count for compare/sensitivity: the user's if it divides C, else the largest divisor of C up to 32
 * that is neither 1 nor C (those would make GN look exactly like LN or IN), if there is one.
 */
export function defaultGroups(C: number, wanted: number): number {
  if (wanted >= 1 && C % wanted === 0) return wanted;
  for (let g = Math.min(32, C - 1); g > 1; g--) if (C % g === 0) return g;
  return C <= 32 ? C : 1;
}

const COMPARE: { method: Method; title: string }[] = [
  { method: 'batch', title: 'BN' }, { method: 'layer', title: 'LN' }, { method: 'instance', title: 'IN' }, { method: 'group', title: 'GN' },
];

export async function compareSummary(
  x: Float32Array, shape: number[], c: Controls, view: { sliceN: number; sliceC: number }, ctx: Partial<JobContext> = {},
): Promise<CompareResult> {
  if (shape.length < 2) fail(`compare needs an input with a batch and a channel dim (2-D to 5-D), got a ${shape.length}-D input`);
  const plan = inputPlan(shape, c.layout);
  const { N, C } = plan;
  const groups = defaultGroups(C, c.method === 'group' ? c.groups : 0);
  const n = clampIndex(view.sliceN, N);
  const ch = clampIndex(view.sliceC, C);
  const panels: ComparePanel[] = [];
  for (const [k, { method, title }] of COMPARE.entries()) {
    await checkpoint(ctx, k / COMPARE.length);
    panels.push(comparePanel(x, shape, plan, c, groups, n, ch, method, title, chunked(ctx, k / COMPARE.length, (k + 1) / COMPARE.length)));
  }
  return { groups, panels };
}

function comparePanel(
  x: Float32Array, shape: number[], plan: NormPlan, c: Controls, groups: number, n: number, ch: number, method: Method, title: string,
  opts: NormalizeOptions,
): ComparePanel {
  // No affine, batch statistics: the four differ only in their sets. IN in eval = input stats without the S > 1 rule.
  const controls: Controls = { ...c, method, groups, affine: false, training: method === 'batch' };
  const spec = cubeSpec(shape, c.layout, method, groups);
  const full = method === 'group' ? `${title} (G=${groups})` : title;
  try {
    const r = normalize({ data: x, shape }, paramsFromControls(shape, controls), opts);
    return {
      method, title: full, numSets: spec.numSets, setSize: spec.setSize, outputHist: hist(r.y),
      after: sliceView(x, r.y, plan, n, ch).after, afterMoments: channelMoments(r.y, plan, MAX_CHANNELS),
    };
  } catch (e) {
    if (isCancelled(e)) throw e;
    return { method, title: full, numSets: spec.numSets, setSize: spec.setSize, outputHist: { edges: [], counts: [] },
      after: { rows: 0, cols: 0, sliceRows: 0, sliceCols: 0, values: [], min: 0, max: 0 }, afterMoments: { mean: [], std: [] },
      error: e instanceof Error ? e.message : String(e) };
  }
}

/** Samples a batch of `b` samples (without replacement) from the N samples; sample n is one contiguous block. */
function drawBatch(x: Float32Array, N: number, b: number, rand: () => number): Float32Array {
  const per = x.length / N;
  const order = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const out = new Float32Array(b * per);
  for (let k = 0; k < b; k++) out.set(x.subarray(order[k] * per, (order[k] + 1) * per), k * per);
  return out;
}

/** BN training steps on fresh batches, then the gap between train- and eval-mode outputs on the whole input. */
export async function trainSteps(
  x: Float32Array, shape: number[], c: Controls, start: TrainState | null, steps: number, batchSize: number, seed: number,
  ctx: Partial<JobContext> = {},
): Promise<TrainResult> {
  if (shape.length < 2) fail(`train steps need an input with a batch and a channel dim (2-D to 5-D), got a ${shape.length}-D input`);
  const { N, C, S } = inputPlan(shape, c.layout);
  const b = Math.min(batchSize, N);
  const bn: Controls = { ...c, method: 'batch', training: true };
  let running: TrainState = start && start.mean.length === C ? start : { mean: new Array(C).fill(0), var: new Array(C).fill(1), numBatchesTracked: 0 };
  const rand = mulberry32(seed);
  const history: TrainResult['history'] = [];
  const batchShape = [b, ...shape.slice(1)];
  for (let i = 0; i < steps; i++) {
    await checkpoint(ctx, i / (steps + 2));
    const batch = drawBatch(x, N, b, rand);
    const r = normalize({ data: batch, shape: batchShape }, paramsFromControls(batchShape, bn, running), chunked(ctx));
    const next = r.running ?? fail('batch norm returned no running statistics');
    running = { mean: [...next.mean], var: [...next.var], numBatchesTracked: next.numBatchesTracked };
    history.push({ step: running.numBatchesTracked, mean: running.mean.slice(0, MAX_CHANNELS), var: running.var.slice(0, MAX_CHANNELS) });
  }
  await checkpoint(ctx, steps / (steps + 2));
  const full = normalize({ data: x, shape }, paramsFromControls(shape, bn), chunked(ctx, steps / (steps + 2), (steps + 1) / (steps + 2)));
  await checkpoint(ctx, (steps + 1) / (steps + 2));
  const evalOut = normalize({ data: x, shape }, paramsFromControls(shape, { ...bn, training: false }, running), chunked(ctx, (steps + 1) / (steps + 2), 1));
  let maxAbs = 0;
  let sq = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(full.y[i] - evalOut.y[i]);
    if (d > maxAbs || Number.isNaN(d)) maxAbs = d;
    sq += d * d;
  }
  const count = N * S;
  const target = {
    mean: [...full.stats.mean.slice(0, MAX_CHANNELS)],
    var: [...full.stats.var.slice(0, MAX_CHANNELS)].map((v) => (count > 1 ? (v * count) / (count - 1) : v)),
  };
  return { running, history, target, gap: { maxAbs, rms: Math.sqrt(sq / x.length) } };
}

type Result<K extends keyof PlaygroundJobResults> = JobOutput<PlaygroundJobResults[K]>;

export async function runPlaygroundJob(job: PlaygroundJob, ctx: Partial<JobContext> = {}): Promise<JobOutput<PlaygroundJobResult>> {
  switch (job.op) {
    case 'parse': {
      const p = parseTensorText(job.text);
      return { result: { x: toShared(p.data), shape: p.shape, format: p.format } } satisfies Result<'parse'>;
    }
    case 'generate':
      return { result: { x: toShared(generateTensor(job.spec)), shape: [...job.spec.shape] } } satisfies Result<'generate'>;
    case 'compute':
      return { result: await computeSummary(job.x, job.shape, job.controls, job.view, job.running, ctx) } satisfies Result<'compute'>;
    case 'compare':
      return { result: await compareSummary(job.x, job.shape, job.controls, job.view, ctx) } satisfies Result<'compare'>;
    case 'sensitivity': {
      if (job.shape.length < 2) fail(`batch-size sensitivity needs an input with a batch and a channel dim (2-D to 5-D), got a ${job.shape.length}-D input`);
      const { C } = inputPlan(job.shape, job.controls.layout);
      const groups = defaultGroups(C, job.controls.method === 'group' ? job.controls.groups : 0);
      const points: SensitivityPoint[] = [];
      await checkpoint(ctx, 0);
      for (const p of batchSensitivityPoints(job.x, job.shape, { layout: job.controls.layout, groups, sizes: DEFAULT_SIZES, seed: 1 })) {
        points.push(p);
        await checkpoint(ctx, points.length / DEFAULT_SIZES.length);
      }
      return { result: points } satisfies Result<'sensitivity'>;
    }
    case 'train':
      return { result: await trainSteps(job.x, job.shape, job.controls, job.running, job.steps, job.batchSize, job.seed, ctx) } satisfies Result<'train'>;
    case 'output': {
      const r = normalize({ data: job.x, shape: job.shape }, paramsFromControls(job.shape, job.controls, job.controls.training ? undefined : job.running), chunked(ctx, 0, 1));
      return { result: { y: r.y, shape: [...job.shape] }, transfer: [r.y.buffer as ArrayBuffer] } satisfies Result<'output'>;
    }
  }
}

export const playgroundJob: Handler<PlaygroundJob, PlaygroundJobResult> = async (job, ctx) => runPlaygroundJob(job, ctx);
