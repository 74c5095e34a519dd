// The ops layers call: the WebAssembly SIMD kernels where available, else the JavaScript reference.
import { wasmOps } from '../wasm/wasmOps';
import type { NnOps } from './dims';
import { jsOps } from './js';

export type { Conv2dDims, NnOps, NormBackwardSplit, NormDims, NormForwardStage, Pool2dDims } from './dims';
export { normBackwardSums } from './dims';
export { jsOps, wasmOps };

export const defaultOps: NnOps = wasmOps() ?? jsOps;
