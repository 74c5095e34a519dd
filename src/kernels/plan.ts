// The normalization plan: the one notion behind BN, LN, IN, GN and RMSNorm.
//
// Every method is "one mean and variance per set"; only the set differs (GN paper, Fig. 2).
// We view the stored tensor as (N, C, S) in layout NCHW or NHWC and describe a set as
//   (one sample n, or all samples when reduceN) × (one group of C/G consecutive channels) × (all S).
//   BN = G:C, reduceN   IN = G:C   GN = G   LN over (C, spatial) = G:1.
// LN/RMS over the trailing k dims are the view (N' = leading elements, C' = trailing elements, S = 1)
// with G = 1, so their per-element affine is the view's per-channel affine. RMS is LN without centering.
import { fail, fmtShape } from './errors';
import { logicalShapeOf, numel } from './shape';
import type { Layout, Method, NormParams } from './types';

export interface NormPlan {
  method: Method;
  layout: Layout;
  storedShape: number[];
  /** Logical (N, C, *spatial) shape; for layer/rms the stored shape. */
  logicalShape: number[];
  N: number;
  C: number;
  S: number;
  groups: number;
  /** Batch norm: sets span every sample. */
  reduceN: boolean;
  /** false for RMS: no mean subtraction. */
  centered: boolean;
  channelsPerGroup: number;
  numSets: number;
  setSize: number;
  /** Shape of the per-set statistics, in logical order. */
  statsShape: number[];
  /** Length of weight/bias (and running stats for batch/instance: C). */
  paramShape: number[];
}

export function makePlan(storedShape: readonly number[], p: Pick<NormParams, 'method' | 'layout' | 'groups' | 'normalizedShape'>): NormPlan {
  const shape = [...storedShape];
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) fail(`expected a shape of non-negative integers, got ${fmtShape(shape)}`);
  }
  if (p.method === 'layer' || p.method === 'rms') return trailingPlan(shape, p);

  if (shape.length < 2 || shape.length > 5) {
    fail(`${p.method} norm expects a 2-D to 5-D input (N, C, *spatial), got ${shape.length}-D input of shape ${fmtShape(shape)}`);
  }
  const logical = logicalShapeOf(shape, p.layout);
  const [N, C] = logical;
  const S = numel(logical.slice(2));
  let groups: number;
  if (p.method === 'group') {
    groups = p.groups ?? fail('group norm needs --groups G (the number of groups), got none');
    if (!Number.isInteger(groups) || groups < 1) fail(`num_groups must be a positive integer, got ${groups}`);
    if (C % groups !== 0) fail(`num_channels must be divisible by num_groups (C=${C}, G=${groups})`);
  } else {
    groups = C;
  }
  const reduceN = p.method === 'batch';
  const cpg = groups === 0 ? 0 : C / groups;
  return {
    method: p.method, layout: p.layout, storedShape: shape, logicalShape: logical,
    N, C, S, groups, reduceN, centered: true, channelsPerGroup: cpg,
    numSets: reduceN ? groups : N * groups,
    setSize: (reduceN ? N : 1) * cpg * S,
    statsShape: reduceN ? [C] : p.method === 'instance' ? [N, C] : [N, groups],
    paramShape: [C],
  };
}

function trailingPlan(shape: number[], p: Pick<NormParams, 'method' | 'normalizedShape'>): NormPlan {
  const name = p.method === 'rms' ? 'rms norm' : 'layer norm';
  if (shape.length < 1) fail(`${name} expects at least a 1-D input, got a 0-D tensor`);
  const ns = p.normalizedShape ?? [shape[shape.length - 1]];
  if (ns.length < 1 || ns.length > shape.length) {
    fail(`${name}: normalized_shape ${fmtShape(ns)} must name 1 to ${shape.length} trailing dims of input shape ${fmtShape(shape)}`);
  }
  const trailing = shape.slice(shape.length - ns.length);
  if (trailing.some((d, i) => d !== ns[i])) {
    fail(`Given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size ${fmtShape(shape)}`);
  }
  const leading = shape.slice(0, shape.length - ns.length);
  const N = numel(leading);
  const C = numel(ns);
  return {
    method: p.method as Method, layout: 'NCHW', storedShape: shape, logicalShape: shape,
    N, C, S: 1, groups: 1, reduceN: false, centered: p.method !== 'rms', channelsPerGroup: C,
    numSets: N, setSize: C,
    statsShape: leading, paramShape: [...ns],
  };
}

/** Set index of element (n, c) in the plan; the set order is the logical stats order. */
export function setOf(plan: Pick<NormPlan, 'channelsPerGroup' | 'groups' | 'reduceN'>, n: number, c: number): number {
  const g = Math.floor(c / plan.channelsPerGroup);
  return plan.reduceN ? g : n * plan.groups + g;
}
