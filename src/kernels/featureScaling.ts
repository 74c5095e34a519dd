// Why normalize: the loss surface of a two-feature model over its weights (w1, w2). With features of very different
// scales the Hessian is badly conditioned (a long narrow valley), so one learning rate cannot suit both directions;
// standardizing each feature makes the contours nearly circular, and whitening removes the tilt that a correlation ρ
// leaves: after standardizing, κ = (1+|ρ|)/(1−|ρ|). Everything here is exact float64 arithmetic on a 2×2 problem.
// Pure: no vscode, DOM or Node imports (the webview runs it directly, the tests check it against hand-computed
// cases and PyTorch).
import { fail } from './errors';
import { mulberry32, normalSampler } from './generate';

export type ScalingModel = 'linear' | 'logistic';
export const SCALING_MODELS: readonly ScalingModel[] = ['linear', 'logistic'];
export type FeatureTransform = 'raw' | 'standardized' | 'whitened';
export const FEATURE_TRANSFORMS: readonly FeatureTransform[] = ['raw', 'standardized', 'whitened'];

/** A point (w1, w2) of weight space. */
export type Vec2 = [number, number];
/** A symmetric 2×2 matrix [[a, b], [b, c]] as [a, b, c]. */
export type Sym2 = [number, number, number];

export const SCALING_LIMITS = {
  minSamples: 10,
  maxSamples: 5000,
  maxScale: 1e4,
  minScale: 1e-4,
  maxAbsRho: 0.99,
  maxNoise: 100,
} as const;

/** Seeded synthetic data: the same spec gives the same data on every machine. */
export interface ScalingDataSpec {
  model: ScalingModel;
  /** Number of samples. */
  n: number;
  seed: number;
  /** Standard deviation of feature 1 and of feature 2 (their "scales"). */
  scale1: number;
  scale2: number;
  /** Correlation between the two features. */
  rho: number;
  /** linear: std of the noise added to y; logistic: std of the noise added to the score before thresholding. */
  noise: number;
}

export const DEFAULT_SCALING_SPEC: ScalingDataSpec = { model: 'linear', n: 500, seed: 1, scale1: 1, scale2: 100, rho: 0, noise: 0.5 };

/** Two features and a target (linear: a real number; logistic: a label 0 or 1). */
export interface TwoFeatureData {
  model: ScalingModel;
  x1: Float64Array;
  x2: Float64Array;
  y: Float64Array;
}

export function checkScalingSpec(s: ScalingDataSpec): void {
  const L = SCALING_LIMITS;
  if (!SCALING_MODELS.includes(s.model)) fail(`model: expected 'linear' or 'logistic', got '${String(s.model)}'`);
  if (!Number.isInteger(s.n) || s.n < L.minSamples || s.n > L.maxSamples) fail(`samples: expected an integer from ${L.minSamples} to ${L.maxSamples}, got ${s.n}`);
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff) fail(`seed: expected an integer in [0, 4294967295], got ${s.seed}`);
  for (const [name, v] of [['scale of x1', s.scale1], ['scale of x2', s.scale2]] as const) {
    if (!(v >= L.minScale && v <= L.maxScale)) fail(`${name}: expected a number from ${L.minScale} to ${L.maxScale}, got ${v}`);
  }
  if (!(Math.abs(s.rho) <= L.maxAbsRho)) fail(`correlation ρ: expected a number from -${L.maxAbsRho} to ${L.maxAbsRho}, got ${s.rho}`);
  if (!(s.noise >= 0 && s.noise <= L.maxNoise)) fail(`noise: expected a number from 0 to ${L.maxNoise}, got ${s.noise}`);
}

/**
 * u1, u2 standard normal with correlation ρ; x_j = scale_j · u_j. The target depends on both features, in
 * standardized units: linear y = u1 + ½u2 + noise·ε; logistic y = 1 when u1 + ½u2 + noise·ε > 0, else 0. (Unequal
 * weights: with equal ones the optimum of the standardized problem would lie on an eigenvector of its Hessian, and
 * descent from 0 would hide the tilt that ρ leaves.)
 */
