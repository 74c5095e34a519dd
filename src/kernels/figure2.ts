// The GN paper's Figure 2 as data: a cube with axes C (across), H·W (down) and N (into the page), the cells
// grouped into normalization sets exactly as the plan groups them, and an oblique projection for drawing.
// Pure: the webview turns these polygons into SVG; the tests check the geometry and the set of every cell.
import { asBatch } from './inputView';
import { makePlan, setOf, type NormPlan } from './plan';
import type { Layout, Method } from './types';

/** The cube of one input: logical (N, C, S = H·W·…) and how the method splits it into sets — the plan itself. */
export type CubeSpec = Pick<NormPlan, 'N' | 'C' | 'S' | 'groups' | 'channelsPerGroup' | 'reduceN' | 'numSets' | 'setSize'> & { method: Method };

/**
 * The cube for an input of this stored shape, taken from the normalization plan. LN/RMS are drawn as the
 * playground computes them: over every non-batch dim (C and H·W), which the plan states as GN with G = 1.
 * A 1-D input is one sample of C values.
 */
export function cubeSpec(storedShape: readonly number[], layout: Layout, method: Method, groups = 1): CubeSpec {
  const shape = asBatch(storedShape);
  const overAll = method === 'layer' || method === 'rms';
  const p = makePlan(shape, overAll ? { method: 'group', layout, groups: 1 } : { method, layout, groups });
  return { method, N: p.N, C: p.C, S: p.S, groups: p.groups, channelsPerGroup: p.channelsPerGroup, reduceN: p.reduceN, numSets: p.numSets, setSize: p.setSize };
}

/** Index ranges [lo, hi) of one set along each axis. */
export interface SetBox {
  n: [number, number];
  c: [number, number];
  s: [number, number];
}

export function setBox(spec: CubeSpec, set: number): SetBox {
  const cpg = spec.channelsPerGroup;
  const g = set % spec.groups;
  const n = spec.reduceN ? 0 : Math.floor(set / spec.groups);
  return { n: spec.reduceN ? [0, spec.N] : [n, n + 1], c: [g * cpg, (g + 1) * cpg], s: [0, spec.S] };
}

/** A short name of a set for the table and the tooltip: "c=3", "n=0, c=3", "n=1, g=2 (c 4–7)", "n=0". */
export function setLabel(spec: CubeSpec, set: number): string {
  const box = setBox(spec, set);
  const cs = box.c[1] - box.c[0] === 1 ? `c=${box.c[0]}` : `c ${box.c[0]}–${box.c[1] - 1}`;
  switch (spec.method) {
    case 'batch': return cs;
    case 'instance': return `n=${box.n[0]}, ${cs}`;
    case 'group': return `n=${box.n[0]}, g=${set % spec.groups} (${cs})`;
    default: return `n=${box.n[0]}`;
  }
}

export interface Point {
  x: number;
  y: number;
}

export interface CubeView {
  /** Size in pixels of the C edge (across), the S edge (down) and the N edge (oblique, into the page). */
  width: number;
  height: number;
  depth: number;
  /** Angle of the N edge above the horizontal, radians. */
  angle: number;
  pad: number;
  /** Most grid divisions drawn per axis; larger axes are binned. */
  maxDivisions: number;
}

export const DEFAULT_VIEW: CubeView = { width: 220, height: 150, depth: 120, angle: Math.PI / 6, pad: 24, maxDivisions: 16 };

/** Size of the drawing. */
export function viewBox(view: CubeView): { width: number; height: number } {
  return {
    width: view.width + view.depth * Math.cos(view.angle) + 2 * view.pad,
    height: view.height + view.depth * Math.sin(view.angle) + 2 * view.pad,
  };
}

/** Unit coordinates u = c/C (across), v = s/S (down), w = n/N (into the page) to pixels. */
export function project(view: CubeView, u: number, v: number, w: number): Point {
  const dx = view.depth * Math.cos(view.angle);
  const dy = view.depth * Math.sin(view.angle);
  return { x: view.pad + u * view.width + w * dx, y: view.pad + dy + v * view.height - w * dy };
}

export type Face = 'front' | 'top' | 'side';

