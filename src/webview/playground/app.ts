// The playground webview: input (generate / paste / file), controls, and the views. Every change is debounced
// and sent to the host, which computes in the worker pool; replies to requests that a newer one replaced are dropped.
import { cubeSpec, setLabel, type CubeSpec } from '../../kernels/figure2';
import { DISTRIBUTIONS, type Distribution } from '../../kernels/generate';
import { channelCount } from '../../kernels/inputView';
import type { Layout, Method } from '../../kernels/types';
import { MAX_TRAIN_STEPS, type ComputeResult, type Controls, type HostToWebview, type InputInfo, type InputSource, type PersistedState, type RequestMap } from '../../protocol/playground';
import { checkEpsControl, checkMomentumControl } from '../../protocol/playgroundValidate';
import { isCancelled, userMessage, ValidationError } from '../../protocol/rpc';
import { h } from '../common/dom';
import { RpcClient } from '../common/rpcClient';
import { translator, type Translate } from '../common/l10n';
import { onThemeChange } from '../common/theme';
import { getState, post, setState } from '../common/vscodeApi';
import { ChartBox, channelBarsConfig, histogramConfig } from '../common/charts';
import { CubeView } from './cube';
import { CompareView, SensitivityView, TrainingView } from './extras';
import { fmt } from '../common/format';
import { HeatmapView } from '../common/heatmap';
import { defaultState, divisors, MAX_PERSISTED_PASTE, numberOrText, parseNumberList, parseShape, DEFAULT_SPEC } from './state';
import { button, checkbox, debounce, labelled, select, setOptions, textfield, type Field } from '../common/widgets';

const METHOD_LABELS: Record<Method, string> = { batch: 'BatchNorm (BN)', layer: 'LayerNorm (LN)', instance: 'InstanceNorm (IN)', group: 'GroupNorm (GN)', rms: 'RMSNorm' };
const TABS = ['inspect', 'compare', 'sensitivity', 'running'] as const;
type Tab = (typeof TABS)[number];

export class PlaygroundApp {
  private readonly rpc = new RpcClient<RequestMap>();
  private t: Translate = translator({});
  private state!: PersistedState;
  private input: InputInfo | null = null;
  private result: ComputeResult | null = null;
  private spec: CubeSpec | null = null;
  private selectedSet = 0;
  private readonly debounced = debounce(() => void this.compute(), 120);
  /** When the change being computed was made (for the "edit -> redrawn" time shown in data-redraw-ms). */
  private changedAt = 0;
  private readonly scheduleCompute = () => {
    this.changedAt ||= performance.now();
    this.debounced();
  };

  // Built in build() once the strings are known.
  private status!: HTMLElement;
  /** Why the input is not the one of the last session (a file tensor that could not be read again). */
  private notice!: HTMLElement;
  private inputInfo!: HTMLElement;
  private method!: Field;
  private groups!: Field;
  private eps!: Field;
  private momentum!: Field;
  private cumulative!: HTMLElement & { checked: boolean };
  private affine!: HTMLElement & { checked: boolean };
  private gamma!: Field;
  private beta!: Field;
  private layout!: Field;
  private mode!: Field;
  private sliceN!: Field;
  private sliceC!: Field;
  private pasteInput!: Field;
  private pasteError!: HTMLElement;
  private pasteShape!: HTMLElement;
  private gen!: { shape: Field; dist: Field; seed: Field; scale: Field; shift: Field };
  private cube!: CubeView;
  private setInfo!: HTMLElement;
  private statsTable!: HTMLTableElement;
  private statsNote!: HTMLElement;
  private heatBefore!: HeatmapView;
  private heatAfter!: HeatmapView;
  private sliceTables!: HTMLElement;
  private histIn!: ChartBox<'bar'>;
  private histOut!: ChartBox<'bar'>;
  private meanBars!: ChartBox<'bar'>;
  private stdBars!: ChartBox<'bar'>;
  private compareView!: CompareView;
  private sensitivityView!: SensitivityView;
  private trainingView!: TrainingView;
  private tabs!: HTMLElement;

