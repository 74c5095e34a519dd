// A heatmap of a tile (block means of a slice) on a canvas: a diverging map between two theme colours through
// the editor background; the value under the pointer is shown beside it.
import type { Tile } from '../../protocol/playground';
import { cssVar, rgbOf } from '../common/theme';
import { fmt } from '../common/format';

export class HeatmapView {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly readout: HTMLElement;
  private tile: Tile | undefined;

  constructor(testId: string, private readonly caption: string) {
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

  show(tile: Tile): void {
    this.tile = tile;
    const { rows, cols } = tile;
    this.canvas.width = Math.max(1, cols);
    this.canvas.height = Math.max(1, rows);
    // Keep cells square-ish: the CSS sizes the canvas, pixelated.
    this.canvas.style.aspectRatio = `${Math.max(1, cols)} / ${Math.max(1, rows)}`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx || rows === 0 || cols === 0) return;
    const lo = rgbOf(cssVar('--vscode-charts-blue', '#3794ff'));
    const mid = rgbOf(cssVar('--vscode-editor-background', '#1e1e1e'));
    const hi = rgbOf(cssVar('--vscode-charts-red', '#f14c4c'));
    const img = ctx.createImageData(cols, rows);
    const span = Math.max(Math.abs(tile.min), Math.abs(tile.max)) || 1;
    for (let i = 0; i < rows * cols; i++) {
      const v = tile.values[i];
      const t = Number.isFinite(v) ? Math.max(-1, Math.min(1, v / span)) : 0;
      const [a, b] = t < 0 ? [mid, lo] : [mid, hi];
      const f = Math.abs(t);
      img.data[4 * i] = a[0] + (b[0] - a[0]) * f;
      img.data[4 * i + 1] = a[1] + (b[1] - a[1]) * f;
      img.data[4 * i + 2] = a[2] + (b[2] - a[2]) * f;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    this.readout.textContent = `${tile.sliceRows} × ${tile.sliceCols}${tile.rows < tile.sliceRows || tile.cols < tile.sliceCols ? ` (${tile.rows} × ${tile.cols} block means)` : ''} · [${fmt(tile.min)}, ${fmt(tile.max)}]`;
  }

  private hover(e: MouseEvent): void {
    const t = this.tile;
    if (!t || t.rows === 0) return;
    const r = this.canvas.getBoundingClientRect();
    const i = Math.min(t.rows - 1, Math.floor(((e.clientY - r.top) / r.height) * t.rows));
    const j = Math.min(t.cols - 1, Math.floor(((e.clientX - r.left) / r.width) * t.cols));
    const r0 = Math.floor((i * t.sliceRows) / t.rows);
    const c0 = Math.floor((j * t.sliceCols) / t.cols);
    this.readout.textContent = `${this.caption} [${r0}, ${c0}] = ${fmt(t.values[i * t.cols + j])}`;
  }
}