/** One drawn cell of a visible face, with the (n, c) it stands for and that element's set. */
export interface CubeCell {
  face: Face;
  points: Point[];
  n: number;
  c: number;
  set: number;
}

/** Grid divisions along an axis of `size` elements: every element up to maxDivisions, else even bins. */
export function divisions(size: number, max: number): number[] {
  const k = Math.min(size, max);
  return Array.from({ length: k + 1 }, (_, i) => Math.round((i * size) / k));
}

/** The quad of face `face` spanning [a0, a1] × [b0, b1] in that face's two unit coordinates. */
export function faceQuad(view: CubeView, face: Face, a0: number, a1: number, b0: number, b1: number): Point[] {
  // front (w = 0): a = u, b = v. top (v = 0): a = u, b = w. side (u = 1): a = w, b = v.
  const at = (a: number, b: number): Point =>
    face === 'front' ? project(view, a, b, 0) : face === 'top' ? project(view, a, 0, b) : project(view, 1, b, a);
  return [at(a0, b0), at(a1, b0), at(a1, b1), at(a0, b1)];
}

/**
 * Cells of the three visible faces. The front face is sample n = 0, the top face shows every (n, c),
 * the side face is channel C − 1; each cell names the first element it covers.
 */
export function cubeCells(spec: CubeSpec, view: CubeView = DEFAULT_VIEW): CubeCell[] {
  const dn = divisions(spec.N, view.maxDivisions);
  const dc = divisions(spec.C, view.maxDivisions);
  const ds = divisions(spec.S, Math.min(8, view.maxDivisions));
  const cells: CubeCell[] = [];
  const cell = (face: Face, a0: number, a1: number, b0: number, b1: number, n: number, c: number) =>
    cells.push({ face, points: faceQuad(view, face, a0, a1, b0, b1), n, c, set: setOf(spec, n, c) });
  for (let i = 0; i + 1 < dc.length; i++) {
    for (let k = 0; k + 1 < ds.length; k++) cell('front', dc[i] / spec.C, dc[i + 1] / spec.C, ds[k] / spec.S, ds[k + 1] / spec.S, 0, dc[i]);
    for (let j = 0; j + 1 < dn.length; j++) cell('top', dc[i] / spec.C, dc[i + 1] / spec.C, dn[j] / spec.N, dn[j + 1] / spec.N, dn[j], dc[i]);
  }
  for (let j = 0; j + 1 < dn.length; j++) {
    for (let k = 0; k + 1 < ds.length; k++) cell('side', dn[j] / spec.N, dn[j + 1] / spec.N, ds[k] / spec.S, ds[k + 1] / spec.S, dn[j], spec.C - 1);
  }
  return cells;
}

/** The three visible faces of one set's box, exact (not binned): the highlighted block of Figure 2. */
export function highlightPolygons(spec: CubeSpec, set: number, view: CubeView = DEFAULT_VIEW): Record<Face, Point[]> {
  const b = setBox(spec, set);
  const u0 = b.c[0] / spec.C;
  const u1 = b.c[1] / spec.C;
  const w0 = b.n[0] / spec.N;
  const w1 = b.n[1] / spec.N;
  const at = (u: number, v: number, w: number) => project(view, u, v, w);
  return {
    front: [at(u0, 0, w0), at(u1, 0, w0), at(u1, 1, w0), at(u0, 1, w0)],
    top: [at(u0, 0, w0), at(u1, 0, w0), at(u1, 0, w1), at(u0, 0, w1)],
    side: [at(u1, 0, w0), at(u1, 0, w1), at(u1, 1, w1), at(u1, 1, w0)],
  };
}

/** Axis label anchors: the middle of the C edge (bottom), the S edge (left) and the N edge (bottom right). */
export function axisLabels(view: CubeView = DEFAULT_VIEW): { C: Point; S: Point; N: Point } {
  const c = project(view, 0.5, 1, 0);
  const s = project(view, 0, 0.5, 0);
  const n = project(view, 1, 1, 0.5);
  return { C: { x: c.x, y: c.y + 16 }, S: { x: s.x - 8, y: s.y }, N: { x: n.x + 12, y: n.y + 10 } };
}
