// The fused path, one thread: sets normalized by their own statistics (GroupNorm, LayerNorm, RMSNorm, and
// Instance/BatchNorm with batch statistics; NCHW or S = 1). Whole sets are copied into wasm memory a chunk at a
// time and one `fusedSets` call does sums -> mean/rstd -> y for each while it is in cache: x is read from memory
// once and y written once. Sets larger than a chunk (> 4 MB) take a second read for the output pass.
import type { Moments } from '../moments';
import type { CheckedParams } from '../normalize';
import type { NormPlan } from '../plan';
import { chunkFloats, finishMoments, putMeanVar, sumsOfSets, walkOf, type Sums } from './sums';
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
  const L = plan.channelsPerGroup * plan.S;
  return plan.reduceN || L <= chunkFloats(plan) ? fusedChunks(K, plan, p, x, y, set0, set1) : fusedLargeSets(K, plan, p, x, y, set0, set1);
}

/** Whole sets per chunk, one wasm call per chunk. A BatchNorm chunk holds a range of channels' N runs, one block per sample. */
function fusedChunks(K: Kernels, plan: NormPlan, p: CheckedParams, x: Float32Array, y: Float32Array, set0: number, set1: number): Moments {
  const { C, S, groups, channelsPerGroup: cpg, centered } = plan;
  const L = cpg * S;
  const { weight: w, bias: b, eps } = p;
  const runs = plan.reduceN ? plan.N : 1;
  const perChunk = Math.max(1, Math.floor(Math.max(chunkFloats(plan), L * runs) / (L * runs)));
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
  const sampleStride = C * S; // floats between a sample's blocks in x (BatchNorm)
  for (let a = set0; a < set1; a += perChunk) {
    const e = Math.min(set1, a + perChunk);
    const block = (e - a) * L;
    for (let r = 0; r < runs; r++) f.set(x.subarray(r * sampleStride + a * L, r * sampleStride + e * L), (scratch >> 2) + r * block);
    K.k.fusedSets(scratch, scratch, e - a, cpg, S, runs, block * 4, a % groups, groups, wp32, bp32, eps, centered ? 1 : 0, statp);
    for (let r = 0; r < runs; r++) y.set(f.subarray((scratch >> 2) + r * block, (scratch >> 2) + (r + 1) * block), r * sampleStride + a * L);
    putMeanVar(sums, a - set0, K.f64.subarray(statp >> 3, (statp >> 3) + 2 * (e - a)), plan.setSize);
  }
  return finishMoments(plan, x, sums, set0, set1);
}

/**
 * Sets larger than a chunk (non-BatchNorm): sums over pieces, then a second pass over pieces with the float64 output
 * kernels and the reference's scale/shift (bit-identical to applyScaleShift for equal statistics).
 */
function fusedLargeSets(K: Kernels, plan: NormPlan, p: CheckedParams, x: Float32Array, y: Float32Array, set0: number, set1: number): Moments {
  const { C, S, groups, channelsPerGroup: cpg, centered } = plan;
  const L = cpg * S;
  const { weight: w, bias: b, eps } = p;
  const cap = chunkFloats(plan);
  const sums = sumsOfSets(K, plan, x, set0, set1);
  const m = finishMoments(plan, x, sums, set0, set1);
  const lay = new Layout();
  const wp = S === 1 ? lay.take(C, 8) : 0;
  const bp = S === 1 ? lay.take(C, 8) : 0;
  const scratch = lay.takeChunk(cap);
  K.ensure(lay.bytes);
  if (S === 1) {
    const f = K.f64;
    if (w) f.set(w, wp >> 3);
    else f.fill(1, wp >> 3, (wp >> 3) + C);
    if (b) f.set(b, bp >> 3);
    else f.fill(0, bp >> 3, (bp >> 3) + C);
  }
  for (let s = set0; s < set1; s++) {
    // m holds the reference's statistics for a set with NaN/Inf (finishMoments recomputed it).
    const mean = m.mean[s - set0];
    const r = 1 / Math.sqrt((centered ? m.var[s - set0] : m.ms[s - set0]) + eps);
    const mu = centered ? mean : 0;
    const g = s % groups;
    for (let a = 0; a < L; a += cap) {
      const len = Math.min(cap, L - a);
      const at = s * L + a;
      K.f32.set(x.subarray(at, at + len), scratch >> 2);
      if (S === 1) {
        K.k.applyAffine(scratch, scratch, len, wp + (g * cpg + a) * 8, bp + (g * cpg + a) * 8, mu, r);
      } else {
        // Channel rows of S floats within this piece [a, a + len) of the set.
        for (let i = a; i < a + len;) {
          const j = Math.floor(i / S);
          const c = g * cpg + j;
          const n = Math.min(a + len, (j + 1) * S) - i;
          const sc = (w ? w[c] : 1) * r;
          const at2 = scratch + (i - a) * 4;
          K.k.apply(at2, at2, n, sc, (b ? b[c] : 0) - mu * sc);
          i += n;
        }
      }
      y.set(K.f32.subarray(scratch >> 2, (scratch >> 2) + len), at);
    }
  }
  return m;
}
