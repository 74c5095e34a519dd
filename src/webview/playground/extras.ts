// The three secondary tabs: compare (BN/LN/IN/GN side by side), batch-size sensitivity, running statistics.
import type { SensitivityPoint } from '../../kernels/batchSensitivity';
import { cubeSpec } from '../../kernels/figure2';
import type { Layout } from '../../kernels/types';
import { MAX_TRAIN_STEPS, type CompareResult, type TrainResult } from '../../protocol/playground';
import { h } from '../common/dom';
import type { Translate } from '../common/l10n';
import { ChartBox, histogramConfig, lineConfig } from '../common/charts';
import { CubeView } from './cube';
import { fmt } from '../common/format';
import { HeatmapView } from '../common/heatmap';
import { button, labelled, textfield, type Field } from '../common/widgets';

export class CompareView {
  readonly root = h('div', { class: 'compare', 'data-testid': 'compare' });
  private charts: ChartBox<'bar'>[] = [];

  constructor(private readonly t: Translate) {}

  /** `shape`/`layout` of the input: each panel draws its Figure-2 cube with the first set highlighted. */
  show(r: CompareResult, shape: number[], layout: Layout): void {
    this.charts = [];
    const cols = r.panels.map((p) => {
      const col = h('section', { class: 'compare-panel', 'data-testid': 'compare-panel', 'data-method': p.method });
      col.append(h('h2', {}, p.title), h('div', { class: 'muted', 'data-testid': 'compare-sets' }, this.t('{0} sets of {1} elements', p.numSets, p.setSize)));
      const cube = new CubeView((set) => cube.select(set));
      cube.svg.classList.add('small');
      cube.svg.dataset.testid = 'compare-cube';
      cube.draw(cubeSpec(shape, layout, p.method, r.groups), 0, p.title);
      col.append(cube.svg);
      if (p.error) {
        col.append(h('div', { class: 'error', 'data-testid': 'compare-error' }, p.error));
        return col;
      }
      const hm = new HeatmapView(`compare-heatmap-${p.method}`, this.t('output slice'), 'zero');
      hm.show(p.after);
      const chart = new ChartBox<'bar'>(`compare-hist-${p.method}`, this.t('Output histogram'));
      this.charts.push(chart);
      col.append(hm.root, chart.root);
      const stdRange = p.afterMoments.std.length ? `${fmt(Math.min(...p.afterMoments.std))} … ${fmt(Math.max(...p.afterMoments.std))}` : '–';
      col.append(h('div', { class: 'muted', 'data-testid': 'compare-std' }, this.t('per-channel std after: {0}', stdRange)));
      queueMicrotask(() => chart.show(() => histogramConfig(p.outputHist, p.title, 1)));
      return col;
    });
    this.root.replaceChildren(...cols);
  }

  refreshTheme(): void {
    for (const c of this.charts) c.refreshTheme();
  }
}

export class SensitivityView {
  readonly root = h('div', { class: 'sensitivity' });
  private readonly chart: ChartBox<'line'>;
  private readonly table = h('table', { class: 'data', 'data-testid': 'sensitivity-table' });

  constructor(private readonly t: Translate) {
    this.chart = new ChartBox<'line'>('sensitivity', t('Scatter of the batch statistics around the full-data statistics'));
    this.root.append(
      h('p', { class: 'muted' }, t('BN estimates each channel\'s mean and variance from the batch; the smaller the batch, the further they stray. GN\'s statistics are per sample and do not depend on the batch. Measured on your data with seeded random batches.')),
      this.chart.root, this.table,
    );
  }

