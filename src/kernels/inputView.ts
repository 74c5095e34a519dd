// The playground's view of an input tensor, all taken from the normalization plan: the (N, C, S) geometry, the
// kernel arguments for a set of controls, per-channel moments and the (n, c) slice drawn as a heatmap.
// Pure; the worker's playground job only calls these.
import { BlockMeans, type BlockTile } from './blockMeans';
import { fail } from './errors';
import { makePlan, type NormPlan } from './plan';
import { logicalShapeOf, numel } from './shape';
import type { FloatArray, Layout, Method, NormParams } from './types';

/** Every control of the playground that changes the computation. */
export interface Controls {
  method: Method;
  /** GN: number of groups (a divisor of C). */
  groups: number;
  eps: number;
  /** Weight of the new batch statistic in the running average; null = cumulative average. */
  momentum: number | null;
  affine: boolean;
  /** γ and β: one value (broadcast) or one per parameter (per channel; per element of normalized_shape for LN/RMS). */
  gamma: number[];
  beta: number[];
  layout: Layout;
  training: boolean;
}

/** BN running statistics carried between playground requests. */
export interface TrainState {
  mean: number[];
  var: number[];
  numBatchesTracked: number;
}

export interface ChannelMoments {
  mean: number[];
  std: number[];
}

/** The one statement of "a 1-D input is one sample": [C] is viewed as [1, C]. */
export function asBatch(shape: readonly number[]): number[] {
  return shape.length >= 2 ? [...shape] : [1, shape[0] ?? 1];
}

/**
 * The input as the playground draws it: the plan of GN with G = 1 over (N, C, *spatial), which is also LN over
 * every non-batch dim. Its N, C, S, logicalShape and layout are the geometry of the cube, the slices and the bars.
 */
export function inputPlan(shape: readonly number[], layout: Layout): NormPlan {
  return makePlan(asBatch(shape), { method: 'group', layout, groups: 1 });
}

/** C under a layout, for controls drawn before any plan is made (equals inputPlan(shape, layout).C). */
export function channelCount(shape: readonly number[], layout: Layout): number {
  return logicalShapeOf(asBatch(shape), layout)[1];
}

/** Storage index of logical element (n, c, s) of the plan. */
export function storageIndex(plan: NormPlan): (n: number, c: number, s: number) => number {
  const { C, S } = plan;
  return plan.layout === 'NHWC' && plan.storedShape.length >= 3 ? (n, c, s) => (n * S + s) * C + c : (n, c, s) => (n * C + c) * S + s;
}

/** LN and RMS in the playground normalize every non-batch dim, as in the GN paper (= GN with G = 1). */
export function normalizedShapeOf(shape: readonly number[]): number[] {
  return asBatch(shape).slice(1);
}

/** Length of γ and β: per channel, or per element of the normalized shape for LN/RMS. */
export function paramCount(shape: readonly number[], c: Pick<Controls, 'method' | 'layout'>): number {
  return c.method === 'layer' || c.method === 'rms' ? numel(normalizedShapeOf(shape)) : channelCount(shape, c.layout);
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
  const C = channelCount(shape, c.layout);
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

/**
 * Mean and population std over (N, S) of the first `maxChannels` channels: the BatchNorm plan's sets, two passes
 * over contiguous runs (NCHW) or strided runs (NHWC). Non-finite values propagate, as in the kernel's moments.
 */
export function channelMoments(v: FloatArray, plan: NormPlan, maxChannels: number): ChannelMoments {
  const { N, C, S } = plan;
  const k = Math.min(C, maxChannels);
  const nhwc = plan.layout === 'NHWC' && plan.storedShape.length >= 3;
  const sum = new Float64Array(k);
  const d2 = new Float64Array(k);
  // visit(c, start, stride): the elements of channel c in one sample.
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

/** The 2-D slice shown as a heatmap: x[n, c] over the spatial dims, or the whole (N, C) matrix if there are none. */
export function sliceMatrix(v: FloatArray, plan: NormPlan, n: number, c: number): { m: Float64Array; rows: number; cols: number } {
  const { N, C, S } = plan;
  const at = storageIndex(plan);
  if (S === 1) {
    const m = new Float64Array(N * C);
    for (let i = 0; i < N; i++) for (let j = 0; j < C; j++) m[i * C + j] = v[at(i, j, 0)];
    return { m, rows: N, cols: C };
  }
  const cols = plan.logicalShape[plan.logicalShape.length - 1];
  const m = new Float64Array(S);
  for (let s = 0; s < S; s++) m[s] = v[at(n, c, s)];
  return { m, rows: S / cols, cols };
}

/** The slice before and after, as block-mean tiles and as the exact values of its top-left corner. */
export interface SliceTiles {
  n: number;
  c: number;
  /** What the slice is: "x[n, c]" over the spatial dims, or the whole (N, C) matrix for inputs without spatial dims. */
  label: string;
  before: BlockTile;
  after: BlockTile;
  /** Exact values of the top-left corner of the slice (at most side × side). */
  tableRows: number;
  tableCols: number;
  tableBefore: number[];
  tableAfter: number[];
}

function corner(m: Float64Array, cols: number, tr: number, tc: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < tr; i++) for (let j = 0; j < tc; j++) out.push(m[i * cols + j]);
  return out;
}

export function sliceView(x: FloatArray, y: FloatArray, plan: NormPlan, n: number, c: number, limits: { tileSide: number; tableSide: number }): SliceTiles {
  const a = sliceMatrix(x, plan, n, c);
  const b = sliceMatrix(y, plan, n, c);
  const tableRows = Math.min(a.rows, limits.tableSide);
  const tableCols = Math.min(a.cols, limits.tableSide);
  const tile = (s: typeof a) => {
    const bm = new BlockMeans(s.rows, s.cols, limits.tileSide);
    bm.add(s.m);
    return bm.result();
  };
  return {
    n, c, label: plan.S === 1 ? `(N, C) = (${a.rows}, ${a.cols})` : `x[${n}, ${c}]: ${a.rows} × ${a.cols}`,
    before: tile(a), after: tile(b),
    tableRows, tableCols,
    tableBefore: corner(a.m, a.cols, tableRows, tableCols),
    tableAfter: corner(b.m, b.cols, tableRows, tableCols),
  };
}
