// Linear: y = x·Wᵀ + b over the last dim of the input, as torch.nn.Linear.
import { BatchBuffer, batchShape, kwargs, makeParam, numel, type Layer, type LayerContext, type Param } from './layer';

export function linear(kw: Record<string, unknown>, ctx: LayerContext): Layer {
  const { index, inShape, ops } = ctx;
  const a = kwargs('Linear', index, kw, ['in_features', 'out_features', 'bias'], ['in_features', 'out_features']);
  const In = a.int('in_features');
  const Out = a.int('out_features');
  const hasBias = a.bool('bias', true);
  const last = inShape[inShape.length - 1];
  if (last !== In) {
    const rows = inShape.length > 1 ? `N·${numel(inShape.slice(0, -1))}` : 'N';
    a.fail(`mat1 and mat2 shapes cannot be multiplied (${rows}x${last} and ${In}x${Out}): input ${batchShape(inShape)}, weight [${Out}, ${In}]`);
  }
  const rowsPerSample = numel(inShape.slice(0, -1));
  const weight = makeParam('weight', [Out, In], ops);
  const bias = hasBias ? makeParam('bias', [Out], ops) : null;
  const params: Param[] = bias ? [weight, bias] : [weight];
  const out = new BatchBuffer(rowsPerSample * Out, ops);
  const dxBuf = new BatchBuffer(rowsPerSample * In, ops);
  let x: Float32Array | null = null;
  return {
    kind: 'Linear', inShape, outShape: [...inShape.slice(0, -1), Out], params, buffers: [],
    forward(input, n) {
      x = input;
      const y = out.get(n);
      ops.linearForward(n * rowsPerSample, In, Out, input, weight.data, bias?.data ?? null, y);
      return y;
    },
    backward(dy, n, needDx) {
      const dx = needDx ? dxBuf.get(n) : null;
      ops.linearBackward(n * rowsPerSample, In, Out, x!, weight.data, dy, dx, weight.grad, bias?.grad ?? null);
      return dx;
    },
  };
}
