// The histogram of the selected tensor (chart.js bar chart; colours from the theme).
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import type { HistogramBins } from '../../protocol/worker';
import { cssVar } from '../common/theme';
import { fmt } from '../common/format';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export class HistogramView {
  private chart: Chart<'bar'> | undefined;
  private bins: HistogramBins | undefined;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly label: string) {}

  show(bins: HistogramBins | undefined): void {
    this.bins = bins;
    this.chart?.destroy();
    this.chart = undefined;
    if (!bins || bins.counts.length === 0) return;
    const fg = cssVar('--vscode-foreground', '#888');
    const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#8884'));
    const bar = cssVar('--vscode-charts-blue', '#3794ff');
    const centers = bins.counts.map((_, i) => fmt((bins.edges[i] + bins.edges[i + 1]) / 2, 6));
    this.chart = new Chart(this.canvas, {
      type: 'bar',
      data: { labels: centers, datasets: [{ label: this.label, data: bins.counts, backgroundColor: bar, borderWidth: 0, barPercentage: 1, categoryPercentage: 1 }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          tooltip: { callbacks: { title: (items) => { const i = items[0].dataIndex; return `[${fmt(bins.edges[i], 6)}, ${fmt(bins.edges[i + 1], 6)}${i === bins.counts.length - 1 ? ']' : ')'}`; } } },
        },
        scales: {
          x: { ticks: { color: fg, maxTicksLimit: 8, maxRotation: 0 }, grid: { display: false } },
          y: { ticks: { color: fg }, grid: { color: grid } },
        },
      },
    });
  }

  /** Redraws with the new theme's colours. */
  refreshTheme(): void {
    this.show(this.bins);
  }
}
