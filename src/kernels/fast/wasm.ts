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

/** Byte offsets of one operation's regions, each 16-byte aligned. Offset 0 holds the 2-f64 `stats` output. */
export class Layout {
  private end = 64;
  /** Reserves `count` elements of `bytesPer` bytes and returns the byte offset. */
  take(count: number, bytesPer: number): number {
    const at = this.end;
    this.end += Math.ceil((count * bytesPer) / 16) * 16;
    return at;
  }
  /**
   * The chunk buffer that x is copied into and y out of. NB: JS array buffers start page-aligned; a chunk whose
   * address has the same low 12 bits as the source/destination makes every copy 3-4× slower (4K aliasing between
   * the copy's loads and stores, measured here), so chunks sit at 2112 mod 4096.
   */
  takeChunk(floats: number): number {
    this.end = Math.ceil(this.end / 4096) * 4096 + 2112;
    return this.take(floats, 4);
  }
  get bytes(): number {
    return this.end;
  }
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

/** Tests only: run the fallback paths as if SIMD were missing. */
export function setKernelsForTest(k: Kernels | null | undefined): void {
  cached = k;
}
