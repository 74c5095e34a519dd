// A webview's status line, and the one way a request's outcome reaches it: `run` shows what is being done, awaits
// the work and shows a failure in its user wording (userMessage); a request that a newer one overtook (cancelled)
// says nothing. `check` does the same for a synchronous read of the controls. No DOM access of its own: it writes to
// the element (or any object with the same three properties) it is given, so the tests drive it in plain Node.
import { isCancelled, userMessage } from '../../protocol/rpc';

/** The parts of the status element that are written: its text, `data-state` and the `error` class. */
export interface StatusTarget {
  textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  readonly classList: { toggle(token: string, force?: boolean): boolean };
}

export interface RunOptions {
  /** Shown while the work runs (e.g. "Computing…"). */
  busy?: string;
  /** Takes the failure instead of the status line (e.g. a paste error shown under the text it points into). */
  onError?: (e: unknown) => void | Promise<void>;
}

export class StatusLine<E extends StatusTarget = StatusTarget> {
  constructor(readonly el: E) {}

  /** Shows `text`: `data-state` is "error" or "ok". */
  show(text: string, error = false): void {
    this.el.textContent = text;
    this.el.classList.toggle('error', error);
    this.el.dataset.state = error ? 'error' : 'ok';
  }

  /** A failure in its user wording; a cancelled request was overtaken by a newer one: nothing to say. */
  error(e: unknown): void {
    if (!isCancelled(e)) this.show(userMessage(e), true);
  }

  /** Runs `work`; resolves to its result, or to undefined once its failure has been shown (or handed to onError). */
  async run<T>(work: () => Promise<T>, opts: RunOptions = {}): Promise<T | undefined> {
    if (opts.busy !== undefined) this.show(opts.busy);
    try {
      return await work();
    } catch (e) {
      if (opts.onError) await opts.onError(e);
      else this.error(e);
      return undefined;
    }
  }

  /** `read()`, or undefined once its error (e.g. a ValidationError naming a field) has been shown. */
  check<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (e) {
      this.error(e);
      return undefined;
    }
  }
}
