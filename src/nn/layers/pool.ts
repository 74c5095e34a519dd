// MaxPool2d, AvgPool2d (no padding, floor mode) and AdaptiveAvgPool2d(1), with torch.nn's arguments.
// MaxPool2d's gradient goes to the first maximum of each window in row-major order (PyTorch's CPU kernel),
// which matters after a ReLU, where windows of zeros tie.
import type { Pool2dDims } from '../ops';
import { BatchBuffer, batchShape, floats, kwargs, onlyDefault, type Layer, type LayerContext } from './layer';

function poolDims(kind: string, kw: Record<string, unknown>, { index, inShape }: LayerContext, extra: string[]) {
  const a = kwargs(kind, index, kw, ['kernel_size', 'stride', 'padding', 'ceil_mode', ...extra], ['kernel_size']);
  onlyDefault(kind, index, kw, 'padding', [0, [0, 0]]);
  onlyDefault(kind, index, kw, 'ceil_mode', [false]);
  const [KH, KW] = a.pair('kernel_size');
  const [SH, SW] = kw.stride === undefined || kw.stride === null ? [KH, KW] : a.pair('stride');
  if (inShape.length !== 3) a.fail(`expected a 4D input (N, C, H, W), got input of size ${batchShape(inShape)}`);
  const [C, H, W] = inShape;
  const OH = Math.floor((H - KH) / SH) + 1;
  const OW = Math.floor((W - KW) / SW) + 1;
  if (H < KH || W < KW || OH < 1 || OW < 1) {
    a.fail(`Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${Math.max(0, OH)}x${Math.max(0, OW)}). Output size is too small`);
  }
  const cache = new Map<number, Pool2dDims>();
  const dimsOf = (N: number): Pool2dDims => cache.get(N) ?? cache.set(N, { N, C, H, W, KH, KW, SH, SW, OH, OW }).get(N)!;
  return { a, C, H, W, OH, OW, dimsOf };
}

export function maxPool2d(kw: Record<string, unknown>, ctx: LayerContext): Layer {
  onlyDefault('MaxPool2d', ctx.index, kw, 'dilation', [1, [1, 1]]);
  onlyDefault('MaxPool2d', ctx.index, kw, 'return_indices', [false]);
  const { C, H, W, OH, OW, dimsOf } = poolDims('MaxPool2d', kw, ctx, ['dilation', 'return_indices']);
  const out = new BatchBuffer(C * OH * OW, ctx.ops);
  const dxBuf = new BatchBuffer(C * H * W, ctx.ops);
  let argmax: Int32Array = new Int32Array(0);
  return {
    kind: 'MaxPool2d', inShape: ctx.inShape, outShape: [C, OH, OW], params: [], buffers: [],
    forward(x, n) {
      const y = out.get(n);
      if (argmax.length < y.length) {
        const f = floats(ctx.ops, y.length);
        argmax = new Int32Array(f.buffer, f.byteOffset, y.length);
      }
      ctx.ops.maxPool2dForward(dimsOf(n), x, y, argmax);
      return y;
    },
    backward(dy, n, needDx) {
      if (!needDx) return null;
      const dx = dxBuf.get(n);
      ctx.ops.maxPool2dBackward(dimsOf(n), dy, argmax, dx);
      return dx;
    },
  };
}

export function avgPool2d(kw: Record<string, unknown>, ctx: LayerContext): Layer {
  // Without padding count_include_pad changes nothing; divisor_override would.
  onlyDefault('AvgPool2d', ctx.index, kw, 'divisor_override', [null]);
  const { a, C, H, W, OH, OW, dimsOf } = poolDims('AvgPool2d', kw, ctx, ['count_include_pad', 'divisor_override']);
  a.bool('count_include_pad', true);
  const out = new BatchBuffer(C * OH * OW, ctx.ops);
  const dxBuf = new BatchBuffer(C * H * W, ctx.ops);
  return {
    kind: 'AvgPool2d', inShape: ctx.inShape, outShape: [C, OH, OW], params: [], buffers: [],
    forward(x, n) {
      const { KH, KW, SH, SW } = dimsOf(n);
      const y = out.get(n);
      for (let p = 0; p < n * C; p++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let s = 0;
            for (let kh = 0; kh < KH; kh++) {
              const row = p * H * W + (oh * SH + kh) * W + ow * SW;
              for (let kw2 = 0; kw2 < KW; kw2++) s += x[row + kw2];
            }
            y[(p * OH + oh) * OW + ow] = s / (KH * KW);
          }
        }
      }
      return y;
    },
    backward(dy, n, needDx) {
      if (!needDx) return null;
      const { KH, KW, SH, SW } = dimsOf(n);
      const dx = dxBuf.get(n);
      dx.fill(0);
      const inv = 1 / (KH * KW);
      for (let p = 0; p < n * C; p++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            const g = dy[(p * OH + oh) * OW + ow] * inv;
            for (let kh = 0; kh < KH; kh++) {
              const row = p * H * W + (oh * SH + kh) * W + ow * SW;
              for (let kw2 = 0; kw2 < KW; kw2++) dx[row + kw2] += g;
            }
          }
        }
      }
      return dx;
    },
  };
}

export function adaptiveAvgPool2d(kw: Record<string, unknown>, ctx: LayerContext): Layer {
  const { index, inShape } = ctx;
  const a = kwargs('AdaptiveAvgPool2d', index, kw, ['output_size'], ['output_size']);
  const [oh, ow] = a.pair('output_size');
  if (oh !== 1 || ow !== 1) a.fail(`output_size=${JSON.stringify(kw.output_size)} is not supported by NormLab (only 1: global average pooling)`);
  if (inShape.length !== 3) a.fail(`expected a 4D input (N, C, H, W), got input of size ${batchShape(inShape)}`);
  const [C, H, W] = inShape;
  const S = H * W;
  const out = new BatchBuffer(C, ctx.ops);
  const dxBuf = new BatchBuffer(C * S, ctx.ops);
  return {
    kind: 'AdaptiveAvgPool2d', inShape, outShape: [C, 1, 1], params: [], buffers: [],
    forward(x, n) {
      const y = out.get(n);
      if (ctx.ops.meanPoolForward) {
        ctx.ops.meanPoolForward(n * C, S, x, y);
        return y;
      }
      for (let p = 0; p < n * C; p++) {
        let s = 0;
        for (let i = p * S; i < (p + 1) * S; i++) s += x[i];
        y[p] = s / S;
      }
      return y;
    },
    backward(dy, n, needDx) {
      if (!needDx) return null;
      const dx = dxBuf.get(n);
      if (ctx.ops.meanPoolBackward) {
        ctx.ops.meanPoolBackward(n * C, S, dy, dx);
        return dx;
      }
      for (let p = 0; p < n * C; p++) {
        const g = dy[p] / S;
        for (let i = p * S; i < (p + 1) * S; i++) dx[i] = g;
      }
      return dx;
    },
  };
}
