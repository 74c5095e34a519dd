// The playground's persisted state: controls, the view, the input's source and the open tab.
import type { GenerateSpec } from '../../kernels/generate';
import type { Controls, PersistedState } from '../../protocol/playground';
import { ValidationError } from '../../protocol/rpc';

export const DEFAULT_SPEC: GenerateSpec = {
  shape: [32, 8, 8, 8], layout: 'NCHW', distribution: 'normal', seed: 0, channelScale: [1, 2, 5, 10], channelShift: [0, 3, -2, 8],
};

export function defaultControls(eps: number): Controls {
  return { method: 'group', groups: 4, eps, momentum: 0.1, affine: false, gamma: [1], beta: [0], layout: 'NCHW', training: true };
}

export function defaultState(eps: number): PersistedState {
  return { controls: defaultControls(eps), view: { sliceN: 0, sliceC: 0 }, source: { kind: 'generate', spec: DEFAULT_SPEC }, tab: 'inspect' };
}

/** Pastes larger than this are not kept in the webview state (a reload then falls back to the generator). */
export const MAX_PERSISTED_PASTE = 1 << 20;

/** Divisors of C, the only valid group counts. */
export function divisors(C: number): number[] {
  const out: number[] = [];
  for (let g = 1; g <= C; g++) if (C % g === 0) out.push(g);
  return out;
}

/** "1, 2.5, -3" -> [1, 2.5, -3]; throws with the position of the first bad entry. */
export function parseNumberList(text: string, what: string): number[] {
  const t = text.trim();
  if (t === '') return [];
  return t.split(/[,\s]+/).filter(Boolean).map((s, i) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new ValidationError(`${what}: expected a number at position ${i + 1}, found '${s}'`);
    return v;
  });
}

/** A number typed into a field, or the text itself when it is not one (so that an error can show what was typed). */
export function numberOrText(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** "32, 8, 8, 8" or "32x8x8x8" -> [32, 8, 8, 8]. */
export function parseShape(text: string): number[] {
  const parts = text.trim().replace(/^[([]|[)\]]$/g, '').split(/[,x×\s]+/).filter(Boolean);
  if (parts.length < 1 || parts.length > 5) throw new ValidationError(`shape: expected 1 to 5 dims, found ${parts.length}`);
  return parts.map((s, i) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 1) throw new ValidationError(`shape: expected a positive integer at dim ${i}, found '${s}'`);
    return v;
  });
}
