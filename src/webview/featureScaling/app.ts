// The feature-scaling webview: two-feature data (generated, or two columns of a workspace file read by the host),
// the loss contours of the raw, standardized and whitened problem side by side (or one at a time), gradient descent's
// path on them (play / pause / step / all at once), and the numbers that explain them. Everything is computed here
// with the pure kernels; only the file goes through the host, by the token it handed out.
import { FEATURE_TRANSFORMS, SCALING_LIMITS, type FeatureTransform, type ScalingModel, type Vec2 } from '../../kernels/featureScaling';
import type { FeatureScalingRequests, FeatureScalingToWebview } from '../../protocol/featureScaling';
import { h } from '../common/dom';
import { translator, type Translate } from '../common/l10n';
import { RpcClient } from '../common/rpcClient';
import { StatusLine } from '../common/status';
import { onThemeChange } from '../common/theme';
import { getState, post, setState } from '../common/vscodeApi';
import { fmt } from '../common/format';
import { button, checkbox, debounce, labelled, select, textfield, type Field } from '../common/widgets';
import { baseData, buildViews, contourPicture, isView, type ContourPicture, type ScalingView, type ViewOutcome } from './compute';
import { LossPlot } from './plot';
import { LR_FRACTION_RANGE, lrFromSlider, MAX_MOMENTUM, MAX_START, restoreState, sliderFromLr, type ScalingState } from './state';

const TITLES: Record<FeatureTransform, string> = { raw: 'Raw features', standardized: 'Standardized', whitened: 'Whitened' };
/** Work per slice of the descent before the page gets a turn (logistic steps cost O(n) each). */
const WORK_PER_SLICE = 2_000_000;

export class FeatureScalingApp {
  private readonly rpc = new RpcClient<FeatureScalingRequests>();
  private t: Translate = translator({});
  private state: ScalingState = restoreState(getState());
  private views: ViewOutcome[] = [];
  private pictures = new Map<FeatureTransform, ContourPicture>();
  /** Steps of the path shown (Infinity: all). */
  private shown = Infinity;
  private playing = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every rebuild: a descent still running for an older state stops. */
  private generation = 0;
  private readonly rebuildSoon = debounce(() => this.rebuild(), 60);

  private status!: StatusLine<HTMLElement>;
  private fields!: { model: Field; n: Field; seed: Field; scale1: Field; scale2: Field; noise: Field; x1: Field; x2: Field; target: Field };
  private rho!: HTMLInputElement;
  private rhoValue!: HTMLElement;
  private source!: Field;
  private fileInfo!: HTMLElement;
  private fileRow!: HTMLElement;
  private generateRow!: HTMLElement;
  private viewButtons!: Map<FeatureTransform, HTMLButtonElement>;
  private sideBySide!: HTMLElement & { checked: boolean };
  private equalAxes!: HTMLElement & { checked: boolean };
  private lrMode!: Field;
  private lr!: HTMLInputElement;
  private lrValue!: HTMLElement;
  private momentum!: HTMLInputElement;
  private momentumValue!: HTMLElement;
  private start!: { w1: Field; w2: Field };
  private playButton!: HTMLElement;
  private stepInfo!: HTMLElement;
  private plots!: Map<FeatureTransform, LossPlot>;
  private plotCards!: Map<FeatureTransform, { card: HTMLElement; caption: HTMLElement }>;
  private table!: HTMLTableSectionElement;

  constructor(private readonly root: HTMLElement) {
    window.addEventListener('message', (e: MessageEvent<FeatureScalingToWebview>) => this.onMessage(e.data));
    post({ type: 'ready' });
  }

  private onMessage(m: FeatureScalingToWebview): void {
    if (this.rpc.onMessage(m)) return;
    if (m.type === 'init') {
      this.t = translator(m.strings);
      this.build();
      this.rebuild();
    }
  }

  // ---------- building the page ----------

