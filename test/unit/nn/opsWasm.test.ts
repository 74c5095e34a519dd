import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Conv2dDims, NnOps, Pool2dDims } from '../../../src/nn/ops/dims';
import { jsOps } from '../../../src/nn/ops/js';
import { wasmOps } from '../../../src/nn/wasm/wasmOps';
import { assertClose, randn } from '../helpers';
import { checkGolden } from './opsGolden';

const ops = wasmOps();

/** float32 sums of up to a few thousand terms: within 2e-5 of the largest |value| (the reference rounds once). */
function close(a: Float32Array, e: Float32Array, what: string): void {
  let scale = 1;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  assertClose(a, e, 2e-5 * scale, 0, what);
}

/** Runs forward and backward of a conv with both op sets; `alloc` puts every array in the kernels' memory. */
/** alloc: inputs and outputs in the kernels' memory; with keepCols, the forward's columns kept for the backward too. */
function compareConv(d: Conv2dDims, seed: number, bias: boolean, withDx: boolean, wasm: NnOps, alloc?: (n: number) => Float32Array,
  keepCols = false): void {
  const put = (a: Float32Array) => {
    if (!alloc) return a;
    const v = alloc(a.length);
    v.set(a);
    return v;
  };
  const x = put(randn(d.N * d.Cin * d.H * d.W, seed));
  const w = put(randn(d.Cout * d.Cin * d.KH * d.KW, seed + 1));
  const b = bias ? put(randn(d.Cout, seed + 2)) : null;
  const dy = put(randn(d.N * d.Cout * d.OH * d.OW, seed + 3));
  const outs = () => ({
    y: put(new Float32Array(dy.length).fill(7)), dx: put(new Float32Array(x.length).fill(7)),
    dw: put(new Float32Array(w.length).fill(7)), db: put(new Float32Array(d.Cout).fill(7)),
  });
  const r = outs();
  const e = outs();
  const cols = keepCols ? put(new Float32Array(d.N * d.Cin * d.KH * d.KW * d.OH * d.OW).fill(7)) : null;
  jsOps.conv2dForward(d, x, w, b, e.y);
  wasm.conv2dForward(d, x, w, b, r.y, cols);
  close(r.y, e.y, 'y');
  jsOps.conv2dBackward(d, x, w, dy, withDx ? e.dx : null, e.dw, bias ? e.db : null);
  wasm.conv2dBackward(d, x, w, dy, withDx ? r.dx : null, r.dw, bias ? r.db : null, cols);
  close(r.dw, e.dw, 'dw');
  if (withDx) close(r.dx, e.dx, 'dx');
  if (bias) close(r.db, e.db, 'db');
}

const convDims = fc.record({
  N: fc.integer({ min: 1, max: 3 }), Cin: fc.integer({ min: 1, max: 5 }), Cout: fc.integer({ min: 1, max: 9 }),
  H: fc.integer({ min: 1, max: 11 }), W: fc.integer({ min: 1, max: 11 }), KH: fc.integer({ min: 1, max: 5 }),
  KW: fc.integer({ min: 1, max: 5 }), stride: fc.integer({ min: 1, max: 3 }), padding: fc.integer({ min: 0, max: 2 }),
}).filter((d) => d.H + 2 * d.padding >= d.KH && d.W + 2 * d.padding >= d.KW)
  .map((d): Conv2dDims => ({ ...d, OH: Math.floor((d.H + 2 * d.padding - d.KH) / d.stride) + 1, OW: Math.floor((d.W + 2 * d.padding - d.KW) / d.stride) + 1 }));

test('wasmOps is available here (Node has WebAssembly SIMD)', () => {
  assert.ok(ops, 'wasmOps() returned null');
});

test('wasmOps matches the PyTorch fixtures', { skip: !ops }, () => {
  checkGolden(ops!, 2e-6);
});

