// The feature-scaling view's state, kept with vscode.setState so it survives a reload: the data (generated from a
// spec, or columns of a file), which transforms are shown, and the descent's settings. Pure: no DOM.
import { checkScalingSpec, DEFAULT_SCALING_SPEC, FEATURE_TRANSFORMS, SCALING_LIMITS, type FeatureTransform, type ScalingDataSpec, type Vec2 } from '../../kernels/featureScaling';

/** Columns of a workspace file, kept in the state (at most SCALING_LIMITS.maxSamples rows) so a reload needs no host. */
export interface FileData {
  name: string;
  /** The host's token for the held tensor (stale after a reload: changing columns then needs a new pick). */
  token: string;
  cols: number;
  columns: [number, number];
  targetColumn: number | null;
  x1: number[];
  x2: number[];
  target: number[] | null;
  rows: number;
  totalRows: number;
}

/** How the learning rate is set: a fraction of each view's own 2/λmax, or one absolute value for every view. */
export type LrMode = 'relative' | 'absolute';

export interface ScalingState {
  spec: ScalingDataSpec;
  source: 'generate' | 'file';
  file: FileData | null;
  /** The transform shown (when not side by side). */
  view: FeatureTransform;
  sideBySide: boolean;
  lrMode: LrMode;
  /** relative: lr = lrFraction · 2/λmax of each view. */
  lrFraction: number;
  /** absolute: this lr in every view. */
  lrAbsolute: number;
  momentum: number;
  /** Where descent starts, in each view's own weight coordinates. */
  start: Vec2;
  /** One unit equally long on both axes (a narrow valley looks as narrow as it is). */
  equalAxes: boolean;
}

export const LR_FRACTION_RANGE: Vec2 = [0.01, 1.5];
export const LR_ABSOLUTE_RANGE: Vec2 = [1e-6, 10];
export const MAX_MOMENTUM = 0.99;
export const MAX_START = 1e6;

export function defaultState(): ScalingState {
  return {
    spec: { ...DEFAULT_SCALING_SPEC }, source: 'generate', file: null, view: 'raw', sideBySide: true,
    lrMode: 'relative', lrFraction: 0.5, lrAbsolute: 1e-4, momentum: 0, start: [0, 0], equalAxes: true,
  };
}

const num = (v: unknown, lo: number, hi: number, fallback: number): number => (typeof v === 'number' && v >= lo && v <= hi ? v : fallback);

/** The saved state with anything missing or out of range replaced by its default (state from an older version). */
export function restoreState(saved: unknown): ScalingState {
  const d = defaultState();
  if (typeof saved !== 'object' || saved === null) return d;
  const s = saved as Partial<Record<keyof ScalingState, unknown>>;
  let spec = d.spec;
  if (typeof s.spec === 'object' && s.spec !== null) {
    const candidate = { ...d.spec, ...(s.spec as Partial<ScalingDataSpec>) };
    try {
      checkScalingSpec(candidate);
      spec = candidate;
    } catch {
      // keep the default spec
    }
  }
  const file = validFile(s.file) ? s.file : null;
  const start = Array.isArray(s.start) && s.start.length === 2 && s.start.every((v) => typeof v === 'number' && Math.abs(v) <= MAX_START) ? (s.start as Vec2) : d.start;
  return {
    spec,
    source: s.source === 'file' && file ? 'file' : 'generate',
    file,
    view: FEATURE_TRANSFORMS.includes(s.view as FeatureTransform) ? (s.view as FeatureTransform) : d.view,
    sideBySide: typeof s.sideBySide === 'boolean' ? s.sideBySide : d.sideBySide,
    lrMode: s.lrMode === 'absolute' ? 'absolute' : 'relative',
    lrFraction: num(s.lrFraction, ...LR_FRACTION_RANGE, d.lrFraction),
    lrAbsolute: num(s.lrAbsolute, ...LR_ABSOLUTE_RANGE, d.lrAbsolute),
    momentum: num(s.momentum, 0, MAX_MOMENTUM, d.momentum),
    start,
    equalAxes: typeof s.equalAxes === 'boolean' ? s.equalAxes : d.equalAxes,
  };
}

function validFile(v: unknown): v is FileData {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Partial<FileData>;
  const column = (a: unknown): a is number[] => Array.isArray(a) && a.length >= SCALING_LIMITS.minSamples && a.length <= SCALING_LIMITS.maxSamples && a.every((x) => typeof x === 'number');
  return typeof f.name === 'string' && typeof f.token === 'string' && column(f.x1) && column(f.x2) && f.x1.length === f.x2.length
    && (f.target === null || (column(f.target) && f.target.length === f.x1.length))
    && Array.isArray(f.columns) && f.columns.length === 2 && typeof f.rows === 'number' && typeof f.totalRows === 'number' && typeof f.cols === 'number';
}

/** Log-scale slider position (0…1000) <-> absolute learning rate. */
export function lrFromSlider(pos: number): number {
  const [lo, hi] = LR_ABSOLUTE_RANGE;
  return Number((lo * (hi / lo) ** (pos / 1000)).toPrecision(3));
}

export function sliderFromLr(lr: number): number {
  const [lo, hi] = LR_ABSOLUTE_RANGE;
  return Math.round((1000 * Math.log(lr / lo)) / Math.log(hi / lo));
}
