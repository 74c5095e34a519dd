// `normlab normalize` and `normlab stats`: flags -> NormParams -> kernel -> .npy files / JSON.
import { type Flags, bool01, int, intList, num, oneOf, parseFlags, required, str, usage } from './args';
import { readNpyFile, writeNpyFile, type LoadedTensor } from './tensorIO';
import { LAYOUTS, METHODS, normalize, type NormParams, type NormResult } from '../kernels';

const TENSOR_FLAGS = ['in', 'tensor', 'weight', 'bias', 'running-mean-in', 'running-var-in'] as const;
const PARAM_FLAGS = ['method', 'layout', 'eps', 'groups', 'normalized-shape', 'training', 'momentum', 'num-batches-tracked', 'use-input-stats'] as const;
const OUT_FLAGS = ['out', 'mean-out', 'var-out', 'ms-out', 'rstd-out', 'running-mean-out', 'running-var-out'] as const;

export interface Loaded {
  x: LoadedTensor;
  params: NormParams;
}

function loadOptional(flags: Flags, name: string): LoadedTensor | undefined {
  const p = str(flags, name);
  return p === undefined ? undefined : readNpyFile(p);
}

/** Build NormParams from the flags: the same flag set as the golden checker's {opts}. */
export function paramsFromFlags(flags: Flags): Loaded {
  const x = readNpyFile(required(flags, 'in'));
  if (str(flags, 'tensor') !== undefined) usage('--tensor is only for multi-tensor files (npz, safetensors, pt); the input is a single .npy array');
  const method = oneOf(flags, 'method', METHODS);
  const momentumText = str(flags, 'momentum');
  const momentum = momentumText === undefined ? undefined : momentumText.toLowerCase() === 'none' ? null : num(flags, 'momentum');
  const params: NormParams = {
    method,
    layout: oneOf(flags, 'layout', LAYOUTS, 'NCHW'),
    eps: num(flags, 'eps') ?? 1e-5,
    groups: int(flags, 'groups'),
    normalizedShape: intList(flags, 'normalized-shape'),
    training: bool01(flags, 'training'),
    momentum,
    numBatchesTracked: int(flags, 'num-batches-tracked'),
    useInputStats: bool01(flags, 'use-input-stats'),
    weight: loadOptional(flags, 'weight')?.data,
    bias: loadOptional(flags, 'bias')?.data,
    runningMean: loadOptional(flags, 'running-mean-in')?.data,
    runningVar: loadOptional(flags, 'running-var-in')?.data,
  };
  if (method === 'group' && params.groups === undefined) usage('--method group needs --groups G');
  return { x, params };
}

export function runNormalize(args: string[]): NormResult {
  const { flags } = parseFlags(args, [...TENSOR_FLAGS, ...PARAM_FLAGS, ...OUT_FLAGS]);
  const out = required(flags, 'out');
  const { x, params } = paramsFromFlags(flags);
  const wantsRunning = str(flags, 'running-mean-out') !== undefined || str(flags, 'running-var-out') !== undefined;
  if (wantsRunning && !params.runningMean) usage('--running-mean-out/--running-var-out need --running-mean-in and --running-var-in');
  if (str(flags, 'ms-out') !== undefined && params.method !== 'rms') usage('--ms-out is only for --method rms');

  const r = normalize({ data: x.data, shape: x.shape }, params);
  writeNpyFile(out, r.y, x.shape);
  const s = r.stats;
  const put = (flag: string, data: Float64Array | undefined, shape: number[]) => {
    const p = str(flags, flag);
    if (p !== undefined && data) writeNpyFile(p, data, shape);
  };
  put('mean-out', s.mean, s.shape);
  put('var-out', s.var, s.shape);
  put('rstd-out', s.rstd, s.shape);
  put('ms-out', s.ms, s.shape);
  put('running-mean-out', r.running?.mean, [r.running?.mean.length ?? 0]);
  put('running-var-out', r.running?.var, [r.running?.var.length ?? 0]);
  return r;
}

/** `normlab stats`: the plan and per-set statistics as one JSON object. */
export function runStats(args: string[], write: (s: string) => void): void {
  const { flags } = parseFlags(args, [...TENSOR_FLAGS, ...PARAM_FLAGS]);
  const { x, params } = paramsFromFlags(flags);
  const r = normalize({ data: x.data, shape: x.shape }, params);
  const s = r.stats;
  const json = {
    method: params.method,
    layout: params.layout,
    shape: x.shape,
    sets: { count: s.mean.length, size: s.count, shape: s.shape },
    mean: [...s.mean],
    var: [...s.var],
    rstd: [...s.rstd],
    ...(s.ms ? { ms: [...s.ms] } : {}),
    ...(r.running ? { running_mean: [...r.running.mean], running_var: [...r.running.var], num_batches_tracked: r.running.numBatchesTracked } : {}),
  };
  // JSON has no NaN/Infinity: say so with null, like Python's json with allow_nan=False would refuse.
  write(JSON.stringify(json, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
}
