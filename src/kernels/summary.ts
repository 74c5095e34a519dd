// Streaming summary statistics and histograms. Pure: feed chunks of any size, merge partial results
// (worker shards), memory independent of the tensor size.
//
// Statistics are over the FINITE values only (NaN and ±Inf are counted separately), accumulated in float64:
// each chunk's mean and M2 by two passes (float32 chunks: shifted sums in one SIMD pass, see addSimd), merged into the running (count, mean, M2) by Chan et al.'s
// pairwise update, the same scheme as PyTorch's moments_utils.h. std is the population standard deviation.
import { fail } from './errors';
import { kernels, Regions, type Kernels } from './fast/wasm';

/** Float32 chunks from this length on go through the wasm kernels, in pieces of SIMD_PIECE values. */
const SIMD_MIN = 256;
const SIMD_PIECE = 1 << 16;
/** Histograms with more bins keep to the JavaScript loop (the kernel keeps its counts in wasm memory). */
const SIMD_MAX_BINS = 1 << 16;

export interface Summary {
  /** Number of finite values. */
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation (divide by count). */
  std: number | null;
  nan: number;
  inf: number;
}

export class SummaryAccumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private nanCount = 0;
  private infCount = 0;

  add(values: ArrayLike<number>): void {
    if (values instanceof Float32Array && values.length >= SIMD_MIN) {
      const K = kernels();
      if (K && this.addSimd(K, values)) return;
    }
    let n = 0;
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v - v !== 0) {
        // NaN or ±Inf (v - v is NaN for both).
        if (v !== v) this.nanCount++;
        else this.infCount++;
        continue;
      }
      n++;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (n === 0) return;
    const mean = sum / n;
    let m2 = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v - v === 0) m2 += (v - mean) * (v - mean);
    }
    this.combine(n, mean, m2, lo, hi);
  }

  /**
   * Float32 chunks (what most tensor files decode to) through the SIMD kernel `summary32`: one pass, sums shifted by
   * the chunk's first finite value in float64 lanes (with k one of the values, cancellation costs at most a factor
   * n+1: ~1e-10 relative at these chunk sizes), ~10× the JavaScript loops' speed.
   */
  private addSimd(K: Kernels, values: Float32Array): boolean {
    let first = 0;
    while (first < values.length && values[first] - values[first] !== 0) first++;
    if (first === values.length) return false; // no finite value to shift by: the loop below counts NaN/Inf
    const k = values[first];
    const regions = new Regions();
    const outp = regions.take(6, 8);
    const chunkp = regions.takeChunk(Math.min(values.length, SIMD_PIECE));
    K.ensure(regions.bytes);
    K.f64.set([0, 0, 0, Infinity, -Infinity, 0], outp >> 3);
    forPieces(K, values, chunkp, (p, n) => K.k.summary32(p, n, k, outp));
    const [n, s, q, lo, hi, nan] = K.f64.subarray(outp >> 3, (outp >> 3) + 6);
    this.nanCount += nan;
    this.infCount += values.length - n - nan;
    this.combine(n, k + s / n, Math.max(0, q - (s * s) / n), lo, hi);
    return true;
  }

  merge(other: SummaryAccumulator): void {
    this.nanCount += other.nanCount;
    this.infCount += other.infCount;
    if (other.n > 0) this.combine(other.n, other.mean, other.m2, other.lo, other.hi);
  }

  private combine(n: number, mean: number, m2: number, lo: number, hi: number): void {
    const total = this.n + n;
    const delta = mean - this.mean;
    this.mean += (delta * n) / total;
    this.m2 += m2 + ((delta * delta * this.n) / total) * n;
    this.n = total;
    if (lo < this.lo) this.lo = lo;
    if (hi > this.hi) this.hi = hi;
  }

  result(): Summary {
    const none = this.n === 0;
    return {
      count: this.n,
      min: none ? null : this.lo,
      max: none ? null : this.hi,
      mean: none ? null : this.mean,
      std: none ? null : Math.sqrt(Math.max(0, this.m2 / this.n)),
      nan: this.nanCount,
      inf: this.infCount,
    };
  }
}

/** Summary of one array in one call. */
export function summarize(values: ArrayLike<number>): Summary {
  const acc = new SummaryAccumulator();
  acc.add(values);
  return acc.result();
}

/**
 * Histogram like numpy.histogram: `bins` equal bins over `range` (default: finite min..max; a single value v
 * uses [v - 0.5, v + 0.5]); the last bin includes its right edge; values outside the range and non-finite
 * values are not counted.
 */
export function histogram(values: ArrayLike<number>, bins: number, range?: [number, number]): { edges: number[]; counts: number[] } {
  if (!Number.isInteger(bins) || bins < 1 || bins > 1e7) fail(`histogram bins must be an integer from 1 to 10000000, got ${bins}`);
  let lo: number;
  let hi: number;
  if (range) {
    [lo, hi] = range;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) fail(`histogram range must be two finite numbers with min <= max, got [${lo}, ${hi}]`);
  } else {
    const s = summarize(values);
    lo = s.min ?? 0;
    hi = s.max ?? 1;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  edges[bins] = hi;
  if (values instanceof Float32Array && values.length >= SIMD_MIN && bins <= SIMD_MAX_BINS) {
    const K = kernels();
    if (K) return { edges, counts: histogramSimd(K, values, edges) };
  }
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue; // also drops NaN
    let b = Math.floor((v - lo) * scale);
    if (b >= bins) b = bins - 1;
    // Rounding in the scale can put v one bin off its edges; numpy compares with the edges, so do we.
    if (b > 0 && v < edges[b]) b--;
    else if (b < bins - 1 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts };
}

/** The same bins through the kernel `hist32` (same float64 arithmetic, so the same counts), ~2× the loop above. */
function histogramSimd(K: Kernels, values: Float32Array, edges: number[]): number[] {
  const bins = edges.length - 1;
  const regions = new Regions();
  const edgesp = regions.take(bins + 1, 8);
  const countsp = regions.take(bins, 8);
  const chunkp = regions.takeChunk(Math.min(values.length, SIMD_PIECE));
  K.ensure(regions.bytes);
  K.f64.set(edges, edgesp >> 3);
  K.f64.fill(0, countsp >> 3, (countsp >> 3) + bins);
  forPieces(K, values, chunkp, (p, n) => K.k.hist32(p, n, bins, edgesp, countsp));
  return Array.from(K.f64.subarray(countsp >> 3, (countsp >> 3) + bins));
}

/** Copies `values` into the kernels' memory at chunkp, SIMD_PIECE values at a time, and runs a kernel on each piece. */
function forPieces(K: Kernels, values: Float32Array, chunkp: number, run: (p: number, n: number) => void): void {
  for (let a = 0; a < values.length; a += SIMD_PIECE) {
    const b = Math.min(values.length, a + SIMD_PIECE);
    K.f32.set(values.subarray(a, b), chunkp >> 2);
    run(chunkp, b - a);
  }
}
