// The benchmark shapes and their inputs (deterministic, so every run checks the same numbers).
import type { Method, NormParams } from '../src/kernels/types';

export interface BenchShape {
  key: string;
  label: string;
  method: Method;
  dims: number[];
  params: Omit<NormParams, 'weight' | 'bias' | 'runningMean' | 'runningVar'>;
  /** Per-channel affine weight and bias (as the usual nn modules have). */
  affine: boolean;
  running: boolean;
}

export const SHAPES: BenchShape[] = [
  { key: 'A', label: 'GroupNorm G=32', method: 'group', dims: [32, 64, 56, 56], params: { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 32 }, affine: true, running: false },
  { key: 'B', label: 'BatchNorm training', method: 'batch', dims: [8, 256, 28, 28], params: { method: 'batch', layout: 'NCHW', eps: 1e-5, training: true, momentum: 0.1 }, affine: true, running: true },
  { key: 'C', label: 'LayerNorm last dim', method: 'layer', dims: [16, 1024, 768], params: { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: [768] }, affine: true, running: false },
  { key: 'D', label: 'InstanceNorm', method: 'instance', dims: [1, 64, 512, 512], params: { method: 'instance', layout: 'NCHW', eps: 1e-5, training: true }, affine: false, running: false },
  { key: 'E', label: 'GroupNorm G=1', method: 'group', dims: [256, 3, 32, 32], params: { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 1 }, affine: true, running: false },
];

/** xorshift32 -> approximately normal values (sum of three uniforms), reproducible across runs. */
function gen(n: number, seed: number, mean: number, std: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  for (let i = 0; i < n; i++) a[i] = mean + std * 2 * (u() + u() + u() - 1.5);
  return a;
}

export function makeInput(s: BenchShape): { x: Float32Array; params: NormParams } {
  const numel = s.dims.reduce((a, b) => a * b, 1);
  const C = s.method === 'layer' || s.method === 'rms' ? (s.params.normalizedShape ?? [s.dims[s.dims.length - 1]]).reduce((a, b) => a * b, 1) : s.dims[1];
  const params: NormParams = { ...s.params };
  if (s.affine) {
    params.weight = gen(C, 7, 1, 0.2);
    params.bias = gen(C, 11, 0, 0.2);
  }
  if (s.running) {
    params.runningMean = gen(C, 13, 0, 0.1);
    params.runningVar = gen(C, 17, 1, 0.1).map(Math.abs);
  }
  return { x: gen(numel, 12345, 0.5, 2), params };
}
