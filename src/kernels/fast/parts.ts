// One worker's share of a parallel normalization (parallelNormalize executing a Strategy, see strategy.ts), as pure
// functions over shared memory: the jobs in src/extension/jobs/{moments,apply}.ts only wrap these, so they are tested
// without threads. x and y are views of SharedArrayBuffers: every worker reads x and writes a disjoint part of y.
import type { Moments } from '../moments';
import { checkNormInput } from '../normalize';
import type { NormPlan } from '../plan';
import type { NormParams } from '../types';
import { applyFast, applyRows } from './apply';
import { fusedSets, runFused, type FusedArgs } from './fused';
import { strategy } from './strategy';
import { emptySums, finishMoments, putMeanVar, sumsOfUnits, walkOf, type Sums } from './sums';
import { kernels, sharedKernels } from './wasm';

/** Strategy 'shared': x, y and the per-set [mean, var] (at statp) in one shared wasm memory (see sharedTensor.ts). */
export interface SharedRegion {
  memory: WebAssembly.Memory;
  xp: number;
  yp: number;
  statp: number;
  /** fusedSets' arguments, built once by the caller for every worker. */
  fused: FusedArgs;
}

/**
 * The units are shared by every worker of the call and taken `chunk` at a time by Atomics.add on control[0] (the next
 * chunk) until none is left, so one message per worker balances the load: a worker that starts late or loses its core
 * just does fewer chunks.
 */
export interface Claim {
  control: Int32Array;
  chunk: number;
}

interface PartBase {
  x: Float32Array;
  shape: number[];
  params: NormParams;
  /** Work units [unit0, unit1) of the strategy: sets, or positions (n, s) for walk 'positions'. */
  unit0: number;
  unit1: number;
}

/** The first pass of a strategy over some units: which one is named, and it must be the one strategy() picks. */
export type MomentsPart =
  | (PartBase & { kind: 'twoPass' })
  | (PartBase & { kind: 'fused'; y: Float32Array })
  | (PartBase & { kind: 'shared'; shared: SharedRegion; claim?: Claim });

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

/**
 * Shifted sums of the part's units; 'fused' and 'shared' also write the output of those sets. 'shared' leaves the
 * statistics in the shared memory (sharedMoments reads them) and returns empty sums.
 */
export function runMomentsPart(part: MomentsPart, between?: () => void): Sums {
  const K = simd();
  const { plan, p } = checkNormInput({ data: part.x, shape: part.shape }, part.params);
  const decided = strategy(plan, p, { zeroCopy: part.kind === 'shared' }).kind;
  if (decided !== part.kind) throw new Error(`internal: a '${part.kind}' part for a plan whose strategy is '${decided}'`);
  switch (part.kind) {
    case 'shared': {
      const { shared, claim } = part;
      if (!claim) {
        fusedShared(shared, part.unit0, part.unit1);
      } else {
        // `between` before each claim: a cancelled job stops here and leaves the rest to nobody (the call is over).
        for (;;) {
          between?.();
          const a = part.unit0 + Atomics.add(claim.control, 0, 1) * claim.chunk;
          if (a >= part.unit1) break;
          fusedShared(shared, a, Math.min(part.unit1, a + claim.chunk));
        }
      }
      return emptySums(part.unit0, 0);
    }
    case 'fused': {
      const m = fusedSets(K, plan, p, part.x, part.y, part.unit0, part.unit1);
      // Sums equivalent to the moments: k = mean, s1 = 0, s2 = var·count.
      return { set0: part.unit0, k: m.mean, s1: new Float64Array(m.mean.length), s2: m.var.map((v) => v * plan.setSize) };
    }
    case 'twoPass':
      return sumsOfUnits(K, plan, part.x, part.unit0, part.unit1);
  }
}

/** Floats per piece of a worker's part (runMomentsPieces, runApplyPieces): a few ms of SIMD work between two checks. */
export const PIECE_FLOATS = 1 << 20;

/**
 * A worker's moments part in pieces of about PIECE_FLOATS floats (whole units), `between` called before each: it may
 * throw to stop the part (a cancelled job). One Sums per piece; gatherMoments takes them all. A 'shared' part checks
 * between the chunks it claims instead.
 */
export function runMomentsPieces(part: MomentsPart, between: () => void): Sums[] {
  if (part.kind === 'shared') return [runMomentsPart(part, between)];
  const { plan } = checkNormInput({ data: part.x, shape: part.shape }, part.params);
  const per = Math.max(1, Math.floor(PIECE_FLOATS / (walkOf(plan) === 'sets' ? plan.setSize : plan.C)));
  const out: Sums[] = [];
  for (let a = part.unit0; a < part.unit1; a += per) {
    between();
    out.push(runMomentsPart({ ...part, unit0: a, unit1: Math.min(part.unit1, a + per) }));
  }
  return out;
}

/** runApplyPart in pieces of about PIECE_FLOATS floats (whole rows), `between` called before each (see runMomentsPieces). */
export function runApplyPieces(part: ApplyPart, between: () => void): void {
  const { plan } = checkNormInput({ data: part.x, shape: part.shape }, part.params);
  const per = Math.max(1, Math.floor(PIECE_FLOATS / applyRows(plan).len));
  for (let a = part.row0; a < part.row1; a += per) {
    between();
    runApplyPart({ ...part, row0: a, row1: Math.min(part.row1, a + per) });
  }
}

/** Zero-copy sets [u0, u1): one SIMD call straight from x to y in the shared memory; [mean, var] per set at statp. */
export function fusedShared(shared: SharedRegion, u0: number, u1: number): void {
  simd(); // the same clear error as the other paths where SIMD is missing
  const { memory, xp, yp, statp, fused } = shared;
  const at = u0 * fused.cpg * fused.S * 4;
  runFused(sharedKernels(memory), fused, xp + at, yp + at, u0, u1, statp + u0 * 16);
}

/** Every set's moments from the [mean, var] that fusedShared wrote at statp (finishMoments: non-finite sets get the reference's). */
export function sharedMoments(plan: NormPlan, x: Float32Array, memory: WebAssembly.Memory, statp: number): Moments {
  const n = plan.numSets;
  const sums = emptySums(0, n);
  putMeanVar(sums, 0, new Float64Array(memory.buffer, statp, 2 * n), plan.setSize);
  return finishMoments(plan, x, sums, 0, n);
}

/** Part sums -> per-set moments: set parts are placed at their sets; position parts (spanning every set) are added. */
export function gatherMoments(plan: NormPlan, x: Float32Array, parts: Sums[]): Moments {
  const all = emptySums(0, plan.numSets);
  const bySets = walkOf(plan) === 'sets';
  for (const s of parts) {
    if (bySets) {
      all.k.set(s.k, s.set0);
      all.s1.set(s.s1, s.set0);
      all.s2.set(s.s2, s.set0);
    } else {
      // Every part used the same shift per set (the set's first element), so partial sums add up.
      for (let i = 0; i < plan.numSets; i++) {
        all.s1[i] += s.s1[i];
        all.s2[i] += s.s2[i];
        if (s.k[i] !== 0 || all.k[i] === 0) all.k[i] = s.k[i];
      }
    }
  }
  return finishMoments(plan, x, all, 0, plan.numSets);
}

export function runApplyPart(part: ApplyPart): void {
  const K = simd();
  const { plan } = checkNormInput({ data: part.x, shape: part.shape }, part.params);
  applyFast(K, plan, part.x, part.y, part.scale, part.shift, part.row0, part.row1);
}
