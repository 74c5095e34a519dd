// Conv2d (groups = dilation = 1, zero padding): torch.nn.Conv2d's arguments, shapes and messages.
import type { Conv2dDims } from '../ops';
import { BatchBuffer, batchShape, kwargs, makeParam, onlyDefault, type Layer, type LayerContext, type Param } from './layer';

export function conv2d(kw: Record<string, unknown>, ctx: LayerContext): Layer {
  const { index, inShape, ops } = ctx;
  const a = kwargs('Conv2d', index, kw, ['in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode'], ['in_channels', 'out_channels', 'kernel_size']);
  for (const [k, ok] of [['groups', [1]], ['dilation', [1, [1, 1]]], ['padding_mode', ['zeros']]] as const) onlyDefault('Conv2d', index, kw, k, [...ok]);
  const Cin = a.int('in_channels');
  const Cout = a.int('out_channels');
  const [KH, KW] = a.pair('kernel_size');
  const [sh, sw] = a.pair('stride', 1);
  let pad: [number, number];
  const rawPad = a.raw('padding');
  if (rawPad === 'valid') pad = [0, 0];
  else if (rawPad === 'same') {
    if (sh !== 1 || sw !== 1) a.fail("padding='same' is not supported for strided convolutions");
    if (KH % 2 === 0 || KW % 2 === 0) a.fail("padding='same' with an even kernel_size pads unevenly, which NormLab does not support");
    pad = [(KH - 1) / 2, (KW - 1) / 2];
  } else pad = a.pair('padding', 0, 0);
  if (sh !== sw || pad[0] !== pad[1]) a.fail(`stride and padding must be the same in both dims in NormLab, got stride=[${sh}, ${sw}], padding=[${pad[0]}, ${pad[1]}]`);
  const hasBias = a.bool('bias', true);

  if (inShape.length !== 3) {
    a.fail(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${batchShape(inShape)}`);
  }
  const [C, H, W] = inShape;
  if (C !== Cin) {
    a.fail(`Given groups=1, weight of size [${Cout}, ${Cin}, ${KH}, ${KW}], expected input${batchShape(inShape)} to have ${Cin} channels, but got ${C} channels instead`);
  }
  const padding = pad[0];
  if (H + 2 * padding < KH || W + 2 * padding < KW) {
    a.fail(`Calculated padded input size per channel: (${H + 2 * padding} x ${W + 2 * padding}). Kernel size: (${KH} x ${KW}). Kernel size can't be greater than actual input size (input ${batchShape(inShape)})`);
  }
  const OH = Math.floor((H + 2 * padding - KH) / sh) + 1;
  const OW = Math.floor((W + 2 * padding - KW) / sh) + 1;
  const weight = makeParam('weight', [Cout, Cin, KH, KW], ops);
  const bias = hasBias ? makeParam('bias', [Cout], ops) : null;
  const params: Param[] = bias ? [weight, bias] : [weight];
  const out = new BatchBuffer(Cout * OH * OW, ops);
  const dxBuf = new BatchBuffer(C * H * W, ops);
  // The forward's im2col columns, kept for the backward (ops that can use them in place: WebAssembly).
  const colsBuf = ops.alloc ? new BatchBuffer(Cin * KH * KW * OH * OW, ops) : null;
  let colsOf: Float32Array | null = null;
  const dims = (N: number): Conv2dDims => ({ N, Cin, H, W, Cout, KH, KW, stride: sh, padding, OH, OW });
  const dimsCache = new Map<number, Conv2dDims>();
  const dimsOf = (n: number) => dimsCache.get(n) ?? dimsCache.set(n, dims(n)).get(n)!;
  let x: Float32Array | null = null;
  return {
    kind: 'Conv2d', inShape, outShape: [Cout, OH, OW], params, buffers: [],
    forward(input, n, training) {
      x = input;
      const y = out.get(n);
      // Only a training forward is followed by a backward; eval batches keep no columns.
      colsOf = training && colsBuf ? colsBuf.get(n) : null;
      ops.conv2dForward(dimsOf(n), input, weight.data, bias?.data ?? null, y, colsOf);
      return y;
    },
    backward(dy, n, needDx) {
      const dx = needDx ? dxBuf.get(n) : null;
      const cols = colsOf && colsOf.length === n * Cin * KH * KW * OH * OW ? colsOf : null;
      ops.conv2dBackward(dimsOf(n), x!, weight.data, dy, dx, weight.grad, bias?.grad ?? null, cols);
      return dx;
    },
  };
}
