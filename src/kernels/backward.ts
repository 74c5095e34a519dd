// Normalization backward for BN, LN, IN, GN and RMSNorm through the same plan as the forward.
//
// With xhat = (x − μ)·r (r = 1/sqrt(v + eps); RMS: μ = 0, v = mean(x²)) and y = xhat·γ_c + β_c, the gradients
// of Σ y·dy are (torch's derivatives.yaml, native_batch_norm_backward / native_group_norm_backward):
//   dβ_c = Σ dy                 dγ_c = Σ dy·xhat                         (over every element of channel c)
//   batch statistics: dx = r·(γ_c·dy − mean_set(γ·dy) − xhat·mean_set(γ·dy·xhat))   (RMS: no mean_set(γ·dy))
//   running statistics (eval): dx = r·γ_c·dy                                         (μ, r do not depend on x)
// So dx is per (n, c) an affine map of (dy, x − μ): dx = k1·dy + k2·(x − μ) + k3, like the forward's
// y = x·scale + shift. One pass gathers per-(n, c) sums A = Σ dy and B = Σ dy·(x − μ) — centred on the set
// mean, in float64, so the large-offset cases (mean 1e4, std 1e-2) keep their digits — and one pass writes dx.
import { fail, fmtShape } from './errors';
import { setMoments } from './moments';
import { checkNormInput, foldStatistics, type CheckedParams } from './normalize';
import { setOf, type NormPlan } from './plan';
import type { FloatArray, SetStats, Tensor } from './types';

export interface NormGradients {
  /** Same stored shape and layout as x. */
  dx: Float32Array;
  /** Per channel (or per element of normalized_shape); present when a weight / bias was given. */
  dweight?: Float64Array;
  dbias?: Float64Array;
  /** Shape of dweight / dbias: (C) or normalized_shape. */
  paramShape: number[];
}

/** The statistic that normalized each (n, c) row in the forward pass: per-set batch stats or running stats. */
export interface RowStats {
  /** Length N·C. 0 for RMS. */
  mean: Float64Array;
  /** Length N·C: 1/sqrt(v + eps) actually used. */
  rstd: Float64Array;
  /** Whether mean/rstd came from x itself (training, GN, LN, RMS, IN with use_input_stats). */
  fromBatch: boolean;
}

/** Fills `out` (allocated when absent) from the forward's statistics; running stats are read in eval. */
export function rowStats(plan: NormPlan, p: Pick<CheckedParams, 'useBatchStats' | 'runningMean'>, stats: SetStats, out?: RowStats): RowStats {
  const { N, C } = plan;
  const r = out ?? { mean: new Float64Array(N * C), rstd: new Float64Array(N * C), fromBatch: p.useBatchStats };
  r.fromBatch = p.useBatchStats;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const set = setOf(plan, n, c);
      r.mean[n * C + c] = !plan.centered ? 0 : p.useBatchStats ? stats.mean[set] : p.runningMean![c];
      r.rstd[n * C + c] = stats.rstd[set];
    }
  }
  return r;
}

/** Scratch reused across calls by the training layers: per-(n, c) sums and coefficients, per-set sums. */
export interface BackwardScratch {
  /** Σ dy per row, then k1. */
  k1: Float64Array;
  /** Σ dy·(x − μ) per row, then k2. */
  k2: Float64Array;
  k3: Float64Array;
  setG: Float64Array;
  setGX: Float64Array;
}

export const backwardScratch = (plan: NormPlan): BackwardScratch => ({
  k1: new Float64Array(plan.N * plan.C),
  k2: new Float64Array(plan.N * plan.C),
  k3: new Float64Array(plan.N * plan.C),
  setG: new Float64Array(plan.numSets),
  setGX: new Float64Array(plan.numSets),
});

/**
 * Gradients into preallocated outputs (overwritten). weight null = no affine (γ = 1); dweight / dbias null
 * when not wanted. Nothing here allocates when a scratch is passed.
 */
