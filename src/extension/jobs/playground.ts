// Job: everything the playground computes, in the worker. The host keeps the input in shared memory and sends
// it with each request; only summaries come back (capped table rows, histogram bins, block-mean tiles, the first
// channels), never a whole output, except for `output` which export asks for. No vscode import.
import { batchSensitivity, DEFAULT_SIZES } from '../../kernels/batchSensitivity';
import { fail } from '../../kernels/errors';
import { cubeSpec, setLabel } from '../../kernels/figure2';
import { toShared } from '../../kernels/fast/sharedTensor';
import { generateTensor, mulberry32 } from '../../kernels/generate';
import { normalize } from '../../kernels/normalize';
import { logicalShapeOf, numel } from '../../kernels/shape';
import { histogram } from '../../kernels/summary';
import { parseTensorText } from '../../kernels/textTensor';
import type { FloatArray, Method, NormParams } from '../../kernels/types';
import {
  HIST_BINS, MAX_CHANNELS, MAX_ROWS, MAX_TILE_SIDE, TABLE_SIDE,
  type ChannelMoments, type CompareResult, type ComparePanel, type ComputeResult, type Controls, type Hist,
  type PlaygroundJob, type PlaygroundJobResult, type PlaygroundJobResults, type SliceView, type Tile, type TrainResult, type TrainState,
} from '../../protocol/playground';
import type { Handler, JobOutput } from '../workerRuntime';

/** Logical (N, C, S) of an input as the playground draws it (a 1-D input is one sample of C values). */
function ncs(shape: readonly number[], layout: Controls['layout']): { N: number; C: number; S: number; spatial: number[] } {
  const logical = shape.length >= 2 ? logicalShapeOf(shape, layout) : [1, shape[0]];
  return { N: logical[0], C: logical[1], S: numel(logical.slice(2)), spatial: logical.slice(2) };
}

/** Index of logical element (n, c, s) in storage. */
function indexer(shape: readonly number[], layout: Controls['layout']): (n: number, c: number, s: number) => number {
  const { C, S } = ncs(shape, layout);
  return layout === 'NHWC' && shape.length >= 3 ? (n, c, s) => (n * S + s) * C + c : (n, c, s) => (n * C + c) * S + s;
}

/** LN and RMS in the playground normalize every non-batch dim, as in the GN paper (= GN with G = 1). */
export function normalizedShapeOf(shape: readonly number[]): number[] {
  return shape.length >= 2 ? shape.slice(1) : [...shape];
}

function paramCount(shape: readonly number[], c: Controls): number {
  return c.method === 'layer' || c.method === 'rms' ? numel(normalizedShapeOf(shape)) : ncs(shape, c.layout).C;
}

function expand(name: string, v: number[], count: number, fill: number): Float32Array {
  if (v.length === 0) return new Float32Array(count).fill(fill);
  if (v.length === 1) return new Float32Array(count).fill(v[0]);
  if (v.length !== count) fail(`${name}: expected 1 or ${count} values (one per ${count === 1 ? 'parameter' : 'channel or normalized element'}), got ${v.length}`);
  return Float32Array.from(v);
}

/** The kernel arguments for the playground's controls (PyTorch defaults otherwise). */
export function paramsFromControls(shape: readonly number[], c: Controls, running?: TrainState): NormParams {
  const p: NormParams = { method: c.method, layout: c.layout, eps: c.eps };
  if (c.method === 'group') p.groups = c.groups;
  if (c.method === 'layer' || c.method === 'rms') p.normalizedShape = normalizedShapeOf(shape);
  if (c.method === 'batch' || c.method === 'instance') {
    p.training = c.training;
    if (c.method === 'batch') p.momentum = c.momentum;
  }
  if (c.affine) {
    const k = paramCount(shape, c);
    p.weight = expand('γ (weight)', c.gamma, k, 1);
    if (c.method !== 'rms') p.bias = expand('β (bias)', c.beta, k, 0);
  }
  const C = ncs(shape, c.layout).C;
  if (running && c.method === 'batch' && running.mean.length === C) {
    p.runningMean = Float64Array.from(running.mean);
    p.runningVar = Float64Array.from(running.var);
    p.numBatchesTracked = running.numBatchesTracked;
  } else if (c.method === 'batch' && !c.training) {
    // A fresh nn.BatchNorm in eval mode normalizes with its initial running stats: mean 0, var 1.
    p.runningMean = new Float64Array(C);
    p.runningVar = new Float64Array(C).fill(1);
  }
  return p;
}

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