test('wasmOps conv2d = jsOps within float32 rounding over random dims, strides and paddings', { skip: !ops }, () => {
  fc.assert(fc.property(convDims, fc.integer({ min: 0, max: 1e6 }), fc.boolean(), fc.boolean(), (d, seed, bias, withDx) => {
    compareConv(d, seed, bias, withDx, ops!);
  }), { numRuns: 150 });
});

test('wasmOps conv2d on arrays from alloc (no copies) gives the same as on plain arrays', { skip: !ops }, () => {
  fc.assert(fc.property(convDims, fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (d, seed, keepCols) => {
    compareConv(d, seed, true, true, ops!, (n) => ops!.alloc(n), keepCols);
  }), { numRuns: 60 });
});

test('wasmOps: the miniature CNN\'s convolutions at batch 8 match jsOps', { skip: !ops }, () => {
  const sizes: [number, number, number][] = [[1, 16, 28], [16, 32, 14], [32, 64, 7]];
  for (const [Cin, Cout, H] of sizes) {
    const d = { N: 8, Cin, H, W: H, Cout, KH: 3, KW: 3, stride: 1, padding: 1, OH: H, OW: H };
    compareConv(d, H, false, Cin > 1, ops!);
    compareConv(d, H, false, Cin > 1, ops!, (n) => ops!.alloc(n), true);
  }
});

test('wasmOps linear = jsOps over random sizes', { skip: !ops }, () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 13 }),
    fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (N, In, Out, seed, bias) => {
      const x = randn(N * In, seed), w = randn(Out * In, seed + 1), b = bias ? randn(Out, seed + 2) : null;
      const dy = randn(N * Out, seed + 3);
      const run = (o: NnOps) => {
        const y = new Float32Array(N * Out).fill(7), dx = new Float32Array(N * In).fill(7);
        const dw = new Float32Array(Out * In).fill(7), db = new Float32Array(Out).fill(7);
        o.linearForward(N, In, Out, x, w, b, y);
        o.linearBackward(N, In, Out, x, w, dy, dx, dw, bias ? db : null);
        return { y, dx, dw, db };
      };
      const r = run(ops!), e = run(jsOps);
      close(r.y, e.y, 'y');
      close(r.dx, e.dx, 'dx');
      close(r.dw, e.dw, 'dw');
      if (bias) close(r.db, e.db, 'db');
    }), { numRuns: 150 });
});

test('wasmOps max pool = jsOps exactly (argmax too) over random dims, with ties and NaN', { skip: !ops }, () => {
  const dims = fc.record({
    N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 10 }),
    W: fc.integer({ min: 1, max: 20 }), KH: fc.integer({ min: 1, max: 4 }), KW: fc.integer({ min: 1, max: 4 }),
    SH: fc.integer({ min: 1, max: 3 }), SW: fc.integer({ min: 1, max: 3 }),
  }).filter((d) => d.H >= d.KH && d.W >= d.KW)
    .map((d): Pool2dDims => ({ ...d, OH: Math.floor((d.H - d.KH) / d.SH) + 1, OW: Math.floor((d.W - d.KW) / d.SW) + 1 }));
  fc.assert(fc.property(dims, fc.integer({ min: 0, max: 1e6 }), (d, seed) => {
    // Few distinct values: many tied windows; the odd NaN.
    const x = randn(d.N * d.C * d.H * d.W, seed).map((v) => (v > 2.2 ? NaN : Math.max(0, Math.round(v))));
    const dy = randn(d.N * d.C * d.OH * d.OW, seed + 1);
    const run = (o: NnOps) => {
      const y = new Float32Array(dy.length), am = new Int32Array(dy.length), dx = new Float32Array(x.length).fill(7);
      o.maxPool2dForward(d, x, y, am);
      o.maxPool2dBackward(d, dy, am, dx);
      return { y, am, dx };
    };
    const r = run(ops!), e = run(jsOps);
    assert.deepEqual(r.am, e.am);
    assert.deepEqual(r.y, e.y);
    assert.deepEqual(r.dx, e.dx);
  }), { numRuns: 150 });
});