  show(points: SensitivityPoint[]): void {
    const x = points.map((p) => p.batchSize);
    const t = this.t;
    this.chart.show(() => lineConfig(x, [
      { label: t('BN mean error (in stds)'), values: points.map((p) => p.bnMean), color: 0 },
      { label: t('BN variance error (relative)'), values: points.map((p) => p.bnVar), color: 1 },
      { label: t('GN mean error'), values: points.map((p) => p.gnMean), color: 2, dashed: true },
      { label: t('GN variance error'), values: points.map((p) => p.gnVar), color: 3, dashed: true },
    ], t('batch size'), t('RMS error'), true));
    const head = h('tr', {}, ...[t('batch size'), t('batches'), 'BN mean', 'BN var', 'GN mean', 'GN var'].map((s) => h('th', {}, s)));
    const rows = points.map((p) => h('tr', { 'data-testid': 'sensitivity-row', 'data-batch': p.batchSize },
      h('td', {}, String(p.batchSize)), h('td', {}, String(p.batches)),
      ...[p.bnMean, p.bnVar, p.gnMean, p.gnVar].map((v) => h('td', { 'data-value': String(v) }, fmt(v)))));
    this.table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
  }

  refreshTheme(): void {
    this.chart.refreshTheme();
  }
}

export class TrainingView {
  readonly root = h('div', { class: 'training' });
  readonly batchSize: Field;
  readonly steps: Field;
  readonly stepButton: HTMLElement;
  readonly resetButton: HTMLElement;
  private readonly meanChart: ChartBox<'line'>;
  private readonly varChart: ChartBox<'line'>;
  private readonly gap = h('div', { 'data-testid': 'train-gap', class: 'gap' });
  private history: TrainResult['history'] = [];
  private readonly shown = 4;

  constructor(private readonly t: Translate) {
    this.batchSize = textfield('train-batch', '4', { type: 'number', min: '1' });
    this.steps = textfield('train-steps', '10', { type: 'number', min: '1', max: String(MAX_TRAIN_STEPS) });
    this.stepButton = button('train-step', t('Train step'));
    this.resetButton = button('train-reset', t('Reset running stats'), true);
    this.meanChart = new ChartBox<'line'>('running-mean', t('running_mean (first channels); dashed: full-data mean'));
    this.varChart = new ChartBox<'line'>('running-var', t('running_var (first channels); dashed: full-data unbiased var'));
    this.root.append(
      h('p', { class: 'muted' }, t('Each step runs BN in training mode on a fresh random batch of your samples and updates running_mean / running_var with the momentum (or the cumulative average). Eval mode then normalizes with them.')),
      h('div', { class: 'row' }, labelled(t('batch size'), this.batchSize), labelled(t('steps per click'), this.steps), this.stepButton, this.resetButton),
      this.gap,
      h('div', { class: 'grid2' }, this.meanChart.root, this.varChart.root),
    );
  }

  reset(): void {
    this.history = [];
    this.gap.textContent = this.t('No training steps yet.');
    this.meanChart.show(() => lineConfig([], [], this.t('step'), 'running_mean'));
    this.varChart.show(() => lineConfig([], [], this.t('step'), 'running_var'));
  }

  show(r: TrainResult): void {
    this.history = [...this.history, ...r.history].slice(-500);
    const steps = this.history.map((s) => s.step);
    const k = Math.min(this.shown, r.target.mean.length);
    const series = (key: 'mean' | 'var') => [
      ...Array.from({ length: k }, (_, c) => ({ label: `c${c}`, values: this.history.map((s) => s[key][c]), color: c })),
      ...Array.from({ length: k }, (_, c) => ({ label: `c${c} target`, values: steps.map(() => r.target[key][c]), color: c, dashed: true })),
    ];
    this.meanChart.show(() => lineConfig(steps, series('mean'), this.t('step'), 'running_mean'));
    this.varChart.show(() => lineConfig(steps, series('var'), this.t('step'), 'running_var'));
    this.gap.dataset.steps = String(r.running.numBatchesTracked);
    this.gap.dataset.maxAbs = String(r.gap.maxAbs);
    this.gap.textContent = this.t('After {0} steps: train vs eval output differ by at most {1} (RMS {2}).', r.running.numBatchesTracked, fmt(r.gap.maxAbs), fmt(r.gap.rms));
  }

  refreshTheme(): void {
    this.meanChart.refreshTheme();
    this.varChart.refreshTheme();
  }
}
