// What an experiment is: a configuration (model, normalizations, batch sizes, seeds, hyperparameters, data),
// the grid of runs it expands to, and the results file it produces. Pure types: the panel, the CLI, the
// worker job and the exported PyTorch script all speak this shape.
import type { DataDescription, EpochRecord, ModelSpec, Schedule } from '../nn/types';

export const METHODS = ['bn', 'gn', 'ln', 'in'] as const;
/** Batch, Group, Layer and Instance Normalization. */
export type Method = (typeof METHODS)[number];

export const PRESETS = ['fig1', 'curves', 'groups', 'custom'] as const;
/** fig1: error vs batch size; curves: Figure 4 and Table 1; groups: Table 3; custom: anything. */
export type PresetName = (typeof PRESETS)[number];

/**
 * One normalization to train with. For GN, either `groups` (G; GroupNorm(min(G, C), C)) or
 * `channelsPerGroup` (G = C / channelsPerGroup); GN without either uses G = 8 (the miniature's default).
 */
export interface NormChoice {
  method: Method;
  groups?: number;
  channelsPerGroup?: number;
}

/** Where samples come from. Paths are as the user gave them (the CLI: relative to the working directory). */
export type DataSource =
  | { kind: 'bundled'; split: 'train' | 'test' }
  | { kind: 'npz'; path: string }
  | { kind: 'idx'; images: string; labels: string };

export interface ExperimentConfig {
  preset: PresetName;
  /** The model; its normalization layers are replaced by each run's method (see grid.ts). */
  model: ModelSpec;
  norms: NormChoice[];
  batchSizes: number[];
  /** Number of seeds: runs use seeds 0 .. seeds − 1. */
  seeds: number;
  epochs: number;
  /** Base learning rate; with scaleLrByBatch a run's rate is lr · B / 32 (the GN paper's rule). */
  lr: number;
  scaleLrByBatch: boolean;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  schedule: Schedule;
  warmupEpochs: number;
  /** The first trainSize samples of the training data are used. */
  trainSize: number;
  /** The first valSize samples of the validation data (or, without one, the last valSize of the training data). */
  valSize: number;
  data: { train: DataSource; val: DataSource | null };
}

/** One run of the grid, ready for trainRun. */
export interface RunPlan {
  /** Position in the grid (and in results.runs). */
  index: number;
  /** e.g. "GN (G=8) · B=4 · seed 0". */
  label: string;
  method: Method;
  /** G of the GroupNorm layers (the first one's, if widths differ); null for BN. */
  groups: number | null;
  channelsPerGroup: number | null;
  batchSize: number;
  seed: number;
  /** The learning rate actually used (after the B/32 rule). */
  lr: number;
  /** The model with this run's normalization layers. */
  model: ModelSpec;
}

export type RunStatus = 'pending' | 'running' | 'done' | 'cancelled' | 'failed';

/** One run in results.json. Field names are snake_case like the rest of the file (Python reads it too). */
export interface RunRecord {
  index: number;
  label: string;
  method: Method;
  groups: number | null;
  channels_per_group: number | null;
  batch_size: number;
  seed: number;
  lr: number;
  status: RunStatus;
  /** Why a run failed (one line). */
  error?: string;
  epochs: EpochRecord[];
  /** Wall time of the run (training and evaluation). */
  seconds: number;
  /** Training throughput (examples per second of the training steps), when known. */
  examples_per_second?: number;
}

export const RESULTS_FORMAT = 'normlab-experiment';
export const RESULTS_VERSION = 1;

/** results.json. */
export interface ExperimentResults {
  format: typeof RESULTS_FORMAT;
  version: typeof RESULTS_VERSION;
  /** "normlab 0.2.0" or "pytorch 1.13.1". */
  engine: string;
  /** ISO time the experiment started. */
  created: string;
  preset: PresetName;
  config: ExperimentConfig;
  model: ModelSpec;
  data: DataDescription;
  runs: RunRecord[];
}

/** A configuration that cannot run; the message is one line for users. */
export class ExperimentConfigError extends Error {
  override readonly name = 'ValidationError';
}