export function generateScalingData(spec: ScalingDataSpec): TwoFeatureData {
  checkScalingSpec(spec);
  const { n, rho } = spec;
  const normal = normalSampler(mulberry32(spec.seed));
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const u1 = new Float64Array(n);
  const u2 = new Float64Array(n);
  const c = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < n; i++) {
    const z1 = normal();
    const z2 = normal();
    u1[i] = z1;
    u2[i] = rho * z1 + c * z2;
    x1[i] = spec.scale1 * u1[i];
    x2[i] = spec.scale2 * u2[i];
  }
  return { model: spec.model, x1, x2, y: targetFor(spec.model, u1, u2, spec.noise, normal) };
}

/**
 * Two columns of the user's data with a synthetic target (from the columns standardized, as above), or with a
 * target column of their own (linear: any numbers; logistic: labels are `target > 0`).
 */
export function dataFromColumns(model: ScalingModel, x1: ArrayLike<number>, x2: ArrayLike<number>, target: ArrayLike<number> | null, noise: number, seed: number): TwoFeatureData {
  const n = x1.length;
  if (x2.length !== n || (target && target.length !== n)) fail(`expected columns of equal length, got ${n}, ${x2.length}${target ? `, ${target.length}` : ''}`);
  if (n < SCALING_LIMITS.minSamples) fail(`expected at least ${SCALING_LIMITS.minSamples} rows, got ${n}`);
  const a = Float64Array.from(x1);
  const b = Float64Array.from(x2);
  for (const [name, col] of [['x1', a], ['x2', b]] as const) {
    const bad = col.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`${name}: expected finite numbers, found ${col[bad]} in row ${bad}`);
  }
  let y: Float64Array;
  if (target) {
    y = Float64Array.from(target, (v) => (model === 'logistic' ? (v > 0 ? 1 : 0) : v));
    const bad = y.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`target: expected finite numbers, found ${y[bad]} in row ${bad}`);
  } else {
    const s = standardize({ model, x1: a, x2: b, y: new Float64Array(n) });
    y = targetFor(model, s.x1, s.x2, noise, normalSampler(mulberry32(seed)));
  }
  return { model, x1: a, x2: b, y };
}

/** Indices of `count` rows spread evenly over `total` (all of them when total <= count): a file's sample. */
export function evenRows(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * total) / count));
}

function targetFor(model: ScalingModel, u1: Float64Array, u2: Float64Array, noise: number, normal: () => number): Float64Array {
  return Float64Array.from(u1, (v, i) => {
    const score = v + 0.5 * u2[i] + noise * normal();
    return model === 'linear' ? score : score > 0 ? 1 : 0;
  });
}

// ---------------------------------------------------------------------------------------------- transforms

export interface Moments2 {
  mean: Vec2;
  /** Biased (population) covariance: the one BN normalizes with. */
  cov: Sym2;
}

export function moments2(x1: Float64Array, x2: Float64Array): Moments2 {
  const n = x1.length;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    m1 += x1[i];
    m2 += x2[i];
  }
  m1 /= n;
  m2 /= n;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d1 = x1[i] - m1;
    const d2 = x2[i] - m2;
    a += d1 * d1;
    b += d1 * d2;
    c += d2 * d2;
  }
  return { mean: [m1, m2], cov: [a / n, b / n, c / n] };
}

function checkSpread(m: Moments2): void {
  const [a, , c] = m.cov;
  const scale = Math.max(Math.abs(m.mean[0]), Math.abs(m.mean[1]), 1);
  if (!(a > 1e-24 * scale * scale)) fail('x1 is constant: it cannot be standardized (its variance is 0)');
  if (!(c > 1e-24 * scale * scale)) fail('x2 is constant: it cannot be standardized (its variance is 0)');
}

/** Each feature to mean 0 and variance 1 (biased variance, as BN): the seed's feature scaling. */
export function standardize(d: TwoFeatureData): TwoFeatureData {
  const m = moments2(d.x1, d.x2);
  checkSpread(m);
  const s1 = Math.sqrt(m.cov[0]);
  const s2 = Math.sqrt(m.cov[2]);
  return { model: d.model, x1: d.x1.map((v) => (v - m.mean[0]) / s1), x2: d.x2.map((v) => (v - m.mean[1]) / s2), y: d.y };
}

