// ReLU and Flatten: no parameters.
import { BatchBuffer, kwargs, numel, type Layer, type LayerContext } from './layer';

export function relu(kw: Record<string, unknown>, { index, inShape, ops }: LayerContext): Layer {
  kwargs('ReLU', index, kw, ['inplace'], []).bool('inplace', false); // inplace changes nothing observable here
  const size = numel(inShape);
  const out = new BatchBuffer(size, ops);
  const dxBuf = new BatchBuffer(size, ops);
  let y: Float32Array | null = null;
  return {
    kind: 'ReLU', inShape, outShape: inShape, params: [], buffers: [],
    forward(x, n) {
      const o = out.get(n);
      if (ops.reluForward) ops.reluForward(o.length, x, o);
      else for (let i = 0; i < o.length; i++) o[i] = x[i] > 0 ? x[i] : 0;
      y = o;
      return o;
    },
    // threshold_backward: the gradient passes where the output is > 0.
    backward(dy, n, needDx) {
      if (!needDx) return null;
      const dx = dxBuf.get(n);
      if (ops.reluBackward) ops.reluBackward(dx.length, y!, dy, dx);
      else for (let i = 0; i < dx.length; i++) dx[i] = y![i] > 0 ? dy[i] : 0;
      return dx;
    },
  };
}

/** Flatten(start_dim=1, end_dim=-1) merges sample dims; the data are already contiguous, so no copy. */
export function flatten(kw: Record<string, unknown>, { index, inShape }: LayerContext): Layer {
  const a = kwargs('Flatten', index, kw, ['start_dim', 'end_dim'], []);
  const rank = inShape.length + 1;
  const norm = (k: string, d: number) => {
    const v = a.int(k, d, -rank);
    const r = v < 0 ? v + rank : v;
    if (r < 0 || r >= rank) a.fail(`Dimension out of range (expected to be in range of [${-rank}, ${rank - 1}], but got ${v})`);
    return r;
  };
  const s = norm('start_dim', 1);
  const e = norm('end_dim', -1);
  if (s === 0) a.fail('start_dim=0 would merge the batch dim, which a layer of nn.Sequential over batches cannot do here');
  if (e < s) a.fail(`flatten() has invalid args: start_dim (${s}) cannot come after end_dim (${e})`);
  const dims = [1, ...inShape]; // with a stand-in batch dim so indices are torch's
  const outShape = [...dims.slice(0, s), numel(dims.slice(s, e + 1)), ...dims.slice(e + 1)].slice(1);
  return {
    kind: 'Flatten', inShape, outShape, params: [], buffers: [],
    forward: (x) => x,
    backward: (dy, _n, needDx) => (needDx ? dy : null),
  };
}
