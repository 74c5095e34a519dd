// The Inspect tab: the Figure-2 cube with its sets, the per-set statistics table, the input and output slice
// (heatmaps and exact values), the histograms and the per-channel mean and std before and after. Hovering or
// focusing a set (in the cube or the table) selects it in both.
import { setLabel, type CubeSpec } from '../../kernels/figure2';
import type { ComputeResult } from '../../protocol/playground';
import { ChartBox, channelBarsConfig, histogramConfig } from '../common/charts';
import { h } from '../common/dom';
import { fmt } from '../common/format';
import type { Translate } from '../common/l10n';
import { CubeView } from './cube';
import { HeatmapView } from '../common/heatmap';

export class InspectView {
  readonly root: HTMLElement;
  private readonly cube = new CubeView((set) => this.selectSet(set));
  private readonly setInfo = h('div', { class: 'set-info', 'data-testid': 'set-info' });
  private readonly statsTable = h('table', { class: 'data stats', 'data-testid': 'stats-table' });
  private readonly statsNote = h('div', { class: 'muted', 'data-testid': 'stats-note' });
  private readonly heatBefore: HeatmapView;
  private readonly heatAfter: HeatmapView;
  // A scroll region: a tab stop (so the keyboard can scroll it), named by the slice label inside.
  private readonly sliceTables = h('div', { class: 'slice-tables', role: 'region', tabindex: 0, 'aria-labelledby': 'slice-label' });
  private readonly histIn: ChartBox<'bar'>;
  private readonly histOut: ChartBox<'bar'>;
  private readonly meanBars: ChartBox<'bar'>;
  private readonly stdBars: ChartBox<'bar'>;
  private result: ComputeResult | null = null;
  private spec: CubeSpec | null = null;
  private selectedSet = 0;

  constructor(private readonly t: Translate) {
    this.heatBefore = new HeatmapView('heatmap', t('input slice'), 'zero');
    this.heatAfter = new HeatmapView('heatmap-after', t('output slice'), 'zero');
    this.histIn = new ChartBox<'bar'>('hist-input', t('Input histogram'));
    this.histOut = new ChartBox<'bar'>('hist-output', t('Output histogram'));
    this.meanBars = new ChartBox<'bar'>('channel-mean', t('Per-channel mean, before and after'));
    this.stdBars = new ChartBox<'bar'>('channel-std', t('Per-channel std, before and after'));
    this.root = h('div', { class: 'inspect' },
      h('div', { class: 'grid2' },
        h('div', { class: 'cube-box' }, this.cube.svg, this.setInfo),
        h('div', { class: 'stats-box' }, this.statsNote, h('div', { class: 'scroll' }, this.statsTable))),
      h('div', { class: 'grid2' }, h('div', { class: 'row' }, this.heatBefore.root, this.heatAfter.root), this.sliceTables),
      h('div', { class: 'grid2' }, this.histIn.root, this.histOut.root),
      h('div', { class: 'grid2' }, this.meanBars.root, this.stdBars.root));
  }

  /** Draws a result; `spec` is the cube of its input, method and groups. The selected set stays selected if it exists. */
  show(r: ComputeResult, spec: CubeSpec): void {
    const t = this.t;
    this.result = r;
    this.spec = spec;
    this.selectedSet = Math.min(this.selectedSet, r.numSets - 1);
    this.cube.draw(spec, this.selectedSet, t('Figure 2 cube: {0} sets', r.numSets));
    const head = h('tr', {}, ...[t('set'), t('mean'), t('variance'), '1/√(var+eps)'].map((s) => h('th', {}, s)));
    const rows = r.rows.map((row) => {
      const tr = h('tr', { 'data-testid': 'stats-row', 'data-set': row.set, tabindex: 0 },
        h('td', {}, row.label),
        h('td', { 'data-value': String(row.mean), 'data-testid': 'row-mean' }, fmt(row.mean)),
        h('td', { 'data-value': String(row.var), 'data-testid': 'row-var' }, fmt(row.var)),
        h('td', { 'data-value': String(row.rstd) }, fmt(row.rstd)));
      tr.addEventListener('mouseenter', () => this.selectSet(row.set));
      tr.addEventListener('focus', () => this.selectSet(row.set));
      return tr;
    });
    this.statsTable.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
    this.statsNote.textContent = r.rows.length < r.numSets ? t('showing the first {0} of {1} sets', r.rows.length, r.numSets) : t('{0} sets', r.numSets);
    this.selectSet(this.selectedSet);

    this.heatBefore.show(r.slice.before);
    this.heatAfter.show(r.slice.after);
    const table = (title: string, values: number[], testId: string) => {
      const body = [];
      for (let i = 0; i < r.slice.tableRows; i++) {
        body.push(h('tr', {}, ...values.slice(i * r.slice.tableCols, (i + 1) * r.slice.tableCols).map((v) => h('td', { 'data-value': String(v) }, fmt(v)))));
      }
      return h('div', {}, h('div', { class: 'caption' }, title), h('table', { class: 'data values', 'data-testid': testId }, h('tbody', {}, ...body)));
    };
    this.sliceTables.replaceChildren(
      h('div', { class: 'muted', id: 'slice-label', 'data-testid': 'slice-label' }, r.slice.label),
      table(t('before'), r.slice.tableBefore, 'slice-before'), table(t('after'), r.slice.tableAfter, 'slice-after'));

    this.histIn.show(() => histogramConfig(r.inputHist, t('input'), 0));
    this.histOut.show(() => histogramConfig(r.outputHist, t('output'), 1));
    this.meanBars.show(() => channelBarsConfig([{ label: t('before'), values: r.before.mean }, { label: t('after'), values: r.after.mean }], t('mean')));
    this.stdBars.show(() => channelBarsConfig([{ label: t('before'), values: r.before.std }, { label: t('after'), values: r.after.std }], t('std')));
  }

  /** Highlights set `set` in the cube and the table and shows its statistics. */
  private selectSet(set: number): void {
    const r = this.result;
    const spec = this.spec;
    if (!r || !spec || set < 0 || set >= spec.numSets) return;
    this.selectedSet = set;
    this.cube.select(set);
    const row = r.rows[set];
    const t = this.t;
    const item = (k: string, v: string, id: string, raw?: number) => h('div', {}, h('span', { class: 'k' }, k), ' ', h('span', { 'data-testid': id, 'data-value': raw === undefined ? undefined : String(raw) }, v));
    this.setInfo.replaceChildren(
      item(t('set'), setLabel(spec, set), 'set-label'),
      item(t('mean'), row ? fmt(row.mean) : t('(not in the first rows)'), 'set-mean', row?.mean),
      item(t('variance'), row ? fmt(row.var) : '–', 'set-var', row?.var),
      item(t('elements'), String(spec.setSize), 'set-count', spec.setSize));
    for (const tr of this.statsTable.querySelectorAll('tr[data-set]')) tr.classList.toggle('selected', (tr as HTMLElement).dataset.set === String(set));
  }

  refreshTheme(): void {
    for (const c of [this.histIn, this.histOut, this.meanBars, this.stdBars]) c.refreshTheme();
    if (this.result) {
      this.heatBefore.show(this.result.slice.before);
      this.heatAfter.show(this.result.slice.after);
    }
  }
}
