// The Batch size tab: how far BN's batch statistics stray from the full-data ones as the batch shrinks, next to
// GN's (which do not depend on the batch), measured on the input with seeded random batches.
import type { SensitivityPoint } from '../../kernels/batchSensitivity';
import { ChartBox, lineConfig } from '../common/charts';
import { h } from '../common/dom';
import { fmt } from '../common/format';
import type { Translate } from '../common/l10n';

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
