// One loss-surface picture on a canvas: contours over (w1, w2), the Hessian's principal axes through the optimum,
// the optimum, the start and the descent path up to the step shown. Colours from the theme (--vscode-* variables).
// Keyboard: focus the picture and move the start with the arrow keys (Shift: bigger steps); a click sets it too.
import type { Vec2 } from '../../kernels/featureScaling';
import { h } from '../common/dom';
import { cssVar } from '../common/theme';
import { fmt } from '../common/format';
import { contourSegments } from './contours';
import { ellipse, type ContourPicture, type ScalingView } from './compute';

const PAD = { left: 72, right: 22, top: 10, bottom: 36 };
// A square plot area, so that "equal axes" (equal w1 and w2 spans) draws round contours round.
const PLOT = 232;
const WIDTH = PAD.left + PLOT + PAD.right;
const HEIGHT = PAD.top + PLOT + PAD.bottom;
/** Path points drawn as dots (beyond this only the line). */
const MAX_DOTS = 150;

export class LossPlot {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private picture: ContourPicture | null = null;
  private view: ScalingView | null = null;
  private shown = 0;
  private path: Float64Array | null = null;

  constructor(testId: string, label: string, private readonly onStart: (w: Vec2) => void) {
    this.canvas = h('canvas', { class: 'loss-plot', 'data-testid': `plot-${testId}`, tabindex: 0, role: 'img', 'aria-label': label });
    this.root = h('div', { class: 'plot-box' }, this.canvas);
    this.canvas.addEventListener('click', (e) => {
      const w = this.toWeights(e.offsetX, e.offsetY);
      if (w) this.onStart(w);
    });
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Draws `view` with the path up to step `shown` (of the points known so far). */
  draw(view: ScalingView, picture: ContourPicture, path: Float64Array | null, shown: number, label: string): void {
    this.view = view;
    this.picture = picture;
    this.path = path;
    this.shown = shown;
    this.canvas.setAttribute('aria-label', label);
    this.render();
  }

  render(): void {
    const { picture, view } = this;
    if (!picture || !view) return;
    const dpr = window.devicePixelRatio || 1;
    const c = this.canvas;
    if (c.width !== WIDTH * dpr || c.height !== HEIGHT * dpr) {
      c.width = WIDTH * dpr;
      c.height = HEIGHT * dpr;
      c.style.width = `${WIDTH}px`;
      c.style.height = `${HEIGHT}px`;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    const fg = cssVar('--vscode-foreground', '#ccc');
    const muted = cssVar('--vscode-descriptionForeground', '#999');
    const font = cssVar('--vscode-font-family', 'sans-serif');
    const { window: win, n } = picture;
    const pw = PLOT;
    const ph = PLOT;
    const X = (w1: number) => PAD.left + ((w1 - win.w1[0]) / (win.w1[1] - win.w1[0])) * pw;
    const Y = (w2: number) => PAD.top + ph - ((w2 - win.w2[0]) / (win.w2[1] - win.w2[0])) * ph;

    // Frame and axis labels.
    ctx.strokeStyle = cssVar('--vscode-panel-border', '#555');
    ctx.lineWidth = 1;
    ctx.strokeRect(PAD.left, PAD.top, pw, ph);
    ctx.fillStyle = muted;
    ctx.font = `11px ${font}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of [win.w1[0], (win.w1[0] + win.w1[1]) / 2, win.w1[1]]) ctx.fillText(tick(v), X(v), PAD.top + ph + 4);
    ctx.fillStyle = fg;
    ctx.fillText('w1', PAD.left + pw / 2, PAD.top + ph + 19);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = muted;
    for (const v of [win.w2[0], (win.w2[0] + win.w2[1]) / 2, win.w2[1]]) ctx.fillText(tick(v), PAD.left - 4, Y(v));
    ctx.save();
    ctx.translate(9, PAD.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillStyle = fg;
    ctx.fillText('w2', 0, 0);
    ctx.restore();

    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top, pw, ph);
    ctx.clip();
    // Contours: inner ones strongest.
    const contour = cssVar('--vscode-charts-blue', '#3794ff');
    const gx = (x: number) => PAD.left + (x / (n - 1)) * pw;
    const gy = (y: number) => PAD.top + ph - (y / (n - 1)) * ph;
    picture.levels.forEach((level, k) => {
      ctx.strokeStyle = contour;
      ctx.globalAlpha = Math.max(0.25, 1 - k / picture.levels.length);
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      if (picture.grid) {
        const seg = contourSegments(picture.grid, n, n, level);
        for (let i = 0; i < seg.length; i += 4) {
          ctx.moveTo(gx(seg[i]), gy(seg[i + 1]));
          ctx.lineTo(gx(seg[i + 2]), gy(seg[i + 3]));
        }
      } else {
        const e = ellipse(view.analysis, level);
        for (let i = 0; i < e.length; i += 2) (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, X(e[i]), Y(e[i + 1]));
      }
      ctx.stroke();
    });
    ctx.globalAlpha = 1;

    // Principal axes of the Hessian through the optimum: the valley's long (λmin) and short (λmax) directions.
    const [o1, o2] = view.analysis.optimum;
    const span = 2 * Math.max(win.w1[1] - win.w1[0], win.w2[1] - win.w2[0]);
    ctx.strokeStyle = muted;
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1;
    for (const [p, q] of view.analysis.eigen.vectors) {
      ctx.beginPath();
      ctx.moveTo(X(o1 - span * p), Y(o2 - span * q));
      ctx.lineTo(X(o1 + span * p), Y(o2 + span * q));
      ctx.stroke();
    }
    ctx.setLineDash([]);

    // The path up to the step shown.
    const path = this.path;
    if (path && path.length >= 2) {
      const last = Math.min(this.shown, path.length / 2 - 1);
      ctx.strokeStyle = cssVar('--vscode-charts-orange', '#d18616');
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = 1.6;
      ctx.beginPath();
      ctx.moveTo(X(path[0]), Y(path[1]));
      for (let i = 1; i <= last; i++) ctx.lineTo(X(path[2 * i]), Y(path[2 * i + 1]));
      ctx.stroke();
      for (let i = 1; i <= Math.min(last, MAX_DOTS); i++) dot(ctx, X(path[2 * i]), Y(path[2 * i + 1]), 2.2);
      dot(ctx, X(path[2 * last]), Y(path[2 * last + 1]), 4.5);
      // Start.
      ctx.fillStyle = cssVar('--vscode-charts-green', '#89d185');
      dot(ctx, X(path[0]), Y(path[1]), 5);
    }
    // Optimum: a cross.
    ctx.strokeStyle = cssVar('--vscode-charts-red', '#f14c4c');
    ctx.lineWidth = 2.4;
    ctx.beginPath();
    const ox = X(o1);
    const oy = Y(o2);
    ctx.moveTo(ox - 6, oy - 6);
    ctx.lineTo(ox + 6, oy + 6);
    ctx.moveTo(ox - 6, oy + 6);
    ctx.lineTo(ox + 6, oy - 6);
    ctx.stroke();
    ctx.restore();
  }

  /** Canvas CSS pixel -> weights (null outside the plot area). */
  private toWeights(px: number, py: number): Vec2 | null {
    const win = this.picture?.window;
    if (!win) return null;
    const pw = PLOT;
    const ph = PLOT;
    const fx = (px - PAD.left) / pw;
    const fy = 1 - (py - PAD.top) / ph;
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return null;
    return [round(win.w1[0] + fx * (win.w1[1] - win.w1[0])), round(win.w2[0] + fy * (win.w2[1] - win.w2[0]))];
  }

  private onKey(e: KeyboardEvent): void {
    const win = this.picture?.window;
    const path = this.path;
    if (!win || !path) return;
    const moves: Record<string, Vec2> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const f = e.shiftKey ? 0.1 : 0.02;
    this.onStart([round(path[0] + m[0] * f * (win.w1[1] - win.w1[0])), round(path[1] + m[1] * f * (win.w2[1] - win.w2[0]))]);
  }
}

function dot(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
}

/** Axis tick: 3 significant digits. */
const tick = (v: number): string => (Math.abs(v) < 1e-12 ? '0' : fmt(Number(v.toPrecision(3))));

/** 4 significant digits: start points typed by a click stay readable in the fields. */
const round = (v: number): number => Number(v.toPrecision(4));