function hist(v: FloatArray): Hist {
  const range = finiteRange(v);
  return range ? histogram(v, HIST_BINS, range) : { edges: [], counts: [] };
}

/** Mean and population std over (N, S) of the first MAX_CHANNELS channels; two passes over contiguous runs. */
export function channelMoments(v: FloatArray, shape: readonly number[], layout: Controls['layout']): ChannelMoments {
  const { N, C, S } = ncs(shape, layout);
  const k = Math.min(C, MAX_CHANNELS);
  const nhwc = layout === 'NHWC' && shape.length >= 3;
  const sum = new Float64Array(k);
  const d2 = new Float64Array(k);
  // visit(c, start, stride, count): the elements of channel c in one sample (NCHW: one run; NHWC: strided).
  const each = (visit: (c: number, start: number, stride: number) => void) => {
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < k; c++) visit(c, nhwc ? n * S * C + c : (n * C + c) * S, nhwc ? C : 1);
    }
  };
  each((c, start, stride) => {
    let acc = 0;
    for (let s = 0, i = start; s < S; s++, i += stride) acc += v[i];
    sum[c] += acc;
  });
  const mean = Array.from(sum, (x) => x / (N * S));
  each((c, start, stride) => {
    const m = mean[c];
    let acc = 0;
    for (let s = 0, i = start; s < S; s++, i += stride) acc += (v[i] - m) * (v[i] - m);
    d2[c] += acc;
  });
  return { mean, std: Array.from(d2, (x) => Math.sqrt(x / (N * S))) };
}

/** Block means of a rows × cols matrix down to at most MAX_TILE_SIDE a side. */
export function downsample(m: Float64Array, rows: number, cols: number): Tile {
  const tr = Math.min(rows, MAX_TILE_SIDE);
  const tc = Math.min(cols, MAX_TILE_SIDE);
  const values: number[] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < tr; i++) {
    const r0 = Math.floor((i * rows) / tr);
    const r1 = Math.floor(((i + 1) * rows) / tr);
    for (let j = 0; j < tc; j++) {
      const c0 = Math.floor((j * cols) / tc);
      const c1 = Math.floor(((j + 1) * cols) / tc);
      let sum = 0;
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) sum += m[r * cols + c];
      const v = sum / ((r1 - r0) * (c1 - c0));
      values.push(v);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { rows: tr, cols: tc, sliceRows: rows, sliceCols: cols, values, min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0 };
}

/** The slice shown as a heatmap: x[n, c] over the spatial dims, or the whole (N, C) matrix if there are none. */
function sliceMatrix(v: FloatArray, shape: readonly number[], layout: Controls['layout'], n: number, c: number): { m: Float64Array; rows: number; cols: number } {
  const { N, C, S, spatial } = ncs(shape, layout);
  const at = indexer(shape, layout);
  if (S === 1) {
    const m = new Float64Array(N * C);
    for (let i = 0; i < N; i++) for (let j = 0; j < C; j++) m[i * C + j] = v[at(i, j, 0)];
    return { m, rows: N, cols: C };
  }
  const cols = spatial[spatial.length - 1];
  const m = new Float64Array(S);
  for (let s = 0; s < S; s++) m[s] = v[at(n, c, s)];
  return { m, rows: S / cols, cols };
}

