// The playground's persisted state: controls, the view, the input's source and the open tab.
import type { GenerateSpec } from '../../kernels/generate';
import type { Controls, PersistedState } from '../../protocol/playground';

export const DEFAULT_SPEC: GenerateSpec = {
  shape: [32, 8, 8, 8], layout: 'NCHW', distribution: 'normal', seed: 0, channelScale: [1, 2, 5, 10], channelShift: [0, 3, -2, 8],
};

export function defaultControls(eps: number): Controls {
  return { method: 'group', groups: 4, eps, momentum: 0.1, affine: false, gamma: [1], beta: [0], layout: 'NCHW', training: true };
}

export function defaultState(eps: number): PersistedState {
  return { controls: defaultControls(eps), view: { sliceN: 0, sliceC: 0 }, source: { kind: 'generate', spec: DEFAULT_SPEC }, tab: 'inspect' };
}

/**
 * The state the page starts from: the webview's own (getState, kept while VS Code runs), else the one the host
 * revived after a reload (already validated), else the defaults.
 */
export function initialState(saved: Partial<PersistedState>, restored: PersistedState | null, defaultEps: number): PersistedState {
  const base = defaultState(defaultEps);
  return saved.controls && saved.view ? { ...base, ...saved } as PersistedState : restored ?? base;
}

/** Pastes larger than this are not kept in the webview state (a reload then falls back to the generator). */
export const MAX_PERSISTED_PASTE = 1 << 20;

/** What a reload can restore of an input's source: a paste too large to keep is not kept. */
export function persistableSource<S extends { kind: string; text?: string }>(source: S): S | null {
  return source.kind === 'paste' && (source.text?.length ?? 0) > MAX_PERSISTED_PASTE ? null : source;
}