  constructor(private readonly root: HTMLElement) {
    window.addEventListener('message', (e: MessageEvent<HostToWebview>) => this.onMessage(e.data));
    post({ type: 'ready' });
  }

  private onMessage(m: HostToWebview): void {
    if (this.rpc.onMessage(m)) return;
    if (m.type === 'init') {
      this.t = translator(m.strings);
      const saved = getState<PersistedState>();
      const base = defaultState(m.defaultEps);
      this.state = saved.controls && saved.view ? { ...base, ...saved } as PersistedState : m.state ?? base;
      this.build();
      if (m.input) this.useInput(m.input);
      else void this.setInput(this.state.source ?? { kind: 'generate', spec: DEFAULT_SPEC });
    } else if (m.type === 'input') {
      this.state.source = m.info.file ?? null; // a reload reads the file's tensor again
      this.persist();
      this.notice.textContent = '';
      this.useInput(m.info);
    }
  }

  // ---------- building the page ----------

  private build(): void {
    const t = this.t;
    const c = this.state.controls;
    this.status = h('div', { class: 'status', 'data-testid': 'status', role: 'status' });
    this.notice = h('div', { class: 'error', 'data-testid': 'input-notice', role: 'alert' });
    this.inputInfo = h('span', { class: 'input-info', 'data-testid': 'input-info' });
    const exportNpy = button('export', t('Export .npy'));
    const copyJson = button('copy-json', t('Copy as JSON'), true);
    exportNpy.addEventListener('click', () => void this.export('npy'));
    copyJson.addEventListener('click', () => void this.export('json'));
    const header = h('header', { class: 'toolbar' }, h('h1', {}, t('NormLab Playground')), this.inputInfo, h('span', { class: 'spacer' }), exportNpy, copyJson);

    // Input: generate / paste / file.
    const spec = this.state.source?.kind === 'generate' ? this.state.source.spec : DEFAULT_SPEC;
    this.gen = {
      shape: textfield('gen-shape', spec.shape.join(', ')),
      dist: select('gen-dist', DISTRIBUTIONS.map((d) => ({ value: d, label: t(d === 'offset' ? 'large offset (1e4 ± 0.01)' : d) })), spec.distribution),
      seed: textfield('gen-seed', String(spec.seed), { type: 'number', min: '0' }),
      scale: textfield('gen-scale', spec.channelScale.join(', ')),
      shift: textfield('gen-shift', spec.channelShift.join(', ')),
    };
    const generate = button('generate', t('Generate'));
    generate.addEventListener('click', () => void this.generate());
    const genPanel = h('div', { class: 'row wrap' },
      labelled(t('shape (N, C, H, W)'), this.gen.shape), labelled(t('distribution'), this.gen.dist), labelled(t('seed'), this.gen.seed),
      labelled(t('per-channel scale'), this.gen.scale), labelled(t('per-channel shift'), this.gen.shift), generate);

    this.pasteInput = h('vscode-textarea', { 'data-testid': 'paste-input', rows: 6, placeholder: t('Paste JSON [[...]], NumPy array([...], dtype=float32) or CSV rows'), 'aria-label': t('Paste a tensor') }) as unknown as Field;
    if (this.state.source?.kind === 'paste') this.pasteInput.value = this.state.source.text;
    this.pasteError = h('div', { class: 'error', 'data-testid': 'paste-error', role: 'alert' });
    this.pasteShape = h('div', { class: 'muted', 'data-testid': 'paste-shape' });
    const usePaste = button('paste-apply', t('Use pasted tensor'));
    usePaste.addEventListener('click', () => void this.paste());
    this.pasteInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void this.paste();
    });
    const pastePanel = h('div', { class: 'col' }, this.pasteInput, h('div', { class: 'row' }, usePaste, this.pasteShape), this.pasteError);

    const pick = button('pick-file', t('Pick a tensor file…'));
    pick.addEventListener('click', () => void this.pickFile());
    const filePanel = h('div', { class: 'row' }, pick, h('span', { class: 'muted' }, t('.npy, .npz, .safetensors, .pt: one tensor is loaded (or use "Send to Playground" from the tensor viewer).')));

    const inputTabs = h('vscode-tabs', { 'data-testid': 'input-tabs', 'selected-index': ['generate', 'paste', 'file'].indexOf(this.state.source?.kind ?? 'generate') },
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'input-tab-generate' }, t('Generate')), h('vscode-tab-panel', {}, genPanel),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'input-tab-paste' }, t('Paste')), h('vscode-tab-panel', {}, pastePanel),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'input-tab-file' }, t('From a file')), h('vscode-tab-panel', {}, filePanel));

    // Controls.
    this.method = select('method', (Object.keys(METHOD_LABELS) as Method[]).map((m) => ({ value: m, label: METHOD_LABELS[m] })), c.method);
    this.groups = select('groups', [{ value: String(c.groups), label: String(c.groups) }], String(c.groups));
    this.eps = textfield('eps', String(c.eps));
    this.momentum = textfield('momentum', c.momentum === null ? '0.1' : String(c.momentum));
    this.cumulative = checkbox('cumulative', t('cumulative (momentum=None)'), c.momentum === null);
    this.affine = checkbox('affine', t('affine'), c.affine);
    this.gamma = textfield('gamma', c.gamma.join(', '), { placeholder: t('one value or one per channel'), title: t('one value or one per channel') });
    this.beta = textfield('beta', c.beta.join(', '), { placeholder: t('one value or one per channel'), title: t('one value or one per channel') });
    this.layout = select('layout', [{ value: 'NCHW', label: 'NCHW' }, { value: 'NHWC', label: 'NHWC (channels last)' }], c.layout);
    this.mode = select('mode', [{ value: 'train', label: t('train') }, { value: 'eval', label: t('eval') }], c.training ? 'train' : 'eval');
    this.sliceN = textfield('slice-n', String(this.state.view.sliceN), { type: 'number', min: '0' });
    this.sliceC = textfield('slice-c', String(this.state.view.sliceC), { type: 'number', min: '0' });
    for (const f of [this.method, this.groups, this.layout, this.mode]) f.addEventListener('change', () => this.onControls());
    for (const f of [this.eps, this.momentum, this.gamma, this.beta, this.sliceN, this.sliceC]) f.addEventListener('input', () => this.onControls());
    for (const f of [this.cumulative, this.affine]) f.addEventListener('change', () => this.onControls());
    const controls = h('section', { class: 'controls', 'aria-label': t('Normalization') },
      labelled(t('method'), this.method), labelled(t('groups G'), this.groups), labelled('eps', this.eps),
      labelled(t('momentum'), this.momentum), this.cumulative, labelled(t('layout'), this.layout), labelled(t('mode'), this.mode),
      this.affine, labelled('γ', this.gamma), labelled('β', this.beta),
      labelled(t('slice n'), this.sliceN), labelled(t('slice c'), this.sliceC));

    // Inspect tab.
    this.cube = new CubeView((set) => this.selectSet(set));
    this.setInfo = h('div', { class: 'set-info', 'data-testid': 'set-info' });
    this.statsTable = h('table', { class: 'data stats', 'data-testid': 'stats-table' });
    this.statsNote = h('div', { class: 'muted', 'data-testid': 'stats-note' });
    this.heatBefore = new HeatmapView('heatmap', t('input slice'), 'zero');
    this.heatAfter = new HeatmapView('heatmap-after', t('output slice'), 'zero');
    // A scroll region: a tab stop (so the keyboard can scroll it), named by the slice label inside.
    this.sliceTables = h('div', { class: 'slice-tables', role: 'region', tabindex: 0, 'aria-labelledby': 'slice-label' });
    this.histIn = new ChartBox<'bar'>('hist-input', t('Input histogram'));
    this.histOut = new ChartBox<'bar'>('hist-output', t('Output histogram'));
    this.meanBars = new ChartBox<'bar'>('channel-mean', t('Per-channel mean, before and after'));
    this.stdBars = new ChartBox<'bar'>('channel-std', t('Per-channel std, before and after'));
    const inspect = h('div', { class: 'inspect' },
      h('div', { class: 'grid2' },
        h('div', { class: 'cube-box' }, this.cube.svg, this.setInfo),
        h('div', { class: 'stats-box' }, this.statsNote, h('div', { class: 'scroll' }, this.statsTable))),
      h('div', { class: 'grid2' }, h('div', { class: 'row' }, this.heatBefore.root, this.heatAfter.root), this.sliceTables),
      h('div', { class: 'grid2' }, this.histIn.root, this.histOut.root),
      h('div', { class: 'grid2' }, this.meanBars.root, this.stdBars.root));

    this.compareView = new CompareView(t);
    this.sensitivityView = new SensitivityView(t);
    this.trainingView = new TrainingView(t);
    this.trainingView.stepButton.addEventListener('click', () => void this.trainStep());
    this.trainingView.resetButton.addEventListener('click', () => void this.resetRunning());
    this.trainingView.reset();

    const tabIndex = Math.max(0, TABS.indexOf(this.state.tab as Tab));
    this.tabs = h('vscode-tabs', { 'data-testid': 'view-tabs', 'selected-index': tabIndex },
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'tab-inspect' }, t('Inspect')), h('vscode-tab-panel', {}, inspect),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'tab-compare' }, t('Compare')), h('vscode-tab-panel', {}, this.compareView.root),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'tab-sensitivity' }, t('Batch size')), h('vscode-tab-panel', {}, this.sensitivityView.root),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'tab-running' }, t('Running stats')), h('vscode-tab-panel', {}, this.trainingView.root));
    this.tabs.addEventListener('vsc-tabs-select', (e) => {
      this.state.tab = TABS[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex] ?? 'inspect';
      this.persist();
      void this.refreshTab();
    });

    this.root.replaceChildren(header, inputTabs, this.notice, controls, this.status, this.tabs);
    this.root.removeAttribute('aria-busy');
    onThemeChange(() => this.refreshTheme());
    this.syncEnabled();
  }

  // ---------- input ----------

  private async setInput(source: InputSource): Promise<boolean> {
    this.showStatus(this.t('Loading input…'));
    try {
      const info = await this.rpc.request('setInput', { source });
      this.state.source = source.kind === 'paste' && source.text.length > MAX_PERSISTED_PASTE ? null : source;
      this.persist();
      this.notice.textContent = '';
      this.useInput(info);
      return true;
    } catch (e) {
      // A paste error is shown under the text it points into; the current input stays as it was.
      if (source.kind === 'paste') {
        this.pasteError.textContent = userMessage(e);
        this.showStatus(this.t('The pasted text was not used; the input is unchanged.'));
      } else if (source.kind === 'file') {
        // The file's tensor could not be read again after a reload: the generator takes over, and the panel says why.
        await this.setInput({ kind: 'generate', spec: DEFAULT_SPEC });
        this.notice.textContent = this.t('The tensor \'{0}\' of the last session could not be read again, so a generated tensor is shown: {1}', source.tensor, userMessage(e));
      } else {
        this.showError(e);
      }
      return false;
    }
  }

  private useInput(info: InputInfo): void {
    this.input = info;
    this.inputInfo.textContent = `${info.name} · [${info.shape.join(', ')}]${info.format ? ` · ${info.format}` : ''}`;
    this.inputInfo.dataset.shape = info.shape.join(',');
    this.trainingView.reset();
    this.updateGroups();
    this.compute();
  }

  private async generate(): Promise<void> {
    try {
      const spec = {
        shape: parseShape(this.gen.shape.value),
        layout: this.layoutValue(),
        distribution: this.gen.dist.value as Distribution,
        seed: Number(this.gen.seed.value),
        channelScale: parseNumberList(this.gen.scale.value, this.t('per-channel scale')),
        channelShift: parseNumberList(this.gen.shift.value, this.t('per-channel shift')),
      };
      if (!Number.isInteger(spec.seed) || spec.seed < 0) throw new ValidationError(`seed: expected a non-negative integer, found '${this.gen.seed.value}'`);
      await this.setInput({ kind: 'generate', spec });
    } catch (e) {
      this.showError(e);
    }
  }

  private async paste(): Promise<void> {
    this.pasteError.textContent = '';
    this.pasteShape.textContent = '';
    if (await this.setInput({ kind: 'paste', text: this.pasteInput.value })) {
      this.pasteShape.textContent = this.t('shape [{0}] ({1})', this.input?.shape.join(', ') ?? '', this.input?.format ?? '');
    }
  }

  private async pickFile(): Promise<void> {
    try {
      const info = await this.rpc.request('pickFile', {});
      if (info) {
        this.state.source = info.file ?? null;
        this.persist();
        this.notice.textContent = '';
        this.useInput(info);
      }
    } catch (e) {
      this.showError(e);
    }
  }

  // ---------- controls ----------

  private layoutValue(): Layout {
    return (this.layout.value || this.state.controls.layout) === 'NHWC' ? 'NHWC' : 'NCHW';
  }

  /** Channels of the input under the chosen layout. */
  private channels(): number {
    return channelCount(this.input?.shape ?? [], this.layoutValue());
  }

  /** Only divisors of C are offered; G = 1 is LN over (C, H, W) and G = C is IN. */
  private updateGroups(): void {
    const C = this.channels();
    const current = Number(this.groups.value) || this.state.controls.groups;
    const ds = divisors(C);
    const g = ds.includes(current) ? current : ds.filter((d) => d <= Math.max(1, current)).pop() ?? 1;
    setOptions(this.groups, ds.map((d) => ({ value: String(d), label: d === 1 && C > 1 ? `1 (= LN)` : d === C && C > 1 ? `${d} (= IN)` : String(d) })), String(g));
    this.state.controls.groups = g;
  }

  /** Reads every control; returns null (and says why) if one is not valid yet. */
  private readControls(): Controls | null {
    try {
      const eps = checkEpsControl(numberOrText(this.eps.value));
      const momentum = this.cumulative.checked ? null : checkMomentumControl(numberOrText(this.momentum.value));
      return {
        method: (this.method.value || this.state.controls.method) as Method,
        groups: this.groupsValue(),
        eps,
        momentum,
        affine: this.affine.checked,
        gamma: parseNumberList(this.gamma.value, 'γ'),
        beta: parseNumberList(this.beta.value, 'β'),
        layout: this.layoutValue(),
        training: (this.mode.value || (this.state.controls.training ? 'train' : 'eval')) !== 'eval',
      };
    } catch (e) {
      this.showError(e);
      return null;
    }
  }

  /** The select's G, unless it lags behind a new input whose C it does not divide (updateGroups set the state's). */
  private groupsValue(): number {
    const g = Number(this.groups.value);
    return g > 0 && this.channels() % g === 0 ? g : this.state.controls.groups;
  }

  private syncEnabled(): void {
    // Before the select has rendered its options its value is still empty: fall back to the state.
    const m = this.method.value || this.state.controls.method;
    const toggle = (el: HTMLElement, on: boolean) => el.toggleAttribute('disabled', !on);
    toggle(this.groups, m === 'group');
    toggle(this.momentum, m === 'batch' && !this.cumulative.checked);
    toggle(this.cumulative, m === 'batch');
    toggle(this.mode, m === 'batch' || m === 'instance');
    toggle(this.gamma, this.affine.checked);
    toggle(this.beta, this.affine.checked && m !== 'rms');
  }

  private onControls(): void {
    const layoutChanged = this.layoutValue() !== this.state.controls.layout;
    this.syncEnabled();
    const c = this.readControls();
    if (!c) return;
    this.state.controls = c;
    if (layoutChanged) this.updateGroups();
    const n = Number(this.sliceN.value);
    const ch = Number(this.sliceC.value);
    if (Number.isInteger(n) && n >= 0 && Number.isInteger(ch) && ch >= 0) this.state.view = { sliceN: n, sliceC: ch };
    this.persist();
    this.scheduleCompute();
  }

  private persist(): void {
    setState<PersistedState>(this.state);
  }

  // ---------- computing ----------

  private async compute(): Promise<void> {
    if (!this.input) return;
    const controls = this.readControls();
    if (!controls) return;
    this.state.controls = controls;
    this.showStatus(this.t('Computing…'));
    try {
      const r = await this.rpc.latest('compute', 'compute', { controls, view: this.state.view });
      if (!r) return; // a newer request replaced this one
      this.result = r;
      this.spec = cubeSpec(this.input.shape, controls.layout, controls.method, controls.groups);
      this.selectedSet = Math.min(this.selectedSet, r.numSets - 1);
      this.showStatus(this.t('{0} sets of {1} elements · computed in {2} ms', r.numSets, r.setSize, r.ms < 10 ? r.ms.toFixed(1) : Math.round(r.ms)));
      const t0 = performance.now();
      this.drawInspect(r);
      this.syncEnabled();
      // Measured after layout so that it includes the browser's work, not only our calls.
      requestAnimationFrame(() => {
        const now = performance.now();
        this.status.dataset.drawMs = String(Math.round(now - t0));
        if (this.changedAt) this.status.dataset.redrawMs = String(Math.round(now - this.changedAt));
        this.changedAt = 0;
      });
      void this.refreshTab();
    } catch (e) {
      this.showError(e);
    }
  }

  private async refreshTab(): Promise<void> {
    const controls = this.state.controls;
    if (!this.input) return;
    try {
      if (this.state.tab === 'compare') {
        const r = await this.rpc.latest('compare', 'compare', { controls, view: this.state.view });
        if (r && this.input) this.compareView.show(r, this.input.shape, controls.layout);
      } else if (this.state.tab === 'sensitivity') {
        const r = await this.rpc.latest('sensitivity', 'sensitivity', { controls });
        if (r) this.sensitivityView.show(r);
      }
    } catch (e) {
      this.showError(e);
    }
  }

  private drawInspect(r: ComputeResult): void {
    const t = this.t;
    const spec = this.spec!;
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

  // ---------- actions ----------

  private async trainStep(): Promise<void> {
    const controls = this.readControls();
    if (!controls || !this.input) return;
    const steps = Number(this.trainingView.steps.value);
    const batchSize = Number(this.trainingView.batchSize.value);
    if (!Number.isInteger(steps) || steps < 1 || steps > MAX_TRAIN_STEPS || !Number.isInteger(batchSize) || batchSize < 1) {
      this.showStatus(this.t('steps: expected 1 to {0} and a batch size of at least 1', MAX_TRAIN_STEPS), true);
      return;
    }
    try {
      const r = await this.rpc.request('trainStep', { controls, steps, batchSize });
      this.trainingView.show(r);
      this.showStatus(this.t('running stats after {0} steps', r.running.numBatchesTracked));
      if (!controls.training) this.scheduleCompute(); // eval output uses the new running stats
    } catch (e) {
      this.showError(e);
    }
  }

  private async resetRunning(): Promise<void> {
    await this.rpc.request('resetRunning', {});
    this.trainingView.reset();
    this.scheduleCompute();
  }

  private async export(format: 'npy' | 'json'): Promise<void> {
    const controls = this.readControls();
    if (!controls) return;
    try {
      const r = await this.rpc.request('export', { controls, format });
      if (r.savedTo) this.showStatus(this.t('saved {0}', r.savedTo));
      else if (r.copied) this.showStatus(this.t('copied {0} values as JSON', r.copied));
    } catch (e) {
      this.showError(e);
    }
  }

  /** The one way a failure reaches the status line (a cancelled request was overtaken: nothing to say). */
  private showError(e: unknown): void {
    if (!isCancelled(e)) this.showStatus(userMessage(e), true);
  }

  private showStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
    this.status.dataset.state = error ? 'error' : 'ok';
  }

  private refreshTheme(): void {
    for (const c of [this.histIn, this.histOut, this.meanBars, this.stdBars]) c.refreshTheme();
    this.compareView.refreshTheme();
    this.sensitivityView.refreshTheme();
    this.trainingView.refreshTheme();
    if (this.result) {
      this.heatBefore.show(this.result.slice.before);
      this.heatAfter.show(this.result.slice.after);
    }
  }
}