export function normBackwardInto(
  plan: NormPlan, x: FloatArray, dy: FloatArray, weight: FloatArray | null, st: RowStats,
  dx: Float32Array | Float64Array, dweight: Float64Array | Float32Array | null, dbias: Float64Array | Float32Array | null,
  scratch: BackwardScratch = backwardScratch(plan),
): void {
  const { N, C, S } = plan;
  const rows = N * C;
  const nhwc = plan.layout === 'NHWC' && S > 1;
  const { k1: A, k2: B, k3, setG, setGX } = scratch;
  // Pass 1: per-(n, c) A = Σ dy and B = Σ dy·(x − μ).
  if (!nhwc) {
    for (let row = 0; row < rows; row++) {
      const mu = st.mean[row];
      let a = 0;
      let b = 0;
      for (let i = row * S, end = i + S; i < end; i++) {
        const g = dy[i];
        a += g;
        b += g * (x[i] - mu);
      }
      A[row] = a;
      B[row] = b;
    }
  } else {
    A.fill(0, 0, rows);
    B.fill(0, 0, rows);
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        const base = (n * S + s) * C;
        for (let c = 0; c < C; c++) {
          const g = dy[base + c];
          A[n * C + c] += g;
          B[n * C + c] += g * (x[base + c] - st.mean[n * C + c]);
        }
      }
    }
  }
  for (let c = 0; c < C; c++) {
    let db = 0;
    let dw = 0;
    for (let n = 0; n < N; n++) {
      db += A[n * C + c];
      dw += B[n * C + c] * st.rstd[n * C + c];
    }
    if (dbias) dbias[c] = db;
    if (dweight) dweight[c] = dw;
  }
  // Coefficients: dx = k1·dy + k2·(x − μ) + k3. With batch statistics, per set of M elements,
  // sg = Σ γ·dy and sgx = Σ γ·dy·(x − μ), so mean(γ·dy) = sg/M and mean(γ·dy·xhat) = r·sgx/M.
  const M = plan.setSize;
  if (st.fromBatch) {
    setG.fill(0, 0, plan.numSets);
    setGX.fill(0, 0, plan.numSets);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const set = setOf(plan, n, c);
        const gam = weight ? weight[c] : 1;
        setG[set] += gam * A[n * C + c];
        setGX[set] += gam * B[n * C + c];
      }
    }
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const row = n * C + c;
        const set = setOf(plan, n, c);
        const r = st.rstd[row];
        A[row] = r * (weight ? weight[c] : 1);
        B[row] = -(r * r * r * setGX[set]) / M;
        k3[row] = plan.centered ? (-r * setG[set]) / M : 0;
      }
    }
  } else {
    for (let row = 0; row < rows; row++) {
      A[row] = st.rstd[row] * (weight ? weight[row % C] : 1);
      B[row] = 0;
      k3[row] = 0;
    }
  }
  // Pass 2: dx.
  if (!nhwc) {
    for (let row = 0; row < rows; row++) {
      const a = A[row];
      const b = B[row];
      const k = k3[row];
      const mu = st.mean[row];
      for (let i = row * S, end = i + S; i < end; i++) dx[i] = a * dy[i] + b * (x[i] - mu) + k;
    }
  } else {
    for (let n = 0; n < N; n++) {
      for (let s = 0; s < S; s++) {
        const base = (n * S + s) * C;
        for (let c = 0; c < C; c++) {
          const row = n * C + c;
          dx[base + c] = A[row] * dy[base + c] + B[row] * (x[base + c] - st.mean[row]) + k3[row];
        }
      }
    }
  }
}

/**
 * The reference backward: runs the forward's statistics (same checks, same running-stat choice) and returns
 * the gradients of Σ y·dy with respect to x, weight and bias.
 */
export function normalizeBackward(x: Tensor, params: Parameters<typeof checkNormInput>[1], dy: FloatArray): NormGradients {
  const { plan, p } = checkNormInput(x, params);
  if (dy.length !== x.data.length) fail(`dy: expected the shape of x ${fmtShape(x.shape)} (${x.data.length} values), got ${dy.length} values`);
  const m = setMoments(plan, x.data);
  const { stats } = foldStatistics(plan, p, m);
  const st = rowStats(plan, p, stats);
  const dx = new Float32Array(x.data.length);
  const dweight = p.weight ? new Float64Array(plan.C) : undefined;
  const dbias = p.bias ? new Float64Array(plan.C) : undefined;
  normBackwardInto(plan, x.data, dy, p.weight ?? null, st, dx, dweight ?? null, dbias ?? null);
  return { dx, paramShape: plan.paramShape, ...(dweight ? { dweight } : {}), ...(dbias ? { dbias } : {}) };
}
