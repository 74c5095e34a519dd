// The fused kernel (strategies 'fused' and 'shared', see strategy.ts): one wasm `fusedSets` call does sums ->
// mean/rstd -> y for many sets, each while it is in cache, so x is read from memory once and y written once.
// One thread ('fused'): whole sets are copied into wasm memory a chunk at a time; sets larger than a chunk (> 4 MB)
// take a second read for the output pass.
import type { Moments } from '../moments';
import type { CheckedParams } from '../normalize';
import type { NormPlan } from '../plan';
import { chunkFloats, emptySums, finishMoments, putMeanVar, sumsOfSets } from './sums';
import { putWeightBias, Regions, type KernelExports, type Kernels } from './wasm';

/** The plan-wide arguments of the wasm export fusedSets (kernels.wat), built once per normalization. */
export interface FusedArgs {
  cpg: number;
  S: number;
  groups: number;
  /** Runs of cpg·S floats per set (N for BatchNorm, else 1) and the bytes from one run to the next in x. */
  runs: number;
  stride: number;
  /** Byte offsets of the float32 weight and bias, one per channel (see putWeightBias). */
  wp: number;
  bp: number;
  eps: number;
  centered: 0 | 1;
}

export function fusedArgs(plan: NormPlan, p: CheckedParams, wp: number, bp: number): FusedArgs {
  return {
    cpg: plan.channelsPerGroup, S: plan.S, groups: plan.groups, runs: plan.reduceN ? plan.N : 1, stride: plan.C * plan.S * 4,
    wp, bp, eps: p.eps, centered: plan.centered ? 1 : 0,
  };
}

/**
 * Sets [set0, set1) whose first floats are at byte src, y at dst (may equal src), [mean, var] of each set from statp
 * (16 bytes per set). `stride` replaces args.stride where x was copied into a chunk (runs one chunk block apart).
 */
export function runFused(k: KernelExports, a: FusedArgs, src: number, dst: number, set0: number, set1: number, statp: number, stride = a.stride): void {
  k.fusedSets(src, dst, set1 - set0, a.cpg, a.S, a.runs, stride, set0 % a.groups, a.groups, a.wp, a.bp, a.eps, a.centered, statp);
}

/** Strategy 'fused': y and the moments of sets [set0, set1), x copied through this thread's wasm memory. */
export function fusedSets(K: Kernels, plan: NormPlan, p: CheckedParams, x: Float32Array, y: Float32Array, set0: number, set1: number): Moments {
  const L = plan.channelsPerGroup * plan.S;
  return plan.reduceN || L <= chunkFloats(plan) ? fusedChunks(K, plan, p, x, y, set0, set1) : fusedLargeSets(K, plan, p, x, y, set0, set1);
}

/** Whole sets per chunk, one wasm call per chunk. A BatchNorm chunk holds a range of channels' N runs, one block per sample. */
function fusedChunks(K: Kernels, plan: NormPlan, p: CheckedParams, x: Float32Array, y: Float32Array, set0: number, set1: number): Moments {
  const { C, S } = plan;
  const L = plan.channelsPerGroup * S;
  const runs = plan.reduceN ? plan.N : 1;
  const perChunk = Math.max(1, Math.floor(Math.max(chunkFloats(plan), L * runs) / (L * runs)));
  const regions = new Regions();
  const wp = regions.take(C, 4);
  const bp = regions.take(C, 4);
  const statp = regions.take(2 * perChunk, 8);
  const scratch = regions.takeChunk(perChunk * L * runs);
  K.ensure(regions.bytes);
  const f = K.f32;
  putWeightBias(f, wp, bp, C, p.weight, p.bias);
  const args = fusedArgs(plan, p, wp, bp);
  const sums = emptySums(set0, set1 - set0);
  const sampleStride = C * S; // floats between a sample's blocks in x (BatchNorm)
  for (let a = set0; a < set1; a += perChunk) {
    const e = Math.min(set1, a + perChunk);
    const block = (e - a) * L;
    for (let r = 0; r < runs; r++) f.set(x.subarray(r * sampleStride + a * L, r * sampleStride + e * L), (scratch >> 2) + r * block);
    runFused(K.k, args, scratch, scratch, a, e, statp, block * 4);
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
  const regions = new Regions();
  const wp = S === 1 ? regions.take(C, 8) : 0;
  const bp = S === 1 ? regions.take(C, 8) : 0;
  const scratch = regions.takeChunk(cap);
  K.ensure(regions.bytes);
  if (S === 1) putWeightBias(K.f64, wp, bp, C, w, b);
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
        // Channel runs of S floats within this piece [a, a + len) of the set.
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
