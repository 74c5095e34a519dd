// Host <-> tensor-editor webview messages (protocol/rpc.ts): the webview's requests with what each returns, the host's
// notifications (the listing and the statistics it streams on its own), and the limits. Types and constants only; the
// validator is editorValidate.ts.
import type { NotificationOf, Reply, RequestOf, RequestProgress } from './rpc';
import type { SliceTile } from './tile';
import type { HistogramBins, NormLayerEntry, TensorEntry, TensorSummary } from './worker';

export const EDITOR_ACTIONS = ['playground', 'normalize', 'export'] as const;
export type EditorAction = (typeof EDITOR_ACTIONS)[number];

/** Limits the host enforces on webview requests. */
export const EDITOR_LIMITS = {
  maxNameLength: 4096,
  heatmapMaxSide: 128,
} as const;

export const HISTOGRAM_BINS = 64;

/** What the webview keeps across reloads (vscode.setState). */
export interface EditorViewState {
  selected?: string;
  heatmapIndex?: Record<string, number[]>;
}

/** A heatmap tile as sent to the webview (a plain array: it is small); NaN cells are null, min and max of the finite values. */
export type HeatmapTileMessage = SliceTile<(number | null)[]>;

/** Requests from the webview, with what each returns. */
export interface EditorRequests {
  /** Stops the statistics pass (the tensors done so far keep their statistics); statsDone follows. */
  cancelStats: { params: Record<string, never>; result: null };
  /** Computes the statistics still missing; progress, stats and statsDone follow as notifications. */
  restartStats: { params: Record<string, never>; result: null };
  /** A tile of the last two dims of `tensor` at the leading `index`. A newer heatmap request cancels this one. */
  heatmap: { params: { tensor: string; index: number[] }; result: HeatmapTileMessage };
  /**
   * Runs an action on a tensor; resolves when it is done, with where an export was written (workspace-relative; null
   * for the other actions). A failure is also shown by the host as a notification with a Show Log button.
   */
  action: { params: { action: EditorAction; tensor: string }; result: { exported: string | null } };
}
export type EditorRequestType = keyof EditorRequests;
export const EDITOR_REQUEST_TYPES: readonly EditorRequestType[] = ['cancelStats', 'restartStats', 'heatmap', 'action'];

export type EditorRequest<K extends EditorRequestType = EditorRequestType> = RequestOf<EditorRequests, K>;

/**
 * `ready`: the webview (new or reloaded) is listening; the host answers with init and what it already knows. A
 * CancelRequest (rpc.ts) is checked before these, as in every panel.
 */
export type EditorToHost = { type: 'ready' } | EditorRequest;

/** The file as listed: sent in `init`. */
export interface EditorFile {
  name: string;
  format: string;
  metadata: Record<string, string>;
  tensors: TensorEntry[];
  layers: NormLayerEntry[];
}

/** What the host sends on its own: after `ready`, when the file changes on disk, and as the statistics pass runs. */
export interface EditorNotifications {
  /** UI strings, already localized by the host (English key -> text), and the listed file. */
  init: { strings: Record<string, string>; file: EditorFile };
  stats: { tensor: string; summary: TensorSummary; histogram: HistogramBins };
  statsError: { tensor: string; message: string };
  /** Overall progress of the statistics pass: `done` tensors finished of `total`, `fraction` in [0, 1]. */
  statsProgress: { done: number; total: number; fraction: number };
  statsDone: { cancelled: boolean };
  /** The file could not be opened: shown in place of the table (the host also logs it). */
  loadError: { message: string };
}
export type EditorNotification<K extends keyof EditorNotifications = keyof EditorNotifications> = NotificationOf<EditorNotifications, K>;

export type HostToEditor = EditorNotification | Reply | RequestProgress;

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
