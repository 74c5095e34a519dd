// One worker's share of a parallel normalization, as pure functions over shared memory (the jobs in
// src/extension/jobs/{moments,apply}.ts only wrap these, so they are tested without threads).
// x and y are views of SharedArrayBuffers: every worker reads x and writes a disjoint part of y.
import type { Moments } from '../moments';
import { checkNormInput, type CheckedParams } from '../normalize';
import type { NormPlan } from '../plan';
import type { NormParams } from '../types';
import { applyFast } from './apply';
import { canFuse, canFuseInChunks, fusedSets } from './fused';
import { finishMoments, putMeanVar, sumsOfRows, sumsOfSets, walkOf, type Sums } from './sums';
import { kernels, sharedKernels } from './wasm';

export interface MomentsPart {
  x: Float32Array;
  shape: number[];
  params: NormParams;
  /** Work units [unit0, unit1): sets (walk 'sets') or rows (n, s) (walk 'rows'). */
  unit0: number;
  unit1: number;
  /** Fused plans only: also write y for these sets. */
  y?: Float32Array;
  /** Fused plans, zero-copy: x, y and the header live in this shared wasm memory (see sharedTensor.ts). */
  shared?: { memory: WebAssembly.Memory; xp: number; yp: number; wp: number; bp: number; statp: number };
  /**
   * Zero-copy only: the units are shared by every worker of the call and taken `chunk` at a time by Atomics.add on
   * control[0] (the next chunk) until none is left, so one message per worker balances the load: a worker that
   * starts late or loses its core just does fewer chunks.
   */
  claim?: { control: Int32Array; chunk: number };
}

export interface ApplyPart {
  x: Float32Array;
  y: Float32Array;
  shape: number[];
  params: NormParams;
  scale: Float64Array;
  shift: Float64Array;
  /** Apply rows [row0, row1) (see applyRows). */
  row0: number;
  row1: number;
}

function simd() {
  const K = kernels();
  if (!K) throw new Error('this runtime has no WebAssembly SIMD; use the reference normalize job');
  return K;
}

/** Shifted sums of the part's units; with y, the fused path also writes the output of those sets. */
export function runMomentsPart(part: MomentsPart): Sums {
  const K = simd();
  const { plan, p } = checkNormInput({ data: part.x, shape: part.shape }, part.params);
  if (part.shared) {
    if (!canFuse(plan, p)) throw new Error('internal: fused moments requested for a plan that cannot fuse');
    if (part.claim) {
      const { control, chunk } = part.claim;
      for (let a = part.unit0 + Atomics.add(control, 0, 1) * chunk; a < part.unit1; a = part.unit0 + Atomics.add(control, 0, 1) * chunk) {
        fusedShared(plan, p, part.shared, a, Math.min(part.unit1, a + chunk));
      }
    } else {
      fusedShared(plan, p, part.shared, part.unit0, part.unit1);
    }
    // The statistics stay in the shared memory (sharedMoments reads them): nothing to send back.
    return { set0: part.unit0, k: new Float64Array(0), s1: new Float64Array(0), s2: new Float64Array(0) };
  }
  if (part.y) {
    if (!canFuseInChunks(plan, p)) throw new Error('internal: fused moments requested for a plan that cannot fuse');
    const m = fusedSets(K, plan, p, part.x, part.y, part.unit0, part.unit1);
    // Hand back sums equivalent to the moments: k = mean, s1 = 0, s2 = var·count.
    return { set0: part.unit0, k: m.mean, s1: new Float64Array(m.mean.length), s2: m.var.map((v) => v * plan.setSize) };
  }
  return walkOf(plan) === 'sets'
    ? sumsOfSets(K, plan, part.x, part.unit0, part.unit1)
    : sumsOfRows(K, plan, part.x, part.unit0, part.unit1);
}

export type SharedRegion = NonNullable<MomentsPart['shared']>;

/** Zero-copy fused sets [u0, u1): one SIMD call straight from x to y in the shared memory; [mean, var] per set at statp. */
export function fusedShared(plan: NormPlan, p: CheckedParams, shared: SharedRegion, u0: number, u1: number): void {
  simd(); // the same clear error as the other paths where SIMD is missing
  const { memory, xp, yp, wp, bp, statp } = shared;
  const L = plan.channelsPerGroup * plan.S;
  sharedKernels(memory).fusedSets(xp + u0 * L * 4, yp + u0 * L * 4, u1 - u0, plan.channelsPerGroup, plan.S, plan.reduceN ? plan.N : 1,
    plan.C * plan.S * 4, u0 % plan.groups, plan.groups, wp, bp, p.eps, plan.centered ? 1 : 0, statp + u0 * 16);
}

/** Every set's moments from the [mean, var] that fusedShared wrote at statp (finishMoments: non-finite sets get the reference's). */
export function sharedMoments(plan: NormPlan, x: Float32Array, memory: WebAssembly.Memory, statp: number): Moments {
  const n = plan.numSets;
  const sums: Sums = { set0: 0, k: new Float64Array(n), s1: new Float64Array(n), s2: new Float64Array(n) };
  putMeanVar(sums, 0, new Float64Array(memory.buffer, statp, 2 * n), plan.setSize);
  return finishMoments(plan, x, sums, 0, n);
}

export function runApplyPart(part: ApplyPart): void {
  const K = simd();
  const { plan } = checkNormInput({ data: part.x, shape: part.shape }, part.params);
  applyFast(K, plan, part.x, part.y, part.scale, part.shift, part.row0, part.row1);
}
