// Batch-size sensitivity, measured on the user's data (the GN paper's argument, Fig. 1/§3):
// BN normalizes a channel by the mean and variance of the current batch, which scatter around the full-data
// statistics more and more as the batch shrinks. GN's statistics are per sample, so a sample's mean and variance
// are the same whatever batch it is in. We draw seeded random batches of each size and report the RMS scatter.
// Pure: no vscode, DOM or Node imports.
import { mulberry32 } from './generate';
import { logicalShapeOf, numel } from './shape';
import type { FloatArray, Layout } from './types';

export interface SensitivityOptions {
  layout: Layout;
  /** GN group count (must divide C). */
  groups: number;
  /** Batch sizes to try; sizes larger than N are skipped. */
  sizes: number[];
  seed: number;
  /** Batches drawn per size, at least (more when N allows whole permutations). */
  minBatches?: number;
}

export interface SensitivityPoint {
  batchSize: number;
  batches: number;
  /** RMS over batches and channels of (batch mean − full mean) / full std. */
  bnMean: number;
  /** RMS over batches and channels of batch var / full var − 1. */
  bnVar: number;
  /** The same two measures for GN's per-(sample, group) statistics computed inside each batch. */
  gnMean: number;
  gnVar: number;
}

export const DEFAULT_SIZES = [1, 2, 4, 8, 16, 32];

/** Per-(n, c) mean and M2 = Σ(x − mean)² over the S spatial elements, float64, two passes. */
function sampleChannelMoments(x: FloatArray, N: number, C: number, S: number, nhwc: boolean): { mean: Float64Array; m2: Float64Array } {
  const mean = new Float64Array(N * C);
  const m2 = new Float64Array(N * C);
  const at = nhwc ? (n: number, c: number, s: number) => (n * S + s) * C + c : (n: number, c: number, s: number) => (n * C + c) * S + s;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let s = 0; s < S; s++) sum += x[at(n, c, s)];
      const m = sum / S;
      let d2 = 0;
      for (let s = 0; s < S; s++) {
        const d = x[at(n, c, s)] - m;
        d2 += d * d;
      }
      mean[n * C + c] = m;
      m2[n * C + c] = d2;
    }
  }
  return { mean, m2 };
}

/** Pooled mean and biased variance of a union of equal-sized cells (each `count` elements), exact. */
function pooled(idx: number[], mean: Float64Array, m2: Float64Array, count: number): { mean: number; var: number } {
  let sum = 0;
  for (const i of idx) sum += mean[i];
  const m = sum / idx.length;
  let total = 0;
  for (const i of idx) total += m2[i] + count * (mean[i] - m) ** 2;
  return { mean: m, var: total / (idx.length * count) };
}

function shuffle(a: number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/** x is a stored (N, C, *spatial) tensor in `layout`. */
export function batchSensitivity(x: FloatArray, storedShape: readonly number[], opts: SensitivityOptions): SensitivityPoint[] {
  return [...batchSensitivityPoints(x, storedShape, opts)];
}

/** The same, one batch size at a time, so that a caller can stop (or report progress) between sizes. */
export function* batchSensitivityPoints(x: FloatArray, storedShape: readonly number[], opts: SensitivityOptions): Generator<SensitivityPoint> {
  const logical = logicalShapeOf(storedShape, opts.layout);
  const [N, C] = logical;
  const S = numel(logical.slice(2));
  const G = opts.groups;
  const cpg = C / G;
  const nhwc = opts.layout === 'NHWC' && storedShape.length >= 3;
  const { mean, m2 } = sampleChannelMoments(x, N, C, S, nhwc);
  const rand = mulberry32(opts.seed);
  const tiny = 1e-12;

  // Full-data BN statistics per channel and GN statistics per (n, g).
  const cells = (ns: number[], cs: number[]) => ns.flatMap((n) => cs.map((c) => n * C + c));
  const all = Array.from({ length: N }, (_, n) => n);
  const bnFull = Array.from({ length: C }, (_, c) => pooled(cells(all, [c]), mean, m2, S));
  const groupChannels = Array.from({ length: G }, (_, g) => Array.from({ length: cpg }, (_, k) => g * cpg + k));
  const gnFull = all.map((n) => groupChannels.map((cs) => pooled(cells([n], cs), mean, m2, S)));

  for (const b of opts.sizes) {
    if (!Number.isInteger(b) || b < 1 || b > N) continue;
    const perPermutation = Math.floor(N / b);
    const permutations = Math.max(1, Math.ceil((opts.minBatches ?? 32) / perPermutation));
    let bnMean = 0;
    let bnVar = 0;
    let gnMean = 0;
    let gnVar = 0;
    let bnTerms = 0;
    let gnTerms = 0;
    let batches = 0;
    for (let p = 0; p < permutations; p++) {
      const order = [...all];
      shuffle(order, rand);
      for (let k = 0; k < perPermutation; k++) {
        const batch = order.slice(k * b, (k + 1) * b);
        batches++;
        for (let c = 0; c < C; c++) {
          const est = pooled(cells(batch, [c]), mean, m2, S);
          const full = bnFull[c];
          bnMean += ((est.mean - full.mean) / Math.sqrt(full.var + tiny)) ** 2;
          bnVar += ((est.var + tiny) / (full.var + tiny) - 1) ** 2;
          bnTerms++;
        }
        // GN inside this batch: each sample's groups pooled from this batch's data only.
        for (const n of batch) {
          for (let g = 0; g < G; g++) {
            const est = pooled(cells([n], groupChannels[g]), mean, m2, S);
            const full = gnFull[n][g];
            gnMean += ((est.mean - full.mean) / Math.sqrt(full.var + tiny)) ** 2;
            gnVar += ((est.var + tiny) / (full.var + tiny) - 1) ** 2;
            gnTerms++;
          }
        }
      }
    }
    yield {
      batchSize: b, batches,
      bnMean: Math.sqrt(bnMean / bnTerms), bnVar: Math.sqrt(bnVar / bnTerms),
      gnMean: Math.sqrt(gnMean / gnTerms), gnVar: Math.sqrt(gnVar / gnTerms),
    };
  }
}
