// From the view's state to what is drawn: the data, then for each transform (raw, standardized, whitened) the
// analysis (optimum, Hessian, eigenvalues, κ, 2/λmax), the learning rate and a descent that the app runs to its end.
// Pure (no DOM): the app and the unit tests call it alike.
import {
  analyze, dataFromColumns, Descent, FEATURE_TRANSFORMS, generateScalingData, lossGrid, transformData, viewWindow,
  contourLevels, type Analysis, type FeatureTransform, type TwoFeatureData, type Window2,
} from '../../kernels/featureScaling';
import { userMessage } from '../../protocol/rpc';
import type { ScalingState } from './state';

export interface ScalingView {
  transform: FeatureTransform;
  data: TwoFeatureData;
  analysis: Analysis;
  lr: number;
  /** Runs to convergence, divergence or MAX_GD_STEPS; the app advances it in budgets (logistic steps are O(n)). */
  descent: Descent;
}

export type ViewOutcome = ScalingView | { transform: FeatureTransform; error: string };

export const isView = (v: ViewOutcome): v is ScalingView => 'analysis' in v;

/** The data of the state: generated from its spec, or the file's columns. Throws a NormError for bad data. */
export function baseData(s: ScalingState): TwoFeatureData {
  if (s.source === 'file' && s.file) {
    return dataFromColumns(s.spec.model, s.file.x1, s.file.x2, s.file.target, s.spec.noise, s.spec.seed);
  }
  return generateScalingData(s.spec);
}

/** relative: a fraction of this view's own largest stable step 2/λmax; absolute: the same lr everywhere. */
export function learningRate(s: ScalingState, a: Analysis): number {
  return s.lrMode === 'relative' ? s.lrFraction * a.maxStableLr : s.lrAbsolute;
}

/** Each transform of the data, analysed; a transform that fails (e.g. whitening a singular covariance) carries its error. */
export function buildViews(s: ScalingState, data: TwoFeatureData): ViewOutcome[] {
  return FEATURE_TRANSFORMS.map((transform) => {
    try {
      const d = transformData(data, transform);
      const analysis = analyze(d);
      const lr = learningRate(s, analysis);
      return { transform, data: d, analysis, lr, descent: new Descent(d, analysis, { lr, momentum: s.momentum, start: s.start }) };
    } catch (e) {
      return { transform, error: userMessage(e) };
    }
  });
}

export interface ContourPicture {
  window: Window2;
  /** logistic: the loss on an n × n grid over the window (contours by marching squares); linear: null (exact ellipses). */
  grid: Float64Array | null;
  n: number;
  levels: number[];
}

/** The window that holds the start and the contour through it, the levels to draw and, for logistic, the loss grid. */
export function contourPicture(v: ScalingView, s: ScalingState, size = 72): ContourPicture {
  const window = viewWindow(v.analysis, s.start, s.equalAxes);
  const grid = v.data.model === 'linear' ? null : lossGrid(v.data, v.analysis, window, size, size);
  return { window, grid, n: size, levels: contourLevels(v.analysis.optimalLoss, v.descent.startLoss) };
}

/**
 * The contour L(w) = level of a quadratic loss as a closed polyline [w1, w2, ...]: the ellipse ½dᵀHd = level − L*
 * with semi-axes sqrt(2·gap/λ) along the eigenvectors. Exact however thin the valley is.
 */
export function ellipse(a: Analysis, level: number, points = 256): number[] {
  const gap = level - a.optimalLoss;
  if (!(gap > 0)) return [];
  const [[p0, q0], [p1, q1]] = a.eigen.vectors;
  const r0 = Math.sqrt((2 * gap) / a.eigen.values[0]);
  const r1 = Math.sqrt((2 * gap) / a.eigen.values[1]);
  const out: number[] = [];
  for (let i = 0; i <= points; i++) {
    const th = (2 * Math.PI * i) / points;
    const c = Math.cos(th) * r0;
    const s = Math.sin(th) * r1;
    out.push(a.optimum[0] + c * p0 + s * p1, a.optimum[1] + c * q0 + s * q1);
  }
  return out;
}
