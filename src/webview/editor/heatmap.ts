// Draws a downsampled heatmap tile on a canvas: a diverging map between two theme colours through the
// editor background when the values straddle 0, else a sequential map from the background; NaN cells are hatched grey.
import type { HeatmapTileMessage } from '../../protocol/editor';
import { cssVar, rgbOf } from '../common/theme';

/** Longest side of the drawn heatmap in CSS pixels (a 128-cell tile gets 2 px per cell). */
const MAX_DRAWN = 320;

export function drawHeatmap(canvas: HTMLCanvasElement, tile: HeatmapTileMessage): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const low = rgbOf(cssVar('--vscode-charts-blue', '#3794ff'));
  const mid = rgbOf(cssVar('--vscode-editor-background', '#1e1e1e'));
  const high = rgbOf(cssVar('--vscode-charts-red', '#f14c4c'));
  const nan = rgbOf(cssVar('--vscode-disabledForeground', '#808080'));
  const lo = tile.min ?? 0;
  const hi = tile.max ?? 0;
  const diverging = lo < 0 && hi > 0;
  const bound = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const img = ctx.createImageData(tile.cols, tile.rows);
  tile.values.forEach((v, i) => {
    let rgb: [number, number, number];
    if (v === null) rgb = nan;
    else if (diverging) rgb = v < 0 ? mix(mid, low, -v / bound) : mix(mid, high, v / bound);
    else rgb = mix(mid, high, hi > lo ? (v - lo) / (hi - lo) : 0.5);
    img.data.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  });
  // Paint the tile at 1 px per cell, then scale it up without smoothing so each cell stays a crisp block.
  const off = document.createElement('canvas');
  off.width = tile.cols;
  off.height = tile.rows;
  off.getContext('2d')?.putImageData(img, 0, 0);
  const scale = Math.max(1, Math.floor(Math.min(MAX_DRAWN / tile.cols, MAX_DRAWN / tile.rows)));
  canvas.width = tile.cols * scale;
  canvas.height = tile.rows * scale;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}

function mix(a: [number, number, number], b: [number, number, number], t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t));
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * u)) as [number, number, number];
}
