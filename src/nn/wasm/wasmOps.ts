// NnOps over the WebAssembly SIMD kernels of nnops.wat, one instance per thread.
//
// Arrays that already live in the kernels' memory (views from `alloc`) are used in place; any other array is
// copied into a scratch region above the allocations for the call and results are copied out. The scratch region
// and the memory only ever grow to the largest call seen, so steady-state training steps allocate nothing.
// The memory is shared (a SharedArrayBuffer) where possible: growing it then leaves earlier `alloc` views valid.
import { decode } from '../../kernels/fast/wasm';
import { normBackwardSums, type Conv2dDims, type NnOps, type NormDims, type Pool2dDims } from '../ops/dims';
import { NNOPS_SHARED_WASM_BASE64, NNOPS_WASM_BASE64 } from './nnopsModule';

interface NnExports {
  memory?: WebAssembly.Memory;
  convForward(x: number, w: number, b: number, y: number, cols: number, pad: number, N: number, Cin: number, H: number, W: number,
    Cout: number, KH: number, KW: number, s: number, p: number, OH: number, OW: number, wp: number, keep: number): void;
  convBackward(x: number, w: number, dy: number, dx: number, dw: number, db: number, cols: number, dcols: number, pad: number,
    N: number, Cin: number, H: number, W: number, Cout: number, KH: number, KW: number, s: number, p: number, OH: number, OW: number,
    ready: number): void;
  linearForward(N: number, In: number, Out: number, x: number, w: number, b: number, y: number): void;
  linearBackward(N: number, In: number, Out: number, x: number, w: number, dy: number, dx: number, dw: number, db: number): void;
  maxPoolForward(x: number, y: number, am: number, planes: number, H: number, W: number, KH: number, KW: number,
    SH: number, SW: number, OH: number, OW: number): void;
  maxPoolBackward(dy: number, am: number, dx: number, planes: number, HW: number, OHW: number): void;
  normForward(x: number, y: number, w: number, b: number, mean: number, variance: number, N: number, C: number, HW: number, G: number, eps: number,
    relu: number, from: number, to: number, count: number): void;
  normBackward(x: number, dy: number, dx: number, w: number, dw: number, db: number, mean: number, variance: number, scratch: number,
    N: number, C: number, HW: number, G: number, eps: number, ym: number, phase: number, count: number): void;
  reluForward(x: number, y: number, n: number): void;
  meanPoolForward(x: number, y: number, planes: number, S: number): void;
  meanPoolBackward(dy: number, dx: number, planes: number, S: number): void;
  sgdMomentum(p: number, g: number, buf: number, n: number, lr: number, m: number, first: number): void;
  reluBackward(y: number, dy: number, dx: number, n: number): void;
  gemmNN(M: number, N: number, K: number, A: number, asi: number, asl: number, B: number, C: number, bias: number): void;
  gemmNT(M: number, N: number, L: number, A: number, B: number, C: number, bias: number, acc: number, nb: number, sa: number, sb: number): void;
}

type Arr = Float32Array | Int32Array | Float64Array;
/** normForward's passes (0 mean, 1 variance, 2 output) per stage of a split batch. */
const FORWARD_PASSES = { mean: [0, 0], var: [1, 1], apply: [2, 2] } as const;
const PAGE = 65536;
/** The kernels read up to 8 floats past a buffer's end (lanes they then drop): each region keeps this slack. */
const SLACK = 32;
const regionBytes = (bytes: number) => Math.ceil(bytes / 16) * 16 + SLACK;

/** The kernels' memory: permanent allocations at the bottom, one call's scratch above them. */
class Memory {
  f32!: Float32Array;
  i32!: Int32Array;
  f64!: Float64Array;
  /** Every ArrayBuffer this memory has had (a shared memory gets a new one per growth; the old ones stay valid). */
  private readonly own = new Set<ArrayBufferLike>();
  private base = 64;
  private top = 64;
  private readonly ins: Arr[] = [];
  private readonly inAt: number[] = [];
  private readonly outs: Arr[] = [];
  private readonly outAt: number[] = [];

