// Per-set shifted sums with the SIMD kernels: for each set, k = its first element, s1 = Σ(x - k), s2 = Σ(x - k)².
// Partial sums over disjoint parts of a set (worker chunks) add up because k is fixed per set.
//
// Two walks, chosen by `walkOf(plan)`:
//   'sets':      a set is one or N contiguous runs of cpg·S floats (NCHW with S > 1; any non-batch plan with S = 1,
//                which covers LayerNorm/RMSNorm). Work unit = set.
//   'positions': channels-last (NHWC, S > 1) and BatchNorm on (N, C): the tensor is positions (n, s) of C channels
//                and every position feeds C per-channel accumulators (statsVec), folded into sets at the end.
//                Work unit = position.
import { setMoments, type Moments } from '../moments';
import { setOf, type NormPlan } from '../plan';
import { Regions, type Kernels } from './wasm';

export interface Sums {
  /** First set covered (walk 'sets') or 0 (walk 'positions': arrays span every set). */
  set0: number;
  k: Float64Array;
  s1: Float64Array;
  s2: Float64Array;
}

/** Zeroed sums of `count` sets from set0. */
export const emptySums = (set0: number, count: number): Sums =>
  ({ set0, k: new Float64Array(count), s1: new Float64Array(count), s2: new Float64Array(count) });

export type Walk = 'sets' | 'positions';

export function walkOf(plan: NormPlan): Walk {
  if (plan.S === 1) return plan.reduceN ? 'positions' : 'sets';
  return plan.layout === 'NHWC' ? 'positions' : 'sets';
}

/** Work units of the walk: sets, or positions (n, s) of C floats. */
export const unitCount = (plan: NormPlan): number => (walkOf(plan) === 'sets' ? plan.numSets : plan.N * plan.S);

/** Sums of work units [u0, u1) of the plan's walk. */
export function sumsOfUnits(K: Kernels, plan: NormPlan, x: Float32Array, u0: number, u1: number): Sums {
  return walkOf(plan) === 'sets' ? sumsOfSets(K, plan, x, u0, u1) : sumsOfPositions(K, plan, x, u0, u1);
}

/** Floats per chunk copied into wasm memory: a whole set when it is at most 4 MB, else 1 MB pieces. */
export function chunkFloats(plan: NormPlan): number {
  const L = plan.channelsPerGroup * plan.S;
  return L <= 1 << 20 ? Math.max(L, 1 << 15) : 1 << 18;
}

/** Sums of sets [set0, set1) for walk 'sets'. */
export function sumsOfSets(K: Kernels, plan: NormPlan, x: Float32Array, set0: number, set1: number): Sums {
  const L = plan.channelsPerGroup * plan.S;
  const nSets = set1 - set0;
  const sums = emptySums(set0, nSets);
  const cap = chunkFloats(plan);
  const regions = new Regions();
  const scratch = regions.takeChunk(cap);
  K.ensure(regions.bytes);
  // Adds the shifted sums of `len` floats at wasm address p to set i (the kernel writes them to f64[0..1]).
  const addStats = (i: number, p: number, len: number) => {
    const view = K.f64;
    view[0] = 0;
    view[1] = 0;
    K.k.stats(p, len, sums.k[i], 0);
    sums.s1[i] += view[0];
    sums.s2[i] += view[1];
  };
  for (let s = set0; s < set1; s++) sums.k[s - set0] = x[s * L];

  // Blocks of x: [start, start + len) holding consecutive runs of sets; BN (reduceN) has one block per sample.
  const blocks: number[] = plan.reduceN
    ? Array.from({ length: plan.N }, (_, n) => n * plan.C * plan.S + set0 * L)
    : [set0 * L];
  for (const start of blocks) {
    if (L <= cap) {
      const perChunk = Math.max(1, Math.floor(cap / L));
      for (let a = 0; a < nSets; a += perChunk) {
        const b = Math.min(nSets, a + perChunk);
        K.f32.set(x.subarray(start + a * L, start + b * L), scratch >> 2);
        for (let i = a; i < b; i++) addStats(i, scratch + (i - a) * L * 4, L);
      }
    } else {
      // A set larger than the chunk: sums over pieces (fused.ts then applies in a second pass).
      for (let i = 0; i < nSets; i++) {
        const base = start + i * L;
        for (let a = 0; a < L; a += cap) {
          const len = Math.min(cap, L - a);
          K.f32.set(x.subarray(base + a, base + a + len), scratch >> 2);
          addStats(i, scratch, len);
        }
      }
    }
  }
  return sums;
}

