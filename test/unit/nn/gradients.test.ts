// Finite-difference checks of every layer's backward (input and parameter gradients), with the reference
// JavaScript ops and with the default (WebAssembly where available) ops.
import { test } from 'node:test';
import { makeLayer } from '../../../src/nn/layers';
import { defaultOps, jsOps, type NnOps } from '../../../src/nn/ops';
import { assertClose, randn } from '../helpers';

type Case = [name: string, kw: Record<string, unknown>, inShape: number[]];
const CASES: Case[] = [
  ['Conv2d', { in_channels: 2, out_channels: 3, kernel_size: 3, padding: 1 }, [2, 5, 5]],
  ['Conv2d', { in_channels: 2, out_channels: 2, kernel_size: [2, 3], stride: 2, bias: false }, [2, 6, 7]],
  ['Linear', { in_features: 6, out_features: 4 }, [6]],
  ['Linear', { in_features: 3, out_features: 2 }, [2, 3]],
  ['ReLU', {}, [7]],
  ['MaxPool2d', { kernel_size: 2 }, [2, 4, 5]],
  ['MaxPool2d', { kernel_size: 3, stride: 1 }, [1, 5, 5]],
  ['AvgPool2d', { kernel_size: 2 }, [2, 4, 4]],
  ['AvgPool2d', { kernel_size: [2, 3], stride: [1, 2] }, [1, 4, 7]],
  ['AdaptiveAvgPool2d', { output_size: 1 }, [3, 3, 2]],
  ['Flatten', {}, [2, 3, 2]],
  ['BatchNorm2d', { num_features: 3 }, [3, 2, 3]],
  ['BatchNorm1d', { num_features: 4 }, [4]],
  ['BatchNorm1d', { num_features: 2, affine: false, momentum: null }, [2, 5]],
  ['GroupNorm', { num_groups: 2, num_channels: 4 }, [4, 3, 2]],
  ['InstanceNorm2d', { num_features: 3, affine: true }, [3, 3, 3]],
  ['InstanceNorm2d', { num_features: 2 }, [2, 4, 2]],
  ['LayerNorm', { normalized_shape: [3, 4] }, [2, 3, 4]],
  ['LayerNorm', { normalized_shape: 5, elementwise_affine: false }, [5]],
];

function check([name, kw, inShape]: Case, ops: NnOps, seed: number): void {
  const N = 3;
  const layer = makeLayer(name, kw, { index: 0, inShape, ops });
  const per = inShape.reduce((a, b) => a * b, 1);
  const x = randn(N * per, seed);
  for (const p of layer.params) p.data.set(randn(p.data.length, seed + 3, 0.5, 0.5));
  const outN = N * layer.outShape.reduce((a, b) => a * b, 1);
  const r = randn(outN, seed + 1);
  // L = Σ y·r in float64 over float32 outputs; the layer's buffers are reused, so read y right away.
  const L = () => {
    const y = layer.forward(x, N, true);
    let t = 0;
    for (let i = 0; i < outN; i++) t += y[i] * r[i];
    return t;
  };
  L();
  const dx = Float64Array.from(layer.backward(r, N, true)!);
  const grads = layer.params.map((p) => Float64Array.from(p.grad));
  const h = 1e-2;
  const fd = (arr: Float32Array, i: number) => {
    const o = arr[i];
    arr[i] = o + h;
    const up = L();
    arr[i] = o - h;
    const down = L();
    arr[i] = o;
    return (up - down) / (2 * h);
  };
  // Second-order terms of h = 1e-2 and float32 outputs set the tolerance; wrong formulas are off by O(1).
  assertClose(dx, Float64Array.from(x, (_, i) => fd(x, i)), 5e-3, 2e-2, `${name} dx`);
  layer.params.forEach((p, j) => assertClose(grads[j], Float64Array.from(p.data, (_, i) => fd(p.data, i)), 5e-3, 2e-2, `${name} ${p.key}`));
}

for (const [label, ops] of [['JavaScript ops', jsOps], ['default ops', defaultOps]] as const) {
  test(`every layer's backward matches finite differences (${label})`, () => {
    CASES.forEach((c, i) => check(c, ops, 100 + i));
  });
}
