// A model built from the JSON form of nn.Sequential: layers in order, the state dict under nn.Sequential's
// keys ("0.weight", "1.running_mean", ...), forward and backward over the layers' reused buffers.
import { fmtShape } from '../kernels/errors';
import type { Collective } from './collective';
import { nnFail } from './errors';
import { makeLayer, type Layer, type Param, type StateBuffer } from './layers';
import { defaultOps, type NnOps } from './ops';
import type { ModelSpec, StateDict } from './types';

/** Checks the JSON shape of a spec (not yet the layers' fit): what the CLI and the experiments read from files. */
export function parseModelSpec(json: unknown, what = 'model spec'): ModelSpec {
  const o = json as Partial<ModelSpec> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) nnFail(`${what}: expected an object {"input_shape": [...], "layers": [...]}, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  const s = o.input_shape;
  if (!Array.isArray(s) || s.length < 1 || !s.every((d) => Number.isInteger(d) && d >= 1)) {
    nnFail(`${what}: input_shape expects one sample's shape as positive integers, e.g. [1, 28, 28], got ${JSON.stringify(s)}`);
  }
  if (!Array.isArray(o.layers) || o.layers.length === 0) nnFail(`${what}: layers expects a non-empty list of [name, {kwargs}], got ${JSON.stringify(o.layers)}`);
  o.layers.forEach((l, i) => {
    if (!Array.isArray(l) || l.length !== 2 || typeof l[0] !== 'string' || !l[1] || typeof l[1] !== 'object' || Array.isArray(l[1])) {
      nnFail(`${what}: layer ${i} expects [torch.nn class name, {keyword arguments}], got ${JSON.stringify(l)}`);
    }
  });
  return { input_shape: [...s], layers: o.layers.map(([n, kw]) => [n, { ...kw }]) };
}

export interface KeyedParam extends Param {
  /** nn.Sequential key, e.g. "0.weight". */
  name: string;
}

export class Model {
  readonly params: KeyedParam[];
  readonly buffers: (StateBuffer & { name: string })[];
  readonly numClasses: number;
  /** needsDx[i]: some layer below i has parameters, so layer i must compute dx. */
  private readonly needsDx: boolean[];
  /** fusable[i]: layer i can run the ReLU layer i + 1 inside its own pass; fused[i]: it did in the last forward. */
  private readonly fusable: boolean[];
  private readonly fused: boolean[];
  /** ops: what the layers compute with (the model's own WebAssembly instance where there is one). */
  constructor(readonly spec: ModelSpec, readonly layers: Layer[], readonly ops: NnOps = defaultOps) {
    this.needsDx = layers.map((_, i) => layers.slice(0, i).some((l) => l.params.length > 0));
    this.fusable = layers.map((l, i) => !!l.forwardRelu && !!l.backwardRelu && layers[i + 1]?.kind === 'ReLU');
    this.fused = layers.map(() => false);
    this.params = layers.flatMap((l, i) => l.params.map((p) => Object.assign(p, { name: `${i}.${p.key}` })));
    this.buffers = layers.flatMap((l, i) => l.buffers.map((b) => Object.assign(b, { name: `${i}.${b.key}` })));
    const out = layers[layers.length - 1].outShape;
    this.numClasses = out[out.length - 1];
  }

  get outShape(): readonly number[] {
    return this.layers[this.layers.length - 1].outShape;
  }

  /** Logits for n samples (the last layer's output buffer: read it before the next forward). */
  forward(x: Float32Array, n: number, training: boolean): Float32Array {
    let h = x;
    const { layers, fusable, fused } = this;
    for (let i = 0; i < layers.length; i++) {
      const y = fusable[i] ? layers[i].forwardRelu!(h, n, training) : null;
      fused[i] = y !== null;
      if (y) {
        h = y;
        fused[++i] = false; // the ReLU, done
      } else h = layers[i].forward(h, n, training);
    }
    return h;
  }

  /** Every parameter's grad from dL/dlogits of the last forward. */
  backward(dlogits: Float32Array, n: number): void {
    let g: Float32Array | null = dlogits;
    const { layers, fused } = this;
    for (let i = layers.length - 1; i >= 0 && g; i--) {
      if (i > 0 && fused[i - 1]) g = layers[--i].backwardRelu!(g, n);
      else g = layers[i].backward(g, n, this.needsDx[i]);
    }
  }

  /** A copy of the parameters and buffers, in nn.Sequential order (each layer's params, then its buffers). */
  stateDict(): StateDict {
    const sd: StateDict = new Map();
    this.layers.forEach((l, i) => {
      for (const t of [...l.params, ...l.buffers]) sd.set(`${i}.${t.key}`, { shape: [...t.shape], data: t.data.slice() });
    });
    return sd;
  }

  /** load_state_dict(strict=True): every key present with its shape, nothing extra; mismatches listed in the error. */
  loadStateDict(sd: StateDict, what = 'state dict'): void {
    const expected = new Map<string, { shape: number[]; data: Float32Array | Float64Array }>();
    this.layers.forEach((l, i) => {
      for (const t of [...l.params, ...l.buffers]) expected.set(`${i}.${t.key}`, t);
    });
    const missing = [...expected.keys()].filter((k) => !sd.has(k));
    const unexpected = [...sd.keys()].filter((k) => !expected.has(k));
    const misshaped: string[] = [];
    for (const [k, t] of expected) {
      const got = sd.get(k);
      if (!got) continue;
      // num_batches_tracked is a 0-d tensor; a 1-element one is accepted.
      const sameShape = got.shape.join() === t.shape.join() || (t.shape.length === 0 && got.data.length === 1);
      if (!sameShape || got.data.length !== t.data.length) {
        misshaped.push(`${k}: copying a param with shape ${fmtShape(got.shape)}, the shape in current model is ${fmtShape(t.shape)}`);
      }
    }
    const parts: string[] = [];
    if (missing.length) parts.push(`Missing key(s): ${missing.map((k) => `"${k}"`).join(', ')}`);
    if (unexpected.length) parts.push(`Unexpected key(s): ${unexpected.map((k) => `"${k}"`).join(', ')}`);
    if (misshaped.length) parts.push(`size mismatch for ${misshaped.join('; ')}`);
    if (parts.length) nnFail(`Error(s) in loading ${what} for Sequential: ${parts.join('. ')}`);
    for (const [k, t] of expected) t.data.set(sd.get(k)!.data);
  }
}

/**
 * Builds and validates a model: each layer checks its input shape and is refused with its index and both shapes.
 * collective: the workers each training batch is split across, if any (their BatchNorm layers share statistics).
 */
export function buildModel(spec: ModelSpec, ops: NnOps = defaultOps, collective?: Collective): Model {
  const s = parseModelSpec(spec);
  // The model's buffers in memory of its own where the ops have it (used in place, freed with the model).
  ops = ops.forModel?.() ?? ops;
  let shape = [...s.input_shape];
  const layers: Layer[] = [];
  s.layers.forEach(([name, kw], index) => {
    const l = makeLayer(name, kw, { index, inShape: shape, ops, collective });
    layers.push(l);
    shape = [...l.outShape];
  });
  if (shape.length !== 1) {
    nnFail(`model spec: the last layer's output must be (N, classes) logits for cross-entropy, got ${fmtShape(['N' as unknown as number, ...shape])}; end with Flatten and Linear`);
  }
  return new Model(s, layers, ops);
}
