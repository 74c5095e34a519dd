// Block means: a rows × cols slice shrunk to at most maxSide a side for a heatmap, fed in row-major runs so that
// a streamed file slice and an in-memory matrix go through the same code.
//
// Geometry: element (r, c) of an R × C slice falls in block (⌊r·rows/R⌋, ⌊c·cols/C⌋).
// NaN rule (the one rule for every heatmap): a block is the mean of its *finite* values; NaN and ±Inf are left
// out, and a block with no finite value is NaN (drawn as "no value"). min/max are over the finite blocks, null if
// there is none. So one NaN does not blank a block of a million good values, and a tile never hides that a
// block was all NaN.

export interface BlockTile {
  rows: number;
  cols: number;
  sliceRows: number;
  sliceCols: number;
  values: Float64Array;
  min: number | null;
  max: number | null;
}

export class BlockMeans {
  readonly rows: number;
  readonly cols: number;
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;

  constructor(readonly sliceRows: number, readonly sliceCols: number, maxSide: number) {
    this.rows = Math.max(1, Math.min(sliceRows, maxSide));
    this.cols = Math.max(1, Math.min(sliceCols, maxSide));
    this.sums = new Float64Array(this.rows * this.cols);
    this.counts = new Uint32Array(this.rows * this.cols);
  }

  /** Adds `values`, the slice's elements from row-major position `first` on. */
  add(values: ArrayLike<number>, first = 0): void {
    const { rows, cols, sliceRows: R, sliceCols: C, sums, counts } = this;
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (!Number.isFinite(v)) continue;
      const e = first + k;
      const cell = Math.floor((Math.floor(e / C) * rows) / R) * cols + Math.floor(((e % C) * cols) / C);
      sums[cell] += v;
      counts[cell]++;
    }
  }

  result(): BlockTile {
    const values = new Float64Array(this.rows * this.cols);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      values[i] = this.counts[i] ? this.sums[i] / this.counts[i] : NaN;
      if (this.counts[i]) {
        lo = Math.min(lo, values[i]);
        hi = Math.max(hi, values[i]);
      }
    }
    const some = lo <= hi;
    return { rows: this.rows, cols: this.cols, sliceRows: this.sliceRows, sliceCols: this.sliceCols, values, min: some ? lo : null, max: some ? hi : null };
  }
}

/** Block means of a whole row-major rows × cols matrix. */
export function blockMeans(m: ArrayLike<number>, rows: number, cols: number, maxSide: number): BlockTile {
  const b = new BlockMeans(rows, cols, maxSide);
  b.add(m);
  return b.result();
}