/** ZCA whitening: x ← C^(-1/2)(x − μ), so the features are also uncorrelated (covariance = I) and keep their axes. */
export function whiten(d: TwoFeatureData): TwoFeatureData {
  const m = moments2(d.x1, d.x2);
  checkSpread(m);
  const e = eigSym2(m.cov);
  if (!(e.values[0] > 1e-12 * e.values[1])) fail('x1 and x2 are perfectly correlated: they cannot be whitened (their covariance is singular)');
  const inv = symFunction(e, (l) => 1 / Math.sqrt(l));
  const x1 = new Float64Array(d.x1.length);
  const x2 = new Float64Array(d.x2.length);
  for (let i = 0; i < x1.length; i++) {
    const a = d.x1[i] - m.mean[0];
    const b = d.x2[i] - m.mean[1];
    x1[i] = inv[0] * a + inv[1] * b;
    x2[i] = inv[1] * a + inv[2] * b;
  }
  return { model: d.model, x1, x2, y: d.y };
}

export function transformData(d: TwoFeatureData, t: FeatureTransform): TwoFeatureData {
  return t === 'raw' ? d : t === 'standardized' ? standardize(d) : whiten(d);
}

// ---------------------------------------------------------------------------------------------- 2×2 algebra

export interface Eig2 {
  /** Ascending: [λmin, λmax]. */
  values: Vec2;
  /** Unit eigenvectors, vectors[k] belongs to values[k]. */
  vectors: [Vec2, Vec2];
}

/** Eigen-decomposition of a symmetric 2×2 matrix (closed form, stable for a diagonal or nearly diagonal one). */
export function eigSym2([a, b, c]: Sym2): Eig2 {
  const mean = (a + c) / 2;
  const r = Math.hypot((a - c) / 2, b);
  const lo = mean - r;
  const hi = mean + r;
  // The larger eigenvector: angle θ with tan 2θ = 2b / (a − c).
  const theta = 0.5 * Math.atan2(2 * b, a - c);
  const vHi: Vec2 = [Math.cos(theta), Math.sin(theta)];
  const vLo: Vec2 = [-Math.sin(theta), Math.cos(theta)];
  // λmin by λmax·λmin = det, which keeps its relative accuracy when κ is huge.
  const det = a * c - b * b;
  // min(): when the two are equal to rounding, det / hi may come out one ulp above hi.
  const loStable = hi > 0 ? Math.min(det / hi, hi) : lo;
  return { values: [loStable, hi], vectors: [vLo, vHi] };
}

function symFunction(e: Eig2, f: (l: number) => number): Sym2 {
  const [[p, q], [r, s]] = e.vectors;
  const [f0, f1] = [f(e.values[0]), f(e.values[1])];
  return [f0 * p * p + f1 * r * r, f0 * p * q + f1 * r * s, f0 * q * q + f1 * s * s];
}

const quad = (h: Sym2, d1: number, d2: number): number => h[0] * d1 * d1 + 2 * h[1] * d1 * d2 + h[2] * d2 * d2;

// ---------------------------------------------------------------------------------------------- loss

/** linear: L = (1/2n)·Σ(w·x − y)²; logistic: L = (1/n)·Σ softplus(w·x) − y·(w·x) (mean cross-entropy). No bias. */
export function lossAt(d: TwoFeatureData, w: Vec2): number {
  const n = d.x1.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const z = w[0] * d.x1[i] + w[1] * d.x2[i];
    s += d.model === 'linear' ? 0.5 * (z - d.y[i]) ** 2 : softplus(z) - d.y[i] * z;
  }
  return s / n;
}

/** The loss and its gradient at w (one exp and one log1p per sample for logistic: this is GD's inner loop). */
export function lossGrad(d: TwoFeatureData, w: Vec2): { loss: number; grad: Vec2 } {
  const { x1, x2, y } = d;
  const n = x1.length;
  const [w1, w2] = w;
  let s = 0;
  let g1 = 0;
  let g2 = 0;
  if (d.model === 'linear') {
    for (let i = 0; i < n; i++) {
      const r = w1 * x1[i] + w2 * x2[i] - y[i];
      s += r * r;
      g1 += r * x1[i];
      g2 += r * x2[i];
    }
    s *= 0.5;
  } else {
    for (let i = 0; i < n; i++) {
      const z = w1 * x1[i] + w2 * x2[i];
      // softplus(z) = max(z, 0) + log1p(e^-|z|); sigmoid from the same e^-|z|.
      const e = Math.exp(-Math.abs(z));
      s += (z > 0 ? z : 0) + Math.log1p(e) - y[i] * z;
      const r = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[i];
      g1 += r * x1[i];
      g2 += r * x2[i];
    }
  }
  return { loss: s / n, grad: [g1 / n, g2 / n] };
}

