// What the experiments panel draws, as chart.js configurations built from results.json: Figure 1 (val error
// against batch size, mean ± std over seeds), Figure 4 (train and val error against epoch), Table 3 (val error by
// groups) and the live smoothed training loss. Colours come from the theme (common/charts.ts).
import type { ChartConfiguration, ChartDataset, Plugin } from 'chart.js';
import { METHOD_NAMES } from '../../experiments/grid';
import { summarize } from '../../experiments/results';
import type { ExperimentResults, Method } from '../../experiments/types';
import { cssVar } from '../common/theme';
import { baseOptions, lineConfig, palette } from '../common/charts';

export const METHOD_ORDER: Method[] = ['bn', 'gn', 'ln', 'in'];

/** Fills the canvas with the editor background first, so a saved PNG looks as it does in the panel. */
export const backgroundPlugin: Plugin = {
  id: 'normlabBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = cssVar('--vscode-editor-background', '#fff');
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Vertical bars of ± std over seeds, drawn for datasets that carry `errorBars` (one per point, or null). */
export const errorBarPlugin: Plugin<'line'> = {
  id: 'normlabErrorBars',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((ds, i) => {
      const bars = (ds as { errorBars?: (number | null)[] }).errorBars;
      const meta = chart.getDatasetMeta(i);
      if (!bars || meta.hidden) return;
      const y = chart.scales.y;
      ctx.save();
      ctx.strokeStyle = String(ds.borderColor);
      ctx.lineWidth = 1.5;
      meta.data.forEach((pt, k) => {
        const e = bars[k];
        const v = ds.data[k];
        if (e === null || e === undefined || e <= 0 || typeof v !== 'number') return;
        const top = y.getPixelForValue(v + e);
        const bottom = y.getPixelForValue(v - e);
        ctx.beginPath();
        ctx.moveTo(pt.x, top);
        ctx.lineTo(pt.x, bottom);
        ctx.moveTo(pt.x - 4, top);
        ctx.lineTo(pt.x + 4, top);
        ctx.moveTo(pt.x - 4, bottom);
        ctx.lineTo(pt.x + 4, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

/** Figure 1: final val error (%) against batch size, largest batch first as in the paper; one line per method. */
export function fig1Config(r: ExperimentResults, xTitle: string, yTitle: string): ChartConfiguration<'line'> {
  const rows = summarize(r);
  const batches = [...new Set(r.runs.map((run) => run.batch_size))].sort((a, b) => b - a);
  const keys = [...new Set(rows.map((s) => s.key.split(' · ')[0]))];
  const series = keys.map((k) => {
    const at = batches.map((b) => rows.find((s) => s.key === `${k} · B=${b}`) ?? null);
    return { label: k, values: at.map((s) => (s ? s.mean : NaN)), bars: at.map((s) => (s && s.n > 1 ? s.std : null)) };
  });
  const config = lineConfig(batches, series.map((s) => ({ label: s.label, values: s.values })), xTitle, yTitle, true);
  config.data.datasets.forEach((ds, i) => Object.assign(ds, { errorBars: series[i].bars, spanGaps: true }));
  return config;
}

/** Figure 4: train or val error (%) against epoch, one line per run (seeds averaged). */
export function curvesConfig(r: ExperimentResults, which: 'train_error' | 'val_error', xTitle: string, yTitle: string): ChartConfiguration<'line'> {
  const byKey = new Map<string, number[][]>();
  for (const run of r.runs) {
    if (run.epochs.length === 0) continue;
    const key = run.label.split(' · ').filter((p) => !p.startsWith('seed ')).join(' · ');
    const list = byKey.get(key) ?? [];
    list.push(run.epochs.map((e) => (e[which] === null ? NaN : e[which]! * 100)));
    byKey.set(key, list);
  }
  const epochs = r.config.epochs;
  const x = Array.from({ length: epochs }, (_, i) => i + 1);
  const series = [...byKey].map(([label, runs]) => ({
    label,
    values: x.map((_, i) => {
      const vs = runs.map((v) => v[i]).filter((v) => v !== undefined && Number.isFinite(v));
      return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : NaN;
    }),
  }));
  return lineConfig(x, series, xTitle, yTitle, true);
}

/** Table 3 as a chart: val error (%) per GN variant, in grid order. */
export function groupsConfig(r: ExperimentResults, yTitle: string): ChartConfiguration<'bar'> {
  const rows = summarize(r);
  const colors = palette();
  const options = baseOptions(undefined, yTitle, { everyXLabel: true });
  return {
    type: 'bar',
    data: {
      labels: rows.map((s) => s.key.split(' · ')[0]),
      datasets: [{ label: yTitle, data: rows.map((s) => s.mean), backgroundColor: rows.map((s) => colors[s.channelsPerGroup === null ? 0 : 1]), borderWidth: 0 }],
    },
    options: { ...options, plugins: { ...options.plugins, legend: { display: false } } },
  };
}

/** Exponential moving average (the smoothed training loss). */
export function smooth(values: number[], alpha = 0.05): number[] {
  const out: number[] = [];
  let s = NaN;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(NaN);
      continue;
    }
    s = Number.isNaN(s) ? v : s + alpha * (v - s);
    out.push(s);
  }
  return out;
}

/** The smoothed training loss of each run that reported steps, against step (thinned to at most 400 points). */
export function lossConfig(losses: Map<number, { label: string; values: number[] }>, xTitle: string, yTitle: string): ChartConfiguration<'line'> {
  const colors = palette();
  const datasets: ChartDataset<'line'>[] = [];
  let i = 0;
  for (const { label, values } of losses.values()) {
    const sm = smooth(values);
    const stride = Math.max(1, Math.ceil(sm.length / 400));
    const data = [];
    for (let k = 0; k < sm.length; k += stride) data.push({ x: k + 1, y: sm[k] });
    datasets.push({ label, data, borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], pointRadius: 0, borderWidth: 1.5 });
    i++;
  }
  const config = lineConfig([], [], xTitle, yTitle, false);
  config.data = { datasets };
  return config;
}

/** The paper's methods in display order with their names, for tables. */
export const methodName = (m: Method): string => METHOD_NAMES[m];
