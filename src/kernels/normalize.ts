// normalize(): BN, LN, IN, GN and RMSNorm with PyTorch 1.13 semantics, all through one plan.
//
//   1. checkNormInput: plan + every argument checked, with PyTorch-style messages.
//   2. setMoments: per-set mean / biased var / mean(x²), float64 (moments.ts).
//   3. foldStatistics: which statistic normalizes (batch or running), running-stat update, and the
//      per-(n, c) scale/shift so that y = x·scale + shift.
//   4. applyScaleShift: one fused output pass.
// Parallel and fast variants reuse steps 1, 3 and 4 and replace only the loops.
import { fail, fmtShape } from './errors';
import { setMoments, type Moments } from './moments';
import { makePlan, setOf, type NormPlan } from './plan';
import { numel } from './shape';
import type { FloatArray, NormParams, NormResult, RunningStats, SetStats, Tensor } from './types';

/** Arguments after checking, with PyTorch's defaults filled in. */
export interface CheckedParams extends NormParams {
  training: boolean;
  /** Whether this call normalizes with the batch's own statistics. */
  useBatchStats: boolean;
}

function checkVector(name: string, v: FloatArray | undefined, expected: number[], what: string): void {
  if (v && v.length !== numel(expected)) {
    fail(`${name}: expected ${numel(expected)} values (shape ${fmtShape(expected)}, ${what}), got ${v.length}`);
  }
}

export function checkNormInput(x: Tensor, params: NormParams): { plan: NormPlan; p: CheckedParams } {
  const plan = makePlan(x.shape, params);
  const shape = plan.storedShape;
  if (x.data.length !== numel(shape)) fail(`data has ${x.data.length} values but shape ${fmtShape(shape)} needs ${numel(shape)}`);
  if (shape.some((d) => d === 0)) fail(`expected every dimension of the input to be at least 1, got shape ${fmtShape(shape)}`);
  if (typeof params.eps !== 'number' || !Number.isFinite(params.eps) || params.eps <= 0) {
    fail(`eps must be a positive finite number, got ${params.eps}`);
  }
  const { method } = params;
  const perWhat = method === 'layer' || method === 'rms' ? 'one per element of normalized_shape' : 'one per channel';
  checkVector('weight', params.weight, plan.paramShape, perWhat);
  checkVector('bias', params.bias, plan.paramShape, perWhat);
  if (method === 'rms' && params.bias) fail('rms norm has no bias: got a bias, expected weight only');

  const hasRunning = params.runningMean !== undefined || params.runningVar !== undefined;
  if (hasRunning && (method === 'layer' || method === 'group' || method === 'rms')) {
    fail(`${method} norm has no running statistics; running mean/var are only for batch and instance norm`);
  }
  if (hasRunning && (!params.runningMean || !params.runningVar)) fail('running stats need both a running mean and a running var, got only one');
  checkVector('running_mean', params.runningMean, [plan.C], 'one per channel');
  checkVector('running_var', params.runningVar, [plan.C], 'one per channel');

  const training = params.training ?? true;
  const momentum = params.momentum === undefined ? 0.1 : params.momentum;
  if (momentum === null && method !== 'batch') fail('momentum none (cumulative moving average) is only defined for batch norm');
  if (momentum !== null && (typeof momentum !== 'number' || !Number.isFinite(momentum) || momentum < 0 || momentum > 1)) {
    fail(`momentum must be a number in [0, 1] or none, got ${momentum}`);
  }
  const nbt = params.numBatchesTracked ?? 0;
  if (!Number.isInteger(nbt) || nbt < 0) fail(`num_batches_tracked must be a non-negative integer, got ${nbt}`);

  let useBatchStats = true;
  if (method === 'batch') {
    // torch: batch stats in training, or in eval when there are no running stats.
    useBatchStats = training || !hasRunning;
    if (training && plan.N * plan.S === 1) fail(`Expected more than 1 value per channel when training, got input size ${fmtShape(shape)}`);
  } else if (method === 'instance') {
    useBatchStats = params.useInputStats ?? (training || !hasRunning);
    if (!useBatchStats && !hasRunning) fail('instance norm with use_input_stats=0 needs running mean and var, got none');
    if (training && plan.S === 1) fail(`Expected more than 1 spatial element when training, got input size ${fmtShape(shape)}`);
  }
  return { plan, p: { ...params, momentum, numBatchesTracked: nbt, training, useBatchStats } };
}

export interface Folded {
  stats: SetStats;
  running?: RunningStats;
  /** Per (n, c), length N·C: y = x·scale[n·C + c] + shift[n·C + c]. */
  scale: Float64Array;
  shift: Float64Array;
}