function corner(m: Float64Array, cols: number, rows: number, tr: number, tc: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < tr && i < rows; i++) for (let j = 0; j < tc && j < cols; j++) out.push(m[i * cols + j]);
  return out;
}

export function sliceView(x: FloatArray, y: FloatArray, shape: readonly number[], layout: Controls['layout'], n: number, c: number): SliceView {
  const { S } = ncs(shape, layout);
  const a = sliceMatrix(x, shape, layout, n, c);
  const b = sliceMatrix(y, shape, layout, n, c);
  const tableRows = Math.min(a.rows, TABLE_SIDE);
  const tableCols = Math.min(a.cols, TABLE_SIDE);
  return {
    n, c, label: S === 1 ? `(N, C) = (${a.rows}, ${a.cols})` : `x[${n}, ${c}]: ${a.rows} × ${a.cols}`,
    before: downsample(a.m, a.rows, a.cols), after: downsample(b.m, b.rows, b.cols),
    tableRows, tableCols,
    tableBefore: corner(a.m, a.cols, a.rows, tableRows, tableCols),
    tableAfter: corner(b.m, b.cols, b.rows, tableRows, tableCols),
  };
}

const clampIndex = (i: number, size: number) => Math.max(0, Math.min(size - 1, i));

export function computeSummary(x: Float32Array, shape: number[], c: Controls, view: { sliceN: number; sliceC: number }, running?: TrainState): ComputeResult {
  const t0 = performance.now();
  const params = paramsFromControls(shape, c, c.training ? undefined : running);
  // The reference kernel: fast enough here (~0.1–0.3 s for 1M elements) and the numbers the tests hold it to.
  const r = normalize({ data: x, shape }, params);
  const spec = cubeSpec(shape, c.layout, c.method, c.groups);
  const { N, C, S } = ncs(shape, c.layout);
  const rows = [];
  for (let set = 0; set < Math.min(spec.numSets, MAX_ROWS); set++) {
    rows.push({ set, label: setLabel(spec, set), mean: r.stats.mean[set], var: r.stats.var[set], rstd: r.stats.rstd[set] });
  }
  const n = clampIndex(view.sliceN, N);
  const ch = clampIndex(view.sliceC, C);
  const out: ComputeResult = {
    method: c.method, N, C, S, groups: spec.groups, numSets: spec.numSets, setSize: spec.setSize,
    paramCount: paramCount(shape, c), rows,
    inputHist: hist(x), outputHist: hist(r.y),
    channelsShown: Math.min(C, MAX_CHANNELS),
    before: channelMoments(x, shape, c.layout), after: channelMoments(r.y, shape, c.layout),
    slice: sliceView(x, r.y, shape, c.layout, n, ch),
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

export function compareSummary(x: Float32Array, shape: number[], c: Controls, view: { sliceN: number; sliceC: number }): CompareResult {
  if (shape.length < 2) fail(`compare needs an input with a batch and a channel dim (2-D to 5-D), got a ${shape.length}-D input`);
  const { N, C } = ncs(shape, c.layout);
  const groups = defaultGroups(C, c.method === 'group' ? c.groups : 0);
  const n = clampIndex(view.sliceN, N);
  const ch = clampIndex(view.sliceC, C);
  const panels: ComparePanel[] = COMPARE.map(({ method, title }) => {
    // No affine, batch statistics: the four differ only in their sets. IN in eval = input stats without the S > 1 rule.
    const controls: Controls = { ...c, method, groups, affine: false, training: method === 'batch' };
    const spec = cubeSpec(shape, c.layout, method, groups);
    const full = method === 'group' ? `${title} (G=${groups})` : title;
    try {
      const r = normalize({ data: x, shape }, paramsFromControls(shape, controls));
      return {
        method, title: full, numSets: spec.numSets, setSize: spec.setSize, outputHist: hist(r.y),
        after: sliceView(x, r.y, shape, c.layout, n, ch).after, afterMoments: channelMoments(r.y, shape, c.layout),
      };
    } catch (e) {
      return { method, title: full, numSets: spec.numSets, setSize: spec.setSize, outputHist: { edges: [], counts: [] },
        after: { rows: 0, cols: 0, sliceRows: 0, sliceCols: 0, values: [], min: 0, max: 0 }, afterMoments: { mean: [], std: [] },
        error: e instanceof Error ? e.message : String(e) };
    }
  });
  return { groups, panels };
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
export function trainSteps(x: Float32Array, shape: number[], c: Controls, start: TrainState | null, steps: number, batchSize: number, seed: number): TrainResult {
  if (shape.length < 2) fail(`train steps need an input with a batch and a channel dim (2-D to 5-D), got a ${shape.length}-D input`);
  const { N, C, S } = ncs(shape, c.layout);
  const b = Math.min(batchSize, N);
  const bn: Controls = { ...c, method: 'batch', training: true };
  let running: TrainState = start && start.mean.length === C ? start : { mean: new Array(C).fill(0), var: new Array(C).fill(1), numBatchesTracked: 0 };
  const rand = mulberry32(seed);
  const history: TrainResult['history'] = [];
  const batchShape = [b, ...shape.slice(1)];
  for (let i = 0; i < steps; i++) {
    const batch = drawBatch(x, N, b, rand);
    const r = normalize({ data: batch, shape: batchShape }, paramsFromControls(batchShape, bn, running));
    const next = r.running ?? fail('batch norm returned no running statistics');
    running = { mean: [...next.mean], var: [...next.var], numBatchesTracked: next.numBatchesTracked };
    history.push({ step: running.numBatchesTracked, mean: running.mean.slice(0, MAX_CHANNELS), var: running.var.slice(0, MAX_CHANNELS) });
  }
  const full = normalize({ data: x, shape }, paramsFromControls(shape, bn));
  const evalOut = normalize({ data: x, shape }, paramsFromControls(shape, { ...bn, training: false }, running));
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

export async function runPlaygroundJob(job: PlaygroundJob): Promise<JobOutput<PlaygroundJobResult>> {
  switch (job.op) {
    case 'parse': {
      const p = parseTensorText(job.text);
      return { result: { x: toShared(p.data), shape: p.shape, format: p.format } } satisfies Result<'parse'>;
    }
    case 'generate':
      return { result: { x: toShared(generateTensor(job.spec)), shape: [...job.spec.shape] } } satisfies Result<'generate'>;
    case 'compute':
      return { result: computeSummary(job.x, job.shape, job.controls, job.view, job.running) } satisfies Result<'compute'>;
    case 'compare':
      return { result: compareSummary(job.x, job.shape, job.controls, job.view) } satisfies Result<'compare'>;
    case 'sensitivity': {
      if (job.shape.length < 2) fail(`batch-size sensitivity needs an input with a batch and a channel dim (2-D to 5-D), got a ${job.shape.length}-D input`);
      const { C } = ncs(job.shape, job.controls.layout);
      const groups = defaultGroups(C, job.controls.method === 'group' ? job.controls.groups : 0);
      return { result: batchSensitivity(job.x, job.shape, { layout: job.controls.layout, groups, sizes: DEFAULT_SIZES, seed: 1 }) } satisfies Result<'sensitivity'>;
    }
    case 'train':
      return { result: trainSteps(job.x, job.shape, job.controls, job.running, job.steps, job.batchSize, job.seed) } satisfies Result<'train'>;
    case 'output': {
      const r = normalize({ data: job.x, shape: job.shape }, paramsFromControls(job.shape, job.controls, job.controls.training ? undefined : job.running));
      return { result: { y: r.y, shape: [...job.shape] }, transfer: [r.y.buffer as ArrayBuffer] } satisfies Result<'output'>;
    }
  }
}

export const playgroundJob: Handler<PlaygroundJob, PlaygroundJobResult> = async (job) => runPlaygroundJob(job);
