// The tensor viewer: a table of tensors shown at once, statistics filled in as the host streams them, and for the
// selected tensor its histogram, a heatmap of a chosen slice and the actions. Only summaries, bins and a small
// tile ever arrive here. Requests (heatmaps, actions, cancel and resume) go through RpcClient; the listing and the
// statistics arrive as the host's notifications. Every request's outcome goes through a status line (common/status.ts):
// the view's error box for cancel and resume, the heatmap's note for its tile, the actions' result line.
import type { EditorAction, EditorFile, EditorNotification, EditorRequests, EditorViewState, HeatmapTileMessage, HostToEditor } from '../../protocol/editor';
import type { NormLayerEntry, TensorEntry } from '../../protocol/worker';
import { clear, h } from '../common/dom';
import { translator, type Translate } from '../common/l10n';
import { RpcClient } from '../common/rpcClient';
import { StatusLine } from '../common/status';
import { onThemeChange } from '../common/theme';
import { getState, post, setState } from '../common/vscodeApi';
import { fmtBytes } from '../../formats/errors';
import { fmtShape } from '../../kernels/errors';
import { fmt } from '../common/format';
import { drawHeatmap } from '../common/heatmap';
import { HistogramView } from './histogram';

type StatsMessage = EditorNotification<'stats' | 'statsError'>;
const STAT_KEYS = ['min', 'max', 'mean', 'std'] as const;

export class TensorEditorApp {
  private t: Translate = (k) => k;
  private readonly rpc = new RpcClient<EditorRequests>();
  private file: EditorFile | undefined;
  private readonly stats = new Map<string, StatsMessage>();
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private selected: string | undefined;
  private heatmapIndex: Record<string, number[]> = {};
  private running = false;
  private histogram: HistogramView | undefined;
  private lastTile: HeatmapTileMessage | undefined;

  private readonly progressBar = h('vscode-progress-bar', { 'data-testid': 'progress-bar' });
  private readonly progressText = h('span', { 'data-testid': 'progress', role: 'status', 'aria-live': 'polite' });
  private readonly cancelButton = h('vscode-button', { 'data-testid': 'cancel', secondary: true });
  private readonly resumeButton = h('vscode-button', { 'data-testid': 'resume', secondary: true, hidden: true });
  private readonly details = h('section', { class: 'details', 'data-testid': 'details' });
  private readonly layers = h('section', { class: 'layers', 'data-testid': 'layers' });
  /** Failures that concern the whole view; empty (and so not shown: base.css's .error:empty) until one happens. */
  private readonly failure = new StatusLine(h('div', { class: 'error', role: 'alert', 'data-testid': 'error' }));

  constructor(private readonly root: HTMLElement) {
    const s = getState<EditorViewState>();
    this.selected = s.selected;
    this.heatmapIndex = s.heatmapIndex ?? {};
    this.cancelButton.addEventListener('click', () => void this.failure.run(() => this.rpc.request('cancelStats', {})));
    this.resumeButton.addEventListener('click', () => void this.failure.run(() => this.rpc.request('restartStats', {})));
    window.addEventListener('message', (e: MessageEvent<HostToEditor>) => this.onMessage(e.data));
    onThemeChange(() => {
      this.histogram?.refreshTheme();
      const canvas = this.details.querySelector<HTMLCanvasElement>('canvas[data-testid="heatmap"]');
      if (canvas && this.lastTile) drawHeatmap(canvas, this.lastTile);
    });
    this.root.append(h('p', { class: 'loading', 'data-testid': 'loading' }, 'Loading…'), this.failure.el);
    post({ type: 'ready' });
  }

