// The experiments panel's charts as chart.js configurations from a results.json: Figure 1 with error bars (± std over
// seeds) and the plugin that draws them, Figure 4's curves averaged over seeds, Table 3's bars, the smoothed loss.
// The theme's colours are read from CSS variables; here there is no DOM: `theme` plays the computed style (empty, so
// the fallbacks are used, unless a test sets a variable).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expandGrid } from '../../../src/experiments/grid';
import { preset } from '../../../src/experiments/presets';
import { newResults } from '../../../src/experiments/results';
import type { ExperimentResults, PresetName } from '../../../src/experiments/types';

const g = globalThis as unknown as Record<string, unknown>;
const theme = new Map<string, string>();
g.getComputedStyle = () => ({ getPropertyValue: (name: string) => theme.get(name) ?? '' });
g.document ??= { documentElement: {} };
let charts: typeof import('../../../src/webview/experiments/charts');
before(async () => {
  charts = await import('../../../src/webview/experiments/charts');
});

const data = { name: 'test', trainSize: 100, valSize: 50, standardized: null };

/** A finished experiment whose run i has validation error err(i) (a fraction) at every epoch. */
function finished(name: PresetName, seeds: number, err: (i: number) => number): ExperimentResults {
  const c = { ...preset(name), seeds, epochs: 2 };
  const r = newResults(c, expandGrid(c), data, 'normlab test', new Date('2026-12-02T01:02:03Z'));
  r.runs.forEach((run, i) => {
    run.status = 'done';
    run.epochs = [1, 2].map((epoch) => ({ epoch, train_loss: 1, train_error: err(i) + 0.01 * (2 - epoch), val_loss: 1, val_error: err(i), seconds: 1 }));
  });
  return r;
}

const sampleStd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

test('Figure 1: one line per method over batch sizes 32 → 2, mean over seeds with ± std error bars', () => {
  const r = finished('fig1', 3, (i) => 0.1 + 0.01 * i + 0.003 * (i % 3) ** 2);
  const c = charts.fig1Config(r, 'batch', 'err');
  assert.deepEqual(c.data.labels, ['32', '16', '8', '4', '2']);
  assert.deepEqual(c.data.datasets.map((d) => d.label), ['BN', 'GN (G=8)']);
  for (const ds of c.data.datasets) {
    const method = ds.label === 'BN' ? 'bn' : 'gn';
    [32, 16, 8, 4, 2].forEach((b, k) => {
      const errs = r.runs.filter((x) => x.method === method && x.batch_size === b).map((x) => x.epochs[1].val_error! * 100);
      assert.equal(errs.length, 3);
      assert.ok(Math.abs((ds.data[k] as number) - errs.reduce((a, v) => a + v, 0) / 3) < 1e-9, `${ds.label} B=${b} mean`);
      const bars = (ds as unknown as { errorBars: (number | null)[] }).errorBars;
      assert.ok(Math.abs(bars[k]! - sampleStd(errs)) < 1e-9, `${ds.label} B=${b} std`);
      assert.ok(bars[k]! > 0);
    });
  }
  // One seed: no error bars.
  const one = charts.fig1Config(finished('fig1', 1, (i) => 0.1 + 0.01 * i), 'batch', 'err');
  for (const ds of one.data.datasets) assert.deepEqual((ds as unknown as { errorBars: unknown[] }).errorBars, [null, null, null, null, null]);
});

test('the error-bar plugin draws each ± std as a vertical bar with caps at mean ± std', () => {
  const r = finished('fig1', 2, (i) => 0.1 + 0.02 * (i % 2));
  const c = charts.fig1Config(r, 'batch', 'err');
  const calls: string[] = [];
  const ctx = {
    save() {}, restore() {}, beginPath() {}, stroke() { calls.push('stroke'); },
    moveTo(x: number, y: number) { calls.push(`M${x},${y}`); }, lineTo(x: number, y: number) { calls.push(`L${x},${y}`); },
    set strokeStyle(_: string) {}, set lineWidth(_: number) {},
  };
  const chart = {
    ctx, data: c.data,
    getDatasetMeta: (i: number) => ({ hidden: i === 1, data: [0, 1, 2, 3, 4].map((k) => ({ x: 100 + 10 * k })) }),
    scales: { y: { getPixelForValue: (v: number) => 1000 - 10 * v } },
  };
  (charts.errorBarPlugin.afterDatasetsDraw as unknown as (chart: unknown) => void)(chart);
  // Only the visible dataset (BN): 5 bars of 3 strokes' worth of segments each.
  assert.equal(calls.filter((x) => x === 'stroke').length, 5);
  const ds = c.data.datasets[0];
  const bars = (ds as unknown as { errorBars: number[] }).errorBars;
  const top = 1000 - 10 * ((ds.data[0] as number) + bars[0]);
  const bottom = 1000 - 10 * ((ds.data[0] as number) - bars[0]);
  assert.deepEqual(calls.slice(0, 6), [`M100,${top}`, `L100,${bottom}`, `M96,${top}`, `L104,${top}`, `M96,${bottom}`, `L104,${bottom}`]);
});

