// The experiments panel (webview): a preset's configuration, editable before it runs; the runs with their progress
// and cancel buttons; the charts and tables of the preset, drawn as epochs finish, beside the paper's numbers.
// Everything it computes (the grid, validation) comes from the pure src/experiments; every file operation is a
// request to the host (no paths leave the host: picked data files are tokens).
import type { ChartConfiguration } from 'chart.js';
import { expandGrid, formatNorms, normLabel, parseNorms } from '../../experiments/grid';
import { PAPER, preset } from '../../experiments/presets';
import { summarize } from '../../experiments/results';
import type { ExperimentEvent } from '../../experiments/runner';
import { PRESETS, type ExperimentResults, type PresetName, type RunRecord } from '../../experiments/types';
import type { DataPick, ExperimentsRequests, HostToExperiments, PanelConfig, PastExperiment } from '../../protocol/experiments';
import { clear, h } from '../common/dom';
import { translator, type Translate } from '../common/l10n';
import { RpcClient } from '../common/rpcClient';
import { StatusLine } from '../common/status';
import { onThemeChange } from '../common/theme';
import { getState, post, setState } from '../common/vscodeApi';
import { ChartBox } from '../common/charts';
import { button, checkbox, labelled, select, textfield, type Field } from '../common/widgets';
import { backgroundPlugin, curvesConfig, errorBarPlugin, fig1Config, groupsConfig, lossConfig } from './charts';

interface SavedState {
  config: PanelConfig;
  folder: string | null;
  /** The panel shows a results.json from outside .normlab/experiments: after a reload it asks the host for it again
   * (the host kept which file; the webview names none). */
  outside?: boolean;
}

const PRESET_TITLES: Record<PresetName, string> = {
  fig1: 'Figure 1 — error vs batch size',
  curves: 'Figure 4 and Table 1 — error curves',
  groups: 'Table 3 — number of groups',
  custom: 'Custom',
};

const fmtPct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(1));
const fmtTime = (s: number) => (s >= 60 ? `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}` : `${Math.round(s)} s`);

function toPanel(name: PresetName): PanelConfig {
  const c = preset(name);
  return { ...c, data: { train: { kind: 'bundled' }, val: { kind: 'bundled' } } };
}

export class ExperimentsApp {
  private readonly rpc = new RpcClient<ExperimentsRequests>();
  private t: Translate = (k) => k;
  private state!: SavedState;
  private results: ExperimentResults | null = null;
  /** The results.json shown when it is not in .normlab/experiments (workspace-relative, from the host). */
  private file: string | null = null;
  private running = false;
  private readonly fractions = new Map<number, number>();
  private readonly losses = new Map<number, { label: string; values: number[] }>();
  private f!: Record<string, Field>;
  private scaleLr!: HTMLElement & { checked: boolean };
  private modelText!: Field;
  private summary!: StatusLine<HTMLElement>;
  private status!: StatusLine<HTMLElement>;
  private progressLine!: HTMLElement;
  private shownLine!: HTMLElement;
  private runsBody!: HTMLElement;
  private charts!: HTMLElement;
  private tables!: HTMLElement;
  private pastSelect!: Field;
  private dataLabels!: { train: HTMLElement; val: HTMLElement };
  private readonly boxes = new Map<string, ChartBox<'line' | 'bar'>>();
  private runButton!: HTMLElement;
  private cancelAllButton!: HTMLElement;

  constructor(private readonly root: HTMLElement) {
    window.addEventListener('message', (e: MessageEvent<HostToExperiments>) => this.onMessage(e.data));
    onThemeChange(() => {
      for (const b of this.boxes.values()) b.refreshTheme();
    });
    post({ type: 'ready' });
  }

  private onMessage(m: HostToExperiments): void {
    if (this.rpc.onMessage(m)) return;
    switch (m.type) {
      case 'init': {
        this.t = translator(m.strings);
        const saved = getState<SavedState>();
        this.state = { config: saved.config ?? toPanel('fig1'), folder: saved.folder ?? null, outside: saved.outside === true };
        this.running = m.running;
        this.build();
        void this.refreshPast();
        if (this.state.folder && !m.running) void this.openPast(this.state.folder, true);
        else if (this.state.outside && !m.running) void this.openShownFile();
        break;
      }
      case 'event':
        this.onEvent(m.event);
        break;
      case 'finished':
        if (!this.state) return;
        this.running = false;
        this.show(m.folder, m.results);
        this.status.show(this.t('Finished: results saved to .normlab/experiments/{0}', m.folder));
        void this.refreshPast();
        break;
      case 'show':
        if (!this.state) return; // before init: the host sends it again after 'ready'
        this.running = m.running;
        if (m.adopt && !m.running) this.adopt(m.results);
        this.show(m.folder, m.results, m.file ?? null);
        break;
    }
  }

