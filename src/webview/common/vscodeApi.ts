// The webview's one handle on VS Code: typed postMessage and state that survives a reload.
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

/** acquireVsCodeApi() may be called only once per webview: every module goes through here. */
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export function post<M extends { type: string }>(message: M): void {
  vscodeApi().postMessage(message);
}

export function getState<S extends object>(): Partial<S> {
  const s = vscodeApi().getState();
  return typeof s === 'object' && s !== null ? (s as Partial<S>) : {};
}

export function setState<S extends object>(patch: Partial<S>): void {
  vscodeApi().setState({ ...getState<S>(), ...patch });
}
