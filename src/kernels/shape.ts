// Shapes and layouts: logical (N, C, *spatial) vs stored (channels-first or channels-last).
import type { Layout } from './types';

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Stored shape of a logical (N, C, ...) shape: NHWC moves C last. */
export function storedShapeOf(logical: readonly number[], layout: Layout): number[] {
  if (layout === 'NCHW' || logical.length < 3) return [...logical];
  return [logical[0], ...logical.slice(2), logical[1]];
}

/** Logical (N, C, ...) shape of a stored shape. */
export function logicalShapeOf(stored: readonly number[], layout: Layout): number[] {
  if (layout === 'NCHW' || stored.length < 3) return [...stored];
  return [stored[0], stored[stored.length - 1], ...stored.slice(1, -1)];
}

/** Copy a tensor between layouts. data is in `from` layout with the given logical shape. */
export function convertLayout<T extends Float32Array | Float64Array>(data: T, logical: readonly number[], from: Layout, to: Layout): T {
  const out = new (data.constructor as { new (n: number): T })(data.length);
  if (from === to || logical.length < 3) {
    out.set(data);
    return out;
  }
  const [N, C] = logical;
  const S = numel(logical.slice(2));
  for (let n = 0; n < N; n++) {
    const base = n * C * S;
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < S; s++) {
        const nchw = base + c * S + s;
        const nhwc = base + s * C + c;
        if (from === 'NCHW') out[nhwc] = data[nchw];
        else out[nchw] = data[nhwc];
      }
    }
  }
  return out;
}
