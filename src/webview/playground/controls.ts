// The normalization controls: method, groups G, eps, momentum (or the cumulative average), layout, train/eval mode,
// affine γ and β, and the slice shown. Reading them goes through form.ts (the host's checkers); only the divisors of
// C are offered as G; a control that does not apply to the method is disabled.
import { channelCount } from '../../kernels/inputView';
import type { Layout, Method } from '../../kernels/types';
import type { Controls, ViewRequest } from '../../protocol/playground';
import { h } from '../common/dom';
import type { Translate } from '../common/l10n';
import { checkbox, labelled, select, setOptions, textfield, type Field } from '../common/widgets';
import { divisors, readControls, readView } from './form';

const METHOD_LABELS: Record<Method, string> = { batch: 'BatchNorm (BN)', layer: 'LayerNorm (LN)', instance: 'InstanceNorm (IN)', group: 'GroupNorm (GN)', rms: 'RMSNorm' };

export class ControlsPanel {
  readonly root: HTMLElement;
  private readonly method: Field;
  private readonly groups: Field;
  private readonly eps: Field;
  private readonly momentum: Field;
  private readonly cumulative: HTMLElement & { checked: boolean };
  private readonly affine: HTMLElement & { checked: boolean };
  private readonly gamma: Field;
  private readonly beta: Field;
  private readonly layout: Field;
  private readonly mode: Field;
  private readonly sliceN: Field;
  private readonly sliceC: Field;
  private shape: readonly number[] = [];

  /**
   * `current()` is the last valid controls: a select reads as empty until it has rendered its options, and then
   * stands for its current value. `onChange` is called on every edit.
   */
  constructor(t: Translate, c: Controls, view: ViewRequest, private readonly current: () => Controls, onChange: () => void) {
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
    this.sliceN = textfield('slice-n', String(view.sliceN), { type: 'number', min: '0' });
    this.sliceC = textfield('slice-c', String(view.sliceC), { type: 'number', min: '0' });
    for (const f of [this.method, this.groups, this.layout, this.mode]) f.addEventListener('change', onChange);
    for (const f of [this.eps, this.momentum, this.gamma, this.beta, this.sliceN, this.sliceC]) f.addEventListener('input', onChange);
    for (const f of [this.cumulative, this.affine]) f.addEventListener('change', onChange);
    this.root = h('section', { class: 'controls', 'aria-label': t('Normalization') },
      labelled(t('method'), this.method), labelled(t('groups G'), this.groups), labelled('eps', this.eps),
      labelled(t('momentum'), this.momentum), this.cumulative, labelled(t('layout'), this.layout), labelled(t('mode'), this.mode),
      this.affine, labelled('γ', this.gamma), labelled('β', this.beta),
      labelled(t('slice n'), this.sliceN), labelled(t('slice c'), this.sliceC));
    this.syncEnabled();
  }

  layoutValue(): Layout {
    return (this.layout.value || this.current().layout) === 'NHWC' ? 'NHWC' : 'NCHW';
  }

  /** The input's shape: its channel count (under the chosen layout) decides the G offered. */
  setShape(shape: readonly number[]): void {
    this.shape = shape;
  }

  private channels(): number {
    return channelCount([...this.shape], this.layoutValue());
  }

  /** Offers the divisors of C (G = 1 is LN over (C, H, W), G = C is IN); returns the G now chosen. */
  updateGroups(): number {
    const C = this.channels();
    const current = Number(this.groups.value) || this.current().groups;
    const ds = divisors(C);
    const g = ds.includes(current) ? current : ds.filter((d) => d <= Math.max(1, current)).pop() ?? 1;
    setOptions(this.groups, ds.map((d) => ({ value: String(d), label: d === 1 && C > 1 ? `1 (= LN)` : d === C && C > 1 ? `${d} (= IN)` : String(d) })), String(g));
    return g;
  }

  /** Every control read by the host's checkers; throws a ValidationError naming the first invalid field. */
  read(): Controls {
    const last = this.current();
    return readControls({
      method: this.method.value || last.method,
      groups: this.groupsValue(),
      eps: this.eps.value,
      momentum: this.momentum.value,
      cumulative: this.cumulative.checked,
      affine: this.affine.checked,
      gamma: this.gamma.value,
      beta: this.beta.value,
      layout: this.layoutValue(),
      training: (this.mode.value || (last.training ? 'train' : 'eval')) !== 'eval',
    });
  }

  /** The slice typed in, or null while it is not a valid index. */
  view(): ViewRequest | null {
    return readView(this.sliceN.value, this.sliceC.value);
  }

  /** The select's G, unless it lags behind a new input whose C it does not divide (updateGroups chose another). */
  private groupsValue(): number {
    const g = Number(this.groups.value);
    return g > 0 && this.channels() % g === 0 ? g : this.current().groups;
  }

  /** Disables what does not apply: G outside GN, momentum outside BN, the mode outside BN and IN, β for RMSNorm. */
  syncEnabled(): void {
    // Before the select has rendered its options its value is still empty: fall back to the state.
    const m = this.method.value || this.current().method;
    const toggle = (el: HTMLElement, on: boolean) => el.toggleAttribute('disabled', !on);
    toggle(this.groups, m === 'group');
    toggle(this.momentum, m === 'batch' && !this.cumulative.checked);
    toggle(this.cumulative, m === 'batch');
    toggle(this.mode, m === 'batch' || m === 'instance');
    toggle(this.gamma, this.affine.checked);
    toggle(this.beta, this.affine.checked && m !== 'rms');
  }
}