  private build(): void {
    const t = this.t;
    const s = this.state;
    this.status = new StatusLine(h('div', { class: 'status', 'data-testid': 'status', role: 'status' }));

    // Data.
    this.source = select('source', [{ value: 'generate', label: t('generated') }, { value: 'file', label: t('two columns of a file') }], s.source);
    this.fields = {
      model: select('model', [{ value: 'linear', label: t('linear regression (squared loss)') }, { value: 'logistic', label: t('logistic regression (cross-entropy)') }], s.spec.model),
      n: textfield('samples', String(s.spec.n), { type: 'number', min: String(SCALING_LIMITS.minSamples), max: String(SCALING_LIMITS.maxSamples) }),
      seed: textfield('seed', String(s.spec.seed), { type: 'number', min: '0' }),
      scale1: textfield('scale1', String(s.spec.scale1)),
      scale2: textfield('scale2', String(s.spec.scale2)),
      noise: textfield('noise', String(s.spec.noise)),
      x1: textfield('column-x1', String(s.file?.columns[0] ?? 0), { type: 'number', min: '0' }),
      x2: textfield('column-x2', String(s.file?.columns[1] ?? 1), { type: 'number', min: '0' }),
      target: textfield('column-target', s.file?.targetColumn === null || !s.file ? '' : String(s.file.targetColumn), { placeholder: t('synthetic') }),
    };
    this.rho = slider('rho', -SCALING_LIMITS.maxAbsRho, SCALING_LIMITS.maxAbsRho, 0.01, s.spec.rho);
    this.rhoValue = h('output', { 'data-testid': 'rho-value' });
    for (const f of [this.fields.n, this.fields.seed, this.fields.scale1, this.fields.scale2, this.fields.noise]) f.addEventListener('input', () => this.onData());
    this.fields.model.addEventListener('change', () => this.onData());
    this.rho.addEventListener('input', () => this.onData());
    this.source.addEventListener('change', () => this.onSource());
    for (const f of [this.fields.x1, this.fields.x2, this.fields.target]) f.addEventListener('change', () => void this.readColumns());
    const pick = button('pick-file', t('Pick a tensor file…'));
    pick.addEventListener('click', () => void this.pickFile());
    this.fileInfo = h('span', { class: 'muted', 'data-testid': 'file-info' });
    this.generateRow = h('div', { class: 'row wrap' },
      labelled(t('scale of x1 (std)'), this.fields.scale1), labelled(t('scale of x2 (std)'), this.fields.scale2),
      h('div', { class: 'field' }, h('label', { for: 'rho' }, t('correlation ρ')), h('div', { class: 'slider' }, this.rho, this.rhoValue)),
      labelled(t('samples'), this.fields.n), labelled(t('seed'), this.fields.seed));
    this.fileRow = h('div', { class: 'row wrap' }, pick, labelled(t('x1 column'), this.fields.x1), labelled(t('x2 column'), this.fields.x2),
      labelled(t('target column'), this.fields.target, t('empty: synthetic y from the two columns')), this.fileInfo);
    const data = h('section', { class: 'controls', 'aria-label': t('Data') },
      h('div', { class: 'row wrap' }, labelled(t('data'), this.source), labelled(t('model'), this.fields.model), labelled(t('noise'), this.fields.noise)),
      this.generateRow, this.fileRow);

    // Which transform, and the descent.
    this.viewButtons = new Map(FEATURE_TRANSFORMS.map((tr) => {
      const b = h('button', { class: 'seg', type: 'button', 'data-testid': `view-${tr}`, 'aria-pressed': String(s.view === tr) }, t(TITLES[tr]));
      b.addEventListener('click', () => this.setView(tr));
      return [tr, b];
    }));
    this.sideBySide = checkbox('side-by-side', t('side by side'), s.sideBySide);
    this.sideBySide.addEventListener('change', () => {
      this.state.sideBySide = this.sideBySide.checked;
      this.persist();
      this.layout();
      this.drawAll();
    });
    this.equalAxes = checkbox('equal-axes', t('equal axes'), s.equalAxes);
    this.equalAxes.addEventListener('change', () => {
      this.state.equalAxes = this.equalAxes.checked;
      this.persist();
      this.pictures.clear();
      this.drawAll();
    });
    this.lrMode = select('lr-mode', [{ value: 'relative', label: t('a fraction of each view\'s 2/λmax') }, { value: 'absolute', label: t('the same in every view') }], s.lrMode);
    this.lrMode.addEventListener('change', () => {
      this.state.lrMode = this.lrMode.value === 'absolute' ? 'absolute' : 'relative';
      this.syncLrSlider();
      this.onDescent();
    });
    this.lr = slider('lr', 0, 1, 0.001, 0);
    this.lrValue = h('output', { 'data-testid': 'lr-value' });
    this.lr.addEventListener('input', () => {
      if (this.state.lrMode === 'relative') this.state.lrFraction = Number(this.lr.value);
      else this.state.lrAbsolute = lrFromSlider(Number(this.lr.value));
      this.onDescent();
    });
    this.momentum = slider('momentum', 0, MAX_MOMENTUM, 0.01, s.momentum);
    this.momentumValue = h('output', { 'data-testid': 'momentum-value' });
    this.momentum.addEventListener('input', () => {
      this.state.momentum = Number(this.momentum.value);
      this.onDescent();
    });
    this.start = { w1: textfield('start-w1', String(s.start[0])), w2: textfield('start-w2', String(s.start[1])) };
    for (const f of [this.start.w1, this.start.w2]) f.addEventListener('change', () => this.onStartFields());
    this.playButton = button('play', t('Play'));
    const step = button('step', t('Step'), true);
    const all = button('show-all', t('All at once'), true);
    const restart = button('restart', t('Restart'), true);
    this.playButton.addEventListener('click', () => this.togglePlay());
    step.addEventListener('click', () => this.stepOnce());
    all.addEventListener('click', () => this.showAll());
    restart.addEventListener('click', () => this.restart());
    this.stepInfo = h('span', { class: 'muted', 'data-testid': 'step-info', 'aria-live': 'polite' });
    const descent = h('section', { class: 'controls', 'aria-label': t('Gradient descent') },
      h('div', { class: 'row wrap' }, h('div', { class: 'segmented', role: 'group', 'aria-label': t('features') }, ...this.viewButtons.values()), this.sideBySide, this.equalAxes,
        labelled(t('start w1'), this.start.w1), labelled(t('start w2'), this.start.w2)),
      h('div', { class: 'row wrap' },
        labelled(t('learning rate set as'), this.lrMode),
        h('div', { class: 'field' }, h('label', { for: 'lr' }, t('learning rate')), h('div', { class: 'slider' }, this.lr, this.lrValue)),
        h('div', { class: 'field' }, h('label', { for: 'momentum' }, t('momentum')), h('div', { class: 'slider' }, this.momentum, this.momentumValue))),
      h('div', { class: 'row wrap' }, this.playButton, step, all, restart, this.stepInfo));

    // Pictures and numbers.
    this.plots = new Map();
    this.plotCards = new Map();
    for (const tr of FEATURE_TRANSFORMS) {
      const plot = new LossPlot(tr, t(TITLES[tr]), (w) => this.setStart(w));
      const caption = h('div', { class: 'caption', 'data-testid': `caption-${tr}` });
      const card = h('figure', { class: 'plot-card', 'data-testid': `card-${tr}` }, h('figcaption', {}, h('strong', {}, t(TITLES[tr]))), plot.root, caption);
      this.plots.set(tr, plot);
      this.plotCards.set(tr, { card, caption });
    }
    const legend = h('p', { class: 'muted legend' }, t('Contours of the loss over the weights (w1, w2); ✕ the optimum, ● the start, the orange line gradient descent; dashed: the Hessian\'s principal axes. Click or use the arrow keys on a picture to move the start.'));
    this.table = h('tbody', {});
    const table = h('table', { class: 'data numbers', 'data-testid': 'numbers' },
      h('caption', {}, t('What explains the pictures')),
      h('thead', {}, h('tr', {}, ...['features', 'λmin', 'λmax', 'κ = λmax/λmin', '2/λmax', 'learning rate', 'steps to within 1e-3 of the optimal loss'].map((k) => h('th', { scope: 'col' }, t(k))))),
      this.table);
    const bn = h('p', { class: 'bn-link', 'data-testid': 'bn-link' }, t('BN applies the same standardization to every layer\'s inputs, per channel, with batch statistics.'));
    const intro = h('p', { class: 'intro' }, t('When two features have very different scales, the loss over the weights is a long narrow valley: one learning rate cannot suit both directions, and gradient descent zig-zags or crawls. Standardizing each feature makes the contours nearly round; a correlation ρ still tilts them, κ = (1+|ρ|)/(1−|ρ|), and whitening removes that too.'));

    this.root.replaceChildren(
      h('header', { class: 'toolbar' }, h('h1', {}, t('Why normalize? Feature scaling'))), intro,
      data, descent, this.status.el,
      h('div', { class: 'plots', 'data-testid': 'plots' }, ...[...this.plotCards.values()].map((c) => c.card)),
      legend, h('div', { class: 'scroll-x' }, table), bn);
    this.root.removeAttribute('aria-busy');
    onThemeChange(() => this.drawAll());
    this.syncLrSlider();
    this.syncLabels();
    this.layout();
  }