/** The Hessian at w: linear XᵀX/n (the same everywhere); logistic XᵀDX/n with D = p(1 − p). */
export function hessianAt(d: TwoFeatureData, w: Vec2): Sym2 {
  const n = d.x1.length;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    let k = 1;
    if (d.model === 'logistic') {
      const p = sigmoid(w[0] * d.x1[i] + w[1] * d.x2[i]);
      k = p * (1 - p);
    }
    a += k * d.x1[i] * d.x1[i];
    b += k * d.x1[i] * d.x2[i];
    c += k * d.x2[i] * d.x2[i];
  }
  return [a / n, b / n, c / n];
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

// ---------------------------------------------------------------------------------------------- the problem

/** What explains the picture: the optimum, the Hessian there, its eigenvalues, κ and the largest stable step. */
export interface Analysis {
  optimum: Vec2;
  optimalLoss: number;
  /** linear: XᵀX/n; logistic: the Hessian at the optimum. */
  hessian: Sym2;
  eigen: Eig2;
  /** κ = λmax/λmin. */
  kappa: number;
  /** 2/λmax: plain gradient descent diverges (on a quadratic) for any larger learning rate. */
  maxStableLr: number;
}

export function analyze(d: TwoFeatureData): Analysis {
  const { optimum, hessian } = d.model === 'linear' ? leastSquares(d) : newton(d);
  const eigen = eigSym2(hessian);
  return { optimum, optimalLoss: lossAt(d, optimum), hessian, eigen, kappa: eigen.values[1] / eigen.values[0], maxStableLr: 2 / eigen.values[1] };
}

function checkConditioning(h: Sym2): void {
  const e = eigSym2(h);
  if (!(e.values[1] > 0) || !(e.values[0] > 1e-14 * e.values[1])) {
    fail('the Hessian is singular: x1 and x2 are (nearly) proportional or zero, so the weights have no unique optimum');
  }
}

/** Closed form: H = XᵀX/n, w* = H⁻¹·Xᵀy/n. */
function leastSquares(d: TwoFeatureData): { optimum: Vec2; hessian: Sym2 } {
  const h = hessianAt(d, [0, 0]);
  checkConditioning(h);
  const n = d.x1.length;
  let r1 = 0;
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    r1 += d.x1[i] * d.y[i];
    r2 += d.x2[i] * d.y[i];
  }
  return { optimum: solve2(h, [r1 / n, r2 / n]), hessian: h };
}

function solve2([a, b, c]: Sym2, [r1, r2]: Vec2): Vec2 {
  const det = a * c - b * b;
  return [(c * r1 - b * r2) / det, (a * r2 - b * r1) / det];
}

/** Newton's method for logistic regression, from w = 0. Separable classes have no finite optimum: refused. */
function newton(d: TwoFeatureData): { optimum: Vec2; hessian: Sym2 } {
  const ones = d.y.reduce((s, v) => s + v, 0);
  if (ones === 0 || ones === d.y.length) fail(`logistic regression needs both labels; every label is ${ones === 0 ? 0 : 1}`);
  let w: Vec2 = [0, 0];
  for (let it = 0; it < 100; it++) {
    const { grad } = lossGrad(d, w);
    const h = hessianAt(d, w);
    // At w = 0 the Hessian is XᵀX/4n; later it only vanishes as |w| runs off to infinity (separable classes).
    if (it === 0) checkConditioning(h);
    else if (!(h[0] * h[2] - h[1] * h[1] > 0)) break;
    const step = solve2(h, grad);
    w = [w[0] - step[0], w[1] - step[1]];
    const size = Math.hypot(w[0], w[1]);
    if (!(size < 1e8)) break;
    if (Math.hypot(step[0], step[1]) <= 1e-12 * (1 + size)) return { optimum: w, hessian: hessianAt(d, w) };
  }
  return fail('the two classes are (nearly) separable by a line through the origin, so the logistic loss has no finite minimum: add noise');
}

// ---------------------------------------------------------------------------------------------- gradient descent

/** Within this much of the optimal loss counts as converged. */
export const CONVERGED_GAP = 1e-3;
export const MAX_GD_STEPS = 100_000;

