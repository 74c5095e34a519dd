// A progress bar and a Cancel button for long requests (the entry registers vscode-progress-bar and vscode-button) (the playground's compute, compare, train steps, export).
// It appears only once a tracked request has run SHOW_AFTER_MS, so quick ones do not flash it; it shows the newest
// long request's label and the fraction the host reports. Cancel aborts every tracked request: RpcClient sends the
// host a cancelRequest, and the request rejects with a CancelledError (latest() resolves to null).
import { h } from './dom';
import type { RequestOptions } from './rpcClient';

/** A request shorter than this shows no progress bar. */
export const SHOW_AFTER_MS = 400;

interface Tracked {
  label: string;
  fraction: number;
  started: number;
  controller: AbortController;
}

export interface RequestProgressOptions {
  /** The Cancel button's text. */
  cancel: string;
  /** `label` and the percentage done, e.g. (label, pct) => `${label} (${pct}%)`. */
  line(label: string, percent: number): string;
  /** Called once a request that Cancel stopped has ended (to say so: it rejects or resolves to null quietly). */
  onCancelled?(): void;
}

export class RequestProgressView {
  readonly el: HTMLElement;
  private readonly bar: HTMLElement & { value: number; max: number };
  private readonly text: HTMLElement;
  private readonly cancelButton: HTMLElement;
  private readonly running = new Set<Tracked>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly strings: RequestProgressOptions) {
    this.bar = h('vscode-progress-bar', { 'data-testid': 'request-progress-bar' }) as unknown as HTMLElement & { value: number; max: number };
    this.bar.max = 100;
    this.text = h('span', { class: 'request-progress-text', 'data-testid': 'request-progress-text' });
    this.cancelButton = h('vscode-button', { 'data-testid': 'request-cancel', secondary: true }, strings.cancel);
    this.cancelButton.addEventListener('click', () => this.cancelAll());
    this.el = h('div', { class: 'request-progress', 'data-testid': 'request-progress', hidden: true }, this.bar, this.text, this.cancelButton);
  }

  /** Runs `start` with a signal (aborted by Cancel) and an onProgress that drives the bar. */
  async track<T>(label: string, start: (opts: RequestOptions) => Promise<T>): Promise<T> {
    const r: Tracked = { label, fraction: 0, started: performance.now(), controller: new AbortController() };
    this.running.add(r);
    this.schedule();
    try {
      return await start({
        signal: r.controller.signal,
        onProgress: (f) => {
          r.fraction = f;
          this.render();
        },
      });
    } finally {
      this.running.delete(r);
      this.render();
      if (r.controller.signal.aborted) this.strings.onCancelled?.();
    }
  }

  /** What Cancel does: stops every tracked request. */
  cancelAll(): void {
    for (const r of this.running) r.controller.abort();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
      if (this.running.size > 0 && this.el.hidden) this.schedule();
    }, SHOW_AFTER_MS);
  }

  private render(): void {
    const now = performance.now();
    let shown: Tracked | undefined;
    for (const r of this.running) if (now - r.started >= SHOW_AFTER_MS && (!shown || r.started > shown.started)) shown = r;
    if (!shown) {
      if (this.el.contains(document.activeElement)) (document.activeElement as HTMLElement).blur();
      this.el.hidden = true;
      if (this.running.size > 0) this.schedule();
      return;
    }
    const pct = Math.round(Math.min(1, Math.max(0, shown.fraction)) * 100);
    this.text.textContent = this.strings.line(shown.label, pct);
    this.bar.value = pct;
    this.bar.ariaLabel = shown.label;
    this.el.hidden = false;
  }
}
