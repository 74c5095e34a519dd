// The playground webview's controller. PlaygroundApp does the handshake (ready -> init with the strings and the
// state); Playground then builds the parts (input.ts, controls.ts and the four tabs' views), keeps the state that
// survives a reload (state.ts), and turns their events into requests to the host, which computes in the worker
// pool. Every request goes through the status line's `run` (common/status.ts): one place shows what is being done
// and what failed. Edits are debounced; replies to requests that a newer one replaced are dropped.
import { cubeSpec } from '../../kernels/figure2';
import type { ComputeResult, Controls, HostToWebview, InputInfo, InputSource, PersistedState, RequestMap } from '../../protocol/playground';
import { userMessage } from '../../protocol/rpc';
import { h } from '../common/dom';
import { translator, type Translate } from '../common/l10n';
import { RpcClient } from '../common/rpcClient';
import { RequestProgressView } from '../common/requestProgress';
import { StatusLine } from '../common/status';
import { onThemeChange } from '../common/theme';
import { getState, post, setState } from '../common/vscodeApi';
import { button, debounce } from '../common/widgets';
import { CompareView } from './compare';
import { ControlsPanel } from './controls';
import { InputPanel } from './input';
import { InspectView } from './inspect';
import { RunningStatsView } from './running';
import { SensitivityView } from './sensitivity';
import { DEFAULT_SPEC, initialState, persistableSource } from './state';

const TABS = ['inspect', 'compare', 'sensitivity', 'running'] as const;
/** Edits closer together than this are computed once. */
const EDIT_DEBOUNCE_MS = 120;
type Tab = (typeof TABS)[number];

/** Says ready, and builds the page when the host answers with init; routes every later message. */
export class PlaygroundApp {
  private readonly rpc = new RpcClient<RequestMap>();
  private page: Playground | null = null;

  constructor(private readonly root: HTMLElement) {
    window.addEventListener('message', (e: MessageEvent<HostToWebview>) => this.onMessage(e.data));
    post({ type: 'ready' });
  }

  private onMessage(m: HostToWebview): void {
    if (this.rpc.onMessage(m)) return;
    if (m.type === 'init') {
      const state = initialState(getState<PersistedState>(), m.state, m.defaultEps);
      this.page = new Playground(this.root, this.rpc, translator(m.strings), state);
      if (m.input) this.page.useInput(m.input);
      else void this.page.setInput(state.source ?? { kind: 'generate', spec: DEFAULT_SPEC });
    } else if (m.type === 'input') {
      this.page?.useFileInput(m.info);
    }
  }
}

class Playground {
  private readonly status: StatusLine<HTMLElement>;
  /** The bar and Cancel button of a long request (compute, compare, batch sizes, train steps, export). */
  private readonly progress: RequestProgressView;
  private readonly input: InputPanel;
  private readonly controls: ControlsPanel;
  private readonly inspect: InspectView;
  private readonly compare: CompareView;
  private readonly sensitivity: SensitivityView;
  private readonly running: RunningStatsView;
  /** The input tensor in use (null until the host has one). */
  private info: InputInfo | null = null;
  private readonly debounced = debounce(() => void this.compute(), EDIT_DEBOUNCE_MS);
  /** When the change being computed was made (for the "edit -> redrawn" time shown in data-redraw-ms). */
  private changedAt = 0;

