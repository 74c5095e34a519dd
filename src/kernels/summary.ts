// Streaming summary statistics and histograms. Pure: feed chunks of any size, merge partial results
// (worker shards), memory independent of the tensor size.
//
// Statistics are over the FINITE values only (NaN and ±Inf are counted separately), accumulated in float64:
// each chunk's mean and M2 by two passes, merged into the running (count, mean, M2) by Chan et al.'s
// pairwise update, the same scheme as PyTorch's moments_utils.h. std is the population standard deviation.
import { fail } from './errors';

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
