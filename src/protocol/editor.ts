// Host <-> tensor-editor webview protocol: one discriminated union per direction. Types and constants only.
import type { HistogramBins, NormLayerEntry, TensorEntry, TensorSummary } from './worker';

export const EDITOR_ACTIONS = ['playground', 'normalize', 'export'] as const;
export type EditorAction = (typeof EDITOR_ACTIONS)[number];

/** Limits the host enforces on webview requests. */
export const EDITOR_LIMITS = {
  maxNameLength: 4096,
  maxRequestId: 2 ** 31 - 1,
  heatmapMaxSide: 128,
} as const;

export const HISTOGRAM_BINS = 64;

/** What the webview keeps across reloads (vscode.setState). */
export interface EditorViewState {
  selected?: string;
  heatmapIndex?: Record<string, number[]>;
}

/** A heatmap tile as posted to the webview (a plain array: it is small). */
export interface HeatmapTileMessage {
  rows: number;
  cols: number;
  sliceRows: number;
  sliceCols: number;
  values: (number | null)[];
  min: number | null;
  max: number | null;
}

export type HostToEditor =
  | {
      type: 'init';
      /** UI strings, already localized by the host (English key -> text). */
      strings: Record<string, string>;
      file: { name: string; format: string; metadata: Record<string, string>; tensors: TensorEntry[]; layers: NormLayerEntry[] };
    }
  | { type: 'stats'; tensor: string; summary: TensorSummary; histogram: HistogramBins }
  | { type: 'statsError'; tensor: string; message: string }
  /** Overall progress of the statistics pass: `done` tensors finished of `total`, `fraction` in [0, 1]. */
  | { type: 'progress'; done: number; total: number; fraction: number }
  | { type: 'statsDone'; cancelled: boolean }
  | { type: 'heatmap'; requestId: number; tensor: string; index: number[]; tile: HeatmapTileMessage }
  /** A failure the webview shows in place (the host also logs it). requestId ties it to a heatmap request. */
  | { type: 'error'; message: string; requestId?: number }
  | { type: 'exported'; tensor: string; path: string };

export type EditorToHost =
  | { type: 'ready' }
  | { type: 'cancelStats' }
  | { type: 'restartStats' }
  | { type: 'requestHeatmap'; requestId: number; tensor: string; index: number[] }
  | { type: 'action'; action: EditorAction; tensor: string };

export const EDITOR_TO_HOST_TYPES = ['ready', 'cancelStats', 'restartStats', 'requestHeatmap', 'action'] as const;

/** English UI strings of the tensor editor; the host sends their translations in `init.strings`. */
export const EDITOR_STRINGS = [
  'Loading…', 'Tensors', 'Name', 'dtype', 'Shape', 'Size', 'min', 'max', 'mean', 'std', 'NaN', 'Inf', 'Actions',
  'Cancel', 'Resume statistics', 'Histogram', 'Heatmap', 'Open in Playground', 'Normalize…', 'Export as .npy',
  'Normalization layers', 'Computing statistics: {0} of {1} tensors', 'Statistics cancelled: {0} of {1} tensors',
  'Tensors with statistics: {0}', 'Select a tensor to see its histogram and heatmap', 'Slice', 'No finite values',
  'Metadata', 'Exported to {0}', 'Format: {0}', 'Tensors: {0}', 'Slice {0} × {1}, drawn at {2} × {3}',
  'Heatmaps are drawn for tensors of 2 or more dims', 'count', 'This file holds no tensors', 'Selected tensor: {0}',
] as const;
export type EditorString = (typeof EDITOR_STRINGS)[number];
