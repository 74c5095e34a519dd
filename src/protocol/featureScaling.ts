// Host <-> feature-scaling webview. The webview computes everything itself (src/kernels/featureScaling.ts is pure and
// small); the host only reads a workspace file for it: it picks the file, holds the tensor and hands the webview an
// opaque token, and the webview asks for columns by that token, never by path. parseFeatureScalingMessage checks
// every field before the host acts. Types, limits and that validator only.
import type { Reply, RequestOf, RequestProgress } from './rpc';
import { describe, expectEnum, expectInt, expectObject, ValidationError } from './validate';

/** A 2-D tensor of a file that the host holds for the webview. */
export interface HeldTable {
  /** Opaque handle (hex) of the tensor the host read; valid while this panel lives. */
  token: string;
  /** "file.npy: tensor" for display. */
  name: string;
  rows: number;
  cols: number;
}

/** Two feature columns (and an optional target column) of a held table; rows sampled evenly beyond a limit. */
export interface TableColumns {
  x1: number[];
  x2: number[];
  target: number[] | null;
  /** Rows sent (at most FEATURE_SCALING_LIMITS.maxRows) and rows in the tensor. */
  rows: number;
  totalRows: number;
}

export interface ColumnsRequest {
  token: string;
  x1: number;
  x2: number;
  /** A column of the tensor as the target, or null for a synthetic target. */
  target: number | null;
}

export interface FeatureScalingRequests {
  /** Quick picks of a tensor file and a 2-D tensor; null when the user dismissed them. */
  pickFile: { params: Record<string, never>; result: HeldTable | null };
  columns: { params: ColumnsRequest; result: TableColumns };
}

export type FeatureScalingRequest = RequestOf<FeatureScalingRequests>;
export type FeatureScalingToHost = { type: 'ready' } | FeatureScalingRequest;
export type FeatureScalingToWebview = { type: 'init'; strings: Record<string, string> } | Reply | RequestProgress;

export const FEATURE_SCALING_LIMITS = {
  /** Rows of a file the webview gets (evenly spaced beyond this): the kernels' sample limit. */
  maxRows: 5000,
  maxColumns: 1 << 20,
  tokenLength: 32,
} as const;

const TYPES = ['ready', 'pickFile', 'columns'] as const;

function expectToken(v: unknown, what: string): string {
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-f]{${FEATURE_SCALING_LIMITS.tokenLength}}$`).test(v)) {
    throw new ValidationError(`${what}: expected the token the host gave for the picked file (${FEATURE_SCALING_LIMITS.tokenLength} hex digits), got ${describe(v)}`);
  }
  return v;
}

/** Validates one message from the feature-scaling webview; throws a ValidationError naming the bad field. */
export function parseFeatureScalingMessage(raw: unknown): FeatureScalingToHost {
  const m = expectObject(raw, 'message');
  const type = expectEnum(m.type, 'message.type', TYPES);
  if (type === 'ready') return { type };
  const id = expectInt(m.id, `${type}.id`, 0, Number.MAX_SAFE_INTEGER);
  const p = expectObject(m.params, `${type}.params`);
  if (type === 'pickFile') return { type, id, params: {} };
  const maxCol = FEATURE_SCALING_LIMITS.maxColumns - 1;
  const x1 = expectInt(p.x1, 'columns.x1', 0, maxCol);
  const x2 = expectInt(p.x2, 'columns.x2', 0, maxCol);
  if (x1 === x2) throw new ValidationError(`columns.x2: expected a column other than x1's (${x1}), got the same`);
  const target = p.target === null ? null : expectInt(p.target, 'columns.target', 0, maxCol);
  return { type, id, params: { token: expectToken(p.token, 'columns.token'), x1, x2, target } };
}
