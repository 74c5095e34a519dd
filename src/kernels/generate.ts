// Seeded tensor generation for the playground: the same spec always gives the same tensor, on every machine.
// Per-channel scale and shift make channels differ in range, which is what normalization removes.
// Pure: no vscode, DOM or Node imports.
import { fail, fmtShape } from './errors';
import { numel } from './shape';
import type { Layout } from './types';

export type Distribution = 'normal' | 'uniform' | 'constant' | 'offset';
export const DISTRIBUTIONS: readonly Distribution[] = ['normal', 'uniform', 'constant', 'offset'];

export interface GenerateSpec {
  /** Stored shape, 1-D to 5-D. */
  shape: number[];
  /** Where the channel axis is: dim 1 (NCHW) or the last dim (NHWC, rank >= 3). */
  layout: Layout;
  /**
   * normal: N(0, 1). uniform: U[-1, 1). constant: every value 1 (variance 0: only eps keeps 1/sqrt(var + eps) finite).
   * offset: N(1e4, 0.01²), the case that breaks E[x²] − E[x]² in float32.
   */
  distribution: Distribution;
  /** Seed of the generator (an unsigned 32-bit integer). */
  seed: number;
  /** Per-channel multipliers, cycled over the channels (empty = 1). */
  channelScale: number[];
  /** Per-channel offsets added after scaling, cycled over the channels (empty = 0). */
  channelShift: number[];
}

/** Largest tensor the playground generates (elements). */
export const MAX_GENERATE_ELEMENTS = 1 << 24;

/** mulberry32: a tiny, well-mixed 32-bit generator; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by the Box–Muller transform (both values of each pair are used). */
export function normalSampler(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = rand();
    while (u === 0) u = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * rand();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/** Number of channels and the channel of each element for a stored shape and layout. */
export function channelAxis(shape: readonly number[], layout: Layout): number {
  if (shape.length < 2) return -1;
  return layout === 'NHWC' && shape.length >= 3 ? shape.length - 1 : 1;
}

export function checkGenerateSpec(spec: GenerateSpec): void {
  const { shape } = spec;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 5) fail(`expected a shape of 1 to 5 dims, got ${Array.isArray(shape) ? fmtShape(shape) : String(shape)}`);
  for (const d of shape) if (!Number.isInteger(d) || d < 1) fail(`expected every dim to be a positive integer, got shape ${fmtShape(shape)}`);
  if (numel(shape) > MAX_GENERATE_ELEMENTS) fail(`expected at most ${MAX_GENERATE_ELEMENTS} elements, got ${numel(shape)} for shape ${fmtShape(shape)}`);
  if (!DISTRIBUTIONS.includes(spec.distribution)) fail(`expected a distribution of ${DISTRIBUTIONS.join(', ')}, got '${spec.distribution}'`);
  if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff) fail(`expected the seed to be an integer in [0, 4294967295], got ${spec.seed}`);
  for (const [name, v] of [['scale', spec.channelScale], ['shift', spec.channelShift]] as const) {
    if (v.some((x) => !Number.isFinite(x))) fail(`expected finite per-channel ${name} values, got ${v.join(', ')}`);
  }
}

/** x = base · scale[c] + shift[c], base drawn from the distribution in storage order. */
export function generateTensor(spec: GenerateSpec): Float32Array {
  checkGenerateSpec(spec);
  const { shape, channelScale, channelShift } = spec;
  const n = numel(shape);
  const out = new Float32Array(n);
  const rand = mulberry32(spec.seed);
  const normal = normalSampler(rand);
  const draw: () => number =
    spec.distribution === 'normal' ? normal
    : spec.distribution === 'uniform' ? () => rand() * 2 - 1
    : spec.distribution === 'constant' ? () => 1
    : () => 1e4 + 0.01 * normal();
  const axis = channelAxis(shape, spec.layout);
  // Elements of one channel repeat every `inner` values, channels cycle with period C·inner.
  const C = axis < 0 ? 1 : shape[axis];
  const inner = axis < 0 ? n : numel(shape.slice(axis + 1));
  const scale = Float64Array.from({ length: C }, (_, c) => (channelScale.length ? channelScale[c % channelScale.length] : 1));
  const shift = Float64Array.from({ length: C }, (_, c) => (channelShift.length ? channelShift[c % channelShift.length] : 0));
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / inner) % C;
    out[i] = draw() * scale[c] + shift[c];
  }
  return out;
}
