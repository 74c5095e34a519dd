// Shapes of the hot loops of training, shared by the JavaScript ops (the reference) and their WebAssembly
// SIMD versions, which must take exactly these arguments. Every tensor is float32, row-major NCHW, and
// every output buffer is preallocated by the layer and overwritten (never accumulated into).

/** Conv2d with groups = dilation = 1. OH = floor((H + 2·padding − KH) / stride) + 1, likewise OW. */
export interface Conv2dDims {
  N: number; Cin: number; H: number; W: number;
  Cout: number; KH: number; KW: number;
  stride: number; padding: number;
  OH: number; OW: number;
}

/** MaxPool2d / AvgPool2d without padding or dilation (kernel KH×KW, stride SH×SW, floor mode). */
export interface Pool2dDims {
  N: number; C: number; H: number; W: number;
  KH: number; KW: number; SH: number; SW: number;
  OH: number; OW: number;
}

/**
 * Training-mode normalization of NCHW data (statistics from the batch itself): `groups` 0 is BatchNorm2d (one set
 * per channel, over N·H·W), G > 0 GroupNorm (one set per (n, group), over C/G·H·W; InstanceNorm2d is G = C).
 * `mean` and `var` hold one float64 per set (C, or N·G), var biased (÷ count), as the forward computed them.
 */
export interface NormDims {
  N: number; C: number; HW: number; groups: number; eps: number;
  /**
   * A batch split across workers (BatchNorm2d): each set's element count over all of them. Each worker's mean and
   * variance are then its share of the sums (÷ count), which the workers add up between the stages.
   */
  count?: number;
}

/**
 * The stages of a split batch's training-mode normalization: 'mean' writes this worker's share of each set's mean,
 * 'var' its share of the biased variance about the (summed) mean, 'apply' y from the summed mean and variance.
 */
export type NormForwardStage = 'mean' | 'var' | 'apply';

/**
 * The backward of a split batch in two phases: 'sums' fills `sums` (normBackwardSums(d) float64: per-plane sums, then
 * A = Σ w·Σdy and B = Σ w·Σdy·(x − mean) per set at the last 2·sets); the workers add up those A and B; 'dx' then
 * writes dx and this worker's share of dweight and dbias.
 */
export interface NormBackwardSplit {
  phase: 'sums' | 'dx';
  sums: Float64Array;
}

/** Float64 values of normBackward's sums: two per (n, c) plane, then two per set. */
export const normBackwardSums = (d: NormDims): number => 2 * (d.N * d.C + (d.groups === 0 ? d.C : d.N * d.groups));

/**
 * The op set a layer calls. `jsOps` (ops/js.ts) is the reference; `wasmOps` must give the same results within
 * float32 rounding, and MaxPool2d's argmax exactly (the first maximum of each window in row-major order).
 *   conv2dForward:  y = conv(x, w) + b                      x (N,Cin,H,W), w (Cout,Cin,KH,KW), y (N,Cout,OH,OW)
 *   conv2dBackward: dx = conv_transpose(dy, w) (if dx), dw = Σ_n dy ⋆ x, db = Σ dy (if db)
 *   linearForward:  y = x·wᵀ + b                            x (N,In), w (Out,In), y (N,Out)
 *   linearBackward: dx = dy·w (if dx), dw = dyᵀ·x, db = Σ_n dy (if db)
 *   maxPool2dForward: y and argmax (flat index into one (n, c) plane of x)
 *   maxPool2dBackward: dx = 0, then dx[argmax] += dy
 * `cols` (optional, N·Cin·KH·KW·OH·OW floats) lets the ops keep the forward's im2col columns for the backward:
 * conv2dForward may fill it, and conv2dBackward given the same array (after that forward, x unchanged) reads it
 * instead of rebuilding the columns. Ops without such a path ignore it.
 */
export interface NnOps {
  conv2dForward(d: Conv2dDims, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, cols?: Float32Array | null): void;
  conv2dBackward(d: Conv2dDims, x: Float32Array, w: Float32Array, dy: Float32Array,
    dx: Float32Array | null, dw: Float32Array, db: Float32Array | null, cols?: Float32Array | null): void;
  linearForward(N: number, In: number, Out: number, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void;
  linearBackward(N: number, In: number, Out: number, x: Float32Array, w: Float32Array, dy: Float32Array,
    dx: Float32Array | null, dw: Float32Array, db: Float32Array | null): void;
  maxPool2dForward(d: Pool2dDims, x: Float32Array, y: Float32Array, argmax: Int32Array): void;
  maxPool2dBackward(d: Pool2dDims, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void;
  /**
   * Optional fast paths (WebAssembly ops provide them; a layer without them uses its own reference code):
   *   normForward:  mean/var per set (float64, two passes), y = (x − mean)/√(var + eps)·weight[c] + bias[c]
   *   normBackward: dx, dweight = Σ dy·x̂, dbias = Σ dy per channel (weight null: not affine, no dweight/dbias)
   *   with relu / reluOut, the ReLU after the normalization fused in: normForward writes max(y, 0), and normBackward takes
   *   dy of that output (reluOut, the forward's y) and uses dy where reluOut > 0, else 0 (threshold_backward)
   *   reluForward:  y = max(x, 0) over n values; reluBackward: dx = dy where y > 0, else 0
   */
  normForward?(d: NormDims, x: Float32Array, weight: Float32Array | null, bias: Float32Array | null, y: Float32Array,
    mean: Float64Array, variance: Float64Array, relu?: boolean, stage?: NormForwardStage): void;
  normBackward?(d: NormDims, x: Float32Array, dy: Float32Array, weight: Float32Array | null, mean: Float64Array,
    variance: Float64Array, dx: Float32Array, dweight: Float32Array | null, dbias: Float32Array | null, reluOut?: Float32Array | null,
    split?: NormBackwardSplit): void;
  reluForward?(n: number, x: Float32Array, y: Float32Array): void;
  /**
   * Float32 storage the kernels use in place, with no copy per call (the WebAssembly ops: inside their memory).
   * Never freed on its own: it lives as long as this ops instance.
   */
  alloc?(length: number): Float32Array;
  /**
   * SGD with momentum, no weight decay, no Nesterov, as sgd.ts computes it (float64 inside, each stored value rounded
   * once): buf = first ? g : f32(m·buf + g); p = f32(p − lr·buf) over n values.
   */
  sgdMomentum?(n: number, p: Float32Array, g: Float32Array, buf: Float32Array, lr: number, m: number, first: boolean): void;
  /** A new instance with its own memory, for one model's buffers (`alloc`): the memory goes with the model. */
  forModel?(): NnOps;
  reluBackward?(n: number, y: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /**
   * AdaptiveAvgPool2d(1) over `planes` planes of S values: y[p] = mean of plane p; backward dx[p, :] = dy[p] / S.
   * The same float64 arithmetic as the layer's own loops (pool.ts), so the same bits.
   */
  meanPoolForward?(planes: number, S: number, x: Float32Array, y: Float32Array): void;
  meanPoolBackward?(planes: number, S: number, dy: Float32Array, dx: Float32Array): void;
}
