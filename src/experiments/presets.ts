// The four presets, each a full ExperimentConfig that the panel and the CLI let users edit before it runs.
// Their sizes are chosen so that the default Figure 1 preset (10 runs) finishes in about 4 minutes on a
// 2-core machine (docs/experiments.md has the measurement).
import type { ModelSpec } from '../nn/types';
import { applyNorm } from './grid';
import type { ExperimentConfig, NormChoice, PresetName } from './types';

/**
 * The miniature CNN of the training engine (examples/models/mini-cnn-bn.normlab-model.json): three 3×3
 * convolutions of 16, 32 and 64 channels, each followed by a normalization and a ReLU, two max-pools,
 * global average pooling and a linear classifier over 10 classes.
 */
export const MINI_CNN: ModelSpec = {
  input_shape: [1, 28, 28],
  layers: [
    ['Conv2d', { in_channels: 1, out_channels: 16, kernel_size: 3, padding: 1, bias: false }],
    ['BatchNorm2d', { num_features: 16 }],
    ['ReLU', {}],
    ['MaxPool2d', { kernel_size: 2 }],
    ['Conv2d', { in_channels: 16, out_channels: 32, kernel_size: 3, padding: 1, bias: false }],
    ['BatchNorm2d', { num_features: 32 }],
    ['ReLU', {}],
    ['MaxPool2d', { kernel_size: 2 }],
    ['Conv2d', { in_channels: 32, out_channels: 64, kernel_size: 3, padding: 1, bias: false }],
    ['BatchNorm2d', { num_features: 64 }],
    ['ReLU', {}],
    ['AdaptiveAvgPool2d', { output_size: 1 }],
    ['Flatten', {}],
    ['Linear', { in_features: 64, out_features: 10 }],
  ],
};

/** The paper's numbers (ResNet-50 on ImageNet, top-1 validation error in %), shown beside the miniature's. */
export const PAPER = {
  source: 'Wu & He, Group Normalization (ECCV 2018), ResNet-50 on ImageNet',
  /** Figure 1 / Table 2: images per GPU -> val error. */
  fig1: {
    batchSizes: [32, 16, 8, 4, 2],
    bn: [23.6, 23.7, 24.8, 27.3, 34.7],
    gn: [24.1, 24.2, 24.0, 24.2, 24.1],
  },
  /** Table 1: val error at 32 images per GPU. */
  table1: { bn: 23.6, ln: 25.3, in: 28.4, gn: 24.1 },
  /** Table 3: GN val error by number of groups and by channels per group (LN = G=1 is 25.3, IN 28.4). */
  table3: {
    groups: [[64, 24.6], [32, 24.1], [16, 24.6], [8, 24.4], [4, 24.6], [2, 24.7], [1, 25.3]] as [number, number][],
    channelsPerGroup: [[64, 24.4], [32, 24.5], [16, 24.2], [8, 24.3], [4, 24.8], [2, 25.6], [1, 28.4]] as [number, number][],
  },
} as const;

const BASE: Omit<ExperimentConfig, 'preset' | 'norms' | 'batchSizes'> = {
  model: MINI_CNN,
  seeds: 1,
  epochs: 5,
  lr: 0.1,
  scaleLrByBatch: true,
  momentum: 0.9,
  weightDecay: 0.0001,
  nesterov: false,
  schedule: { kind: 'cosine' },
  warmupEpochs: 0,
  // 6,000: enough steps for BN's small-batch rise to clear one seed's noise, still ~2.5 min for fig1 on 2 cores.
  trainSize: 6000,
  valSize: 1000,
  data: { train: { kind: 'bundled', split: 'train' }, val: { kind: 'bundled', split: 'test' } },
};

const GN: NormChoice = { method: 'gn' };

/** The G and channels-per-group values of Table 3 that the model's widths allow (each divides every width). */
export function groupsChoices(model: ModelSpec): NormChoice[] {
  const candidates: NormChoice[] = [
    ...[1, 2, 4, 8, 16].map((groups) => ({ method: 'gn' as const, groups })),
    ...[1, 2, 4, 8, 16].map((channelsPerGroup) => ({ method: 'gn' as const, channelsPerGroup })),
  ];
  return candidates.filter((n) => {
    try {
      applyNorm(model, n);
      return true;
    } catch {
      return false;
    }
  });
}

/** A fresh copy of a preset's configuration (callers may edit it). */
export function preset(name: PresetName): ExperimentConfig {
  const base = structuredClone(BASE);
  switch (name) {
    case 'fig1':
      return { ...base, preset: name, norms: [{ method: 'bn' }, GN], batchSizes: [32, 16, 8, 4, 2] };
    case 'curves':
      return { ...base, preset: name, norms: [{ method: 'bn' }, { method: 'ln' }, { method: 'in' }, GN], batchSizes: [32], epochs: 6 };
    case 'groups':
      return { ...base, preset: name, norms: groupsChoices(base.model), batchSizes: [32] };
    case 'custom':
      return { ...base, preset: name, norms: [{ method: 'bn' }, GN], batchSizes: [32] };
  }
}