  private onMessage(m: HostToEditor): void {
    switch (m.type) {
      case 'reply':
      case 'requestProgress':
        this.rpc.onMessage(m);
        return;
      case 'init':
        this.t = translator(m.params.strings);
        this.file = m.params.file;
        this.stats.clear();
        this.render();
        return;
      case 'stats':
      case 'statsError': {
        const { tensor } = m.params;
        this.stats.set(tensor, m);
        this.updateRow(tensor);
        this.renderLayers();
        if (tensor === this.selected) this.renderDetails();
        return;
      }
      case 'statsProgress': {
        const { done, total, fraction } = m.params;
        this.running = done < total;
        this.progressBar.value = fraction * 100;
        this.progressBar.max = 100;
        this.progressBar.hidden = !this.running;
        this.cancelButton.hidden = !this.running;
        this.resumeButton.hidden = true;
        this.progressText.textContent = this.t('Computing statistics: {0} of {1} tensors', done, total);
        return;
      }
      case 'statsDone': {
        const { cancelled } = m.params;
        this.running = false;
        const total = this.file?.tensors.length ?? 0;
        this.progressBar.hidden = true;
        this.cancelButton.hidden = true;
        this.resumeButton.hidden = !cancelled;
        this.progressText.textContent = cancelled
          ? this.t('Statistics cancelled: {0} of {1} tensors', this.stats.size, total)
          : this.t('Tensors with statistics: {0}', total);
        this.progressText.dataset.state = cancelled ? 'cancelled' : 'done';
        return;
      }
      case 'loadError':
        this.failure.show(m.params.message, true);
        this.root.querySelector('[data-testid="loading"]')?.remove();
        this.root.setAttribute('aria-busy', 'false');
        return;
    }
  }

  private render(): void {
    const { t } = this;
    const file = this.file!;
    clear(this.root);
    this.root.setAttribute('aria-busy', 'false');
    this.rows.clear();
    this.cancelButton.textContent = t('Cancel');
    this.resumeButton.textContent = t('Resume statistics');
    this.progressBar.ariaLabel = t('Computing statistics: {0} of {1} tensors', 0, file.tensors.length);

    const header = h('header', { class: 'file-header' },
      h('h1', { 'data-testid': 'file-name' }, file.name),
      h('span', { class: 'muted', 'data-testid': 'file-format' }, t('Format: {0}', file.format)),
      h('span', { class: 'muted' }, t('Tensors: {0}', file.tensors.length)));
    const progress = h('div', { class: 'progress-row' }, this.progressText, this.cancelButton, this.resumeButton);

    const table = h('table', { class: 'tensors', 'data-testid': 'tensor-table', role: 'grid', 'aria-label': t('Tensors') });
    const head = h('tr', {}, ...[t('Name'), t('dtype'), t('Shape'), t('Size'), ...STAT_KEYS.map((k) => t(k))].map((c) => h('th', { scope: 'col' }, c)));
    const body = h('tbody');
    for (const tensor of file.tensors) body.append(this.makeRow(tensor));
    table.append(h('thead', {}, head), body);

    this.root.append(header, progress, this.progressBar, this.failure.el);
    if (file.tensors.length === 0) this.root.append(h('p', { 'data-testid': 'empty' }, t('This file holds no tensors')));
    else this.root.append(h('div', { class: 'table-wrap' }, table));
    this.root.append(this.details, this.layers);
    const meta = Object.entries(file.metadata);
    if (meta.length > 0) {
      const dl = h('dl', { class: 'metadata', 'data-testid': 'metadata' });
      for (const [k, v] of meta) dl.append(h('dt', {}, k), h('dd', {}, v));
      this.root.append(h('vscode-collapsible', { heading: t('Metadata') }, dl));
    }
    for (const name of file.tensors.map((x) => x.name)) this.updateRow(name);
    if (!this.selected || !this.rows.has(this.selected)) this.selected = file.tensors[0]?.name;
    this.select(this.selected, false);
    this.renderLayers();
  }

