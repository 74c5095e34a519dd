// `normlab normalize` and `normlab stats`: flags -> NormParams -> kernel -> .npy files / JSON.
import { type Flags, bool01, int, intList, num, oneOf, parseFlags, required, str, usage } from './args';
import { checkOutputs } from './outputs';
import { readTensorFile, writeNpyFile, type LoadedTensor } from './tensorIO';
import { LAYOUTS, METHODS, type FloatArray, type NormParams, type NormResult } from '../kernels';
import { normalizeFast } from '../kernels/fast';
import { normalizeBackward } from '../kernels/backward';

const TENSOR_FLAGS = ['in', 'tensor', 'weight', 'bias', 'running-mean-in', 'running-var-in'] as const;
const PARAM_FLAGS = ['method', 'layout', 'eps', 'groups', 'normalized-shape', 'training', 'momentum', 'num-batches-tracked', 'use-input-stats'] as const;
const OUT_FLAGS = ['out', 'mean-out', 'var-out', 'ms-out', 'rstd-out', 'running-mean-out', 'running-var-out'] as const;
const GRAD_FLAGS = ['dy', 'dx-out', 'dweight-out', 'dbias-out'] as const;

export interface Loaded {
  x: LoadedTensor;
  params: NormParams;
}

async function loadOptional(flags: Flags, name: string): Promise<FloatArray | undefined> {
  const p = str(flags, name);
  return p === undefined ? undefined : (await readTensorFile(p)).data;
}

/** Build NormParams from the flags: the same flag set as the golden checker's {opts}. */
export async function paramsFromFlags(flags: Flags): Promise<Loaded> {
  const x = await readTensorFile(required(flags, 'in'), str(flags, 'tensor'));
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
    weight: await loadOptional(flags, 'weight'),
    bias: await loadOptional(flags, 'bias'),
    runningMean: await loadOptional(flags, 'running-mean-in'),
    runningVar: await loadOptional(flags, 'running-var-in'),
  };
  if (method === 'group' && params.groups === undefined) usage('--method group needs --groups G');
  return { x, params };
}

export async function runNormalize(args: string[]): Promise<NormResult> {
  const { flags } = parseFlags(args, [...TENSOR_FLAGS, ...PARAM_FLAGS, ...OUT_FLAGS, ...GRAD_FLAGS], ['force']);
  const out = required(flags, 'out');
  // Every output is checked before any work: two flags naming one file, a missing folder, an existing file.
  const output = { force: flags.force === true };
  checkOutputs([...OUT_FLAGS, ...GRAD_FLAGS].filter((f) => f !== 'dy').map((f) => [f, str(flags, f)] as const), output);
  const { x, params } = await paramsFromFlags(flags);
  const dyPath = str(flags, 'dy');
  if (dyPath === undefined && GRAD_FLAGS.some((f) => str(flags, f) !== undefined)) usage('--dx-out/--dweight-out/--dbias-out need --dy DY.npy');
  if (dyPath !== undefined && str(flags, 'dx-out') === undefined) usage('--dy needs --dx-out FILE');
  if (str(flags, 'dweight-out') !== undefined && !params.weight) usage('--dweight-out needs --weight');
  if (str(flags, 'dbias-out') !== undefined && !params.bias) usage('--dbias-out needs --bias');
  const dy = dyPath === undefined ? undefined : await readTensorFile(dyPath);
  if (dy && dy.shape.join() !== x.shape.join()) usage(`--dy: expected the shape of --in [${x.shape.join(', ')}], got [${dy.shape.join(', ')}]`);
  const wantsRunning = str(flags, 'running-mean-out') !== undefined || str(flags, 'running-var-out') !== undefined;
  if (wantsRunning && !params.runningMean) usage('--running-mean-out/--running-var-out need --running-mean-in and --running-var-in');
  if (str(flags, 'ms-out') !== undefined && params.method !== 'rms') usage('--ms-out is only for --method rms');

  const r = normalizeFast({ data: x.data, shape: x.shape }, params);
  writeNpyFile(out, r.y, x.shape, output);
  const s = r.stats;
  const put = (flag: string, data: Float64Array | undefined, shape: number[]) => {
    const p = str(flags, flag);
    if (p !== undefined && data) writeNpyFile(p, data, shape, output);
  };
  put('mean-out', s.mean, s.shape);
  put('var-out', s.var, s.shape);
  put('rstd-out', s.rstd, s.shape);
  put('ms-out', s.ms, s.shape);
  put('running-mean-out', r.running?.mean, [r.running?.mean.length ?? 0]);
  put('running-var-out', r.running?.var, [r.running?.var.length ?? 0]);
  if (dy) {
    // Gradients of Σ y·dy: dx float32 in the stored layout of x, dweight/dbias float64 (like the statistics).
    const g = normalizeBackward({ data: x.data, shape: x.shape }, params, dy.data);
    writeNpyFile(required(flags, 'dx-out'), g.dx, x.shape, output);
    put('dweight-out', g.dweight, g.paramShape);
    put('dbias-out', g.dbias, g.paramShape);
  }
  return r;
}

/** `normlab stats`: the plan and per-set statistics as one JSON object. */
export async function runStats(args: string[], write: (s: string) => void): Promise<void> {
  const { flags } = parseFlags(args, [...TENSOR_FLAGS, ...PARAM_FLAGS]);
  const { x, params } = await paramsFromFlags(flags);
  const r = normalizeFast({ data: x.data, shape: x.shape }, params);
  const s = r.stats;
  const json = {
    tensor: x.name,
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
