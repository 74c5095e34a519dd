// How one normalization runs on the fast path, decided here once for both runners: normalizeFast (one thread, the
// CLI's) and parallelNormalize (src/extension: the worker pool, over shared memory). Each executes the descriptor.
//
//   'shared'   x and y in one shared wasm memory: one SIMD call per part of the sets reads x and writes y in place,
//              sums -> mean/rstd -> y per set while it is in cache. Only the parallel runner can place x there.
//   'fused'    the same kernel with x copied through this thread's wasm memory a chunk of whole sets at a time.
//   'twoPass'  per-set shifted sums over the walk's units, then the statistics are folded (PyTorch's running-stat
//              rules, eval with running stats) into scale/shift, then y = x·scale + shift over the apply rows.
//
// Fusing needs every set normalized by its own statistics (GroupNorm, LayerNorm, RMSNorm, Instance/BatchNorm with
// batch statistics) walked as runs of cpg·S floats (NCHW, or S = 1). Copied through chunks, a BatchNorm channel (its N
// runs) must fit one chunk.
import type { CheckedParams } from '../normalize';
import type { NormPlan } from '../plan';
import { applyRows } from './apply';
import { walkOf, unitCount, type Walk } from './sums';

export type StrategyKind = 'shared' | 'fused' | 'twoPass';

export interface Strategy {
  kind: StrategyKind;
  /** How the sums walk x: sets ('fused', 'shared' and two-pass NCHW) or positions (n, s) of C channels. */
  walk: Walk;
  /** Work units of the first (or only) pass: sets, or positions for walk 'positions'. */
  units: number;
  /** Parallel split of the units: part boundaries fall on multiples of this (a sample's positions when it helps). */
  align: number;
  /** 'twoPass' only: apply rows of the output pass (see applyRows); 0 otherwise. */
  rows: number;
}

/** BatchNorm channels up to this many floats (1 MB) are fused through chunks. */
export const FUSED_CHANNEL_MAX = 1 << 18;

/**
 * `zeroCopy`: the runner can place x and y in one shared wasm memory (the parallel runner, without `out`, when x fits
 * a 4 GB memory twice); it is used where the plan fuses.
 */
export function strategy(plan: NormPlan, p: CheckedParams, where: { zeroCopy: boolean }): Strategy {
  const walk = walkOf(plan);
  const fuses = p.useBatchStats && walk === 'sets';
  if (fuses && where.zeroCopy) return { kind: 'shared', walk, units: plan.numSets, align: 1, rows: 0 };
  if (fuses && (!plan.reduceN || plan.setSize <= FUSED_CHANNEL_MAX)) return { kind: 'fused', walk, units: plan.numSets, align: 1, rows: 0 };
  // Channels-last InstanceNorm/GroupNorm positions split at sample boundaries when possible (fewer shift changes).
  const align = walk === 'positions' && !plan.reduceN && plan.N >= 2 ? plan.S : 1;
  return { kind: 'twoPass', walk, units: unitCount(plan), align, rows: applyRows(plan).rows };
}
