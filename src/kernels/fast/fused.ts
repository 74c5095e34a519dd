// The fused path for sets that are contiguous and normalized by their own statistics (GroupNorm, InstanceNorm in
// training, LayerNorm, RMSNorm; NCHW or S = 1): per chunk of whole sets, sums -> per-set scale/shift -> y in place,
// while the chunk is still in cache. x is read from memory once and y written once.
// Sets larger than a chunk (> 4 MB) take a second read for the output pass.
import type { Moments } from '../moments';
import { setMoments } from '../moments';
import type { CheckedParams } from '../normalize';
import type { NormPlan } from '../plan';
import { chunkFloats, finishMoments, finishOne, sumsOfSets, walkOf, type Sums } from './sums';
import { Layout, type Kernels } from './wasm';

/**
 * Whether every set is normalized by its own statistics and walked as runs of cpg·S floats: GroupNorm,
 * InstanceNorm/BatchNorm in training (or without running stats), LayerNorm, RMSNorm; NCHW or S = 1.
 */
export const canFuse = (plan: NormPlan, p: CheckedParams): boolean => p.useBatchStats && walkOf(plan) === 'sets';

/** The same, when x must be copied through chunks: a BatchNorm channel (N runs) must fit one 1 MB chunk. */
export const canFuseInChunks = (plan: NormPlan, p: CheckedParams): boolean =>
  canFuse(plan, p) && (!plan.reduceN || plan.setSize <= 1 << 18);

export function fusedSets(K: Kernels, plan: NormPlan, p: CheckedParams, x: Float32Array, y: Float32Array, set0: number, set1: number): Moments {
  const { C, S, groups, channelsPerGroup: cpg, centered } = plan;
  const L = cpg * S;
  const { weight: w, bias: b, eps } = p;
  let wp = 0;
  let bp = 0;

  // Row/per-element scale and shift exactly as foldStatistics computes them, so y matches the reference bit for bit
  // whenever the statistics do.
  const applySet = (set: number, at: number, mean: number, ms: number, v: number, len = L, offset = 0) => {
    if (!(Number.isFinite(mean) && Number.isFinite(ms))) {
      const ref = setMoments(plan, x, set, set + 1); // NaN/Inf: take the reference's statistics
      mean = ref.mean[0];
      ms = ref.ms[0];
      v = ref.var[0];
    }
    const m = centered ? mean : 0;
    const r = 1 / Math.sqrt((centered ? v : ms) + eps);
    const g = set % groups;
    if (S === 1) {
      K.k.applyAffine(at, at, len, wp + (g * cpg + offset) * 8, bp + (g * cpg + offset) * 8, m, r);
      return;
    }
    // Channel rows of S floats; offset/len select a piece of the set (second pass of large sets).
    for (let i = offset; i < offset + len;) {
      const j = Math.floor(i / S);
      const c = g * cpg + j;
      const n = Math.min(offset + len, (j + 1) * S) - i;
      const sc = (w ? w[c] : 1) * r;
      const sh = (b ? b[c] : 0) - m * sc;
      K.k.apply(at + (i - offset) * 4, at + (i - offset) * 4, n, sc, sh);
      i += n;
    }
  };

  const prepare = (lay: Layout) => {
    if (S !== 1) return;
    wp = lay.take(C, 8);
    bp = lay.take(C, 8);
  };
  const fillAffine = () => {
    if (S !== 1) return;
    const f = K.f64;
    if (w) f.set(w, wp >> 3);
    else f.fill(1, wp >> 3, (wp >> 3) + C);
    if (b) f.set(b, bp >> 3);
    else f.fill(0, bp >> 3, (bp >> 3) + C);
  };

  const cap = chunkFloats(plan);
  if (plan.reduceN || L <= cap) {
    // Whole sets per chunk, one wasm call per chunk (no per-set call from JS). BatchNorm's sets are channels with
    // one run per sample: the chunk holds, for a range of channels, their N runs one block per sample.
    const runs = plan.reduceN ? plan.N : 1;
    const perChunk = Math.max(1, Math.floor(Math.max(cap, L * runs) / (L * runs)));
    const lay = new Layout();
    const wp32 = lay.take(C, 4);
    const bp32 = lay.take(C, 4);
    const statp = lay.take(2 * perChunk, 8);
    const scratch = lay.takeChunk(perChunk * L * runs);
    K.ensure(lay.bytes);
    const f = K.f32;
    if (w) f.set(w, wp32 >> 2);
    else f.fill(1, wp32 >> 2, (wp32 >> 2) + C);
    if (b) f.set(b, bp32 >> 2);
    else f.fill(0, bp32 >> 2, (bp32 >> 2) + C);
    const nSets = set1 - set0;
    const sums: Sums = { set0, k: new Float64Array(nSets), s1: new Float64Array(nSets), s2: new Float64Array(nSets) };
    const sampleStride = plan.C * S; // floats between a sample's blocks in x (BatchNorm)
    for (let a = set0; a < set1; a += perChunk) {
      const e = Math.min(set1, a + perChunk);
      const block = (e - a) * L;
      for (let r = 0; r < runs; r++) K.f32.set(x.subarray(r * sampleStride + a * L, r * sampleStride + e * L), (scratch >> 2) + r * block);
      K.k.fusedSets(scratch, scratch, e - a, cpg, S, runs, block * 4, a % groups, groups, wp32, bp32, eps, centered ? 1 : 0, statp);
      for (let r = 0; r < runs; r++) y.set(K.f32.subarray((scratch >> 2) + r * block, (scratch >> 2) + (r + 1) * block), r * sampleStride + a * L);
      // As sums with k = mean: finishMoments gives back mean and var, and recomputes non-finite sets.
      const st = K.f64;
      for (let i = a; i < e; i++) {
        sums.k[i - set0] = st[(statp >> 3) + 2 * (i - a)];
        sums.s2[i - set0] = st[(statp >> 3) + 2 * (i - a) + 1] * plan.setSize;
      }
    }
    return finishMoments(plan, x, sums, set0, set1);
  }

  // Large sets: sums first, then a second pass over pieces.
  const sums = sumsOfSets(K, plan, x, set0, set1);
  const m = finishMoments(plan, x, sums, set0, set1);
  const lay = new Layout();
  prepare(lay);
  const scratch = lay.takeChunk(cap);
  K.ensure(lay.bytes);
  fillAffine();
  for (let s = set0; s < set1; s++) {
    const f = finishOne(sums.k[s - set0], sums.s1[s - set0], sums.s2[s - set0], L);
    for (let a = 0; a < L; a += cap) {
      const len = Math.min(cap, L - a);
      const at = s * L + a;
      K.f32.set(x.subarray(at, at + len), scratch >> 2);
      applySet(s, scratch, f.mean, f.ms, f.v, len, a);
      y.set(K.f32.subarray(scratch >> 2, (scratch >> 2) + len), at);
    }
  }
  return m;
}
