// The normalization layers — BatchNorm1d/2d, GroupNorm, InstanceNorm2d, LayerNorm — as torch.nn defines them,
// all through the kernels' one plan: forward = moments → foldStatistics (which statistic, running update,
// scale/shift) → y = x·scale + shift; backward = normBackwardInto with the statistic the forward used.
import { applyScaleShift, checkNormInput, foldStatistics, setMoments, updateRunning, type CheckedParams, type Method, type NormParams, type NormPlan } from '../../kernels';
import { normBackwardSums, type NormDims } from '../ops';
import { nnFail } from '../errors';
import { backwardScratch, normBackwardInto, rowStats, type BackwardScratch, type RowStats } from '../../kernels/backward';
import { BatchBuffer, batchShape, kwargs, makeParam, numel, type Layer, type LayerContext, type Param, type StateBuffer } from './layer';

interface NormConfig {
  method: Method;
  eps: number;
  groups?: number;
  normalizedShape?: number[];
  affineShape: number[];
  affine: boolean;
  /** Running statistics kept (BN / IN track_running_stats). */
  track: boolean;
  momentum: number | null;
}

export function batchNorm(dims: 1 | 2, kw: Record<string, unknown>, ctx: LayerContext): Layer {
  const kind = `BatchNorm${dims}d`;
  const a = kwargs(kind, ctx.index, kw, ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats'], ['num_features']);
  const C = a.int('num_features');
  const rank = ctx.inShape.length + 1;
  const ok = dims === 1 ? rank === 2 || rank === 3 : rank === 4;
  if (!ok) a.fail(`expected ${dims === 1 ? '2D or 3D' : '4D'} input (got ${rank}D input): input ${batchShape(ctx.inShape)}`);
  if (ctx.inShape[0] !== C) a.fail(`running_mean should contain ${ctx.inShape[0]} elements not ${C} (input ${batchShape(ctx.inShape)}, num_features=${C})`);
  const momentum = kw.momentum === null ? null : a.num('momentum', 0.1);
  return normLayer(kind, ctx, {
    method: 'batch', eps: a.num('eps', 1e-5), affineShape: [C], affine: a.bool('affine', true),
    track: a.bool('track_running_stats', true), momentum,
  });
}

export function instanceNorm2d(kw: Record<string, unknown>, ctx: LayerContext): Layer {
  const a = kwargs('InstanceNorm2d', ctx.index, kw, ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats'], ['num_features']);
  const C = a.int('num_features');
  if (ctx.inShape.length !== 3) a.fail(`expected 4D input (got ${ctx.inShape.length + 1}D input): input ${batchShape(ctx.inShape)}`);
  if (ctx.inShape[0] !== C) a.fail(`expected input's size at dim=1 to match num_features (${C}), but got: ${ctx.inShape[0]} (input ${batchShape(ctx.inShape)})`);
  if (kw.momentum === null) a.fail('momentum=None (cumulative average) is only for BatchNorm');
  return normLayer('InstanceNorm2d', ctx, {
    method: 'instance', eps: a.num('eps', 1e-5), affineShape: [C], affine: a.bool('affine', false),
    track: a.bool('track_running_stats', false), momentum: a.num('momentum', 0.1),
  });
}

export function groupNorm(kw: Record<string, unknown>, ctx: LayerContext): Layer {
  const a = kwargs('GroupNorm', ctx.index, kw, ['num_groups', 'num_channels', 'eps', 'affine'], ['num_groups', 'num_channels']);
  const G = a.int('num_groups');
  const C = a.int('num_channels');
  if (C % G !== 0) a.fail(`num_channels must be divisible by num_groups (num_channels=${C}, num_groups=${G})`);
  if (ctx.inShape.length < 1 || ctx.inShape[0] !== C) {
    a.fail(`Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape [${C}] and input of shape ${batchShape(ctx.inShape)}`);
  }
  return normLayer('GroupNorm', ctx, { method: 'group', eps: a.num('eps', 1e-5), groups: G, affineShape: [C], affine: a.bool('affine', true), track: false, momentum: 0.1 });
}

export function layerNorm(kw: Record<string, unknown>, ctx: LayerContext): Layer {
  const a = kwargs('LayerNorm', ctx.index, kw, ['normalized_shape', 'eps', 'elementwise_affine'], ['normalized_shape']);
  const raw = kw.normalized_shape;
  const ns = typeof raw === 'number' ? [raw] : raw;
  if (!Array.isArray(ns) || ns.length === 0 || !ns.every((d) => Number.isInteger(d) && d >= 1)) {
    a.fail(`normalized_shape expects a positive integer or a list of them, got ${JSON.stringify(raw)}`);
  }
  const shape = ns as number[];
  const trailing = ctx.inShape.slice(ctx.inShape.length - shape.length);
  if (shape.length > ctx.inShape.length || trailing.some((d, i) => d !== shape[i])) {
    a.fail(`Given normalized_shape=[${shape.join(', ')}], expected input with shape [*, ${shape.join(', ')}], but got input of size${batchShape(ctx.inShape)}`);
  }
  return normLayer('LayerNorm', ctx, {
    method: 'layer', eps: a.num('eps', 1e-5), normalizedShape: shape, affineShape: shape, affine: a.bool('elementwise_affine', true), track: false, momentum: 0.1,
  });
}

/** The fast path's per-batch-size state: dims, the checked plan and parameters, the forward's set statistics. */
interface FastSaved {
  d: NormDims;
  plan: NormPlan;
  p: CheckedParams;
  mean: Float64Array;
  variance: Float64Array;
  /** A split batch: the backward's sums, and the batch size over every worker (set by the forward). */
  sums: Float64Array | null;
  total: number;
}

/** What one forward leaves for its backward, per batch size. */
interface Saved {
  plan: NormPlan;
  rows: RowStats;
  scratch: BackwardScratch;
}

function normLayer(kind: string, { index, inShape, ops, collective }: LayerContext, cfg: NormConfig): Layer {
  const weight = cfg.affine ? makeParam('weight', cfg.affineShape, ops) : null;
  const bias = cfg.affine ? makeParam('bias', cfg.affineShape, ops) : null;
  weight?.data.fill(1);
  const params: Param[] = weight && bias ? [weight, bias] : [];
  const C = cfg.affineShape.length === 1 ? cfg.affineShape[0] : numel(cfg.affineShape);
  const runningMean = new Float32Array(C);
  const runningVar = new Float32Array(C).fill(1);
  const nbt = new Float64Array(1);
  const buffers: StateBuffer[] = cfg.track
    ? [{ key: 'running_mean', shape: [C], data: runningMean }, { key: 'running_var', shape: [C], data: runningVar }, { key: 'num_batches_tracked', shape: [], data: nbt }]
    : [];
  const size = numel(inShape);
  const out = new BatchBuffer(size, ops);
  const dxBuf = new BatchBuffer(size, ops);
  const saved = new Map<number, Saved>();
  let x: Float32Array | null = null;
  let last: Saved | null = null;

  // The ops' fast path (WebAssembly): BN / GN / IN over NCHW with the batch's own statistics. The checks, the plan
  // and the running-stat update are the reference path's, made once per batch size.
  const groups = cfg.method === 'batch' ? 0 : cfg.method === 'group' ? cfg.groups! : cfg.method === 'instance' ? C : -1;
  const canFast = ops.normForward && ops.normBackward && groups >= 0;
  // A batch split across workers: BatchNorm's statistics (and InstanceNorm's running ones) cover every worker's part.
  const split = collective && collective.world > 1 && (cfg.method === 'batch' || (cfg.method === 'instance' && cfg.track)) ? collective : null;
  if (split && !canFast) nnFail(`layer ${index} (${kind}): splitting a batch across workers needs the WebAssembly ops`);
  const fastSaved = new Map<number, FastSaved>();
  let lastFast: FastSaved | null = null;
  const paramsFor = (training: boolean): NormParams => {
    const p: NormParams = {
      method: cfg.method, layout: 'NCHW', eps: cfg.eps, groups: cfg.groups, normalizedShape: cfg.normalizedShape,
      momentum: cfg.momentum, numBatchesTracked: nbt[0],
      weight: weight?.data, bias: bias?.data,
      ...(cfg.track ? { runningMean, runningVar } : {}),
    };
    if (cfg.method === 'batch') p.training = training;
    if (cfg.method === 'instance') {
      // torch: use_input_stats = training or not track_running_stats.
      p.useInputStats = training || !cfg.track;
      p.training = p.useInputStats;
    }
    return p;
  };

  function forwardFast(input: Float32Array, n: number, y: Float32Array, relu: boolean): void {
    let f = fastSaved.get(n);
    if (!f) {
      // A split BatchNorm's part may hold one value per channel: the whole batch has more (trainRun checks it).
      const splitBn = !!split && groups === 0;
      const { plan, p } = checkNormInput({ data: input, shape: [n, ...inShape] }, paramsFor(!splitBn));
      if (splitBn) p.training = true;
      const d: NormDims = { N: n, C, HW: size / C, groups, eps: cfg.eps };
      const sets = groups === 0 ? C : n * groups;
      const sums = splitBn ? new Float64Array(normBackwardSums(d)) : null;
      f = { d, plan, p, mean: new Float64Array(sets), variance: new Float64Array(sets), sums, total: n };
      fastSaved.set(n, f);
    }
    if (f.sums) forwardSplit(f, input, y, relu);
    else ops.normForward!(f.d, input, weight?.data ?? null, bias?.data ?? null, y, f.mean, f.variance, relu);
    if (cfg.track) {
      f.p.numBatchesTracked = nbt[0];
      // foldStatistics' running-stat update alone (the scale and shift are the kernel's).
      const running = split && cfg.method === 'instance' ? instanceRunning(f) : updateRunning(
        f.total === f.plan.N ? f.plan : { ...f.plan, N: f.total }, f.p, { mean: f.mean, var: f.variance, ms: f.mean }, runningMean, runningVar);
      runningMean.set(running.mean);
      runningVar.set(running.var);
      if (cfg.method === 'batch') nbt[0] = running.numBatchesTracked; // IN never counts (torch)
    }
    lastFast = f;
  }

  // BatchNorm over a batch split across workers: each worker's plain sums (count 1), added up with its sample count,
  // divided by the count over all of them; then the same for Σ(x − mean)²; then y.
  const one = new Float64Array(1);
  function forwardSplit(f: FastSaved, input: Float32Array, y: Float32Array, relu: boolean): void {
    const sum = { ...f.d, count: 1 };
    const w = weight?.data ?? null, b = bias?.data ?? null;
    ops.normForward!(sum, input, w, b, y, f.mean, f.variance, relu, 'mean');
    one[0] = f.d.N;
    split!.allReduceSum(f.mean, one);
    f.total = one[0];
    const count = f.total * f.d.HW;
    for (let c = 0; c < C; c++) f.mean[c] /= count;
    ops.normForward!(sum, input, w, b, y, f.mean, f.variance, relu, 'var');
    split!.allReduceSum(f.variance);
    for (let c = 0; c < C; c++) f.variance[c] /= count;
    ops.normForward!(f.d, input, w, b, y, f.mean, f.variance, relu, 'apply');
  }

  // InstanceNorm's running statistics over a split batch: the mean over every worker's samples of the per-sample mean
  // and biased variance, which updateRunning then takes as one sample's (its ·S/(S − 1) is linear, so the same).
  const avg = new Float64Array(2 * C + 1);
  function instanceRunning(f: FastSaved) {
    avg.fill(0);
    for (let n = 0; n < f.d.N; n++) {
      for (let c = 0; c < C; c++) {
        avg[c] += f.mean[n * C + c];
        avg[C + c] += f.variance[n * C + c];
      }
    }
    avg[2 * C] = f.d.N;
    split!.allReduceSum(avg);
    for (let i = 0; i < 2 * C; i++) avg[i] /= avg[2 * C];
    return updateRunning({ ...f.plan, N: 1 }, f.p, { mean: avg.subarray(0, C), var: avg.subarray(C, 2 * C), ms: avg }, runningMean, runningVar);
  }

  /** The fast path's backward; a split BatchNorm adds up every worker's A and B between the two phases. */
  function backwardFast(f: FastSaved, dy: Float32Array, dx: Float32Array, ym: Float32Array | null): void {
    const w = weight?.data ?? null, dw = weight?.grad ?? null, db = bias?.grad ?? null;
    if (!f.sums) {
      ops.normBackward!(f.d, x!, dy, w, f.mean, f.variance, dx, dw, db, ym);
      return;
    }
    const d = { ...f.d, count: f.total * f.d.HW };
    ops.normBackward!(d, x!, dy, w, f.mean, f.variance, dx, dw, db, ym, { phase: 'sums', sums: f.sums });
    split!.allReduceSum(f.sums.subarray(f.sums.length - 2 * C));
    ops.normBackward!(d, x!, dy, w, f.mean, f.variance, dx, dw, db, ym, { phase: 'dx', sums: f.sums });
  }

  const fast = (training: boolean) => canFast && (cfg.method === 'group' || training || (cfg.method === 'instance' && !cfg.track));
  let reluOut: Float32Array | null = null;
  return {
    kind, inShape, outShape: inShape, params, buffers,
    forwardRelu(input, n, training) {
      if (!fast(training)) return null;
      x = input;
      const y = out.get(n);
      forwardFast(input, n, y, true);
      reluOut = y;
      return y;
    },
    backwardRelu(dy, n) {
      const dx = dxBuf.get(n);
      backwardFast(lastFast!, dy, dx, reluOut);
      return dx;
    },
    forward(input, n, training) {
      x = input;
      if (fast(training)) {
        const y = out.get(n);
        forwardFast(input, n, y, false);
        return y;
      }
      lastFast = null;
      const p = paramsFor(training);
      const { plan, p: checked } = checkNormInput({ data: input, shape: [n, ...inShape] }, p);
      const folded = foldStatistics(plan, checked, setMoments(plan, input));
      const y = out.get(n);
      applyScaleShift(plan, input, y, folded.scale, folded.shift);
      if (folded.running && cfg.track) {
        runningMean.set(folded.running.mean);
        runningVar.set(folded.running.var);
        if (cfg.method === 'batch') nbt[0] = folded.running.numBatchesTracked; // IN never counts (torch)
      }
      let s = saved.get(n);
      if (!s) {
        s = { plan, rows: rowStats(plan, checked, folded.stats), scratch: backwardScratch(plan) };
        saved.set(n, s);
      } else rowStats(plan, checked, folded.stats, s.rows);
      last = s;
      return y;
    },
    backward(dy, n) {
      const dx = dxBuf.get(n);
      if (lastFast) {
        backwardFast(lastFast, dy, dx, null);
        return dx;
      }
      normBackwardInto(last!.plan, x!, dy, weight?.data ?? null, last!.rows, dx, weight?.grad ?? null, bias?.grad ?? null, last!.scratch);
      return dx;
    },
  };
}