/** From per-set moments to the statistics reported, the running-stat update, and per-(n, c) scale/shift. */
export function foldStatistics(plan: NormPlan, p: CheckedParams, m: Moments): Folded {
  const { N, C } = plan;
  const { weight, bias } = p;
  const running = p.runningMean && p.runningVar ? updateRunning(plan, p, m, p.runningMean, p.runningVar) : undefined;

  // The statistic that normalizes each set: batch moments, or running stats per channel (eval).
  const rstd = new Float64Array(plan.numSets);
  const scale = new Float64Array(N * C);
  const shift = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const set = setOf(plan, n, c);
      let mean: number;
      let v: number;
      if (!plan.centered) {
        mean = 0;
        v = m.ms[set];
      } else if (p.useBatchStats) {
        mean = m.mean[set];
        v = m.var[set];
      } else {
        mean = p.runningMean![c];
        v = p.runningVar![c];
      }
      const r = 1 / Math.sqrt(v + p.eps);
      if (p.useBatchStats) rstd[set] = r;
      const sc = (weight ? weight[c] : 1) * r;
      scale[n * C + c] = sc;
      shift[n * C + c] = (bias ? bias[c] : 0) - mean * sc;
    }
  }
  if (!p.useBatchStats) {
    // Eval: report the rstd actually used; sets are per channel (BN) or per (n, c) (IN).
    for (let set = 0; set < plan.numSets; set++) rstd[set] = 1 / Math.sqrt(p.runningVar![set % C] + p.eps);
  }
  const stats: SetStats = { shape: plan.statsShape, count: plan.setSize, mean: m.mean, var: m.var, rstd };
  if (!plan.centered) stats.ms = m.ms;
  return { stats, running, scale, shift };
}

/** PyTorch's running-stat update. momentum weights the NEW statistic; running_var stores the UNBIASED variance. */
export function updateRunning(plan: NormPlan, p: CheckedParams, m: Moments, rm: FloatArray, rv: FloatArray): RunningStats {
  const { N, C, S } = plan;
  const mean = Float64Array.from(rm);
  const v = Float64Array.from(rv);
  const updating = p.method === 'batch' ? p.training : p.useBatchStats;
  if (!updating) return { mean, var: v, numBatchesTracked: p.numBatchesTracked! };
  const nbt = p.numBatchesTracked! + 1;
  const f = p.momentum === null ? 1 / nbt : p.momentum!;
  for (let c = 0; c < C; c++) {
    let bm: number;
    let bv: number;
    if (p.method === 'batch') {
      const n = N * S;
      bm = m.mean[c];
      bv = (m.var[c] * n) / (n - 1);
    } else {
      // instance: average over samples of the per-(n, c) stats; unbiased over the S spatial elements.
      bm = 0;
      bv = 0;
      for (let s = 0; s < N; s++) {
        bm += m.mean[s * C + c];
        bv += (m.var[s * C + c] * S) / (S - 1);
      }
      bm /= N;
      bv /= N;
    }
    mean[c] = (1 - f) * mean[c] + f * bm;
    v[c] = (1 - f) * v[c] + f * bv;
  }
  return { mean, var: v, numBatchesTracked: nbt };
}

/**
 * y = x·scale + shift over "rows" [row0, row1): NCHW rows are (n, c) runs of S elements, NHWC rows are
 * (n, s) runs of C elements. Both walk memory contiguously.
 */
export function applyScaleShift(plan: NormPlan, x: FloatArray, y: Float32Array, scale: Float64Array, shift: Float64Array, row0 = 0, row1 = rowCount(plan)): void {
  const { C, S } = plan;
  if (plan.layout === 'NCHW' || S === 1) {
    for (let r = row0; r < row1; r++) {
      const sc = scale[r];
      const sh = shift[r];
      const base = r * S;
      for (let i = base; i < base + S; i++) y[i] = x[i] * sc + sh;
    }
  } else {
    for (let r = row0; r < row1; r++) {
      const pbase = Math.floor(r / S) * C;
      const base = r * C;
      for (let c = 0; c < C; c++) y[base + c] = x[base + c] * scale[pbase + c] + shift[pbase + c];
    }
  }
}

export const rowCount = (plan: NormPlan): number => (plan.layout === 'NCHW' || plan.S === 1 ? plan.N * plan.C : plan.N * plan.S);

export interface NormalizeOptions {
  /**
   * Called before each chunk of about CHUNK_ELEMENTS elements (whole sets for the statistics, rows for the output)
   * with the fraction done (the statistics pass counts for the first half). It may throw to stop the call: a worker
   * job checks its cancellation here. Without it the work is not split.
   */
  between?: (done: number) => void;
}

/** Elements per chunk of a normalization with `between` (about 1–3 ms of the reference kernel). */
export const CHUNK_ELEMENTS = 1 << 18;

/** The reference normalization: every other path is tested against this one. */
export function normalize(x: Tensor, params: NormParams, opts: NormalizeOptions = {}): NormResult {
  const { plan, p } = checkNormInput(x, params);
  const { between } = opts;
  let m: Moments;
  if (!between) {
    m = setMoments(plan, x.data);
  } else {
    m = { mean: new Float64Array(plan.numSets), var: new Float64Array(plan.numSets), ms: new Float64Array(plan.numSets) };
    const per = Math.max(1, Math.floor(CHUNK_ELEMENTS / plan.setSize));
    for (let a = 0; a < plan.numSets; a += per) {
      between((0.5 * a) / plan.numSets);
      const b = Math.min(plan.numSets, a + per);
      const part = setMoments(plan, x.data, a, b);
      m.mean.set(part.mean, a);
      m.var.set(part.var, a);
      m.ms.set(part.ms, a);
    }
  }
  const { stats, running, scale, shift } = foldStatistics(plan, p, m);
  const y = new Float32Array(x.data.length);
  const rows = rowCount(plan);
  if (!between) {
    applyScaleShift(plan, x.data, y, scale, shift);
  } else {
    const per = Math.max(1, Math.floor(CHUNK_ELEMENTS / (x.data.length / rows)));
    for (let a = 0; a < rows; a += per) {
      between(0.5 + (0.5 * a) / rows);
      applyScaleShift(plan, x.data, y, scale, shift, a, Math.min(rows, a + per));
    }
  }
  return running ? { y, stats, running } : { y, stats };
}
