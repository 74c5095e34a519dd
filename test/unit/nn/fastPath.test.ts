// The WebAssembly ops (with their norm and ReLU fast paths) train the same model as the JavaScript reference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initModel } from '../../../src/nn/init';
import { buildModel } from '../../../src/nn/model';
import { Sgd } from '../../../src/nn/sgd';
import { jsOps } from '../../../src/nn/ops/js';
import { trainRun } from '../../../src/nn/train';
import type { NnOps } from '../../../src/nn/ops/dims';
import type { LayerSpec, ModelSpec, TrainConfig } from '../../../src/nn/types';
import { wasmOps } from '../../../src/nn/wasm/wasmOps';
import { assertClose, randn } from '../helpers';

const ops = wasmOps();

const cnn = (norm: (c: number) => LayerSpec): ModelSpec => ({
  input_shape: [1, 12, 12],
  layers: [
    ['Conv2d', { in_channels: 1, out_channels: 8, kernel_size: 3, padding: 1, bias: false }], norm(8), ['ReLU', {}], ['MaxPool2d', { kernel_size: 2 }],
    ['Conv2d', { in_channels: 8, out_channels: 16, kernel_size: 3, stride: 2, padding: 1 }], norm(16), ['ReLU', {}],
    ['AdaptiveAvgPool2d', { output_size: 1 }], ['Flatten', {}], ['Linear', { in_features: 16, out_features: 4 }],
  ],
});

const norms: [string, (c: number) => LayerSpec][] = [
  ['BatchNorm2d', (c) => ['BatchNorm2d', { num_features: c }]],
  ['BatchNorm2d momentum=None', (c) => ['BatchNorm2d', { num_features: c, momentum: null }]],
  ['GroupNorm', (c) => ['GroupNorm', { num_groups: 4, num_channels: c }]],
  ['InstanceNorm2d affine, tracking', (c) => ['InstanceNorm2d', { num_features: c, affine: true, track_running_stats: true }]],
  ['InstanceNorm2d', (c) => ['InstanceNorm2d', { num_features: c }]],
];

for (const [name, norm] of norms) {
  test(`wasmOps trains the same as jsOps: 12 SGD steps of a small CNN with ${name}`, { skip: !ops }, async () => {
    const N = 24;
    const train = { x: randn(N * 144, 5), sampleShape: [1, 12, 12], y: Int32Array.from({ length: N }, (_, i) => i % 4), numClasses: 4 };
    const config: TrainConfig = {
      epochs: 3, batchSize: 6, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, nesterov: false, schedule: { kind: 'constant' },
      warmupEpochs: 0, scaleLrByBatch: false, seed: 3,
    };
    const ref = await trainRun(cnn(norm), { train, val: null }, config, {}, jsOps);
    const fast = await trainRun(cnn(norm), { train, val: null }, config, {}, ops!);
    assertClose(fast.losses, ref.losses, 1e-4, 1e-4, 'losses');
    for (const [k, t] of ref.state) assertClose(fast.state.get(k)!.data, t.data, 1e-4, 1e-3, k);
  });
}

test('wasmOps: each model keeps its parameters and buffers in memory of its own, used in place', { skip: !ops }, async () => {
  const spec = cnn(norms[0][1]);
  const a = buildModel(spec, ops!);
  const b = buildModel(spec, ops!);
  const memoryOf = (m: typeof a) => m.params[0].data.buffer;
  // A shared memory where the engine has one (Node): the views stay valid when the memory grows.
  if (typeof SharedArrayBuffer !== 'undefined' && memoryOf(a) instanceof SharedArrayBuffer) {
    assert.notEqual(memoryOf(a), memoryOf(b));
    for (const p of a.params) assert.equal(p.data.buffer, memoryOf(a), p.name);
  }
  // Interleaved use of two models (each growing its own memory) gives what each gives alone.
  const x = randn(6 * 144, 9);
  initModel(a, 4);
  initModel(b, 4);
  const alone = a.forward(x, 6, true).slice();
  b.forward(randn(24 * 144, 2), 24, true); // grows b's memory
  assertClose(a.forward(x, 6, true), alone, 0, 0, 'a after b');
  assertClose(b.forward(x, 6, true), alone, 0, 0, 'b');
});

test('wasmOps sgdMomentum: the same SGD steps as sgd.ts in JavaScript, to the bit', { skip: !ops }, () => {
  for (const n of [1, 3, 4, 37, 1000]) {
    const make = () => ({ data: randn(n, n), grad: new Float32Array(n) });
    const js = make(), fast = make();
    const inMemory = { data: ops!.alloc(n), grad: ops!.alloc(n) };
    inMemory.data.set(js.data);
    const o = { momentum: 0.9, weightDecay: 0, nesterov: false };
    const sJs = new Sgd([js], o), sFast = new Sgd([fast], o, ops!), sMem = new Sgd([inMemory], o, ops!);
    for (let step = 0; step < 4; step++) {
      const g = randn(n, 100 + step, 0, 3);
      for (const p of [js, fast, inMemory]) p.grad.set(g);
      const lr = 0.1 / (step + 1);
      sJs.step(lr);
      sFast.step(lr);
      sMem.step(lr);
      assert.deepEqual(fast.data, js.data, `plain arrays, n ${n}, step ${step}`);
      assert.deepEqual(Float32Array.from(inMemory.data), js.data, `in the kernels' memory, n ${n}, step ${step}`);
    }
  }
});

test('AdaptiveAvgPool2d(1): the WebAssembly path gives the same bits as the layer\'s JavaScript loops', { skip: !ops }, () => {
  const spec = (c: number, h: number, w: number): ModelSpec => ({
    input_shape: [c, h, w], layers: [['AdaptiveAvgPool2d', { output_size: 1 }], ['Flatten', {}], ['Linear', { in_features: c, out_features: 2 }]],
  });
  for (const [c, h, w, n] of [[3, 7, 7, 2], [5, 1, 3, 3], [2, 5, 6, 1]]) {
    const x = randn(n * c * h * w, c * 10 + h, 0.3, 2);
    const run = (o: NnOps) => {
      const m = buildModel(spec(c, h, w), o);
      initModel(m, 1);
      const pool = m.layers[0];
      const y = Float32Array.from(pool.forward(x, n, true));
      const dx = Float32Array.from(pool.backward(randn(n * c, 3), n, true)!);
      return { y, dx };
    };
    const f = run(ops!), e = run(jsOps);
    assert.deepEqual(f.y, e.y, 'forward');
    assert.deepEqual(f.dx, e.dx, 'backward');
  }
});
