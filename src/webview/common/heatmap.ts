// The one heatmap renderer of the webviews (the tensor viewer's slice, the playground's input and output slices):
// a tile of block means drawn cell by cell in theme colours (--vscode-charts-blue below 0, -red above, through the
// editor background), NaN cells in the disabled-foreground grey, each cell a crisp block. HeatmapView adds a caption,
// a readout of the tile's size and range, and the value under the pointer.
import type { SliceTile } from '../../protocol/tile';
import { fmt } from './format';
import { cssVar, rgbOf } from './theme';

/** What the heatmap draws: a tile whose values may be null (NaN) and whose range may be null (no finite value). */
export type HeatmapTile = SliceTile<readonly (number | null)[]>;

/**
 * How values map to colours. 'zero': always centred on 0 (blue -|v|max … background 0 … red +|v|max), so that two
 * tiles (before and after normalizing) read on one meaning of 0. 'range': the same when the values straddle 0, else
 * sequential from the background at min to red at max, so a tile of all-positive values still shows its detail.
 */
export type HeatmapScale = 'zero' | 'range';

/** Longest side of the drawn heatmap in canvas pixels (a 128-cell tile gets 2 px per cell). */
const MAX_DRAWN = 320;

type Rgb = [number, number, number];

export function drawHeatmap(canvas: HTMLCanvasElement, tile: HeatmapTile, scale: HeatmapScale = 'range'): void {
  const ctx = canvas.getContext('2d');
  const { rows, cols } = tile;
  if (!ctx || rows === 0 || cols === 0) {
    canvas.width = Math.max(1, cols);
    canvas.height = Math.max(1, rows);
    return;
  }
  const low = rgbOf(cssVar('--vscode-charts-blue', '#3794ff'));
  const mid = rgbOf(cssVar('--vscode-editor-background', '#1e1e1e'));
  const high = rgbOf(cssVar('--vscode-charts-red', '#f14c4c'));
  const nan = rgbOf(cssVar('--vscode-disabledForeground', '#808080'));
  const lo = tile.min ?? 0;
  const hi = tile.max ?? 0;
  const centred = scale === 'zero' || (lo < 0 && hi > 0);
  const bound = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const img = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const v = tile.values[i];
    let rgb: Rgb;
    if (v === null || v === undefined || Number.isNaN(v)) rgb = nan;
    else if (centred) rgb = v < 0 ? mix(mid, low, -v / bound) : mix(mid, high, v / bound);
    else rgb = mix(mid, high, hi > lo ? (v - lo) / (hi - lo) : 0.5);
    img.data.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  }
  // Paint the tile at 1 px per cell, then scale it up without smoothing so each cell stays a crisp block.
  const off = document.createElement('canvas');
  off.width = cols;
  off.height = rows;
  off.getContext('2d')?.putImageData(img, 0, 0);
  const k = Math.max(1, Math.floor(Math.min(MAX_DRAWN / cols, MAX_DRAWN / rows)));
  canvas.width = cols * k;
  canvas.height = rows * k;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}

/** The cell of `tile` under a pointer at (clientX, clientY) on `canvas`: its slice coordinates and value. */
export function cellAt(canvas: HTMLCanvasElement, tile: HeatmapTile, clientX: number, clientY: number): { row: number; col: number; value: number | null } | undefined {
  if (tile.rows === 0 || tile.cols === 0) return undefined;
  const r = canvas.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return undefined;
  const i = Math.min(tile.rows - 1, Math.max(0, Math.floor(((clientY - r.top) / r.height) * tile.rows)));
  const j = Math.min(tile.cols - 1, Math.max(0, Math.floor(((clientX - r.left) / r.width) * tile.cols)));
  return { row: Math.floor((i * tile.sliceRows) / tile.rows), col: Math.floor((j * tile.sliceCols) / tile.cols), value: tile.values[i * tile.cols + j] ?? null };
}

/** A captioned heatmap with a readout: the tile's size and range, or the value under the pointer. */
export class HeatmapView {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly readout: HTMLElement;
  private tile: HeatmapTile | undefined;

  constructor(testId: string, private readonly caption: string, private readonly scale: HeatmapScale = 'range') {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'heatmap';
    this.canvas.dataset.testid = testId;
    this.canvas.tabIndex = 0;
    this.readout = document.createElement('div');
    this.readout.className = 'readout';
    this.readout.dataset.testid = `${testId}-value`;
    const cap = document.createElement('div');
    cap.className = 'caption';
    cap.textContent = caption;
    this.root = document.createElement('figure');
    this.root.className = 'heatmap-box';
    this.root.append(cap, this.canvas, this.readout);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.setAttribute('aria-label', caption);
  }

  show(tile: HeatmapTile): void {
    this.tile = tile;
    const { rows, cols } = tile;
    // Keep cells square-ish: the CSS sizes the canvas, pixelated.
    this.canvas.style.aspectRatio = `${Math.max(1, cols)} / ${Math.max(1, rows)}`;
    drawHeatmap(this.canvas, tile, this.scale);
    const blocks = rows < tile.sliceRows || cols < tile.sliceCols ? ` (${rows} × ${cols} block means)` : '';
    this.readout.textContent = `${tile.sliceRows} × ${tile.sliceCols}${blocks} · [${fmt(tile.min)}, ${fmt(tile.max)}]`;
  }

  private hover(e: MouseEvent): void {
    const cell = this.tile && cellAt(this.canvas, this.tile, e.clientX, e.clientY);
    if (cell) this.readout.textContent = `${this.caption} [${cell.row}, ${cell.col}] = ${fmt(cell.value)}`;
  }
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const u = Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t)); // ±Infinity / Infinity: the background
  return [Math.round(a[0] + (b[0] - a[0]) * u), Math.round(a[1] + (b[1] - a[1]) * u), Math.round(a[2] + (b[2] - a[2]) * u)];
}
