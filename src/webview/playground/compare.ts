// The Compare tab: BN, LN, IN and GN side by side on the same input, each with its Figure-2 cube, output slice,
// output histogram and the spread of the per-channel std after it.
import { cubeSpec } from '../../kernels/figure2';
import type { Layout } from '../../kernels/types';
import type { CompareResult } from '../../protocol/playground';
import { ChartBox, histogramConfig } from '../common/charts';
import { h } from '../common/dom';
import { fmt } from '../common/format';
import type { Translate } from '../common/l10n';
import { CubeView } from './cube';
import { HeatmapView } from '../common/heatmap';

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
