// Small builders over @vscode-elements components, each with a label and a stable data-testid.
import { h } from './dom';

export type Field = HTMLElement & { value: string };

export function labelled(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = `f-${control.dataset.testid ?? Math.random().toString(36).slice(2)}`;
  control.id = id;
  return h('div', { class: 'field' }, h('vscode-label', { for: id }, label), control, hint ? h('span', { class: 'hint' }, hint) : null);
}

export function textfield(testId: string, value: string, attrs: Record<string, string> = {}): Field {
  const el = h('vscode-textfield', { 'data-testid': testId, value, ...attrs }) as unknown as Field;
  return el;
}

export function select(testId: string, options: { value: string; label: string }[], value: string): Field {
  const el = h('vscode-single-select', { 'data-testid': testId }) as unknown as Field;
  setOptions(el, options, value);
  return el;
}

/** Replaces the options; the value is set once the component has seen its new children. */
export function setOptions(el: Field, options: { value: string; label: string }[], value: string): void {
  el.replaceChildren(...options.map((o) => h('vscode-option', { value: o.value, selected: o.value === value, 'data-value': o.value }, o.label)));
  queueMicrotask(() => { el.value = value; });
  setTimeout(() => { if (el.value !== value) el.value = value; }, 0);
}

export function checkbox(testId: string, label: string, checked: boolean): HTMLElement & { checked: boolean } {
  return h('vscode-checkbox', { 'data-testid': testId, label, checked }) as unknown as HTMLElement & { checked: boolean };
}

export function button(testId: string, label: string, secondary = false): HTMLElement {
  return h('vscode-button', { 'data-testid': testId, secondary }, label);
}

export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
