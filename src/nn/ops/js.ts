// The reference implementation of NnOps: direct loops (no im2col), float32 storage, and every sum kept in a JS
// number (float64) so that results are the exactly-rounded float32 of a float64 computation. WebAssembly ops are
// checked against these (ops/check.ts).
import type { Conv2dDims, NnOps, Pool2dDims } from './dims';

function conv2dForward(d: Conv2dDims, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void {
  const { N, Cin, H, W, Cout, KH, KW, stride, padding, OH, OW } = d;
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      const yBase = (n * Cout + co) * OH * OW;
      for (let oh = 0; oh < OH; oh++) {
        const ih0 = oh * stride - padding;
        for (let ow = 0; ow < OW; ow++) {
          const iw0 = ow * stride - padding;
          let s = b ? b[co] : 0;
          for (let ci = 0; ci < Cin; ci++) {
            const xPlane = (n * Cin + ci) * H * W;
            const wPlane = (co * Cin + ci) * KH * KW;
            for (let kh = 0; kh < KH; kh++) {
              const ih = ih0 + kh;
              if (ih < 0 || ih >= H) continue;
              const xRow = xPlane + ih * W;
              const wRow = wPlane + kh * KW;
              for (let kw = 0; kw < KW; kw++) {
                const iw = iw0 + kw;
                if (iw >= 0 && iw < W) s += x[xRow + iw] * w[wRow + kw];
              }
            }
          }
          y[yBase + oh * OW + ow] = s;
        }
      }
    }
  }
}

function conv2dBackward(d: Conv2dDims, x: Float32Array, w: Float32Array, dy: Float32Array,
  dx: Float32Array | null, dw: Float32Array, db: Float32Array | null): void {
  const { N, Cin, H, W, Cout, KH, KW, stride, padding, OH, OW } = d;
  const outPlane = OH * OW;
  if (db) {
    for (let co = 0; co < Cout; co++) {
      let s = 0;
      for (let n = 0; n < N; n++) {
        const base = (n * Cout + co) * outPlane;
        for (let i = 0; i < outPlane; i++) s += dy[base + i];
      }
      db[co] = s;
    }
  }
  // dw[co, ci, kh, kw] = Σ_n Σ_(oh,ow) dy[n, co, oh, ow] · x[n, ci, oh·s − p + kh, ow·s − p + kw]; padding adds 0.
  for (let co = 0; co < Cout; co++) {
    for (let ci = 0; ci < Cin; ci++) {
      for (let kh = 0; kh < KH; kh++) {
        // Output rows whose input row ih = oh·stride − padding + kh lies inside [0, H).
        const ohLo = Math.max(0, Math.ceil((padding - kh) / stride));
        const ohHi = Math.min(OH, Math.floor((H - 1 + padding - kh) / stride) + 1);
        for (let kw = 0; kw < KW; kw++) {
          const owLo = Math.max(0, Math.ceil((padding - kw) / stride));
          const owHi = Math.min(OW, Math.floor((W - 1 + padding - kw) / stride) + 1);
          let s = 0;
          for (let n = 0; n < N; n++) {
            const dyPlane = (n * Cout + co) * outPlane;
            const xPlane = (n * Cin + ci) * H * W;
            for (let oh = ohLo; oh < ohHi; oh++) {
              const dyRow = dyPlane + oh * OW;
              const xRow = xPlane + (oh * stride - padding + kh) * W - padding + kw;
              for (let ow = owLo; ow < owHi; ow++) s += dy[dyRow + ow] * x[xRow + ow * stride];
            }
          }
          dw[((co * Cin + ci) * KH + kh) * KW + kw] = s;
        }
      }
    }
  }
  if (!dx) return;
  // dx[n, ci, ih, iw] = Σ_co Σ_(kh,kw) w[co, ci, kh, kw] · dy[n, co, oh, ow] where oh·stride − padding + kh = ih.
  for (let n = 0; n < N; n++) {
    for (let ci = 0; ci < Cin; ci++) {
      const dxPlane = (n * Cin + ci) * H * W;
      for (let ih = 0; ih < H; ih++) {
        for (let iw = 0; iw < W; iw++) {
          let s = 0;
          for (let co = 0; co < Cout; co++) {
            const dyPlane = (n * Cout + co) * outPlane;
            const wPlane = (co * Cin + ci) * KH * KW;
            for (let kh = 0; kh < KH; kh++) {
              const t = ih + padding - kh;
              if (t < 0 || t % stride !== 0) continue;
              const oh = t / stride;
              if (oh >= OH) continue;
              for (let kw = 0; kw < KW; kw++) {
                const u = iw + padding - kw;
                if (u < 0 || u % stride !== 0) continue;
                const ow = u / stride;
                if (ow < OW) s += w[wPlane + kh * KW + kw] * dy[dyPlane + oh * OW + ow];
              }
            }
          }
          dx[dxPlane + ih * W + iw] = s;
        }
      }
    }
  }
}

function linearForward(N: number, In: number, Out: number, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void {
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < Out; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < In; i++) s += x[n * In + i] * w[o * In + i];
      y[n * Out + o] = s;
    }
  }
}

function linearBackward(N: number, In: number, Out: number, x: Float32Array, w: Float32Array, dy: Float32Array,
  dx: Float32Array | null, dw: Float32Array, db: Float32Array | null): void {
  if (dx) {
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < In; i++) {
        let s = 0;
        for (let o = 0; o < Out; o++) s += dy[n * Out + o] * w[o * In + i];
        dx[n * In + i] = s;
      }
    }
  }
  for (let o = 0; o < Out; o++) {
    for (let i = 0; i < In; i++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += dy[n * Out + o] * x[n * In + i];
      dw[o * In + i] = s;
    }
  }
  if (db) {
    for (let o = 0; o < Out; o++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += dy[n * Out + o];
      db[o] = s;
    }
  }
}

// As PyTorch's CPU kernel: the first maximum in row-major order wins ties, and a NaN is taken (NaN propagates).
function maxPool2dForward(d: Pool2dDims, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
  const { N, C, H, W, KH, KW, SH, SW, OH, OW } = d;
  for (let p = 0; p < N * C; p++) {
    const xPlane = p * H * W;
    const yPlane = p * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const h0 = oh * SH;
        const w0 = ow * SW;
        let best = h0 * W + w0;
        let m = -Infinity;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const at = (h0 + kh) * W + w0 + kw;
            const v = x[xPlane + at];
            if (v > m || v !== v) {
              m = v;
              best = at;
            }
          }
        }
        y[yPlane + oh * OW + ow] = m;
        argmax[yPlane + oh * OW + ow] = best;
      }
    }
  }
}

function maxPool2dBackward(d: Pool2dDims, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
  const { N, C, H, W, OH, OW } = d;
  dx.fill(0, 0, N * C * H * W);
  // Overlapping windows can share a maximum, hence += (in float32, as PyTorch).
  for (let p = 0; p < N * C; p++) {
    const xPlane = p * H * W;
    const yPlane = p * OH * OW;
    for (let i = 0; i < OH * OW; i++) dx[xPlane + argmax[yPlane + i]] += dy[yPlane + i];
  }
}

export const jsOps: NnOps = {
  conv2dForward,
  conv2dBackward,
  linearForward,
  linearBackward,
  maxPool2dForward,
  maxPool2dBackward,
};
