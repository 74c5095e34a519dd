// Host -> worker: the `playground` job's operations and what each returns. Types only.
import type { SensitivityPoint } from '../kernels/batchSensitivity';
import type { GenerateSpec } from '../kernels/generate';
import type { Controls, TrainState } from '../kernels/inputView';
import type { CompareResult, ComputeResult, TextFormat, TrainResult, ViewRequest } from './playground';

/** The input tensor as the worker sees it (shared memory: no copy per job). */
export interface JobInput {
  x: Float32Array;
  shape: number[];
}

export type PlaygroundJob =
  | { op: 'parse'; text: string }
  | { op: 'generate'; spec: GenerateSpec }
  | ({ op: 'compute'; controls: Controls; view: ViewRequest; running?: TrainState } & JobInput)
  | ({ op: 'compare'; controls: Controls; view: ViewRequest } & JobInput)
  | ({ op: 'sensitivity'; controls: Controls } & JobInput)
  | ({ op: 'train'; controls: Controls; running: TrainState | null; steps: number; batchSize: number; seed: number } & JobInput)
  | ({ op: 'output'; controls: Controls; running?: TrainState } & JobInput);

export interface PlaygroundJobResults {
  parse: { x: Float32Array; shape: number[]; format: TextFormat };
  generate: { x: Float32Array; shape: number[] };
  compute: ComputeResult;
  compare: CompareResult;
  sensitivity: SensitivityPoint[];
  train: TrainResult;
  output: { y: Float32Array; shape: number[] };
}
export type PlaygroundJobResult = PlaygroundJobResults[keyof PlaygroundJobResults];
