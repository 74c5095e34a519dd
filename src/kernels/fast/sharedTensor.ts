// Tensors that live in a shared WebAssembly memory, so that worker threads run the SIMD kernels on x and write y
// in place: no chunk copies (strategy 'shared', see strategy.ts).
//
// One memory holds [x at 4096][y][header: w, b as float32, per-set mean/var]; y starts OFF_PAGE past a page boundary
// (see wasm.ts) so that the kernels' load (x) and store (y) streams never 4K-alias.
import type { NormPlan } from '../plan';
import type { FloatArray } from '../types';
import { offPage, putWeightBias, Regions } from './wasm';

export interface SharedSlot {
  memory: WebAssembly.Memory;
  /** View of x (numel floats at byte offset xp). */
  x: Float32Array;
  xp: number;
  yp: number;
  numel: number;
  /** A normalization is using the y slot and header. */
  busy: boolean;
}

const PAGE = 65536;
/** wasm32 addresses 4 GB; keep x, y and the header under it. */
const MAX_BYTES = 4 * 1024 ** 3 - 16 * PAGE;
const slots = new WeakMap<ArrayBufferLike, SharedSlot>();

export const fitsShared = (numel: number): boolean => 4096 + numel * 8 + 8192 + 2 * PAGE < MAX_BYTES;

/**
 * A Float32Array of numel values in shared wasm memory with room for its normalized output. Fill it (e.g. read a
 * tensor into it) and pass it to parallelNormalize to skip every copy. The result's y is a view of the same memory:
 * the next normalization of this input overwrites it (use y.slice() to keep one).
 */
export function allocSharedTensor(numel: number): Float32Array {
  if (!fitsShared(numel)) throw new RangeError(`${numel} values do not fit a 4 GB WebAssembly memory twice`);
  const xp = 4096;
  const yp = offPage(xp + numel * 4);
  const pages = Math.ceil((yp + numel * 4 + PAGE) / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });
  const x = new Float32Array(memory.buffer, xp, numel);
  slots.set(memory.buffer, { memory, x, xp, yp, numel, busy: false });
  return x;
}

export function sharedSlotOf(x: Float32Array): SharedSlot | undefined {
  const slot = slots.get(x.buffer);
  return slot && slot.x.byteOffset === x.byteOffset && slot.numel === x.length ? slot : undefined;
}

export interface SharedHeader {
  wp: number;
  bp: number;
  statp: number;
}

/** Places the plan's header after y (growing the memory if needed) and writes w and b (ones/zeros when absent). */
export function writeHeader(slot: SharedSlot, plan: NormPlan, w: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): SharedHeader {
  const regions = new Regions(slot.yp + slot.numel * 4);
  const wp = regions.take(plan.C, 4);
  const bp = regions.take(plan.C, 4);
  const statp = regions.take(2 * plan.numSets, 8);
  const have = slot.memory.buffer.byteLength;
  if (regions.bytes > have) slot.memory.grow(Math.ceil((regions.bytes - have) / PAGE));
  putWeightBias(new Float32Array(slot.memory.buffer), wp, bp, plan.C, w, b);
  return { wp, bp, statp };
}

/** x as float32 in a SharedArrayBuffer, to hand to workers without a copy per worker: x itself when it already is. */
export function toShared(x: FloatArray): Float32Array {
  if (x instanceof Float32Array && x.buffer instanceof SharedArrayBuffer) return x;
  const s = new Float32Array(new SharedArrayBuffer(x.length * 4));
  s.set(x);
  return s;
}
