// The input: a generated tensor (shape, distribution, seed, per-channel scale and shift), a pasted one (JSON, NumPy
// repr or CSV; Ctrl+Enter uses it) or one from a file, in three tabs; plus the header's description of the input in
// use and the notice that says why it is not the one of the last session.
import { DISTRIBUTIONS, type GenerateSpec } from '../../kernels/generate';
import type { Layout } from '../../kernels/types';
import type { InputInfo, InputSource } from '../../protocol/playground';
import { h } from '../common/dom';
import type { Translate } from '../common/l10n';
import { button, labelled, select, textfield, type Field } from '../common/widgets';
import { readGenerateSpec } from './form';
import { DEFAULT_SPEC } from './state';

export interface InputActions {
  generate(): void;
  paste(): void;
  pickFile(): void;
}

const KINDS: readonly InputSource['kind'][] = ['generate', 'paste', 'file'];

export class InputPanel {
  /** The three tabs. */
  readonly root: HTMLElement;
  /** "name · [shape] · format" of the input in use (for the header). */
  readonly info = h('span', { class: 'input-info', 'data-testid': 'input-info' });
  /** Why the input is not the one of the last session (a file tensor that could not be read again). */
  readonly notice = h('div', { class: 'error', 'data-testid': 'input-notice', role: 'alert' });
  private readonly gen: { shape: Field; dist: Field; seed: Field; scale: Field; shift: Field };
  private readonly pasteInput: Field;
  private readonly pasteError = h('div', { class: 'error', 'data-testid': 'paste-error', role: 'alert' });
  private readonly pasteShape = h('div', { class: 'muted', 'data-testid': 'paste-shape' });

  constructor(private readonly t: Translate, source: InputSource | null, actions: InputActions) {
    const spec = source?.kind === 'generate' ? source.spec : DEFAULT_SPEC;
    this.gen = {
      shape: textfield('gen-shape', spec.shape.join(', ')),
      dist: select('gen-dist', DISTRIBUTIONS.map((d) => ({ value: d, label: t(d === 'offset' ? 'large offset (1e4 ± 0.01)' : d) })), spec.distribution),
      seed: textfield('gen-seed', String(spec.seed), { type: 'number', min: '0' }),
      scale: textfield('gen-scale', spec.channelScale.join(', ')),
      shift: textfield('gen-shift', spec.channelShift.join(', ')),
    };
    const generate = button('generate', t('Generate'));
    generate.addEventListener('click', () => actions.generate());
    const genPanel = h('div', { class: 'row wrap' },
      labelled(t('shape (N, C, H, W)'), this.gen.shape), labelled(t('distribution'), this.gen.dist), labelled(t('seed'), this.gen.seed),
      labelled(t('per-channel scale'), this.gen.scale), labelled(t('per-channel shift'), this.gen.shift), generate);

    this.pasteInput = h('vscode-textarea', { 'data-testid': 'paste-input', rows: 6, placeholder: t('Paste JSON [[...]], NumPy array([...], dtype=float32) or CSV rows'), 'aria-label': t('Paste a tensor') }) as unknown as Field;
    if (source?.kind === 'paste') this.pasteInput.value = source.text;
    const usePaste = button('paste-apply', t('Use pasted tensor'));
    usePaste.addEventListener('click', () => actions.paste());
    this.pasteInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) actions.paste();
    });
    const pastePanel = h('div', { class: 'col' }, this.pasteInput, h('div', { class: 'row' }, usePaste, this.pasteShape), this.pasteError);

    const pick = button('pick-file', t('Pick a tensor file…'));
    pick.addEventListener('click', () => actions.pickFile());
    const filePanel = h('div', { class: 'row' }, pick, h('span', { class: 'muted' }, t('.npy, .npz, .safetensors, .pt: one tensor is loaded (or use "Send to Playground" from the tensor viewer).')));

    this.root = h('vscode-tabs', { 'data-testid': 'input-tabs', 'selected-index': KINDS.indexOf(source?.kind ?? 'generate') },
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'input-tab-generate' }, t('Generate')), h('vscode-tab-panel', {}, genPanel),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'input-tab-paste' }, t('Paste')), h('vscode-tab-panel', {}, pastePanel),
      h('vscode-tab-header', { slot: 'header', 'data-testid': 'input-tab-file' }, t('From a file')), h('vscode-tab-panel', {}, filePanel));
  }

  /** The generator's fields as a spec for `layout`; throws a ValidationError naming the first invalid field. */
  generateSpec(layout: Layout): GenerateSpec {
    const g = this.gen;
    return readGenerateSpec(
      { shape: g.shape.value, layout, distribution: g.dist.value, seed: g.seed.value, channelScale: g.scale.value, channelShift: g.shift.value },
      { channelScale: this.t('per-channel scale'), channelShift: this.t('per-channel shift') },
    );
  }

  /** The pasted text, with the last paste's error and shape cleared. */
  takePaste(): string {
    this.pasteError.textContent = '';
    this.pasteShape.textContent = '';
    return this.pasteInput.value;
  }

  /** A paste's error, under the text it points into. */
  pasteFailed(message: string): void {
    this.pasteError.textContent = message;
  }

  pasteUsed(info: InputInfo): void {
    this.pasteShape.textContent = this.t('shape [{0}] ({1})', info.shape.join(', '), info.format ?? '');
  }

  /** The input in use, in the header (its shape also as data-shape). */
  showInput(info: InputInfo): void {
    this.info.textContent = `${info.name} · [${info.shape.join(', ')}]${info.format ? ` · ${info.format}` : ''}`;
    this.info.dataset.shape = info.shape.join(',');
  }

  setNotice(text: string): void {
    this.notice.textContent = text;
  }
}
