// Model specs: validation messages (layer index, both shapes, PyTorch's words), state dict keys and loading.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel, parseModelSpec } from '../../../src/nn/model';
import type { ModelSpec } from '../../../src/nn/types';

const miniCnn = (norm: (c: number) => [string, Record<string, unknown>]): ModelSpec => ({
  input_shape: [1, 28, 28],
  layers: [
    ['Conv2d', { in_channels: 1, out_channels: 16, kernel_size: 3, padding: 1, bias: false }], norm(16), ['ReLU', {}], ['MaxPool2d', { kernel_size: 2 }],
    ['Conv2d', { in_channels: 16, out_channels: 32, kernel_size: 3, padding: 1, bias: false }], norm(32), ['ReLU', {}], ['MaxPool2d', { kernel_size: 2 }],
    ['Conv2d', { in_channels: 32, out_channels: 64, kernel_size: 3, padding: 1, bias: false }], norm(64), ['ReLU', {}],
    ['AdaptiveAvgPool2d', { output_size: 1 }], ['Flatten', {}], ['Linear', { in_features: 64, out_features: 10 }],
  ],
});

test('the miniature CNN builds with nn.Sequential state-dict keys', () => {
  const m = buildModel(miniCnn((c) => ['BatchNorm2d', { num_features: c }]));
  assert.deepEqual([...m.stateDict().keys()].slice(0, 6), ['0.weight', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
  assert.deepEqual(m.outShape, [10]);
  const g = buildModel(miniCnn((c) => ['GroupNorm', { num_groups: Math.min(8, c), num_channels: c }]));
  assert.deepEqual([...g.stateDict().keys()].filter((k) => k.startsWith('13.')), ['13.weight', '13.bias']);
});

test('specs that do not fit are refused with the layer index and both shapes, as PyTorch words it', () => {
  const bad = (layers: ModelSpec['layers'], re: RegExp, input_shape = [1, 8, 8]) => assert.throws(() => buildModel({ input_shape, layers }), re);
  bad([['Conv2d', { in_channels: 3, out_channels: 4, kernel_size: 3 }]], /layer 0 \(Conv2d\): Given groups=1, weight of size \[4, 3, 3, 3\], expected input\[N, 1, 8, 8\] to have 3 channels, but got 1 channels instead/);
  bad([['Flatten', {}], ['Linear', { in_features: 32, out_features: 10 }]], /layer 1 \(Linear\): mat1 and mat2 shapes cannot be multiplied \(Nx64 and 32x10\)/);
  bad([['Conv2d', { in_channels: 1, out_channels: 6, kernel_size: 3 }], ['GroupNorm', { num_groups: 4, num_channels: 6 }]], /layer 1 \(GroupNorm\): num_channels must be divisible by num_groups/);
  bad([['Conv2d', { in_channels: 1, out_channels: 6, kernel_size: 3 }], ['BatchNorm2d', { num_features: 8 }]], /layer 1 \(BatchNorm2d\): running_mean should contain 6 elements not 8/);
  bad([['Flatten', {}], ['BatchNorm2d', { num_features: 64 }]], /expected 4D input \(got 2D input\)/);
  bad([['Foo', {}]], /layer 0: module 'torch.nn' has no attribute 'Foo'/);
  bad([['ReLU', { foo: 1 }]], /layer 0 \(ReLU\): ReLU.__init__\(\) got an unexpected keyword argument 'foo'/);
  bad([['Linear', { in_features: 3 }]], /Linear.__init__\(\) missing 1 required positional argument: 'out_features'/);
  bad([['Conv2d', { in_channels: 1, out_channels: 4, kernel_size: 3, groups: 2 }]], /groups=2 is not supported/);
  bad([['MaxPool2d', { kernel_size: 16 }]], /Output size is too small/);
  bad([['LayerNorm', { normalized_shape: [16] }]], /Given normalized_shape=\[16\], expected input with shape \[\*, 16\], but got input of size\[N, 1, 8, 8\]/);
  bad([['Conv2d', { in_channels: 1, out_channels: 4, kernel_size: 3 }]], /logits/);
  assert.throws(() => parseModelSpec({ input_shape: [0], layers: [] }), /input_shape/);
});

test('load_state_dict lists missing, unexpected and mis-shaped keys', () => {
  const m = buildModel({ input_shape: [4], layers: [['Linear', { in_features: 4, out_features: 3 }], ['BatchNorm1d', { num_features: 3 }]] });
  const sd = m.stateDict();
  sd.delete('1.running_var');
  sd.set('2.weight', { shape: [1], data: new Float32Array(1) });
  sd.set('0.weight', { shape: [4, 3], data: new Float32Array(12) });
  assert.throws(() => m.loadStateDict(sd), (e: Error) =>
    /Missing key\(s\): "1.running_var"/.test(e.message) && /Unexpected key\(s\): "2.weight"/.test(e.message) && /size mismatch for 0.weight: copying a param with shape \[4, 3\], the shape in current model is \[3, 4\]/.test(e.message));
});