  // ---------- page ----------

  private build(): void {
    const t = this.t;
    clear(this.root);
    const c = this.state.config;
    const presetSelect = select('preset', PRESETS.map((p) => ({ value: p, label: t(PRESET_TITLES[p]) })), c.preset);
    presetSelect.addEventListener('change', () => {
      const name = presetSelect.value as PresetName;
      if (name === this.state.config.preset) return;
      const next = toPanel(name);
      next.data = this.state.config.data; // keep the data the user picked
      this.state.config = next;
      this.persist();
      this.build();
    });
    this.f = {
      preset: presetSelect,
      norms: textfield('methods', formatNorms(c.norms)),
      batchSizes: textfield('batch-sizes', c.batchSizes.join(', ')),
      seeds: textfield('seeds', String(c.seeds), { type: 'number', min: '1' }),
      epochs: textfield('epochs', String(c.epochs), { type: 'number', min: '1' }),
      lr: textfield('lr', String(c.lr)),
      momentum: textfield('momentum', String(c.momentum)),
      weightDecay: textfield('weight-decay', String(c.weightDecay)),
      schedule: textfield('schedule', c.schedule.kind === 'step' ? `step:${c.schedule.milestones.join(',')}` : c.schedule.kind),
      warmup: textfield('warmup', String(c.warmupEpochs), { type: 'number', min: '0' }),
      trainSize: textfield('train-size', String(c.trainSize), { type: 'number', min: '1' }),
      valSize: textfield('val-size', String(c.valSize), { type: 'number', min: '1' }),
    };
    this.scaleLr = checkbox('scale-lr', t('lr × B/32 (the paper\'s rule)'), c.scaleLrByBatch);
    this.modelText = h('vscode-textarea', { 'data-testid': 'model', rows: 6, 'aria-label': t('Model (the JSON form of nn.Sequential)') }) as unknown as Field;
    this.modelText.value = JSON.stringify(c.model);
    for (const el of [...Object.values(this.f).filter((x) => x !== presetSelect), this.scaleLr, this.modelText]) {
      el.addEventListener('input', () => this.readForm());
      el.addEventListener('change', () => this.readForm());
    }

    this.runButton = button('run', t('Run'));
    this.runButton.addEventListener('click', () => void this.start());
    this.cancelAllButton = button('cancel-all', t('Cancel all'), true);
    this.cancelAllButton.addEventListener('click', () => void this.cancel(null));
    const exportButton = button('export-torch', t('Export PyTorch script'), true);
    exportButton.addEventListener('click', () => void this.exportTorch());
    const pngButton = button('save-png', t('Save charts as PNG'), true);
    pngButton.addEventListener('click', () => void this.savePngs());
    this.pastSelect = select('past', [{ value: '', label: t('Past experiments…') }], '');
    this.pastSelect.addEventListener('change', () => {
      if (this.pastSelect.value) void this.openPast(this.pastSelect.value, false);
    });

    const pick = (role: 'train' | 'val') => {
      const b = button(`pick-${role}`, role === 'train' ? t('Training data…') : t('Validation data…'), true);
      b.addEventListener('click', () => void this.pickData(role));
      return b;
    };
    const bundled = button('data-bundled', t('Use the bundled Fashion-MNIST subset'), true);
    bundled.addEventListener('click', () => {
      this.state.config.data = { train: { kind: 'bundled' }, val: { kind: 'bundled' } };
      this.persist();
      this.showData();
    });
    this.dataLabels = { train: h('span', { class: 'muted', 'data-testid': 'data-train' }), val: h('span', { class: 'muted', 'data-testid': 'data-val' }) };

    this.summary = new StatusLine(h('div', { class: 'status', 'data-testid': 'summary', role: 'status' }));
    this.status = new StatusLine(h('div', { class: 'status', 'data-testid': 'status', role: 'status', 'aria-live': 'polite' }));
    this.progressLine = h('div', { class: 'muted', 'data-testid': 'progress' });
    this.shownLine = h('div', { class: 'muted', 'data-testid': 'shown' });
    this.runsBody = h('tbody', { 'data-testid': 'runs' });
    this.charts = h('div', { class: 'grid2', 'data-testid': 'charts' });
    this.tables = h('div', { class: 'tables', 'data-testid': 'tables' });
    this.boxes.clear();

    const f = this.f;
    this.root.append(
      h('header', { class: 'toolbar' }, h('h1', {}, t('NormLab Experiments')), labelled(t('preset'), presetSelect), h('span', { class: 'spacer' }), labelled(t('Past experiments…'), this.pastSelect)),
      h('p', { class: 'muted' }, t('The Group Normalization paper\'s experiments (Wu & He 2018) in miniature: a small CNN trained here, in NormLab\'s worker threads.')),
      h('section', { class: 'controls', 'aria-label': t('Configuration') },
        labelled(t('methods'), f.norms, t('bn, gn, ln, in; gn:G or gn/channels')), labelled(t('batch sizes'), f.batchSizes), labelled(t('seeds'), f.seeds),
        labelled(t('epochs'), f.epochs), labelled(t('base lr'), f.lr), this.scaleLr, labelled(t('momentum'), f.momentum), labelled(t('weight decay'), f.weightDecay),
        labelled(t('schedule'), f.schedule, t('constant, cosine or step:E1,E2')), labelled(t('warm-up epochs'), f.warmup),
        labelled(t('train size'), f.trainSize), labelled(t('val size'), f.valSize)),
      h('div', { class: 'row' }, h('span', {}, t('Data')), this.dataLabels.train, this.dataLabels.val, pick('train'), pick('val'), bundled),
      h('details', {}, h('summary', {}, t('Model (the JSON form of nn.Sequential)')), this.modelText),
      this.summary.el,
      h('div', { class: 'toolbar' }, this.runButton, this.cancelAllButton, exportButton, pngButton),
      this.status.el,
      this.shownLine,
      this.progressLine,
      h('table', { class: 'data runs' }, h('thead', {}, h('tr', {}, ...[t('run'), t('status'), t('progress'), t('epoch'), t('val error %'), t('seconds'), t('Cancel')].map((s) => h('th', {}, s)))), this.runsBody),
      this.charts,
      this.tables,
    );
    this.showData();
    this.readForm();
    if (this.results) this.draw();
    this.setRunning(this.running);
  }