test('Figure 4: train or val error against epoch, one line per method, seeds averaged', () => {
  const r = finished('curves', 2, (i) => 0.2 + 0.01 * i);
  const c = charts.curvesConfig(r, 'train_error', 'epoch', 'err');
  assert.deepEqual(c.data.labels, ['1', '2']);
  assert.deepEqual(c.data.datasets.map((d) => d.label), ['BN · B=32', 'LN · B=32', 'IN · B=32', 'GN (G=8) · B=32']);
  const bn = r.runs.filter((x) => x.method === 'bn');
  const mean = (k: number) => bn.reduce((a, x) => a + x.epochs[k].train_error! * 100, 0) / bn.length;
  assert.ok(Math.abs((c.data.datasets[0].data[0] as number) - mean(0)) < 1e-9);
  assert.ok(Math.abs((c.data.datasets[0].data[1] as number) - mean(1)) < 1e-9);
});

test('Table 3 as bars: one per GN variant in grid order; G and channels-per-group coloured apart', () => {
  const r = finished('groups', 1, (i) => 0.15 + 0.01 * i);
  const c = charts.groupsConfig(r, 'err');
  assert.deepEqual(c.data.labels, ['GN (G=1)', 'GN (G=2)', 'GN (G=4)', 'GN (G=8)', 'GN (G=16)', 'GN (1 ch/group)', 'GN (2 ch/group)', 'GN (4 ch/group)', 'GN (8 ch/group)', 'GN (16 ch/group)']);
  assert.deepEqual(c.data.datasets[0].data.map((v) => Math.round((v as number) * 10) / 10), r.runs.map((x) => Math.round(x.epochs[1].val_error! * 1000) / 10));
  const colors = c.data.datasets[0].backgroundColor as string[];
  assert.equal(new Set(colors.slice(0, 5)).size, 1);
  assert.notEqual(colors[0], colors[5]);
});

test("Table 3's axes are the shared ones: the theme's foreground and grid colours as in the other charts, every GN variant labelled", () => {
  theme.set('--vscode-foreground', '#102030').set('--vscode-editorWidget-border', '#405060');
  try {
    const r = finished('groups', 1, (i) => 0.15 + 0.01 * i);
    const { x, y } = charts.groupsConfig(r, 'err').options!.scales as Record<'x' | 'y', Record<string, Record<string, unknown>>>;
    const line = charts.fig1Config(finished('fig1', 1, () => 0.1), 'batch', 'err').options!.scales as Record<'x' | 'y', Record<string, Record<string, unknown>>>;
    assert.equal(y.grid.color, '#405060');
    assert.equal(y.grid.color, line.y.grid.color);
    assert.deepEqual([x.ticks.color, y.ticks.color, y.title.color], ['#102030', '#102030', '#102030']);
    assert.deepEqual(y.title, line.y.title, 'the same y title as the line charts');
    assert.equal(x.grid.display, false);
    assert.equal(x.ticks.autoSkip, false, 'no GN variant\'s label is thinned out');
    assert.equal(x.type, undefined, 'a category axis, not turned linear');
  } finally {
    theme.clear();
  }
});

test('the live loss: an exponential moving average, NaN steps left as gaps', () => {
  assert.deepEqual(charts.smooth([1, 1, 1]), [1, 1, 1]);
  const s = charts.smooth([2, 0, NaN, 0], 0.5);
  assert.deepEqual([s[0], s[1], s[3]], [2, 1, 0.5]);
  assert.ok(Number.isNaN(s[2]));
  const c = charts.lossConfig(new Map([[0, { label: 'BN', values: Array.from({ length: 1000 }, (_, i) => 2 - i / 1000) }]]), 'step', 'loss');
  assert.ok(c.data.datasets[0].data.length <= 400, 'thinned to at most 400 points');
});
