// The feature-scaling kernels against hand-computed cases: κ of a diagonal problem is the ratio of the feature
// variances; standardized uncorrelated features give κ = 1 and GD with lr = 1/λ converges in one step; a correlation ρ
// leaves κ = (1+|ρ|)/(1−|ρ|) after standardizing; whitening gives κ = 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  analyze, contourLevels, dataFromColumns, DEFAULT_SCALING_SPEC, descend, Descent, eigSym2, generateScalingData, hessianAt, lossAt, lossGrad,
  lossGrid, MAX_GD_STEPS, standardize, transformData, viewWindow, whiten, type TwoFeatureData, type Vec2,
} from '../../../src/kernels/featureScaling';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: got ${a}, expected ${b}`);

/** Two ±1 patterns over 4k rows: each has mean 0 and variance 1, and they are exactly uncorrelated. */
function orthogonalPair(k: number): [Float64Array, Float64Array] {
  const a = Float64Array.from({ length: 4 * k }, (_, i) => (i % 2 ? -1 : 1));
  const b = Float64Array.from({ length: 4 * k }, (_, i) => (i % 4 < 2 ? 1 : -1));
  return [a, b];
}

/** Features of scales s1, s2 with sample correlation exactly ρ, and y = x1/s1 + x2/s2. */
function exactData(s1: number, s2: number, rho: number): TwoFeatureData {
  const [a, b] = orthogonalPair(8);
  const c = Math.sqrt(1 - rho * rho);
  const u2 = a.map((v, i) => rho * v + c * b[i]);
  return { model: 'linear', x1: a.map((v) => s1 * v), x2: u2.map((v) => s2 * v), y: a.map((v, i) => v + u2[i] + 0.1 * ((i * 7) % 3 - 1)) };
}

test('κ of a diagonal problem equals the ratio of the feature variances', () => {
  for (const [s1, s2] of [[1, 100], [3, 0.5], [2, 2]]) {
    const a = analyze(exactData(s1, s2, 0));
    close(a.hessian[1], 0, 1e-12, 'off-diagonal');
    close(a.eigen.values[0], Math.min(s1, s2) ** 2, 1e-12, 'λmin');
    close(a.eigen.values[1], Math.max(s1, s2) ** 2, 1e-12, 'λmax');
    close(a.kappa, Math.max(s1, s2) ** 2 / Math.min(s1, s2) ** 2, 1e-12, 'κ');
    close(a.maxStableLr, 2 / Math.max(s1, s2) ** 2, 1e-12, '2/λmax');
  }
});

test('standardized uncorrelated features: κ = 1, and GD with lr = 1/λ reaches the optimum in one step', () => {
  const d = standardize(exactData(1, 100, 0));
  const a = analyze(d);
  close(a.kappa, 1, 1e-12, 'κ');
  const p = descend(d, a, { lr: 1 / a.eigen.values[1], momentum: 0, start: [0, 0] });
  assert.equal(p.outcome, 'converged');
  assert.equal(p.steps, 1);
  close(p.points[2], a.optimum[0], 1e-12, 'w1 after one step');
  close(p.points[3], a.optimum[1], 1e-12, 'w2 after one step');
  close(p.losses[1], a.optimalLoss, 1e-12, 'loss after one step');
});

test('a correlation ρ survives standardizing: κ = (1+|ρ|)/(1−|ρ|); whitening makes κ = 1', () => {
  for (const rho of [0.3, -0.5, 0.8, 0.95]) {
    const d = exactData(1, 100, rho);
    const s = analyze(standardize(d));
    close(s.kappa, (1 + Math.abs(rho)) / (1 - Math.abs(rho)), 1e-9, `κ standardized, ρ=${rho}`);
    close(s.eigen.values[0], 1 - Math.abs(rho), 1e-9, 'λmin = 1 − |ρ|');
    const w = analyze(whiten(d));
    close(w.kappa, 1, 1e-9, `κ whitened, ρ=${rho}`);
  }
});

test('the defaults: a long narrow valley raw, nearly round standardized, round whitened', () => {
  const d = generateScalingData(DEFAULT_SCALING_SPEC);
  const raw = analyze(d);
  const std = analyze(transformData(d, 'standardized'));
  const wh = analyze(transformData(d, 'whitened'));
  assert.ok(raw.kappa > 5000 && raw.kappa < 20000, `raw κ ${raw.kappa} should be about (100/1)² = 10⁴`);
  assert.ok(std.kappa < 1.1, `standardized κ ${std.kappa}`);
  close(wh.kappa, 1, 1e-9, 'whitened κ');
  const lr = (a: typeof raw) => 1 / a.eigen.values[1];
  const rawPath = descend(d, raw, { lr: lr(raw), momentum: 0, start: [0, 0] });
  const stdPath = descend(transformData(d, 'standardized'), std, { lr: lr(std), momentum: 0, start: [0, 0] });
  assert.equal(rawPath.outcome, 'converged');
  assert.ok(rawPath.steps! > 10000, `raw steps ${rawPath.steps}`);
  assert.ok(stdPath.steps! <= 2, `standardized steps ${stdPath.steps}`);
  // With ρ = 0.8 standardizing leaves the tilt: κ ≈ (1.8/0.2) = 9 up to sampling.
  const corr = analyze(transformData(generateScalingData({ ...DEFAULT_SCALING_SPEC, rho: 0.8 }), 'standardized'));
  assert.ok(corr.kappa > 7 && corr.kappa < 11, `κ with ρ=0.8: ${corr.kappa}`);
});

test('GD step count on a diagonal quadratic matches the closed form (1 − lr·λ)^t', () => {
  const d = exactData(1, 2, 0); // H = diag(1, 4)
  const a = analyze(d);
  const lr = 0.3;
  const start: Vec2 = [a.optimum[0] - 2, a.optimum[1] + 1];
  let expected = 0;
  const gap = (t: number) => 0.5 * (1 * (2 * (1 - lr) ** t) ** 2 + 4 * (1 * (1 - 4 * lr) ** t) ** 2);
  while (gap(expected) > 1e-3) expected++;
  const p = descend(d, a, { lr, momentum: 0, start });
  assert.equal(p.steps, expected);
  close(p.losses[expected] - a.optimalLoss, gap(expected), 1e-9, 'gap at the last step');
});

test('diverges above 2/λmax, converges below; momentum widens the stable range to 2(1+μ)/λmax', () => {
  const d = exactData(1, 10, 0.2);
  const a = analyze(d);
  assert.equal(descend(d, a, { lr: 1.05 * a.maxStableLr, momentum: 0, start: [0, 0] }).outcome, 'diverged');
  assert.equal(descend(d, a, { lr: 0.95 * a.maxStableLr, momentum: 0, start: [0, 0] }).outcome, 'converged');
  assert.equal(descend(d, a, { lr: 1.4 * a.maxStableLr, momentum: 0.5, start: [0, 0] }).outcome, 'converged');
  assert.equal(descend(d, a, { lr: 1.6 * a.maxStableLr, momentum: 0.5, start: [0, 0] }).outcome, 'diverged');
});

test('step counts are bounded: a tiny learning rate stops at maxSteps, never hangs', () => {
  const d = exactData(1, 100, 0);
  const a = analyze(d);
  const p = descend(d, a, { lr: 1e-9, momentum: 0, start: [0, 0] });
  assert.equal(p.outcome, 'not-converged');
  assert.equal(p.steps, null);
  assert.equal(p.losses.length, MAX_GD_STEPS + 1);
  // In budgets, the same path.
  const inc = new Descent(d, a, { lr: 0.5 * a.maxStableLr, momentum: 0.9, start: [0, 0] });
  let r = null;
  let rounds = 0;
  while (!(r = inc.advance(100))) rounds++;
  const whole = descend(d, a, { lr: 0.5 * a.maxStableLr, momentum: 0.9, start: [0, 0] });
  assert.ok(rounds > 0);
  assert.equal(r.steps, whole.steps);
  assert.deepEqual([...r.points], [...whole.points]);
});

test('eigSym2: A·v = λ·v, λmin·λmax = det (property)', () => {
  fc.assert(fc.property(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), fc.double({ min: 1e-3, max: 1e4, noNaN: true }), fc.double({ min: -0.99, max: 0.99, noNaN: true }), (a, c, r) => {
    const b = r * Math.sqrt(a * c);
    const e = eigSym2([a, b, c]);
    for (let k = 0; k < 2; k++) {
      const [p, q] = e.vectors[k];
      const l = e.values[k];
      close(a * p + b * q, l * p, 1e-9 * Math.max(a, c), 'row 1');
      close(b * p + c * q, l * q, 1e-9 * Math.max(a, c), 'row 2');
    }
    close(e.values[0] * e.values[1], a * c - b * b, 1e-9, 'det');
    assert.ok(e.values[0] <= e.values[1]);
  }));
});

test('logistic regression: the gradient vanishes at the Newton optimum; the Hessian there is XᵀDX/n', () => {
  const d = generateScalingData({ ...DEFAULT_SCALING_SPEC, model: 'logistic', n: 300, noise: 1 });
  for (const t of ['raw', 'standardized', 'whitened'] as const) {
    const td = transformData(d, t);
    const a = analyze(td);
    const { grad } = lossGrad(td, a.optimum);
    assert.ok(Math.hypot(...grad) < 1e-10, `${t}: |∇L(w*)| = ${Math.hypot(...grad)}`);
    assert.deepEqual(a.hessian, hessianAt(td, a.optimum));
    for (const w of [[0, 0], [a.optimum[0] + 0.1, a.optimum[1] - 0.1]] as Vec2[]) assert.ok(lossAt(td, w) > a.optimalLoss);
    const p = descend(td, a, { lr: 0.9 * a.maxStableLr, momentum: 0.5, start: [0, 0] });
    assert.equal(p.outcome, 'converged', t);
  }
});

test('clear errors: separable classes, one label, constant or proportional features, bad options', () => {
  const sep = generateScalingData({ ...DEFAULT_SCALING_SPEC, model: 'logistic', noise: 0 });
  assert.throws(() => analyze(sep), /separable .* no finite minimum: add noise/);
  const x = Float64Array.from({ length: 20 }, (_, i) => i);
  assert.throws(() => analyze(dataFromColumns('logistic', x, x.map((v) => v * v), x.map(() => 1), 0, 0)), /needs both labels; every label is 1/);
  assert.throws(() => standardize(dataFromColumns('linear', x, x.map(() => 3), null, 0, 0)), /x2 is constant/);
  assert.throws(() => dataFromColumns('linear', x, x.map(() => 3), null, 0, 0), /x2 is constant/);
  assert.throws(() => analyze(dataFromColumns('linear', x, x.map((v) => 2 * v), x, 0, 0)), /Hessian is singular/);
  assert.throws(() => whiten(dataFromColumns('linear', x, x.map((v) => 2 * v + 1), x, 0, 0)), /perfectly correlated/);
  assert.throws(() => dataFromColumns('linear', x, x.slice(1), null, 0, 0), /columns of equal length, got 20, 19/);
  assert.throws(() => dataFromColumns('linear', x, x.map((v) => (v === 3 ? NaN : v * v)), null, 0, 0), /x2: expected finite numbers, found NaN in row 3/);
  assert.throws(() => generateScalingData({ ...DEFAULT_SCALING_SPEC, rho: 1 }), /correlation ρ: expected a number from -0.99 to 0.99, got 1/);
  assert.throws(() => generateScalingData({ ...DEFAULT_SCALING_SPEC, n: 3 }), /samples: expected an integer from 10 to 5000, got 3/);
  const d = exactData(1, 2, 0);
  const a = analyze(d);
  assert.throws(() => descend(d, a, { lr: 0, momentum: 0, start: [0, 0] }), /learning rate: expected a positive number, got 0/);
  assert.throws(() => descend(d, a, { lr: 0.1, momentum: 1, start: [0, 0] }), /momentum: expected a number in \[0, 1\), got 1/);
});

test('the contour grid is the loss; levels are equally spaced ellipses through the start', () => {
  const d = generateScalingData({ ...DEFAULT_SCALING_SPEC, n: 50, rho: 0.4 });
  const td = transformData(d, 'standardized');
  const a = analyze(td);
  const win = viewWindow(a, [0, 0], true);
  close(win.w1[1] - win.w1[0], win.w2[1] - win.w2[0], 1e-12, 'equal axes');
  assert.ok(win.w1[0] < 0 && win.w1[1] > 0 && win.w2[0] < 0 && win.w2[1] > 0, 'the start is inside the window');
  const g = lossGrid(td, a, win, 5, 4);
  for (const [i, j] of [[0, 0], [4, 3], [2, 1]]) {
    const w: Vec2 = [win.w1[0] + ((win.w1[1] - win.w1[0]) * i) / 4, win.w2[0] + ((win.w2[1] - win.w2[0]) * j) / 3];
    close(g[j * 5 + i], lossAt(td, w), 1e-9, `grid (${i}, ${j})`);
  }
  const levels = contourLevels(1, 5, 4, 0);
  assert.deepEqual(levels, [1.25, 2, 3.25, 5]);
});