  private showData(): void {
    const { train, val } = this.state.config.data;
    const label = (p: DataPick | null, role: 'train' | 'val') => {
      if (p === null) return this.t('validation: held out from the training data');
      if (p.kind === 'bundled') return role === 'train' ? this.t('training: Fashion-MNIST subset (bundled)') : this.t('validation: Fashion-MNIST test subset (bundled)');
      return `${role === 'train' ? this.t('training') : this.t('validation')}: ${p.label}`;
    };
    this.dataLabels.train.textContent = label(train, 'train');
    this.dataLabels.val.textContent = label(val, 'val');
  }

  /** Reads the form into the config; shows the number of runs or the first problem. */
  private readForm(): boolean {
    const t = this.t;
    const f = this.f;
    const num = (x: Field) => Number(x.value.trim());
    const norms = parseNorms(f.norms.value);
    const fail = (msg: string) => {
      this.summary.show(msg, true);
      this.runButton?.toggleAttribute('disabled', true);
      return false;
    };
    if (typeof norms === 'string') return fail(t('methods: expected bn, gn, ln, in, gn:G or gn/channels, found \'{0}\'', norms));
    const batchSizes = f.batchSizes.value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    const sched = f.schedule.value.trim().toLowerCase();
    const step = /^step:([\d,\s]+)$/.exec(sched);
    if (!(sched === 'constant' || sched === 'cosine' || step)) return fail(t('schedule: expected constant, cosine or step:E1,E2, found \'{0}\'', sched));
    let model;
    try {
      model = JSON.parse(this.modelText.value);
    } catch (e) {
      return fail(t('model: not valid JSON ({0})', e instanceof Error ? e.message : String(e)));
    }
    const config: PanelConfig = {
      ...this.state.config, norms, batchSizes, model,
      seeds: num(f.seeds), epochs: num(f.epochs), lr: num(f.lr), momentum: num(f.momentum), weightDecay: num(f.weightDecay),
      schedule: step ? { kind: 'step', milestones: step[1].split(',').map((s) => Number(s.trim())).filter((x) => x > 0) } : { kind: sched as 'constant' | 'cosine' },
      warmupEpochs: num(f.warmup), trainSize: num(f.trainSize), valSize: num(f.valSize), scaleLrByBatch: this.scaleLr.checked,
    };
    const runs = this.summary.check(() => expandGrid({ ...config, data: { train: { kind: 'bundled', split: 'train' }, val: null } }));
    if (!runs) {
      this.runButton?.toggleAttribute('disabled', true);
      return false;
    }
    this.state.config = config;
    this.persist();
    this.summary.show(t('{0} runs: {1}', runs.length, [...new Set(config.norms.map(normLabel))].join(', ')));
    this.runButton?.toggleAttribute('disabled', this.running);
    return true;
  }

