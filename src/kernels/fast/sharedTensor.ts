// Tensors that live in a shared WebAssembly memory, so that worker threads run the SIMD kernels on x and write y
// in place: no chunk copies (parallelNormalize's zero-copy path).
//
// Layout of one memory: [x at 4096][y][header: w, b as float32, per-set mean/var]. y starts at 2112 mod 4096 from x
// so that the kernels' load (x) and store (y) streams never 4K-alias.
import type { NormPlan } from '../plan';

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
  const yp = xp + Math.ceil((numel * 4) / 4096) * 4096 + 2112;
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
  const a16 = (v: number) => Math.ceil(v / 16) * 16;
  const wp = a16(slot.yp + slot.numel * 4);
  const bp = a16(wp + plan.C * 4);
  const statp = a16(bp + plan.C * 4);
  const end = statp + plan.numSets * 16;
  const have = slot.memory.buffer.byteLength;
  if (end > have) slot.memory.grow(Math.ceil((end - have) / PAGE));
  const f = new Float32Array(slot.memory.buffer);
  if (w) f.set(w, wp >> 2);
  else f.fill(1, wp >> 2, (wp >> 2) + plan.C);
  if (b) f.set(b, bp >> 2);
  else f.fill(0, bp >> 2, (bp >> 2) + plan.C);
  return { wp, bp, statp };
}
