// The ops layers call: the WebAssembly SIMD kernels where available, else the JavaScript reference.
import type { NnOps } from './dims';
import { jsOps } from './js';

export type { Conv2dDims, NnOps, Pool2dDims } from './dims';
export { jsOps };

export const defaultOps: NnOps = jsOps;
