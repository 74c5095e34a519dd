// One worker's share of a parallel normalization, as pure functions over shared memory (the jobs in
// src/extension/jobs/{moments,apply}.ts only wrap these, so they are tested without threads).
// x and y are views of SharedArrayBuffers: every worker reads x and writes a disjoint part of y.
import { checkNormInput } from '../normalize';
import type { NormPlan } from '../plan';
import type { NormParams } from '../types';
import { applyFast } from './apply';
import { canFuse, canFuseInChunks, fusedSets } from './fused';
import { sumsOfRows, sumsOfSets, walkOf, type Sums } from './sums';
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
   * Zero-copy only: the units are shared with the calling thread and taken `chunk` at a time by Atomics.add on
   * control[0] (chunk index) until none is left; control[1] counts finished units (Atomics.notify wakes the caller).
   * The statistics are read from the shared memory, so the result is empty. A thread that gets no core (or a
   * message that arrives late) then does less work instead of holding everyone up.
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
    // One call per part (or claimed chunk), straight from x to y in the shared memory.
    const { memory, xp, yp, wp, bp, statp } = part.shared;
    const L = plan.channelsPerGroup * plan.S;
    const runs = plan.reduceN ? plan.N : 1;
    const K = sharedKernels(memory);
    const fused = (u0: number, u1: number) => K.fusedSets(xp + u0 * L * 4, yp + u0 * L * 4, u1 - u0, plan.channelsPerGroup, plan.S, runs,
      plan.C * plan.S * 4, u0 % plan.groups, plan.groups, wp, bp, p.eps, plan.centered ? 1 : 0, statp + u0 * 16);
    const { unit0: u0, unit1: u1 } = part;
    if (part.claim) {
      const { control, chunk } = part.claim;
      for (let a = u0 + Atomics.add(control, 0, 1) * chunk; a < u1; a = u0 + Atomics.add(control, 0, 1) * chunk) {
        const b = Math.min(u1, a + chunk);
        fused(a, b);
        Atomics.add(control, 1, b - a);
        Atomics.notify(control, 1);
      }
      return { set0: u0, k: new Float64Array(0), s1: new Float64Array(0), s2: new Float64Array(0) };
    }
    fused(u0, u1);
    return sharedSums(plan, memory, statp, u0, u1);
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

/** Sets [u0, u1) as sums (k = mean, s1 = 0, s2 = var·count) from the per-set [mean, var] fusedSets wrote at statp. */
export function sharedSums(plan: NormPlan, memory: WebAssembly.Memory, statp: number, u0: number, u1: number): Sums {
  const st = new Float64Array(memory.buffer, statp + u0 * 16, 2 * (u1 - u0));
  const n = u1 - u0;
  const sums: Sums = { set0: u0, k: new Float64Array(n), s1: new Float64Array(n), s2: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    sums.k[i] = st[2 * i];
    sums.s2[i] = st[2 * i + 1] * plan.setSize;
  }
  return sums;
}

export function runApplyPart(part: ApplyPart): void {
  const K = simd();
  const { plan } = checkNormInput({ data: part.x, shape: part.shape }, part.params);
  applyFast(K, plan, part.x, part.y, part.scale, part.shift, part.row0, part.row1);
}