  // ---------- reacting to the controls ----------

  private persist(): void {
    setState(this.state);
  }

  private onSource(): void {
    const file = this.source.value === 'file';
    if (file && !this.state.file) {
      void this.pickFile();
      return;
    }
    this.state.source = file ? 'file' : 'generate';
    this.persist();
    this.layout();
    this.rebuild();
  }

  /** Reads the data fields; a field that is not valid yet says so and leaves the pictures as they are. */
  private onData(): void {
    const t = this.t;
    const f = this.fields;
    const spec = {
      model: (f.model.value || this.state.spec.model) as ScalingModel,
      n: Number(f.n.value), seed: Number(f.seed.value), scale1: Number(f.scale1.value), scale2: Number(f.scale2.value),
      rho: Number(this.rho.value), noise: Number(f.noise.value),
    };
    this.syncLabels();
    const L = SCALING_LIMITS;
    const problems = [
      !(Number.isInteger(spec.n) && spec.n >= L.minSamples && spec.n <= L.maxSamples) && t('samples: expected an integer from {0} to {1}, found \'{2}\'', L.minSamples, L.maxSamples, f.n.value),
      !(Number.isInteger(spec.seed) && spec.seed >= 0 && spec.seed <= 0xffffffff) && t('seed: expected a non-negative integer, found \'{0}\'', f.seed.value),
      !(spec.scale1 >= L.minScale && spec.scale1 <= L.maxScale) && t('scale of x1: expected a number from {0} to {1}, found \'{2}\'', L.minScale, L.maxScale, f.scale1.value),
      !(spec.scale2 >= L.minScale && spec.scale2 <= L.maxScale) && t('scale of x2: expected a number from {0} to {1}, found \'{2}\'', L.minScale, L.maxScale, f.scale2.value),
      !(spec.noise >= 0 && spec.noise <= L.maxNoise && f.noise.value.trim() !== '') && t('noise: expected a number from 0 to {0}, found \'{1}\'', L.maxNoise, f.noise.value),
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length) {
      this.status.show(problems.join('\n'), true);
      return;
    }
    this.state.spec = spec;
    this.persist();
    this.rebuildSoon();
  }

