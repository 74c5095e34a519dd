import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conv2dDims } from '../../../src/nn/ops/dims';
import { jsOps } from '../../../src/nn/ops/js';
import { checkGolden, golden } from './opsGolden';

test('jsOps: a 3×3 all-ones kernel with padding 1 counts each pixel\'s in-image neighbours', () => {
  const d: Conv2dDims = { N: 1, Cin: 1, H: 3, W: 4, Cout: 1, KH: 3, KW: 3, stride: 1, padding: 1, OH: 3, OW: 4 };
  const y = new Float32Array(12);
  jsOps.conv2dForward(d, new Float32Array(12).fill(1), new Float32Array(9).fill(1), new Float32Array([0.5]), y);
  assert.deepEqual(Array.from(y), [4, 6, 6, 4, 6, 9, 9, 6, 4, 6, 6, 4].map((v) => v + 0.5));
  // Backward with dy = 1: padding positions contribute nothing to dw, so dw[kh][kw] counts the in-image pairs.
  const dx = new Float32Array(12);
  const dw = new Float32Array(9);
  const db = new Float32Array(1);
  jsOps.conv2dBackward(d, new Float32Array(12).fill(1), new Float32Array(9).fill(1), new Float32Array(12).fill(1), dx, dw, db);
  assert.deepEqual(Array.from(dw), [6, 8, 6, 9, 12, 9, 6, 8, 6]);
  assert.deepEqual(Array.from(db), [12]);
  assert.deepEqual(Array.from(dx), [4, 6, 6, 4, 6, 9, 9, 6, 4, 6, 6, 4]);
});

test('jsOps: stride 2 conv picks every other window; linear is x·wᵀ + b', () => {
  const d: Conv2dDims = { N: 1, Cin: 1, H: 4, W: 4, Cout: 1, KH: 1, KW: 1, stride: 2, padding: 0, OH: 2, OW: 2 };
  const y = new Float32Array(4);
  jsOps.conv2dForward(d, Float32Array.from({ length: 16 }, (_, i) => i), new Float32Array([2]), null, y);
  assert.deepEqual(Array.from(y), [0, 4, 16, 20]);
  const ly = new Float32Array(2);
  jsOps.linearForward(1, 2, 2, new Float32Array([1, 2]), new Float32Array([3, 4, 5, 6]), new Float32Array([0.5, -1]), ly);
  assert.deepEqual(Array.from(ly), [11.5, 16]);
});

test('jsOps: max pool sends the gradient to the first maximum of a tied window; NaN propagates', () => {
  const d = { N: 1, C: 1, H: 2, W: 4, KH: 2, KW: 2, SH: 2, SW: 2, OH: 1, OW: 2 };
  const y = new Float32Array(2);
  const am = new Int32Array(2);
  jsOps.maxPool2dForward(d, new Float32Array([0, 0, 1, NaN, 0, 0, 5, 1]), y, am);
  assert.deepEqual(Array.from(am), [0, 3]);
  assert.ok(y[0] === 0 && Number.isNaN(y[1]));
  const dx = new Float32Array(8).fill(9);
  jsOps.maxPool2dBackward(d, new Float32Array([2, 3]), am, dx);
  assert.deepEqual(Array.from(dx), [2, 0, 0, 3, 0, 0, 0, 0]);
});

test(`jsOps matches PyTorch ${golden.conv2d.length} conv2d, ${golden.linear.length} linear, ${golden.maxPool2d.length} max-pool cases`, () => {
  checkGolden(jsOps, 1e-7);
});