  constructor(root: HTMLElement, private readonly rpc: RpcClient<RequestMap>, private readonly t: Translate, private readonly state: PersistedState) {
    this.status = new StatusLine(h('div', { class: 'status', 'data-testid': 'status', role: 'status' }));
    this.progress = new RequestProgressView({
      cancel: t('Cancel'),
      line: (label, percent) => t('{0} ({1}%)', label, percent),
      onCancelled: () => this.status.show(t('Cancelled.')),
    });
    this.input = new InputPanel(t, state.source, {
      generate: () => this.generate(),
      paste: () => void this.paste(),
      pickFile: () => void this.pickFile(),
    });
    this.controls = new ControlsPanel(t, state.controls, state.view, () => this.state.controls, () => this.onControls());
    this.inspect = new InspectView(t);
    this.compare = new CompareView(t);
    this.sensitivity = new SensitivityView(t);
    this.running = new RunningStatsView(t, { step: () => void this.trainStep(), reset: () => void this.resetRunning() });
    this.running.reset();

    const exportNpy = button('export', t('Export .npy'));
    const copyJson = button('copy-json', t('Copy as JSON'), true);
    exportNpy.addEventListener('click', () => void this.export('npy'));
    copyJson.addEventListener('click', () => void this.export('json'));
    const header = h('header', { class: 'toolbar' }, h('h1', {}, t('NormLab Playground')), this.input.info, h('span', { class: 'spacer' }), exportNpy, copyJson);

    const tabIndex = Math.max(0, TABS.indexOf(state.tab as Tab));
    const tabs = h('vscode-tabs', { 'data-testid': 'view-tabs', 'selected-index': tabIndex },
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'tab-inspect' }, t('Inspect')), h('vscode-tab-panel', {}, this.inspect.root),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'tab-compare' }, t('Compare')), h('vscode-tab-panel', {}, this.compare.root),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'tab-sensitivity' }, t('Batch size')), h('vscode-tab-panel', {}, this.sensitivity.root),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'tab-running' }, t('Running stats')), h('vscode-tab-panel', {}, this.running.root));
    tabs.addEventListener('vsc-tabs-select', (e) => {
      this.state.tab = TABS[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex] ?? 'inspect';
      this.persist();
      void this.refreshTab();
    });

    root.replaceChildren(header, this.input.root, this.input.notice, this.controls.root, this.status.el, this.progress.el, tabs);
    root.removeAttribute('aria-busy');
    onThemeChange(() => this.refreshTheme());
  }

  private persist(): void {
    setState<PersistedState>(this.state);
  }

  private scheduleCompute(): void {
    this.changedAt ||= performance.now();
    this.debounced();
  }

  // ---------- input ----------

  /** Asks the host for `source`'s tensor; resolves to whether it is now the input. */
  async setInput(source: InputSource): Promise<boolean> {
    const info = await this.status.run(() => this.rpc.request('setInput', { source }), {
      busy: this.t('Loading input…'),
      onError: (e) => this.inputRefused(source, e),
    });
    if (!info) return false;
    this.state.source = persistableSource(source);
    this.persist();
    this.input.setNotice('');
    this.useInput(info);
    return true;
  }

  /** The input stays as it was; the user is told why where it helps. */
  private async inputRefused(source: InputSource, e: unknown): Promise<void> {
    if (source.kind === 'paste') {
      // A paste error is shown under the text it points into.
      this.input.pasteFailed(userMessage(e));
      this.status.show(this.t('The pasted text was not used; the input is unchanged.'));
    } else if (source.kind === 'file') {
      // The file's tensor could not be read again after a reload: the generator takes over, and the panel says why.
      await this.setInput({ kind: 'generate', spec: DEFAULT_SPEC });
      this.input.setNotice(this.t('The tensor \'{0}\' of the last session could not be read again, so a generated tensor is shown: {1}', source.tensor, userMessage(e)));
    } else {
      this.status.error(e);
    }
  }

  /** A tensor from a file (picked here, or sent from outside): a reload reads the file's tensor again. */
  useFileInput(info: InputInfo): void {
    this.state.source = info.file ?? null;
    this.persist();
    this.input.setNotice('');
    this.useInput(info);
  }

  useInput(info: InputInfo): void {
    this.info = info;
    this.input.showInput(info);
    this.running.reset();
    this.controls.setShape(info.shape);
    this.state.controls.groups = this.controls.updateGroups();
    void this.compute();
  }

  private generate(): void {
    const spec = this.status.check(() => this.input.generateSpec(this.controls.layoutValue()));
    if (spec) void this.setInput({ kind: 'generate', spec });
  }

  private async paste(): Promise<void> {
    if (await this.setInput({ kind: 'paste', text: this.input.takePaste() }) && this.info) this.input.pasteUsed(this.info);
  }

  private async pickFile(): Promise<void> {
    const info = await this.status.run(() => this.rpc.request('pickFile', {}));
    if (info) this.useFileInput(info);
  }

  // ---------- controls ----------

  /** Reads every control; returns undefined (and the status line says why) if one is not valid yet. */
  private readControls(): Controls | undefined {
    return this.status.check(() => this.controls.read());
  }

  private onControls(): void {
    const layoutChanged = this.controls.layoutValue() !== this.state.controls.layout;
    this.controls.syncEnabled();
    const c = this.readControls();
    if (!c) return;
    this.state.controls = c;
    if (layoutChanged) c.groups = this.controls.updateGroups();
    const view = this.controls.view();
    if (view) this.state.view = view;
    this.persist();
    this.scheduleCompute();
  }

  // ---------- computing ----------

  private async compute(): Promise<void> {
    const info = this.info;
    const controls = info && this.readControls();
    if (!info || !controls) return;
    this.state.controls = controls;
    await this.status.run(async () => {
      const r = await this.progress.track(this.t('Computing…'), (opts) => this.rpc.latest('compute', 'compute', { controls, view: this.state.view }, opts));
      if (r) this.draw(r, info, controls); // null: a newer request replaced this one
    }, { busy: this.t('Computing…') });
  }

  private draw(r: ComputeResult, info: InputInfo, controls: Controls): void {
    this.status.show(this.t('{0} sets of {1} elements · computed in {2} ms', r.numSets, r.setSize, r.ms < 10 ? r.ms.toFixed(1) : Math.round(r.ms)));
    const t0 = performance.now();
    this.inspect.show(r, cubeSpec(info.shape, controls.layout, controls.method, controls.groups));
    this.controls.syncEnabled();
    // Measured after layout so that it includes the browser's work, not only our calls.
    requestAnimationFrame(() => {
      const now = performance.now();
      this.status.el.dataset.drawMs = String(Math.round(now - t0));
      if (this.changedAt) this.status.el.dataset.redrawMs = String(Math.round(now - this.changedAt));
      this.changedAt = 0;
    });
    void this.refreshTab();
  }

  /** The open tab's own request, if it has one (Compare, Batch size). */
  private async refreshTab(): Promise<void> {
    const controls = this.state.controls;
    if (!this.info) return;
    await this.status.run(async () => {
      if (this.state.tab === 'compare') {
        const r = await this.progress.track(this.t('Comparing…'), (opts) => this.rpc.latest('compare', 'compare', { controls, view: this.state.view }, opts));
        if (r && this.info) this.compare.show(r, this.info.shape, controls.layout);
      } else if (this.state.tab === 'sensitivity') {
        const r = await this.progress.track(this.t('Sampling batches…'), (opts) => this.rpc.latest('sensitivity', 'sensitivity', { controls }, opts));
        if (r) this.sensitivity.show(r);
      }
    });
  }

  // ---------- actions ----------

  private async trainStep(): Promise<void> {
    const controls = this.readControls();
    const params = controls && this.info && this.status.check(() => this.running.params());
    if (!controls || !params) return;
    const busy = this.t('Training steps…');
    const r = await this.status.run(() => this.progress.track(busy, (opts) => this.rpc.request('trainStep', { controls, ...params }, opts)), { busy });
    if (!r) return;
    this.running.show(r);
    this.status.show(this.t('running stats after {0} steps', r.running.numBatchesTracked));
    if (!controls.training) this.scheduleCompute(); // eval output uses the new running stats
  }

  private async resetRunning(): Promise<void> {
    await this.status.run(async () => {
      await this.rpc.request('resetRunning', {});
      this.running.reset();
      this.scheduleCompute();
    });
  }

  private async export(format: 'npy' | 'json'): Promise<void> {
    const controls = this.readControls();
    if (!controls) return;
    const busy = this.t('Exporting…');
    const r = await this.status.run(() => this.progress.track(busy, (opts) => this.rpc.request('export', { controls, format }, opts)), { busy });
    if (r?.savedTo) this.status.show(this.t('saved {0}', r.savedTo));
    else if (r?.copied) this.status.show(this.t('copied {0} values as JSON', r.copied));
  }

  private refreshTheme(): void {
    for (const view of [this.inspect, this.compare, this.sensitivity, this.running]) view.refreshTheme();
  }
}
