// The feature-scaling view's pure parts: marching-squares contours, the persisted state, the learning rate of each
// view and the views built from the state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contourSegments } from '../../../src/webview/featureScaling/contours';
import { lossAt } from '../../../src/kernels/featureScaling';
import { baseData, buildViews, contourPicture, ellipse, isView, learningRate } from '../../../src/webview/featureScaling/compute';
import { defaultState, lrFromSlider, restoreState, sliderFromLr } from '../../../src/webview/featureScaling/state';

test('contours of a paraboloid are circles of the right radius', () => {
  const n = 41;
  const grid = Float64Array.from({ length: n * n }, (_, k) => (((k % n) - 20) ** 2 + (Math.floor(k / n) - 20) ** 2));
  for (const r of [5, 12.5]) {
    const seg = contourSegments(grid, n, n, r * r);
    assert.ok(seg.length > 40, `segments for r=${r}`);
    for (let i = 0; i < seg.length; i += 2) {
      const d = Math.hypot(seg[i] - 20, seg[i + 1] - 20);
      assert.ok(Math.abs(d - r) < 0.12, `point at distance ${d}, expected ${r}`);
    }
  }
  assert.deepEqual(contourSegments(grid, n, n, -1), [], 'no line below the minimum');
});

test('contours: a saddle cell is split by its centre value', () => {
  // a=(0,0) and c=(1,1) high, b and d low: the centre (mean 0.5) is above 0.4, so the highs connect.
  const seg = contourSegments([1, 0, 0, 1], 2, 2, 0.4);
  assert.equal(seg.length, 8);
});

test('the persisted state: defaults for garbage, values kept when valid, out-of-range values replaced', () => {
  assert.deepEqual(restoreState(undefined), defaultState());
  assert.deepEqual(restoreState('x'), defaultState());
  const s = { ...defaultState(), view: 'whitened', sideBySide: false, lrMode: 'absolute', lrAbsolute: 0.01, momentum: 0.5, start: [1, -2] };
  assert.deepEqual(restoreState(JSON.parse(JSON.stringify(s))), s);
  const bad = restoreState({ view: 'sideways', momentum: 1.5, lrFraction: -1, start: [1], spec: { ...defaultState().spec, rho: 2 }, source: 'file', file: { name: 'x' } });
  assert.deepEqual(bad, defaultState());
});

test('the log learning-rate slider maps both ways', () => {
  assert.equal(lrFromSlider(0), 1e-6);
  assert.equal(lrFromSlider(1000), 10);
  for (const lr of [1e-4, 0.003, 0.9]) assert.ok(Math.abs(lrFromSlider(sliderFromLr(lr)) / lr - 1) < 0.02, `lr ${lr}`);
});

test('views: the defaults give raw κ ≈ 10⁴ and standardized κ ≈ 1; relative lr is a fraction of each 2/λmax', () => {
  const s = defaultState();
  const views = buildViews(s, baseData(s));
  assert.deepEqual(views.map((v) => v.transform), ['raw', 'standardized', 'whitened']);
  const [raw, std, wh] = views;
  assert.ok(isView(raw) && isView(std) && isView(wh));
  assert.ok(raw.analysis.kappa > 5000 && std.analysis.kappa < 1.1 && Math.abs(wh.analysis.kappa - 1) < 1e-9);
  assert.equal(raw.lr, s.lrFraction * raw.analysis.maxStableLr);
  assert.equal(learningRate({ ...s, lrMode: 'absolute', lrAbsolute: 0.02 }, raw.analysis), 0.02);
  const p = raw.descent.advance()!;
  assert.equal(p.outcome, 'converged');
  const pic = contourPicture(raw, s, 20);
  assert.equal(pic.grid, null, 'linear: exact ellipses, no grid');
  assert.equal(pic.levels.length, 12);
  // The ellipse of each level is on that level, however narrow the valley (raw κ ≈ 10⁴).
  for (const level of [pic.levels[0], pic.levels[7]]) {
    const e = ellipse(raw.analysis, level, 16);
    for (let i = 0; i < e.length; i += 2) {
      const l = lossAt(raw.data, [e[i], e[i + 1]]);
      assert.ok(Math.abs(l - level) < 1e-9 * level, `loss ${l} on the ellipse of level ${level}`);
    }
  }
  const logistic = { ...s, spec: { ...s.spec, model: 'logistic' as const, n: 100, noise: 1 } };
  const lv = buildViews(logistic, baseData(logistic))[1];
  assert.ok(isView(lv));
  assert.equal(contourPicture(lv, logistic, 20).grid?.length, 400, 'logistic: the loss on a grid');
});

test('views: a transform that cannot be computed carries its error, the others still work', () => {
  const x1 = Array.from({ length: 30 }, (_, i) => i);
  const s = { ...defaultState(), source: 'file' as const, file: { name: 'f', token: 't', cols: 2, columns: [0, 1] as [number, number], targetColumn: null, x1, x2: x1.map((v) => 2 * v + 1), target: x1.map((v) => v % 3), rows: 30, totalRows: 30 } };
  const views = buildViews(s, baseData(s));
  // x2 = 2·x1 + 1: not proportional raw, but exactly so once centred.
  assert.ok(isView(views[0]), 'raw');
  assert.match((views[1] as { error: string }).error, /Hessian is singular/);
  assert.match((views[2] as { error: string }).error, /perfectly correlated/);
});