export interface DescentOptions {
  lr: number;
  /** PyTorch SGD momentum μ: buf ← μ·buf + g (buf = g on the first step), w ← w − lr·buf. */
  momentum: number;
  start: Vec2;
  maxSteps?: number;
}

export type DescentOutcome = 'converged' | 'diverged' | 'not-converged';

export interface DescentPath {
  /** w0, w1, … interleaved (w1, w2) per step, up to the step that converged, diverged or hit maxSteps. */
  points: Float64Array;
  /** Loss at each point. */
  losses: Float64Array;
  outcome: DescentOutcome;
  /** Steps to reach within CONVERGED_GAP of the optimal loss (only when converged). */
  steps: number | null;
}

/**
 * Gradient descent (with momentum) from `start` until the loss is within CONVERGED_GAP of the optimum, the iterate
 * blows up (loss gap above 1e6 times the first one, or not finite) or maxSteps pass: never hangs.
 * linear: the gradient is H(w − w*) exactly, so each step is O(1); logistic: each step is O(n), so a caller that must
 * stay responsive (the webview) runs it a budget of steps at a time with `advance`.
 */
export class Descent {
  private points: Float64Array;
  private losses: Float64Array;
  private readonly maxSteps: number;
  private readonly limit: number;
  private w1: number;
  private w2: number;
  private loss = 0;
  private g1 = 0;
  private g2 = 0;
  private b1 = 0;
  private b2 = 0;
  private t = 0;
  private done: DescentPath | null = null;

  constructor(private readonly d: TwoFeatureData, private readonly a: Analysis, private readonly o: DescentOptions) {
    this.maxSteps = o.maxSteps ?? MAX_GD_STEPS;
    if (!(o.lr > 0) || !Number.isFinite(o.lr)) fail(`learning rate: expected a positive number, got ${o.lr}`);
    if (!(o.momentum >= 0 && o.momentum < 1)) fail(`momentum: expected a number in [0, 1), got ${o.momentum}`);
    if (!Number.isInteger(this.maxSteps) || this.maxSteps < 0 || this.maxSteps > 1e7) fail(`max steps: expected an integer from 0 to 1e7, got ${this.maxSteps}`);
    if (!o.start.every(Number.isFinite)) fail(`start: expected two finite numbers, got ${o.start.join(', ')}`);
    [this.w1, this.w2] = o.start;
    this.evaluate();
    const cap = Math.min(this.maxSteps + 1, 1024);
    this.points = new Float64Array(2 * cap);
    this.losses = new Float64Array(cap);
    this.record();
    this.limit = 1e6 * Math.max(this.loss - a.optimalLoss, CONVERGED_GAP) + a.optimalLoss;
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.t;
  }

  /** The points so far (w1, w2 interleaved; a view, valid until the next advance). */
  get pointsSoFar(): Float64Array {
    return this.points.subarray(0, 2 * (this.t + 1));
  }

  /** The loss at the start point. */
  get startLoss(): number {
    return this.losses[0];
  }

  /** Runs up to `budget` more steps; returns the path once it has ended, else null. */
  advance(budget = Infinity): DescentPath | null {
    const optimal = this.a.optimalLoss;
    for (let k = 0; !this.done && k <= budget; k++) {
      if (this.loss - optimal <= CONVERGED_GAP) this.finish('converged', this.t);
      else if (!Number.isFinite(this.loss) || this.loss > this.limit) this.finish('diverged', null);
      else if (this.t === this.maxSteps) this.finish('not-converged', null);
      else if (k < budget) this.step();
    }
    return this.done;
  }

  /** loss, g1, g2 at (w1, w2). linear: exactly L* + ½dᵀHd and Hd with d = w − w*. */
  private evaluate(): void {
    if (this.d.model === 'linear') {
      const h = this.a.hessian;
      const d1 = this.w1 - this.a.optimum[0];
      const d2 = this.w2 - this.a.optimum[1];
      this.g1 = h[0] * d1 + h[1] * d2;
      this.g2 = h[1] * d1 + h[2] * d2;
      this.loss = this.a.optimalLoss + 0.5 * (d1 * this.g1 + d2 * this.g2);
    } else {
      const r = lossGrad(this.d, [this.w1, this.w2]);
      this.loss = r.loss;
      [this.g1, this.g2] = r.grad;
    }
  }

