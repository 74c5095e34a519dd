// The one shape of a heatmap tile (kernels/blockMeans.ts computes it as BlockTile), in the form each boundary carries
// it: the worker's Float32Array with NaN kept, the tensor viewer's plain array with null for NaN, the playground's
// plain numbers, and what the webviews' heatmap draws.

/** A downsampled 2-D view of a slice: `rows × cols` block means of a `sliceRows × sliceCols` slice, row-major. */
export interface SliceTile<Values, Range = number | null> {
  rows: number;
  cols: number;
  /** Size of the full slice the tile was taken from. */
  sliceRows: number;
  sliceCols: number;
  values: Values;
  /** Range of the finite values: null when there are none (the playground's tiles say 0). */
  min: Range;
  max: Range;
}
