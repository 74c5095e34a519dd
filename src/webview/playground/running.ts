// The Running stats tab: BN training steps on random batches of the input, running_mean / running_var converging
// to the full-data statistics, and how far the train-mode and eval-mode outputs differ.
import { MAX_TRAIN_STEPS, type TrainResult } from '../../protocol/playground';
import { ChartBox, lineConfig } from '../common/charts';
import { h } from '../common/dom';
import { fmt } from '../common/format';
import type { Translate } from '../common/l10n';
import { button, labelled, textfield, type Field } from '../common/widgets';
import { readTrainParams } from './form';

/** Steps kept for the charts (the latest). */
const MAX_HISTORY = 500;

export class RunningStatsView {
  readonly root = h('div', { class: 'training' });
  private readonly batchSize: Field;
  private readonly steps: Field;
  private readonly meanChart: ChartBox<'line'>;
  private readonly varChart: ChartBox<'line'>;
  private readonly gap = h('div', { 'data-testid': 'train-gap', class: 'gap' });
  private history: TrainResult['history'] = [];
  private readonly shown = 4;

  constructor(private readonly t: Translate, actions: { step(): void; reset(): void }) {
    this.batchSize = textfield('train-batch', '4', { type: 'number', min: '1' });
    this.steps = textfield('train-steps', '10', { type: 'number', min: '1', max: String(MAX_TRAIN_STEPS) });
    const stepButton = button('train-step', t('Train step'));
    const resetButton = button('train-reset', t('Reset running stats'), true);
    stepButton.addEventListener('click', () => actions.step());
    resetButton.addEventListener('click', () => actions.reset());
    this.meanChart = new ChartBox<'line'>('running-mean', t('running_mean (first channels); dashed: full-data mean'));
    this.varChart = new ChartBox<'line'>('running-var', t('running_var (first channels); dashed: full-data unbiased var'));
    this.root.append(
      h('p', { class: 'muted' }, t('Each step runs BN in training mode on a fresh random batch of your samples and updates running_mean / running_var with the momentum (or the cumulative average). Eval mode then normalizes with them.')),
      h('div', { class: 'row' }, labelled(t('batch size'), this.batchSize), labelled(t('steps per click'), this.steps), stepButton, resetButton),
      this.gap,
      h('div', { class: 'grid2' }, this.meanChart.root, this.varChart.root),
    );
  }

  /** Steps per click and batch size; throws a ValidationError naming the field (as the host would). */
  params(): { steps: number; batchSize: number } {
    return readTrainParams(this.steps.value, this.batchSize.value, { steps: this.t('steps per click'), batchSize: this.t('batch size') });
  }

  /** No steps yet (a new input, or the running statistics were reset). */
  reset(): void {
    this.history = [];
    this.gap.textContent = this.t('No training steps yet.');
    this.meanChart.show(() => lineConfig([], [], this.t('step'), 'running_mean'));
    this.varChart.show(() => lineConfig([], [], this.t('step'), 'running_var'));
  }

  show(r: TrainResult): void {
    this.history = [...this.history, ...r.history].slice(-MAX_HISTORY);
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
