// What every layer is: per-sample shapes in and out, parameters and buffers keyed as torch.nn names them,
// and forward/backward over buffers that the layer owns and reuses (grown only when a bigger batch arrives).
import { nnFail } from '../errors';
import type { Collective } from '../collective';
import type { NnOps } from '../ops';

/** A trainable tensor (float32, as in PyTorch) and its gradient, overwritten by each backward. */
export interface Param {
  key: string;
  shape: number[];
  data: Float32Array;
  grad: Float32Array;
}

/** A state-dict buffer: running_mean / running_var (float32) or num_batches_tracked (one integer, shape []). */
export interface StateBuffer {
  key: string;
  shape: number[];
  data: Float32Array | Float64Array;
}

export interface Layer {
  /** torch.nn class name. */
  readonly kind: string;
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly params: Param[];
  readonly buffers: StateBuffer[];
  /** y for a batch of n samples; x must stay unchanged until backward (layers keep a reference). */
  forward(x: Float32Array, n: number, training: boolean): Float32Array;
  /** dL/dx (null when !needDx) from dL/dy, and every param's grad, for the last forward's batch. */
  backward(dy: Float32Array, n: number, needDx: boolean): Float32Array | null;
  /**
   * Optional: forward followed by ReLU in one pass, for a ReLU layer right after this one (the normalizations' fast
   * path). Null when it cannot this time: the model then runs both layers as usual. After a non-null forwardRelu,
   * the model calls backwardRelu with dL/d(the ReLU's output) instead of this layer's and the ReLU's backward.
   */
  forwardRelu?(x: Float32Array, n: number, training: boolean): Float32Array | null;
  backwardRelu?(dy: Float32Array, n: number): Float32Array;
}

export interface LayerContext {
  index: number;
  inShape: number[];
  ops: NnOps;
  /** The workers this model's batch is split across (`normlab train --workers N`), if any. */
  collective?: Collective;
}

export const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
/** A per-sample shape with the batch dim, as PyTorch prints it: [N, 16, 14, 14]. */
export const batchShape = (s: readonly number[]): string => `[N, ${s.join(', ')}]`;

/** `length` zeroed floats: in the ops' own memory where they have one (`alloc`: no copy per call), else a plain array. */
export const floats = (ops: NnOps, length: number): Float32Array => (ops.alloc ? ops.alloc(length) : new Float32Array(length));

/** Float32 storage for n samples of `perSample` values: grows once to the largest batch, views cached per n. */
export class BatchBuffer {
  private full: Float32Array = new Float32Array(0);
  private readonly views = new Map<number, Float32Array>();
  constructor(private readonly perSample: number, private readonly ops: NnOps) {}
  get(n: number): Float32Array {
    let v = this.views.get(n);
    if (v) return v;
    if (this.full.length < n * this.perSample) {
      this.full = floats(this.ops, n * this.perSample);
      this.views.clear();
    }
    v = this.full.subarray(0, n * this.perSample);
    this.views.set(n, v);
    return v;
  }
}

export function makeParam(key: string, shape: number[], ops: NnOps): Param {
  return { key, shape, data: floats(ops, numel(shape)), grad: floats(ops, numel(shape)) };
}

/**
 * Keyword arguments as Python would bind them: unknown names are refused as `__init__()` words it; missing
 * required ones too. Returns a reader that checks each value's type.
 */
export function kwargs(kind: string, index: number, kw: Record<string, unknown>, known: readonly string[], required: readonly string[]) {
  const where = `layer ${index} (${kind})`;
  for (const k of Object.keys(kw)) {
    if (!known.includes(k)) nnFail(`${where}: ${kind}.__init__() got an unexpected keyword argument '${k}'`);
  }
  const missing = required.filter((k) => kw[k] === undefined);
  if (missing.length) {
    nnFail(`${where}: ${kind}.__init__() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `'${m}'`).join(' and ')}`);
  }
  const bad = (k: string, want: string): never => nnFail(`${where}: ${k} expects ${want}, got ${JSON.stringify(kw[k])}`);
  return {
    where,
    fail: (msg: string): never => nnFail(`${where}: ${msg}`),
    int(k: string, dflt?: number, min = 1): number {
      const v = kw[k] ?? dflt;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return bad(k, `an integer ≥ ${min}`);
      return v;
    },
    /** An int or a pair [a, b] (torch's _pair). */
    pair(k: string, dflt?: number | [number, number], min = 1): [number, number] {
      const v = kw[k] ?? dflt;
      const ok = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= min;
      if (ok(v)) return [v as number, v as number];
      if (Array.isArray(v) && v.length === 2 && v.every(ok)) return [v[0] as number, v[1] as number];
      return bad(k, `an integer ≥ ${min} or a pair of them`);
    },
    num(k: string, dflt: number): number {
      const v = kw[k] ?? dflt;
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad(k, 'a finite number');
      return v;
    },
    bool(k: string, dflt: boolean): boolean {
      const v = kw[k] ?? dflt;
      if (typeof v !== 'boolean') return bad(k, 'true or false');
      return v;
    },
    raw: (k: string): unknown => kw[k],
  };
}

/** Refuses torch.nn options NormLab does not implement, naming the value that would be needed. */
export function onlyDefault(kind: string, index: number, kw: Record<string, unknown>, name: string, allowed: unknown[]): void {
  const v = kw[name];
  if (v === undefined) return;
  if (!allowed.some((a) => JSON.stringify(a) === JSON.stringify(v))) {
    nnFail(`layer ${index} (${kind}): ${name}=${JSON.stringify(v)} is not supported by NormLab (only ${allowed.map((a) => JSON.stringify(a)).join(' or ')})`);
  }
}