/** Sums over positions [u0, u1) for walk 'positions'; arrays span every set (zeros where no position contributed). */
export function sumsOfPositions(K: Kernels, plan: NormPlan, x: Float32Array, u0: number, u1: number): Sums {
  const { C, S, channelsPerGroup: cpg } = plan;
  const sums = emptySums(0, plan.numSets);
  const regions = new Regions();
  const kp = regions.take(C, 8);
  const accp = regions.take(2 * C, 8);
  const perChunk = Math.max(1, Math.floor((1 << 15) / C));
  const scratch = regions.takeChunk(perChunk * C);
  K.ensure(regions.bytes);

  const flush = (n: number) => {
    const acc = K.f64.subarray(accp >> 3, (accp >> 3) + 2 * C);
    for (let c = 0; c < C; c++) {
      const set = setOf(plan, n, c);
      sums.s1[set] += acc[c];
      sums.s2[set] += acc[C + c];
    }
    acc.fill(0);
  };
  const setShifts = (n: number) => {
    // k of set (n, g) is its first element: position (n, s = 0), channel g·cpg. Every channel of a group shares it.
    const kv = K.f64.subarray(kp >> 3, (kp >> 3) + C);
    const base = plan.reduceN ? 0 : n * S * C;
    for (let c = 0; c < C; c++) {
      const g = Math.floor(c / cpg);
      kv[c] = x[base + g * cpg];
      sums.k[setOf(plan, n, c)] = kv[c];
    }
  };

  K.f64.fill(0, accp >> 3, (accp >> 3) + 2 * C);
  let n = -1;
  for (let u = u0; u < u1;) {
    const un = Math.floor(u / S);
    if (un !== n) {
      if (n >= 0 && !plan.reduceN) flush(n);
      if (n < 0 || !plan.reduceN) setShifts(un);
      n = un;
    }
    // Stay within one sample so that a chunk never mixes two samples' shifts.
    const end = plan.reduceN ? u1 : Math.min(u1, (un + 1) * S);
    const count = Math.min(perChunk, end - u);
    K.f32.set(x.subarray(u * C, (u + count) * C), scratch >> 2);
    K.k.statsVec(scratch, count, C, kp, accp);
    u += count;
  }
  if (n >= 0) flush(n);
  return sums;
}

/**
 * fusedSets leaves [mean, var] per set; as sums they are k = mean, s1 = 0, s2 = var·count, which finishMoments turns
 * back into mean and var (recomputing non-finite sets). Writes `meanVar.length / 2` sets from sums index `at`.
 */
export function putMeanVar(sums: Sums, at: number, meanVar: Float64Array, count: number): void {
  for (let i = 0; i < meanVar.length >> 1; i++) {
    sums.k[at + i] = meanVar[2 * i];
    sums.s2[at + i] = meanVar[2 * i + 1] * count;
  }
}

export function finishOne(k: number, s1: number, s2: number, count: number): { mean: number; v: number; ms: number } {
  const mean = k + s1 / count;
  const v = Math.max(0, (s2 - (s1 * s1) / count) / count);
  // mean(x²) = var + mean²: a sum of two non-negative terms, so no cancellation.
  return { mean, v, ms: v + mean * mean };
}

/** Moments of sets [set0, set1) from complete sums. A non-finite result is recomputed by the reference (NaN/Inf rules). */
export function finishMoments(plan: NormPlan, x: Float32Array, sums: Sums, set0: number, set1: number): Moments {
  const k = set1 - set0;
  const m: Moments = { mean: new Float64Array(k), var: new Float64Array(k), ms: new Float64Array(k) };
  for (let s = set0; s < set1; s++) {
    const i = s - sums.set0;
    const f = finishOne(sums.k[i], sums.s1[i], sums.s2[i], plan.setSize);
    if (Number.isFinite(f.mean) && Number.isFinite(f.ms)) {
      m.mean[s - set0] = f.mean;
      m.var[s - set0] = f.v;
      m.ms[s - set0] = f.ms;
    } else {
      const ref = setMoments(plan, x, s, s + 1);
      m.mean[s - set0] = ref.mean[0];
      m.var[s - set0] = ref.var[0];
      m.ms[s - set0] = ref.ms[0];
    }
  }
  return m;
}