  constructor(private readonly memory: WebAssembly.Memory, readonly shared: boolean) {
    this.views();
  }

  /** A float32 array inside the memory: the kernels read and write it without copies. Never freed. */
  alloc(length: number): Float32Array {
    // A non-shared memory's views die when it grows: plain arrays there (copied per call).
    if (!this.shared) return new Float32Array(length);
    const at = this.base;
    this.base += regionBytes(length * 4);
    this.grow(this.base);
    // Zeroed: the region may have been an earlier call's scratch.
    return new Float32Array(this.memory.buffer, at, length).fill(0);
  }

  begin(): void {
    this.top = this.base;
    this.ins.length = this.inAt.length = this.outs.length = this.outAt.length = 0;
  }

  /** The address of an input: in place, or a scratch copy made by commit(). */
  in(a: Arr): number {
    return this.place(a, this.ins, this.inAt);
  }

  /** The address of an output: in place, or scratch copied back by end(). */
  out(a: Arr): number {
    return this.place(a, this.outs, this.outAt);
  }

  /** The address of an array read and written in place: copied in by commit() and back by end(). */
  inout(a: Arr): number {
    const at = this.place(a, this.ins, this.inAt);
    if (!this.owns(a)) {
      this.outs.push(a);
      this.outAt.push(at);
    }
    return at;
  }

  /** Whether a lives in this memory (is used in place). */
  owns(a: Arr): boolean {
    return this.own.has(a.buffer);
  }

  private place(a: Arr, arrays: Arr[], addresses: number[]): number {
    if (this.own.has(a.buffer)) return a.byteOffset;
    const at = this.scratchBytes(a.byteLength);
    arrays.push(a);
    addresses.push(at);
    return at;
  }

  scratch(floats: number): number {
    return this.scratchBytes(floats * 4);
  }

  scratchBytes(bytes: number): number {
    const at = this.top;
    this.top += regionBytes(bytes);
    return at;
  }

  /** Grows the memory to hold this call's scratch and copies the inputs in. */
  commit(): void {
    this.grow(this.top);
    for (let i = 0; i < this.ins.length; i++) {
      const a = this.ins[i];
      this.view(a).set(a as never, this.inAt[i] / a.BYTES_PER_ELEMENT);
    }
  }

  end(): void {
    for (let i = 0; i < this.outs.length; i++) {
      const a = this.outs[i];
      const at = this.outAt[i] / a.BYTES_PER_ELEMENT;
      a.set(this.view(a).subarray(at, at + a.length) as never);
    }
  }

  private view(a: Arr): Arr {
    return a instanceof Float32Array ? this.f32 : a instanceof Int32Array ? this.i32 : this.f64;
  }

  private grow(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    if (this.f32.buffer !== this.memory.buffer) this.views();
  }

  private views(): void {
    this.own.add(this.memory.buffer);
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
  }
}

/** NnOps plus `alloc`: arrays the kernels use in place (layers that allocate with it avoid every copy). */
export interface WasmNnOps extends NnOps {
  alloc(length: number): Float32Array;
  forModel(): WasmNnOps;
}

// Compiled once per thread: every instance (one per model, see forModel) shares the module's optimized code.
let sharedModule: WebAssembly.Module | null | undefined;
let ownModule: WebAssembly.Module | undefined;

function instantiate(): { k: NnExports; m: Memory } {
  try {
    if (sharedModule === null) throw new Error('no shared memory');
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    sharedModule ??= new WebAssembly.Module(decode(NNOPS_SHARED_WASM_BASE64));
    const inst = new WebAssembly.Instance(sharedModule, { env: { memory } });
    return { k: inst.exports as unknown as NnExports, m: new Memory(memory, true) };
  } catch {
    // No SharedArrayBuffer (a browser without cross-origin isolation): the module's own memory.
    sharedModule = null;
    ownModule ??= new WebAssembly.Module(decode(NNOPS_WASM_BASE64));
    const inst = new WebAssembly.Instance(ownModule, {});
    const k = inst.exports as unknown as NnExports;
    return { k, m: new Memory(k.memory!, false) };
  }
}