  private onDescent(): void {
    this.syncLabels();
    this.persist();
    this.rebuildSoon();
  }

  private onStartFields(): void {
    const w: Vec2 = [Number(this.start.w1.value), Number(this.start.w2.value)];
    if (!w.every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_START) || this.start.w1.value.trim() === '' || this.start.w2.value.trim() === '') {
      this.status.show(this.t('start: expected two numbers of magnitude up to {0}, found \'{1}\', \'{2}\'', MAX_START, this.start.w1.value, this.start.w2.value), true);
      return;
    }
    this.setStart(w);
  }

  private setStart(w: Vec2): void {
    this.state.start = w;
    this.start.w1.value = String(w[0]);
    this.start.w2.value = String(w[1]);
    this.persist();
    this.rebuild();
  }

  private setView(tr: FeatureTransform): void {
    this.state.view = tr;
    if (this.state.sideBySide) {
      // Choosing one transform shows it alone; "side by side" brings the others back.
      this.state.sideBySide = false;
      this.sideBySide.checked = false;
    }
    this.persist();
    this.layout();
    this.drawAll();
  }

  private syncLrSlider(): void {
    const rel = this.state.lrMode === 'relative';
    this.lr.min = rel ? String(LR_FRACTION_RANGE[0]) : '0';
    this.lr.max = rel ? String(LR_FRACTION_RANGE[1]) : '1000';
    this.lr.step = rel ? '0.01' : '1';
    this.lr.value = String(rel ? this.state.lrFraction : sliderFromLr(this.state.lrAbsolute));
    this.syncLabels();
  }

  private syncLabels(): void {
    const s = this.state;
    this.rhoValue.textContent = Number(this.rho.value).toFixed(2);
    this.lrValue.textContent = s.lrMode === 'relative' ? `${s.lrFraction.toFixed(2)} × 2/λmax` : fmt(s.lrAbsolute);
    this.lr.setAttribute('aria-valuetext', this.lrValue.textContent);
    this.momentumValue.textContent = s.momentum.toFixed(2);
  }

  /** Shows the file or the generator fields, and the chosen pictures. */
  private layout(): void {
    const s = this.state;
    this.source.value = s.source;
    this.fileRow.hidden = s.source !== 'file';
    this.generateRow.hidden = s.source === 'file';
    this.fileInfo.textContent = s.file ? this.t('{0}: {1} of {2} rows, {3} columns', s.file.name, s.file.rows, s.file.totalRows, s.file.cols) : '';
    for (const [tr, b] of this.viewButtons) b.setAttribute('aria-pressed', String(!s.sideBySide && s.view === tr));
    for (const [tr, c] of this.plotCards) c.card.hidden = !s.sideBySide && s.view !== tr;
  }

  // ---------- the file (through the host) ----------

  private async pickFile(): Promise<void> {
    const table = await this.status.run(() => this.rpc.request('pickFile', {}));
    if (!table) {
      // Dismissed, or failed (shown): the data stays what it was.
      this.source.value = this.state.source;
      return;
    }
    const x2 = table.cols > 1 ? 1 : 0;
    this.fields.x1.value = '0';
    this.fields.x2.value = String(x2);
    this.fields.target.value = '';
    await this.readColumns(table);
  }

  /** Asks the host for the chosen columns of the held tensor (by its token) and makes them the data. */
  private async readColumns(table = this.state.file ? { token: this.state.file.token, name: this.state.file.name, cols: this.state.file.cols } : null): Promise<void> {
    if (!table) return;
    const t = this.t;
    const x1 = Number(this.fields.x1.value);
    const x2 = Number(this.fields.x2.value);
    const targetText = this.fields.target.value.trim();
    const target = targetText === '' ? null : Number(targetText);
    const bad = [x1, x2, ...(target === null ? [] : [target])].find((c) => !(Number.isInteger(c) && c >= 0 && c < table.cols));
    if (bad !== undefined) {
      this.status.show(t('columns: expected integers from 0 to {0}, found \'{1}\'', table.cols - 1, String(bad)), true);
      return;
    }
    await this.status.run(async () => {
      const cols = await this.rpc.request('columns', { token: table.token, x1, x2, target });
      this.state.file = { name: table.name, token: table.token, cols: table.cols, columns: [x1, x2], targetColumn: target, ...cols };
      this.state.source = 'file';
      this.persist();
      this.layout();
      this.rebuild();
    });
  }

  // ---------- computing ----------

  /** Recomputes every view from the state, then runs their descents (in slices, so the page stays responsive). */
  private rebuild(): void {
    const gen = ++this.generation;
    this.pictures.clear();
    const views = this.status.check(() => buildViews(this.state, baseData(this.state)));
    this.views = views ?? [];
    if (views) {
      const errors = views.filter((v) => !isView(v)).map((v) => `${this.t(TITLES[v.transform])}: ${(v as { error: string }).error}`);
      this.status.show(errors.join('\n'), errors.length > 0);
    }
    this.drawAll();
    void this.runDescents(gen);
  }

  private async runDescents(gen: number): Promise<void> {
    for (const v of this.views) {
      if (!isView(v)) continue;
      const budget = v.data.model === 'linear' ? Infinity : Math.max(50, Math.floor(WORK_PER_SLICE / v.data.x1.length));
      while (!v.descent.advance(budget)) {
        this.stepInfo.textContent = this.t('computing the descent: {0} steps…', v.descent.steps.toLocaleString());
        await new Promise((r) => setTimeout(r, 0));
        if (gen !== this.generation) return;
      }
    }
    if (gen !== this.generation) return;
    this.drawAll();
  }

  private paths(): Map<FeatureTransform, Float64Array> {
    const out = new Map<FeatureTransform, Float64Array>();
    for (const v of this.views) if (isView(v)) out.set(v.transform, v.descent.advance(0)?.points ?? v.descent.pointsSoFar);
    return out;
  }

  /** Steps of the longest finished path (what Play runs through). */
  private maxSteps(): number {
    return Math.max(0, ...this.views.filter(isView).map((v) => v.descent.steps));
  }

  private drawAll(): void {
    this.renderTable();
    const paths = this.paths();
    for (const v of this.views) {
      const card = this.plotCards.get(v.transform)!;
      if (!isView(v)) {
        card.caption.textContent = v.error;
        continue;
      }
      card.caption.textContent = this.outcomeText(v);
      if (card.card.hidden) continue;
      let picture = this.pictures.get(v.transform);
      if (!picture) {
        picture = contourPicture(v, this.state);
        this.pictures.set(v.transform, picture);
      }
      const a = v.analysis;
      const label = this.t('{0}: loss contours, κ = {1}; {2}', this.t(TITLES[v.transform]), fmt(a.kappa), this.outcomeText(v));
      this.plots.get(v.transform)!.draw(v, picture, paths.get(v.transform) ?? null, this.shown, label);
    }
    const total = this.maxSteps();
    this.stepInfo.textContent = this.t('step {0} of {1}', Math.min(this.shown, total).toLocaleString(), total.toLocaleString());
  }

  private outcomeText(v: ScalingView): string {
    const p = v.descent.advance(0);
    const t = this.t;
    if (!p) return t('computing the descent: {0} steps…', v.descent.steps.toLocaleString());
    if (p.outcome === 'converged') return p.steps === 1 ? t('converges in 1 step') : t('converges in {0} steps', p.steps!.toLocaleString());
    if (p.outcome === 'diverged') return t('diverges (learning rate above the stable range)');
    return t('not within {0} steps', (p.losses.length - 1).toLocaleString());
  }

  private renderTable(): void {
    const t = this.t;
    const rows = this.views.map((v) => {
      const shown = this.state.sideBySide || this.state.view === v.transform;
      const head = h('th', { scope: 'row' }, t(TITLES[v.transform]));
      if (!isView(v)) return h('tr', { 'data-testid': `row-${v.transform}` }, head, h('td', { colspan: 6, class: 'error-cell' }, v.error));
      const a = v.analysis;
      const p = v.descent.advance(0);
      const steps = !p ? '…' : p.outcome === 'converged' ? p.steps!.toLocaleString() : p.outcome === 'diverged' ? t('diverges') : t('> {0}', (p.losses.length - 1).toLocaleString());
      const cell = (id: string, value: number, text = fmt(value)) => h('td', { 'data-testid': `${id}-${v.transform}`, 'data-value': String(value) }, text);
      return h('tr', { 'data-testid': `row-${v.transform}`, class: shown ? 'shown' : '' }, head,
        cell('lambda-min', a.eigen.values[0]), cell('lambda-max', a.eigen.values[1]), cell('kappa', a.kappa), cell('max-lr', a.maxStableLr), cell('lr', v.lr),
        h('td', { 'data-testid': `steps-${v.transform}`, 'data-value': p?.outcome === 'converged' ? String(p.steps) : p?.outcome ?? 'running' }, steps));
    });
    this.table.replaceChildren(...rows);
  }

  // ---------- animation ----------

  private togglePlay(): void {
    if (this.playing) return this.pause();
    if (this.shown >= this.maxSteps()) this.shown = 0;
    this.playing = true;
    this.playButton.textContent = this.t('Pause');
    const tick = () => {
      if (!this.playing) return;
      // Slow at first, then faster: the first steps show the zig-zag, thousands of crawling steps still end.
      this.shown = Math.min(this.maxSteps(), this.shown + Math.max(1, Math.floor(this.shown * 0.06)));
      this.drawAll();
      if (this.shown >= this.maxSteps()) this.pause();
      else this.timer = setTimeout(tick, 70);
    };
    tick();
  }

  private pause(): void {
    this.playing = false;
    clearTimeout(this.timer);
    this.playButton.textContent = this.t('Play');
  }

  private stepOnce(): void {
    this.pause();
    this.shown = this.shown >= this.maxSteps() ? 1 : this.shown + 1;
    this.drawAll();
  }

  private showAll(): void {
    this.pause();
    this.shown = Infinity;
    this.drawAll();
  }

  private restart(): void {
    this.pause();
    this.shown = 0;
    this.drawAll();
  }
}

function slider(id: string, min: number, max: number, step: number, value: number): HTMLInputElement {
  return h('input', { type: 'range', id, 'data-testid': id, min, max, step, value });
}