  private persist(): void {
    setState<SavedState>({ config: this.state.config, folder: this.state.folder, outside: this.state.outside });
  }

  private setRunning(on: boolean): void {
    this.running = on;
    this.runButton.toggleAttribute('disabled', on);
    this.cancelAllButton.toggleAttribute('disabled', !on);
  }

  // ---------- requests ----------

  private async start(): Promise<void> {
    if (!this.readForm()) return;
    this.losses.clear();
    this.fractions.clear();
    this.setRunning(true);
    const started = await this.status.run(() => this.rpc.request('start', { config: this.state.config }), { busy: this.t('Loading data…') });
    if (!started) return this.setRunning(false);
    this.show(started.folder, started.results);
    this.status.show(this.t('Running {0} runs…', started.results.runs.length));
  }

  private async cancel(index: number | null): Promise<void> {
    await this.status.run(() => this.rpc.request('cancel', { index }));
  }

  private async pickData(role: 'train' | 'val'): Promise<void> {
    const pick = await this.status.run(() => this.rpc.request('pickData', { role }));
    if (!pick) return;
    this.state.config.data = role === 'train' ? { train: pick, val: this.state.config.data.val?.kind === 'bundled' ? null : this.state.config.data.val } : { ...this.state.config.data, val: pick };
    this.persist();
    this.showData();
  }

  private async refreshPast(): Promise<void> {
    try {
      const past: PastExperiment[] = await this.rpc.request('listPast', {});
      const options = [{ value: '', label: this.t('Past experiments…') }, ...past.map((p) => ({ value: p.folder, label: `${p.folder} (${p.finished}/${p.runs})` }))];
      this.pastSelect.replaceChildren(...options.map((o) => h('vscode-option', { value: o.value }, o.label)));
    } catch {
      // no workspace: nothing to list
    }
  }

  private async openPast(folder: string, quiet: boolean): Promise<void> {
    // Quiet (reopening the last one after a reload): a failure forgets it instead of showing.
    const r = await this.status.run(() => this.rpc.request('openPast', { folder }), quiet ? { onError: () => { this.state.folder = null; } } : {});
    if (!r) return;
    this.losses.clear();
    if (!quiet && !this.running) this.adopt(r.results);
    this.show(r.folder, r.results);
  }

  /** After a reload: the results.json from outside .normlab/experiments shown before, read again by the host. If it
   * is gone or no longer results, the status line says so and the panel forgets it. */
  private async openShownFile(): Promise<void> {
    const r = await this.status.run(() => this.rpc.request('openShownFile', {}), {
      onError: (e) => {
        this.state.outside = false;
        this.persist();
        this.status.error(e);
      },
    });
    if (!r) return;
    this.show(null, r.results, r.file);
  }

  private async exportTorch(): Promise<void> {
    if (!this.readForm()) return;
    const r = await this.status.run(() => this.rpc.request('exportTorch', { config: this.state.config }));
    if (r) this.status.show(this.t('PyTorch script written to {0}', r.savedTo));
  }

  private async savePngs(): Promise<void> {
    const folder = this.state.folder;
    if ((!folder && !this.file) || !this.results) {
      this.status.show(this.t('Run or open an experiment first.'), true);
      return;
    }
    const saved = await this.status.run(async () => {
      const paths: string[] = [];
      for (const [name, box] of this.boxes) {
        const png = box.canvas.toDataURL('image/png').split(',')[1];
        paths.push((await this.rpc.request('savePng', { folder, name, png })).savedTo);
      }
      return paths;
    });
    if (saved) this.status.show(this.t('Saved {0}', saved.join(', ')));
  }

  // ---------- results ----------

