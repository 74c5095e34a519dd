// The training engine's public types: what a model spec, a data set, a run's configuration and its
// results look like. One run of training is a plain function of (spec, data, config, seed) — `trainRun`
// in train.ts — that the CLI, the worker pool and the tests call unchanged. Pure: no vscode, DOM or Node.

/** One layer as `[torch.nn class name, keyword arguments]`, e.g. `["Conv2d", {"in_channels": 1, ...}]`. */
export type LayerSpec = [name: string, kwargs: Record<string, unknown>];

/**
 * The JSON form of `nn.Sequential`: `nn.Sequential(*[getattr(nn, n)(**kw) for n, kw in layers])` builds the
 * same model in PyTorch. `input_shape` is one sample's shape without the batch dim: (C, H, W) or (F,).
 */
export interface ModelSpec {
  input_shape: number[];
  layers: LayerSpec[];
}

/** A labelled data set in memory: x is float32 (N, ...sampleShape) row-major, y integer class ids. */
export interface Dataset {
  x: Float32Array;
  /** One sample's shape, without N: (C, H, W) for images. */
  sampleShape: number[];
  y: Int32Array;
  /** Number of classes (max label + 1 unless a file says otherwise). */
  numClasses: number;
}

/** How the data were prepared, stored with results and saved states so a run can be repeated. */
export interface DataDescription {
  /** What it is, e.g. "Fashion-MNIST subset (bundled)" or a file name. */
  name: string;
  trainSize: number;
  valSize: number;
  /** uint8 images: scaled to [0, 1], then (x - mean) / std with the training set's mean and std. */
  standardized: { mean: number; std: number } | null;
}

export type Schedule =
  | { kind: 'constant' }
  /** Cosine from lr to 0 over all steps (after warm-up). */
  | { kind: 'cosine' }
  /** × 0.1 at each of these epochs (torch.optim.lr_scheduler.MultiStepLR, gamma 0.1). */
  | { kind: 'step'; milestones: number[] };

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  /** Base learning rate (before `scaleLrByBatch` and the schedule). */
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  schedule: Schedule;
  /** Linear warm-up from 0 over this many epochs (0 = none). */
  warmupEpochs: number;
  /** The GN paper's rule: lr = base · batchSize / 32. */
  scaleLrByBatch: boolean;
  /** Seeds initialisation and shuffling. */
  seed: number;
  /**
   * Exact sample indices of every step (steps × batch), replacing shuffling and epochs: how parity with
   * PyTorch is tested. Each row is one step's batch, in order.
   */
  order?: { steps: number; batch: number; indices: Int32Array };
  /** A state dict (nn.Sequential keys) to start from instead of the seeded initialisation. */
  init?: StateDict;
}

/** nn.Sequential state dict: key -> tensor. num_batches_tracked is a 1-element tensor holding an integer. */
export type StateDict = Map<string, { shape: number[]; data: Float32Array | Float64Array }>;

export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  train_loss: number;
  /** Fraction in [0, 1] of misclassified training samples, measured during the epoch's steps. */
  train_error: number;
  /** Eval mode over the validation set; null without one. */
  val_loss: number | null;
  val_error: number | null;
  /** Wall time of the epoch's training steps (not evaluation). */
  seconds: number;
}

/** Reported after each step (the caller throttles what it forwards). */
export interface StepReport {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  lr: number;
}

export interface TrainHooks {
  onStep?(report: StepReport): void;
  onEpoch?(record: EpochRecord): void;
  /** Checked between steps: an aborted run rejects with an error named 'CancelledError'. */
  signal?: AbortSignal;
}

export interface TrainResult {
  /** The loss of every step, before its update. */
  losses: number[];
  epochs: EpochRecord[];
  /** Training steps only: examples / seconds of the steps (no start-up, data loading or evaluation). */
  examples_per_second: number;
  train_seconds: number;
  /** The trained parameters and buffers. */
  state: StateDict;
}