  private makeRow(tensor: TensorEntry): HTMLTableRowElement {
    const row = h('tr', { 'data-testid': 'tensor-row', 'data-name': tensor.name, tabindex: 0, 'aria-selected': 'false' },
      h('td', { class: 'name', 'data-testid': 'cell-name', title: tensor.name }, tensor.name),
      h('td', { 'data-testid': 'cell-dtype' }, tensor.dtype),
      h('td', { 'data-testid': 'cell-shape' }, fmtShape(tensor.shape)),
      h('td', { 'data-testid': 'cell-size', class: 'num' }, fmtBytes(tensor.byteLength)),
      ...STAT_KEYS.map((k) => h('td', { 'data-testid': `stat-${k}`, class: 'num pending' }, '…')));
    row.addEventListener('click', () => this.select(tensor.name, true));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.select(tensor.name, true);
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const next = (e.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null;
        next?.focus();
        if (next?.dataset.name) this.select(next.dataset.name, false);
      }
    });
    this.rows.set(tensor.name, row);
    return row;
  }

  private updateRow(name: string): void {
    const row = this.rows.get(name);
    const s = this.stats.get(name);
    if (!row || !s) return;
    for (const k of STAT_KEYS) {
      const cell = row.querySelector<HTMLElement>(`[data-testid="stat-${k}"]`)!;
      cell.classList.remove('pending');
      cell.textContent = s.type === 'stats' ? fmt(s.params.summary[k], 6) : '!';
      if (s.type === 'statsError') cell.title = s.params.message;
    }
  }

  private select(name: string | undefined, focusDetails: boolean): void {
    this.selected = name;
    setState<EditorViewState>({ selected: name });
    for (const [n, row] of this.rows) row.setAttribute('aria-selected', String(n === name));
    this.renderDetails();
    if (focusDetails) this.rows.get(name ?? '')?.focus();
  }

  private renderDetails(): void {
    const { t } = this;
    clear(this.details);
    this.lastTile = undefined;
    const tensor = this.file?.tensors.find((x) => x.name === this.selected);
    if (!tensor) {
      this.details.append(h('p', { class: 'muted' }, t('Select a tensor to see its histogram and heatmap')));
      return;
    }
    const s = this.stats.get(tensor.name);
    const summary = h('dl', { class: 'summary', 'data-testid': 'summary' });
    const item = (label: string, value: string, id: string) => summary.append(h('dt', {}, label), h('dd', { 'data-testid': id }, value));
    item(t('dtype'), tensor.dtype, 'detail-dtype');
    item(t('Shape'), fmtShape(tensor.shape), 'detail-shape');
    if (s?.type === 'stats') {
      const { summary: st } = s.params;
      item(t('count'), String(st.count), 'detail-count');
      for (const k of STAT_KEYS) item(t(k), fmt(st[k], 6), `detail-${k}`);
      item(t('NaN'), String(st.nan), 'detail-nan');
      item(t('Inf'), String(st.inf), 'detail-inf');
    } else if (s?.type === 'statsError') {
      summary.append(h('dd', { class: 'error', role: 'alert' }, s.params.message));
    }

    const result = new StatusLine(h('span', { class: 'muted', 'data-testid': 'action-result', role: 'status' }));
    const actions = h('div', { class: 'actions', role: 'toolbar', 'aria-label': t('Actions') },
      this.actionButton('playground', t('Open in Playground'), result),
      this.actionButton('normalize', t('Normalize…'), result),
      this.actionButton('export', t('Export as .npy'), result),
      result.el);

    const histCanvas = h('canvas', { 'data-testid': 'histogram', role: 'img', 'aria-label': t('Histogram') });
    const histBox = h('figure', { class: 'chart' }, h('figcaption', {}, t('Histogram')), h('div', { class: 'chart-box' }, histCanvas));
    this.details.append(h('h2', { 'data-testid': 'selected-name' }, t('Selected tensor: {0}', tensor.name)), summary, actions, histBox);
    this.histogram = new HistogramView(histCanvas, tensor.name);
    if (s?.type === 'stats' && s.params.summary.count > 0) this.histogram.show(s.params.histogram);
    else if (s?.type === 'stats') histBox.append(h('p', { class: 'muted' }, t('No finite values')));
    this.details.append(this.heatmapSection(tensor));
  }

  private actionButton(action: EditorAction, label: string, result: StatusLine): HTMLElement {
    const b = h('vscode-button', { 'data-testid': `action-${action}`, secondary: action !== 'normalize' }, label);
    b.addEventListener('click', () => void this.runAction(action, result));
    return b;
  }

  private async runAction(action: EditorAction, result: StatusLine): Promise<void> {
    const tensor = this.selected;
    if (tensor === undefined) return;
    // A failure was shown by the host as a notification (with Show Log), so not here a second time.
    const r = await result.run(() => this.rpc.request('action', { action, tensor }), { onError: () => undefined });
    if (r && r.exported !== null) result.show(this.t('Exported to {0}', r.exported));
  }

  private heatmapSection(tensor: TensorEntry): HTMLElement {
    const { t } = this;
    const fig = h('figure', { class: 'heatmap' }, h('figcaption', {}, t('Heatmap')));
    if (tensor.shape.length < 2 || tensor.numel === 0) {
      fig.append(h('p', { class: 'muted', 'data-testid': 'heatmap-note' }, t('Heatmaps are drawn for tensors of 2 or more dims')));
      return fig;
    }
    const lead = tensor.shape.slice(0, -2);
    const index = (this.heatmapIndex[tensor.name] ?? []).length === lead.length ? this.heatmapIndex[tensor.name] : lead.map(() => 0);
    const controls = h('div', { class: 'slice', 'data-testid': 'slice-controls' }, h('span', {}, t('Slice')));
    lead.forEach((d, i) => {
      const field = h('vscode-textfield', { type: 'number', min: 0, max: d - 1, value: String(index[i]), 'data-testid': `slice-${i}` });
      field.label = `${t('Slice')} ${i}`; // the inner <input>'s accessible name (a property, not an attribute)
      field.addEventListener('change', () => {
        const v = Math.min(d - 1, Math.max(0, Math.round(Number(field.value) || 0)));
        field.value = String(v);
        index[i] = v;
        this.heatmapIndex[tensor.name] = [...index];
        setState<EditorViewState>({ heatmapIndex: this.heatmapIndex });
        void this.requestHeatmap(tensor.name, index, note);
      });
      controls.append(h('span', { class: 'muted' }, `[${i}] / ${d}`), field);
    });
    if (lead.length > 0) fig.append(controls);
    const note = new StatusLine(h('p', { class: 'status', 'data-testid': 'heatmap-note' }));
    fig.append(h('canvas', { 'data-testid': 'heatmap', role: 'img', 'aria-label': t('Heatmap') }), note.el);
    void this.requestHeatmap(tensor.name, index, note);
    return fig;
  }

  /**
   * Asks for a tile; draws it if no newer request overtook it and the tensor is still selected. `note` is this
   * tensor's heatmap note: a failure lands there (gone from view once another tensor is selected).
   */
  private async requestHeatmap(tensor: string, index: number[], note: StatusLine): Promise<void> {
    const tile = await note.run(() => this.rpc.latest('heatmap', 'heatmap', { tensor, index: [...index] }));
    if (tile && tensor === this.selected) this.showHeatmap(tile, note);
  }

  private showHeatmap(tile: HeatmapTileMessage, note: StatusLine): void {
    const canvas = this.details.querySelector<HTMLCanvasElement>('canvas[data-testid="heatmap"]');
    if (!canvas) return;
    this.lastTile = tile;
    drawHeatmap(canvas, tile);
    canvas.dataset.rows = String(tile.rows);
    canvas.dataset.cols = String(tile.cols);
    note.show(`${this.t('Slice {0} × {1}, drawn at {2} × {3}', tile.sliceRows, tile.sliceCols, tile.rows, tile.cols)} · ${fmt(tile.min, 6)} … ${fmt(tile.max, 6)}`);
  }

  /** Normalization layers of a checkpoint, each with its members' statistics. */
  private renderLayers(): void {
    const { t } = this;
    clear(this.layers);
    const layers: NormLayerEntry[] = this.file?.layers ?? [];
    if (layers.length === 0) return;
    this.layers.append(h('h2', {}, t('Normalization layers'), ' ', h('vscode-badge', {}, String(layers.length))));
    for (const layer of layers) {
      const table = h('table', { class: 'layer' },
        h('tr', {}, h('td', {}), ...STAT_KEYS.map((k) => h('th', { scope: 'col', class: 'num' }, t(k)))));
      for (const [role, name] of Object.entries(layer.members)) {
        if (!name) continue;
        const s = this.stats.get(name);
        const cells = STAT_KEYS.map((k) => h('td', { class: 'num', 'data-testid': `layer-${k}` }, s?.type === 'stats' ? fmt(s.params.summary[k], 6) : '…'));
        const row = h('tr', { 'data-role': role, tabindex: 0 }, h('th', { scope: 'row' }, role), ...cells);
        row.addEventListener('click', () => this.select(name, true));
        row.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.select(name, true); });
        table.append(row);
      }
      this.layers.append(h('section', { class: 'layer-group', 'data-testid': 'layer-group', 'data-prefix': layer.prefix },
        h('h3', {}, layer.prefix || '(root)', ' ', h('span', { class: 'muted' }, layer.kind)), table));
    }
  }
}