  /**
   * The form takes an opened experiment's configuration, so that it shows what ran and Run repeats it. Its data: the
   * bundled subset again; files cannot be (the webview never holds paths), so the current picks stay, with a note.
   */
  private adopt(r: ExperimentResults): void {
    const c = r.config;
    const bundled = c.data.train.kind === 'bundled';
    const data: PanelConfig['data'] = bundled ? { train: { kind: 'bundled' }, val: c.data.val === null ? null : { kind: 'bundled' } } : this.state.config.data;
    this.state.config = { ...c, data };
    this.results = r;
    this.persist();
    this.build();
    if (!bundled) this.status.show(this.t('This experiment trained on {0}: pick it with Training data… to run it again.', r.data.name));
  }

  private show(folder: string | null, results: ExperimentResults, file: string | null = null): void {
    this.results = results;
    this.state.folder = folder;
    this.file = folder === null ? file : null;
    this.state.outside = this.file !== null;
    this.persist();
    const where = folder !== null ? `.normlab/experiments/${folder}` : (this.file ?? '');
    this.shownLine.textContent = where ? this.t('Showing {0}: {1} runs, {2}, {3}', where, results.runs.length, results.engine, results.created) : '';
    this.setRunning(this.running);
    this.draw();
  }

  private onEvent(e: ExperimentEvent): void {
    if (!this.results) return;
    if (e.type === 'run') {
      this.results.runs[e.index] = e.record;
      this.fractions.set(e.index, e.fraction);
      this.draw();
    } else if (e.type === 'losses') {
      const run = this.results.runs[e.index];
      const entry = this.losses.get(e.index) ?? { label: run.label, values: [] };
      entry.values.push(...e.losses);
      this.losses.set(e.index, entry);
      this.fractions.set(e.index, this.fractions.get(e.index) ?? 0);
      this.drawLoss();
    } else {
      const eta = e.eta === null ? this.t('estimating…') : fmtTime(e.eta);
      this.progressLine.textContent = this.t('{0}% · {1} elapsed · {2} left', Math.round(e.fraction * 100), fmtTime(e.elapsed), eta);
      this.progressLine.dataset.fraction = String(e.fraction);
    }
  }

  private draw(): void {
    const r = this.results;
    if (!r) return;
    this.drawRuns(r.runs);
    const t = this.t;
    const valErr = t('val error (%)');
    const plugins = [backgroundPlugin, errorBarPlugin];
    const withPlugins = <T extends 'line' | 'bar'>(c: ChartConfiguration<T>) => ({ ...c, plugins: plugins as never });
    // The configs are built inside the callback: ChartBox calls it again on a theme change, for the new colours.
    const box = (name: string, title: string, config: () => ChartConfiguration<'line' | 'bar'>) => {
      let b = this.boxes.get(name);
      if (!b) {
        b = new ChartBox(`chart-${name}`, title);
        this.boxes.set(name, b);
        this.charts.append(b.root);
      }
      b.show(() => withPlugins(config()) as ChartConfiguration<'line' | 'bar'>);
    };
    if (r.preset === 'fig1') box('fig1', t('Validation error vs batch size (this experiment)'), () => fig1Config(r, t('batch size (images per worker)'), valErr) as ChartConfiguration<'line' | 'bar'>);
    if (r.preset === 'groups') box('groups', t('Validation error by number of groups (this experiment)'), () => groupsConfig(r, valErr) as ChartConfiguration<'line' | 'bar'>);
    box('train-error', t('Training error vs epoch'), () => curvesConfig(r, 'train_error', t('epoch'), t('train error (%)')) as ChartConfiguration<'line' | 'bar'>);
    box('val-error', t('Validation error vs epoch'), () => curvesConfig(r, 'val_error', t('epoch'), valErr) as ChartConfiguration<'line' | 'bar'>);
    this.drawLoss();
    this.drawTables(r);
  }

  private drawLoss(): void {
    if (this.losses.size === 0) return;
    let b = this.boxes.get('loss');
    if (!b) {
      b = new ChartBox('chart-loss', this.t('Training loss (smoothed), live'));
      this.boxes.set('loss', b);
      this.charts.append(b.root);
    }
    b.show(() => ({ ...lossConfig(this.losses, this.t('step'), this.t('loss')), plugins: [backgroundPlugin] as never }) as ChartConfiguration<'line' | 'bar'>);
  }