  private step(): void {
    const { lr, momentum } = this.o;
    const first = this.t === 0;
    this.b1 = first ? this.g1 : momentum * this.b1 + this.g1;
    this.b2 = first ? this.g2 : momentum * this.b2 + this.g2;
    this.w1 -= lr * this.b1;
    this.w2 -= lr * this.b2;
    this.t++;
    this.evaluate();
    this.record();
  }

  private record(): void {
    const i = this.t;
    if (i >= this.losses.length) {
      const grow = (old: Float64Array, size: number) => {
        const next = new Float64Array(size);
        next.set(old);
        return next;
      };
      const cap = Math.min(this.losses.length * 2, this.maxSteps + 1);
      this.points = grow(this.points, 2 * cap);
      this.losses = grow(this.losses, cap);
    }
    this.points[2 * i] = this.w1;
    this.points[2 * i + 1] = this.w2;
    this.losses[i] = this.loss;
  }

  private finish(outcome: DescentOutcome, steps: number | null): void {
    const count = this.t + 1;
    this.done = { points: this.points.slice(0, 2 * count), losses: this.losses.slice(0, count), outcome, steps };
  }
}

/** The whole descent at once (see Descent). */
export function descend(d: TwoFeatureData, a: Analysis, o: DescentOptions): DescentPath {
  return new Descent(d, a, o).advance()!;
}

// ---------------------------------------------------------------------------------------------- contours

/** A rectangle of weight space: [w1min, w1max] × [w2min, w2max]. */
export interface Window2 {
  w1: Vec2;
  w2: Vec2;
}

/**
 * The region to draw: centred on the optimum, large enough for the start point and the whole contour through it
 * (the ellipse of the Hessian at the optimum), with a margin. `equalAxes` keeps one unit the same length on both
 * axes, so a narrow valley looks as narrow as it is.
 */
export function viewWindow(a: Analysis, start: Vec2, equalAxes: boolean): Window2 {
  const [o1, o2] = a.optimum;
  const gap = Math.max(0.5 * quad(a.hessian, start[0] - o1, start[1] - o2), 1e-300);
  const det = a.hessian[0] * a.hessian[2] - a.hessian[1] ** 2;
  // Bounding box of {d : ½dᵀHd = gap}: half-width along axis j is sqrt(2·gap·(H⁻¹)_jj).
  let r1 = Math.max(Math.sqrt((2 * gap * a.hessian[2]) / det), Math.abs(start[0] - o1)) * 1.15;
  let r2 = Math.max(Math.sqrt((2 * gap * a.hessian[0]) / det), Math.abs(start[1] - o2)) * 1.15;
  if (!(r1 > 0) || !Number.isFinite(r1)) r1 = 1;
  if (!(r2 > 0) || !Number.isFinite(r2)) r2 = 1;
  if (equalAxes) r1 = r2 = Math.max(r1, r2);
  return { w1: [o1 - r1, o1 + r1], w2: [o2 - r2, o2 + r2] };
}

/** Loss on an nx × ny grid over the window, row-major with row 0 at w2min. */
export function lossGrid(d: TwoFeatureData, a: Analysis, win: Window2, nx: number, ny: number): Float64Array {
  const out = new Float64Array(nx * ny);
  const [o1, o2] = a.optimum;
  for (let j = 0; j < ny; j++) {
    const w2 = win.w2[0] + ((win.w2[1] - win.w2[0]) * j) / (ny - 1);
    for (let i = 0; i < nx; i++) {
      const w1 = win.w1[0] + ((win.w1[1] - win.w1[0]) * i) / (nx - 1);
      out[j * nx + i] = d.model === 'linear' ? a.optimalLoss + 0.5 * quad(a.hessian, w1 - o1, w2 - o2) : lossAt(d, [w1, w2]);
    }
  }
  return out;
}

/**
 * Contour levels L* + gap·(k/K)², k = 1…K+extra: on a quadratic these ellipses are equally spaced, the K-th passes
 * through the start point (gap = L(start) − L*).
 */
export function contourLevels(optimalLoss: number, startLoss: number, count = 8, extra = 4): number[] {
  const gap = Math.max(startLoss - optimalLoss, 1e-12);
  return Array.from({ length: count + extra }, (_, k) => optimalLoss + gap * ((k + 1) / count) ** 2);
}
