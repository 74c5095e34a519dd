// Loads the SIMD kernels (kernels.wat) once per thread, synchronously, and manages their memory.
//
// NB: the input lives in a JS Float32Array (or a SharedArrayBuffer view) that WebAssembly cannot address, so the
// fast paths copy one cache-sized chunk at a time into this module's memory, work on it there (in place) and copy
// the result out. Main memory still sees one read of x and one write of y per pass; the extra copies hit L1/L2.
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './wasmModule';

export interface KernelExports {
  memory: WebAssembly.Memory;
  stats(p: number, n: number, k: number, out: number): void;
  apply(src: number, dst: number, n: number, sc: number, sh: number): void;
  applyVec(src: number, dst: number, rows: number, len: number, scp: number, shp: number): void;
  applyAffine(src: number, dst: number, n: number, wp: number, bp: number, mean: number, r: number): void;
  statsVec(p: number, rows: number, len: number, kp: number, accp: number): void;
  summary32(p: number, n: number, k: number, out: number): void;
  hist32(p: number, n: number, bins: number, edgesp: number, countsp: number): void;
  fusedSets(p: number, dst: number, nsets: number, cpg: number, S: number, runs: number, stride: number, g: number, groups: number, wp: number, bp: number, eps: number, centered: number, statp: number): void;
}

/** A thread's kernels with typed views over their memory (views are renewed when memory grows). */
export class Kernels {
  f32!: Float32Array;
  f64!: Float64Array;
  constructor(readonly k: KernelExports) {
    this.views();
  }

  /** Makes at least `bytes` of linear memory available. */
  ensure(bytes: number): void {
    const have = this.k.memory.buffer.byteLength;
    if (bytes > have) {
      this.k.memory.grow(Math.ceil((bytes - have) / 65536));
      this.views();
    }
  }

  private views(): void {
    this.f32 = new Float32Array(this.k.memory.buffer);
    this.f64 = new Float64Array(this.k.memory.buffer);
  }
}

/**
 * NB: JS array buffers start page-aligned. A wasm buffer whose address has the same low 12 bits as the array it is
 * copied from or to makes every copy 3-4× slower (4K aliasing between the copy's loads and stores, measured here), and
 * the same holds between a kernel's load (x) and store (y) streams; so chunk buffers and a shared tensor's y start
 * OFF_PAGE bytes past a 4096 boundary.
 */
export const OFF_PAGE = 2112;

/** The first address at or after `byte` that is OFF_PAGE past a 4096 boundary. */
export const offPage = (byte: number): number => Math.ceil(byte / 4096) * 4096 + OFF_PAGE;

/**
 * The byte regions of one operation in a wasm memory, each 16-byte aligned, handed out in order from `start`
 * (default 64: offset 0 holds the 2-f64 output of `stats`).
 */
export class Regions {
  private end: number;
  constructor(start = 64) {
    this.end = Math.ceil(start / 16) * 16;
  }
  /** Reserves `count` elements of `bytesPer` bytes and returns the byte offset. */
  take(count: number, bytesPer: number): number {
    const at = this.end;
    this.end += Math.ceil((count * bytesPer) / 16) * 16;
    return at;
  }
  /** The chunk buffer that x is copied into and y out of (at OFF_PAGE mod 4096, see there). */
  takeChunk(floats: number): number {
    this.end = offPage(this.end);
    return this.take(floats, 4);
  }
  get bytes(): number {
    return this.end;
  }
}

/**
 * Writes a normalization's weight and bias (ones and zeros where absent), C values each, at byte offsets wp and bp of
 * a float32 or float64 view of a wasm memory.
 */
export function putWeightBias(view: Float32Array | Float64Array, wp: number, bp: number, C: number,
  w: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): void {
  const at = (byte: number) => byte / view.BYTES_PER_ELEMENT;
  if (w) view.set(w, at(wp));
  else view.fill(1, at(wp), at(wp) + C);
  if (b) view.set(b, at(bp));
  else view.fill(0, at(bp), at(bp) + C);
}

let cached: Kernels | null | undefined;
let sharedModule: WebAssembly.Module | undefined;

/** A base64 string (the generated wasm modules) as bytes. */
export const decode = (b64: string) => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));

/** The kernels, or null where WebAssembly SIMD is unavailable (callers then use the TypeScript reference). */
export function kernels(): Kernels | null {
  if (cached !== undefined) return cached;
  try {
    // Synchronous compile: the module is ~3 KB, well under every engine's limit for sync compilation.
    const inst = new WebAssembly.Instance(new WebAssembly.Module(decode(KERNELS_WASM_BASE64)), {});
    cached = new Kernels(inst.exports as unknown as KernelExports);
  } catch {
    cached = null;
  }
  return cached;
}

/** Instances per memory object, held weakly: an entry goes when its memory is no longer used elsewhere. */
const sharedInstances = new WeakMap<WebAssembly.Memory, KernelExports>();

/**
 * The kernels over a shared memory: compiled once per thread, instantiated once per memory object (~10 µs). A
 * worker receives a new Memory object with every message, so its instances never outlive the job.
 */
export function sharedKernels(memory: WebAssembly.Memory): KernelExports {
  let k = sharedInstances.get(memory);
  if (!k) {
    sharedModule ??= new WebAssembly.Module(decode(KERNELS_SHARED_WASM_BASE64));
    k = new WebAssembly.Instance(sharedModule, { env: { memory } }).exports as unknown as KernelExports;
    sharedInstances.set(memory, k);
  }
  return k;
}
