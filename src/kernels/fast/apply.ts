// y = x·scale + shift with the SIMD kernels, over "apply rows" (the only rows of the fast path):
//   NCHW with S > 1: rows (n, c) of S floats, one scalar scale/shift each;
//   otherwise (channels-last, or S = 1): rows = positions (n, s) of C floats with per-channel float64 vectors (applyVec).
// scale/shift have length N·C (per (n, c)) or C (BatchNorm: the same for every sample).
import type { NormPlan } from '../plan';
import { Regions, type Kernels } from './wasm';

export const scalarRows = (plan: NormPlan): boolean => plan.layout === 'NCHW' && plan.S > 1;

/** Number of apply rows, and floats per row. */
export function applyRows(plan: NormPlan): { rows: number; len: number } {
  return scalarRows(plan) ? { rows: plan.N * plan.C, len: plan.S } : { rows: plan.N * plan.S, len: plan.C };
}

const CHUNK = 1 << 15;

export function applyFast(
  K: Kernels, plan: NormPlan, x: Float32Array, y: Float32Array,
  scale: Float64Array, shift: Float64Array, row0: number, row1: number,
): void {
  const { len } = applyRows(plan);
  const regions = new Regions();
  const vec = !scalarRows(plan);
  const scp = vec ? regions.take(len, 8) : 0;
  const shp = vec ? regions.take(len, 8) : 0;
  const capRows = Math.max(1, Math.floor(CHUNK / len));
  const scratch = regions.takeChunk(Math.min(capRows * len, Math.max(len, CHUNK)));
  K.ensure(regions.bytes);
  const f32 = K.f32;

  if (!vec) {
    if (len > CHUNK) {
      // Rows longer than a chunk (large images): piece by piece.
      for (let r = row0; r < row1; r++) {
        const sc = scale[r % scale.length];
        const sh = shift[r % shift.length];
        for (let a = 0; a < len; a += CHUNK) {
          const n = Math.min(CHUNK, len - a);
          const at = r * len + a;
          f32.set(x.subarray(at, at + n), scratch >> 2);
          K.k.apply(scratch, scratch, n, sc, sh);
          y.set(f32.subarray(scratch >> 2, (scratch >> 2) + n), at);
        }
      }
      return;
    }
    for (let r = row0; r < row1; r += capRows) {
      const r1 = Math.min(row1, r + capRows);
      f32.set(x.subarray(r * len, r1 * len), scratch >> 2);
      for (let q = r; q < r1; q++) {
        const p = scratch + (q - r) * len * 4;
        K.k.apply(p, p, len, scale[q % scale.length], shift[q % shift.length]);
      }
      y.set(f32.subarray(scratch >> 2, (scratch >> 2) + (r1 - r) * len), r * len);
    }
    return;
  }

  // Vector rows: per-channel parameters of sample n start at (n·C) mod length (0 for BatchNorm).
  const { C, S } = plan;
  let loaded = -1;
  for (let r = row0; r < row1;) {
    const n = Math.floor(r / S);
    const base = (n * C) % scale.length;
    if (base !== loaded) {
      K.f64.set(scale.subarray(base, base + C), scp >> 3);
      K.f64.set(shift.subarray(base, base + C), shp >> 3);
      loaded = base;
    }
    const end = scale.length === C ? row1 : Math.min(row1, (n + 1) * S);
    const rows = Math.min(capRows, end - r);
    f32.set(x.subarray(r * len, (r + rows) * len), scratch >> 2);
    K.k.applyVec(scratch, scratch, rows, len, scp, shp);
    y.set(f32.subarray(scratch >> 2, (scratch >> 2) + rows * len), r * len);
    r += rows;
  }
}
