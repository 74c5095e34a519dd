// PyTorch's conv2d / linear / max-pool results (test/fixtures/nn/ops-golden.json, made by
// scripts/make-nn-ops-golden.py) checked against any NnOps implementation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Conv2dDims, NnOps, Pool2dDims } from '../../../src/nn/ops/dims';
import { assertClose } from '../helpers';

type Arr = number[];
interface Golden {
  conv2d: { dims: Conv2dDims; x: Arr; w: Arr; b: Arr | null; dy: Arr; y: Arr; dx: Arr; dw: Arr; db: Arr | null }[];
  linear: { N: number; In: number; Out: number; x: Arr; w: Arr; b: Arr | null; dy: Arr; y: Arr; dx: Arr; dw: Arr; db: Arr | null }[];
  maxPool2d: { dims: Pool2dDims; x: Arr; dy: Arr; y: Arr; argmax: Arr; dx: Arr }[];
}

export const golden = JSON.parse(readFileSync(new URL('../../fixtures/nn/ops-golden.json', import.meta.url), 'utf8')) as Golden;

const f32 = (a: Arr) => Float32Array.from(a);
/** Garbage-filled output buffers: ops must overwrite, never accumulate. */
const out = (n: number) => new Float32Array(n).fill(777);

/** Every fixture value within `rtol` of PyTorch's float64 result, relative to the largest |value| of that array. */
function close(actual: Float32Array, expected: Arr, rtol: number, what: string): void {
  const scale = Math.max(1, ...expected.map(Math.abs));
  assertClose(actual, expected, rtol * scale, 0, what);
}

export function checkGolden(ops: NnOps, rtol: number): void {
  golden.conv2d.forEach((c, k) => {
    const d = c.dims;
    const y = out(d.N * d.Cout * d.OH * d.OW);
    ops.conv2dForward(d, f32(c.x), f32(c.w), c.b ? f32(c.b) : null, y);
    close(y, c.y, rtol, `conv2d[${k}] y`);
    const dx = out(c.x.length);
    const dw = out(c.w.length);
    const db = c.db ? out(c.db.length) : null;
    ops.conv2dBackward(d, f32(c.x), f32(c.w), f32(c.dy), dx, dw, db);
    close(dx, c.dx, rtol, `conv2d[${k}] dx`);
    close(dw, c.dw, rtol, `conv2d[${k}] dw`);
    if (db) close(db, c.db!, rtol, `conv2d[${k}] db`);
    // dx is optional (the first layer's input needs none) and must not change dw.
    const dw2 = out(c.w.length);
    ops.conv2dBackward(d, f32(c.x), f32(c.w), f32(c.dy), null, dw2, null);
    assert.deepEqual(dw2, dw, `conv2d[${k}] dw without dx`);
  });
  golden.linear.forEach((c, k) => {
    const y = out(c.N * c.Out);
    ops.linearForward(c.N, c.In, c.Out, f32(c.x), f32(c.w), c.b ? f32(c.b) : null, y);
    close(y, c.y, rtol, `linear[${k}] y`);
    const dx = out(c.x.length);
    const dw = out(c.w.length);
    const db = c.db ? out(c.db.length) : null;
    ops.linearBackward(c.N, c.In, c.Out, f32(c.x), f32(c.w), f32(c.dy), dx, dw, db);
    close(dx, c.dx, rtol, `linear[${k}] dx`);
    close(dw, c.dw, rtol, `linear[${k}] dw`);
    if (db) close(db, c.db!, rtol, `linear[${k}] db`);
  });
  golden.maxPool2d.forEach((c, k) => {
    const d = c.dims;
    const y = out(c.y.length);
    const argmax = new Int32Array(c.y.length).fill(-1);
    ops.maxPool2dForward(d, f32(c.x), y, argmax);
    assert.deepEqual(Array.from(y), c.y, `maxPool2d[${k}] y`);
    assert.deepEqual(Array.from(argmax), c.argmax, `maxPool2d[${k}] argmax (first maximum in row-major order)`);
    const dx = out(c.x.length);
    ops.maxPool2dBackward(d, f32(c.dy), argmax, dx);
    close(dx, c.dx, 1e-7, `maxPool2d[${k}] dx`);
  });
}