  private drawRuns(runs: RunRecord[]): void {
    const t = this.t;
    clear(this.runsBody);
    for (const run of runs) {
      const last = run.epochs.at(-1);
      const fraction = run.status === 'done' ? 1 : (this.fractions.get(run.index) ?? 0);
      const bar = h('progress', { max: 1, value: fraction, 'aria-label': run.label });
      const cancel = button(`cancel-${run.index}`, t('Cancel'), true);
      cancel.setAttribute('aria-label', t('Cancel {0}', run.label));
      cancel.addEventListener('click', () => void this.cancel(run.index));
      const active = run.status === 'running' || run.status === 'pending';
      this.runsBody.append(h('tr', { 'data-status': run.status, 'data-testid': `run-${run.index}` },
        h('td', {}, run.label), h('td', { title: run.error ?? '' }, t(run.status)), h('td', {}, bar),
        h('td', {}, `${run.epochs.length}/${this.results?.config.epochs ?? ''}`), h('td', {}, fmtPct(last?.val_error === null || last === undefined ? null : last.val_error * 100)),
        h('td', {}, run.seconds ? run.seconds.toFixed(1) : ''), h('td', {}, active && this.running ? cancel : null)));
    }
  }

  private drawTables(r: ExperimentResults): void {
    const t = this.t;
    clear(this.tables);
    const rows = summarize(r);
    const cell = (v: string | number) => h('td', {}, String(v));
    const table = (testId: string, caption: string, head: string[], body: (string | number)[][]) => h('table', { class: 'data', 'data-testid': testId },
      h('caption', {}, caption), h('thead', {}, h('tr', {}, ...head.map((s) => h('th', {}, s)))), h('tbody', {}, ...body.map((row) => h('tr', {}, ...row.map(cell)))));
    const ms = (mean: number, std: number, n: number) => (n > 1 ? `${mean.toFixed(1)} ± ${std.toFixed(1)}` : mean.toFixed(1));
    const paperNote = t('The paper\'s numbers: ResNet-50 on ImageNet, top-1 validation error (%) — a far larger model and data set; compare the shape, not the values.');
    if (r.preset === 'fig1') {
      const batches = [...new Set(r.runs.map((x) => x.batch_size))].sort((a, b) => b - a);
      const keys = [...new Set(rows.map((s) => s.key.split(' · ')[0]))];
      this.tables.append(table('table-fig1', t('Validation error (%) by batch size: this experiment'), [t('method'), ...batches.map(String)],
        keys.map((k) => [k, ...batches.map((b) => { const s = rows.find((x) => x.key === `${k} · B=${b}`); return s ? ms(s.mean, s.std, s.n) : '—'; })])));
      this.tables.append(table('table-paper-fig1', t('The paper\'s Figure 1 (ResNet-50, ImageNet)'), [t('method'), ...PAPER.fig1.batchSizes.map(String)],
        [['BN', ...PAPER.fig1.bn], ['GN', ...PAPER.fig1.gn]]));
    } else if (r.preset === 'groups') {
      const paper = (s: (typeof rows)[number]) => {
        const list = s.channelsPerGroup === null ? PAPER.table3.groups : PAPER.table3.channelsPerGroup;
        const key = s.channelsPerGroup ?? Number(/G=(\d+)/.exec(s.key)?.[1]);
        return list.find(([k]) => k === key)?.[1] ?? '—';
      };
      this.tables.append(table('table-groups', t('Validation error (%) by number of groups, beside the paper\'s Table 3'), [t('GN variant'), t('this experiment'), t('paper (ResNet-50, ImageNet)')],
        rows.map((s) => [s.key.split(' · ')[0], ms(s.mean, s.std, s.n), paper(s)])));
    } else {
      const bn = rows.find((s) => s.method === 'bn');
      this.tables.append(table('table-methods', t('Final validation error (%), beside the paper\'s Table 1'), [t('method'), t('this experiment'), t('Δ vs BN'), t('paper'), t('paper Δ vs BN')],
        rows.map((s) => {
          const p = PAPER.table1[s.method as keyof typeof PAPER.table1];
          const d = bn ? s.mean - bn.mean : NaN;
          return [s.key, ms(s.mean, s.std, s.n), bn && s !== bn ? `${d >= 0 ? '+' : ''}${d.toFixed(1)}` : '—', p ?? '—', p !== undefined && s.method !== 'bn' ? `+${(p - PAPER.table1.bn).toFixed(1)}` : '—'];
        })));
    }
    this.tables.append(h('p', { class: 'muted' }, paperNote));
    const failed = r.runs.filter((x) => x.status === 'failed');
    if (failed.length) this.tables.append(h('div', { class: 'error', role: 'alert' }, failed.map((x) => `${x.label}: ${x.error ?? ''}`).join('\n')));
  }
}

