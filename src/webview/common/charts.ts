// chart.js charts shared by the webviews (playground, experiments), coloured from the VS Code theme
// (--vscode-charts-*, --vscode-foreground); every chart redraws itself when the theme changes.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type ChartDataset,
} from 'chart.js';
import type { HistogramBins } from '../../protocol/worker';
import { cssVar } from './theme';
import { fmt } from './format';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

export const palette = (): string[] => [
  cssVar('--vscode-charts-blue', '#3794ff'), cssVar('--vscode-charts-orange', '#d18616'), cssVar('--vscode-charts-green', '#89d185'),
  cssVar('--vscode-charts-purple', '#b180d7'), cssVar('--vscode-charts-red', '#f14c4c'), cssVar('--vscode-charts-yellow', '#cca700'),
];

function axisColors() {
  return { fg: cssVar('--vscode-foreground', '#888'), grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#8884')) };
}

/** One chart on its own canvas; `build` is called again on theme change with fresh colours. */
export class ChartBox<T extends 'bar' | 'line'> {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private chart: Chart<T> | undefined;
  private build: (() => ChartConfiguration<T>) | undefined;

  constructor(testId: string, title: string) {
    this.root = document.createElement('figure');
    this.root.className = 'chart-box';
    const cap = document.createElement('figcaption');
    cap.textContent = title;
    const wrap = document.createElement('div');
    wrap.className = 'chart-wrap';
    this.canvas = document.createElement('canvas');
    this.canvas.dataset.testid = testId;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', title);
    wrap.append(this.canvas);
    this.root.append(cap, wrap);
  }

  show(build: () => ChartConfiguration<T>): void {
    this.build = build;
    const config = build();
    if (this.chart) {
      // Reuse the chart: swapping data and options is much cheaper than a new Chart on every keystroke.
      this.chart.data = config.data;
      if (config.options) this.chart.options = config.options;
      this.chart.update('none');
    } else {
      this.chart = new Chart(this.canvas, config);
    }
  }

  refreshTheme(): void {
    if (this.build) this.show(this.build);
  }
}

/**
 * Every chart's options: theme-coloured ticks, titles, legend and grid. `everyXLabel` keeps each category's label on
 * the x axis (bars that each name something) instead of thinning them to 8 unrotated ticks (bins, epochs).
 */
export const baseOptions = (xTitle?: string, yTitle?: string, { everyXLabel = false } = {}) => {
  const { fg, grid } = axisColors();
  const xTicks = everyXLabel ? { color: fg, autoSkip: false } : { color: fg, maxTicksLimit: 8, maxRotation: 0 };
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { labels: { color: fg, boxWidth: 12 } } },
    scales: {
      // No `type` key here: an explicit undefined would turn a bar chart's category axis into a linear one.
      x: { ticks: xTicks, grid: { color: grid, display: false }, title: { display: !!xTitle, text: xTitle ?? '', color: fg } },
      y: { ticks: { color: fg }, grid: { color: grid }, title: { display: !!yTitle, text: yTitle ?? '', color: fg } },
    },
  };
};

export function histogramConfig(h: HistogramBins, label: string, color: number): ChartConfiguration<'bar'> {
  const labels = h.counts.map((_, i) => fmt((h.edges[i] + h.edges[i + 1]) / 2));
  const options = baseOptions();
  return {
    type: 'bar',
    data: { labels, datasets: [{ label, data: h.counts, backgroundColor: palette()[color], borderWidth: 0, barPercentage: 1, categoryPercentage: 1 }] },
    options: {
      ...options,
      plugins: {
        ...options.plugins,
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => { const i = items[0].dataIndex; return `[${fmt(h.edges[i])}, ${fmt(h.edges[i + 1])})`; } } },
      },
    },
  };
}

/** Grouped bars per channel, e.g. mean before vs after. */
export function channelBarsConfig(series: { label: string; values: number[] }[], yTitle: string): ChartConfiguration<'bar'> {
  const colors = palette();
  const n = Math.max(0, ...series.map((s) => s.values.length));
  return {
    type: 'bar',
    data: {
      labels: Array.from({ length: n }, (_, c) => `c${c}`),
      datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: colors[i % colors.length], borderWidth: 0 })),
    },
    options: baseOptions(undefined, yTitle),
  };
}

/**
 * Lines over x. `categorical` puts the x values as evenly spaced labels (batch sizes 1, 2, 4, … read better
 * that way than on a log axis with its decimal ticks).
 */
export function lineConfig(x: number[], series: { label: string; values: number[]; dashed?: boolean; color?: number }[], xTitle: string, yTitle: string, categorical = false): ChartConfiguration<'line'> {
  const colors = palette();
  const datasets: ChartDataset<'line'>[] = series.map((s, i) => ({
    label: s.label,
    data: categorical ? s.values : s.values.map((v, k) => ({ x: x[k], y: v })),
    borderColor: colors[(s.color ?? i) % colors.length],
    backgroundColor: colors[(s.color ?? i) % colors.length],
    borderDash: s.dashed ? [5, 4] : [],
    // Targets are reference lines: no markers.
    pointRadius: s.dashed || x.length > 40 ? 0 : 3,
    borderWidth: 2,
  }));
  const options = baseOptions(xTitle, yTitle);
  return {
    type: 'line',
    data: categorical ? { labels: x.map(String), datasets } : { datasets },
    options: { ...options, scales: { ...options.scales, x: { ...options.scales.x, type: categorical ? 'category' : 'linear' } } },
  };
}