/** Floats of one zero-padded sample (the stride-1 im2col's scratch). */
const padded = (d: Conv2dDims) => d.Cin * (d.H + 2 * d.padding) * (d.W + 2 * d.padding);
const first = (a: Float32Array, n: number) => (a.length === n ? a : a.subarray(0, n));

function make(): WasmNnOps {
  const { k, m } = instantiate();
  const opt = (a: Arr | null, put: (a: Arr) => number) => (a ? put(a) : 0);
  const ops: WasmNnOps = {
    alloc: (length) => m.alloc(length),
    // Only a shared memory keeps alloc's views valid when it grows; without one, alloc gives plain arrays anyway.
    forModel: () => (m.shared ? make() : ops),
    conv2dForward(d: Conv2dDims, x, w, b, y, saved) {
      m.begin();
      const px = m.in(x), pw = m.in(w), pb = opt(b, (a) => m.in(a)), py = m.out(y);
      const K = d.Cin * d.KH * d.KW;
      // Columns kept for the backward only where they live in this memory (a copy back would cost more than it saves).
      const keep = saved && m.owns(saved) && saved.length === d.N * K * d.OH * d.OW ? saved.byteOffset : 0;
      const cols = keep ? 0 : m.scratch(K * d.OH * d.OW), pad = m.scratch(padded(d)), wp = m.scratch(Math.ceil(d.Cout / 4) * 4 * K);
      m.commit();
      k.convForward(px, pw, pb, py, keep || cols, pad, d.N, d.Cin, d.H, d.W, d.Cout, d.KH, d.KW, d.stride, d.padding, d.OH, d.OW, wp, keep ? 1 : 0);
      m.end();
    },
    conv2dBackward(d: Conv2dDims, x, w, dy, dx, dw, db, saved) {
      m.begin();
      const px = m.in(x), pw = m.in(w), pdy = m.in(dy);
      const pdx = opt(dx, (a) => m.out(a)), pdw = m.out(dw), pdb = opt(db, (a) => m.out(a));
      const colsLen = d.Cin * d.KH * d.KW * d.OH * d.OW;
      const ready = saved && m.owns(saved) && saved.length === d.N * colsLen ? saved.byteOffset : 0;
      const cols = ready || m.scratch(d.N * colsLen), dcols = m.scratch(colsLen), pad = m.scratch(padded(d));
      m.commit();
      k.convBackward(px, pw, pdy, pdx, pdw, pdb, cols, dcols, pad, d.N, d.Cin, d.H, d.W, d.Cout, d.KH, d.KW, d.stride, d.padding, d.OH, d.OW,
        ready ? 1 : 0);
      m.end();
    },
    linearForward(N, In, Out, x, w, b, y) {
      m.begin();
      const px = m.in(x), pw = m.in(w), pb = opt(b, (a) => m.in(a)), py = m.out(y);
      m.commit();
      k.linearForward(N, In, Out, px, pw, pb, py);
      m.end();
    },
    linearBackward(N, In, Out, x, w, dy, dx, dw, db) {
      m.begin();
      const px = m.in(x), pw = m.in(w), pdy = m.in(dy);
      const pdx = opt(dx, (a) => m.out(a)), pdw = m.out(dw), pdb = opt(db, (a) => m.out(a));
      m.commit();
      k.linearBackward(N, In, Out, px, pw, pdy, pdx, pdw, pdb);
      m.end();
    },
    maxPool2dForward(d: Pool2dDims, x, y, argmax) {
      m.begin();
      const px = m.in(x), py = m.out(y), pam = m.out(argmax);
      m.commit();
      k.maxPoolForward(px, py, pam, d.N * d.C, d.H, d.W, d.KH, d.KW, d.SH, d.SW, d.OH, d.OW);
      m.end();
    },
    maxPool2dBackward(d: Pool2dDims, dy, argmax, dx) {
      m.begin();
      const pdy = m.in(dy), pam = m.in(argmax), pdx = m.out(dx);
      m.commit();
      k.maxPoolBackward(pdy, pam, pdx, d.N * d.C, d.H * d.W, d.OH * d.OW);
      m.end();
    },
    normForward(d: NormDims, x, weight, bias, y, mean, variance, relu, stage) {
      m.begin();
      const px = m.in(x), pw = opt(weight, (a) => m.in(a)), pb = opt(bias, (a) => m.in(a));
      // A later stage reads the statistics an earlier one left (and the workers summed).
      const stats = stage ? (a: Float64Array) => m.inout(a) : (a: Float64Array) => m.out(a);
      const py = m.out(y), pm = stats(mean), pv = stats(variance);
      m.commit();
      const [from, to] = stage ? FORWARD_PASSES[stage] : [0, 2];
      k.normForward(px, py, pw, pb, pm, pv, d.N, d.C, d.HW, d.groups, d.eps, relu ? 1 : 0, from, to, d.count ?? 0);
      m.end();
    },
    normBackward(d: NormDims, x, dy, weight, mean, variance, dx, dweight, dbias, reluOut, split) {
      m.begin();
      const px = m.in(x), pdy = m.in(dy), pw = opt(weight, (a) => m.in(a)), pm = m.in(mean), pv = m.in(variance);
      const pym = opt(reluOut ?? null, (a) => m.in(a));
      const pdx = m.out(dx), pdw = opt(dweight, (a) => m.out(a)), pdb = opt(dbias, (a) => m.out(a));
      const scratch = split ? m.inout(split.sums) : m.scratchBytes(8 * normBackwardSums(d));
      m.commit();
      const phase = split ? (split.phase === 'sums' ? 1 : 2) : 3;
      k.normBackward(px, pdy, pdx, pw, pdw, pdb, pm, pv, scratch, d.N, d.C, d.HW, d.groups, d.eps, pym, phase, d.count ?? 0);
      m.end();
    },
    reluForward(n, x, y) {
      m.begin();
      const px = m.in(first(x, n)), py = m.out(first(y, n));
      m.commit();
      k.reluForward(px, py, n);
      m.end();
    },
    sgdMomentum(n, p, g, buf, lr, mom, first) {
      m.begin();
      const pp = m.inout(p), pg = m.in(g), pbuf = m.inout(buf);
      m.commit();
      k.sgdMomentum(pp, pg, pbuf, n, lr, mom, first ? 1 : 0);
      m.end();
    },
    meanPoolForward(planes, S, x, y) {
      m.begin();
      const px = m.in(x), py = m.out(y);
      m.commit();
      k.meanPoolForward(px, py, planes, S);
      m.end();
    },
    meanPoolBackward(planes, S, dy, dx) {
      m.begin();
      const pdy = m.in(dy), pdx = m.out(dx);
      m.commit();
      k.meanPoolBackward(pdy, pdx, planes, S);
      m.end();
    },
    reluBackward(n, y, dy, dx) {
      m.begin();
      const py = m.in(first(y, n)), pdy = m.in(first(dy, n)), pdx = m.out(first(dx, n));
      m.commit();
      k.reluBackward(py, pdy, pdx, n);
      m.end();
    },
  };
  return ops;
}

let cached: WasmNnOps | null | undefined;

/** This thread's WebAssembly SIMD ops, or null where WebAssembly SIMD is unavailable (use jsOps then). */
export function wasmOps(): WasmNnOps | null {
  if (cached === undefined) {
    try {
      cached = make();
    } catch {
      cached = null;
    }
  }
  return cached;
}
