import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setOf } from '../../../src/kernels/plan';
import { cubeSpec, setBox, setLabel, cubeCells, highlightPolygons, project, DEFAULT_VIEW, divisions } from '../../../src/kernels/figure2';
import { normalize } from '../../../src/kernels/normalize';
import { generateTensor } from '../../../src/kernels/generate';
import { logicalShapeOf } from '../../../src/kernels/shape';
import type { Layout, Method } from '../../../src/kernels/types';

/** Mean of the elements in a set's box, read straight from the stored tensor. */
function boxMean(x: Float32Array, shape: number[], layout: Layout, box: ReturnType<typeof setBox>): { mean: number; count: number } {
  const [N, C, ...sp] = logicalShapeOf(shape, layout);
  const S = sp.reduce((a, b) => a * b, 1);
  let sum = 0;
  let count = 0;
  for (let n = box.n[0]; n < box.n[1]; n++) for (let c = box.c[0]; c < box.c[1]; c++) for (let s = box.s[0]; s < box.s[1]; s++) {
    sum += x[layout === 'NCHW' ? (n * C + c) * S + s : (n * S + s) * C + c];
    count++;
  }
  assert.ok(N > 0);
  return { mean: sum / count, count };
}

for (const layout of ['NCHW', 'NHWC'] as const) {
  test(`every set of the cube is the kernel's set (${layout})`, () => {
    const shape = layout === 'NCHW' ? [3, 6, 4, 5] : [3, 4, 5, 6];
    const x = generateTensor({ shape, layout, distribution: 'normal', seed: 1, channelScale: [1, 3], channelShift: [0, 2, -1] });
    const cases: [Method, number | undefined][] = [['batch', undefined], ['instance', undefined], ['group', 3], ['group', 1], ['layer', undefined]];
    for (const [method, groups] of cases) {
      const spec = cubeSpec(shape, layout, method, groups ?? 1);
      const r = normalize({ data: x, shape }, {
        method, layout, eps: 1e-5, groups,
        normalizedShape: method === 'layer' ? shape.slice(1) : undefined,
      });
      assert.equal(spec.numSets, r.stats.mean.length, `${method} number of sets`);
      assert.equal(spec.setSize, r.stats.count, `${method} set size`);
      for (let set = 0; set < spec.numSets; set++) {
        const { mean, count } = boxMean(x, shape, layout, setBox(spec, set));
        assert.equal(count, spec.setSize);
        assert.ok(Math.abs(mean - r.stats.mean[set]) < 1e-9, `${method} set ${set}: ${mean} vs ${r.stats.mean[set]}`);
      }
    }
  });
}

test('set of a cell and labels follow the GN paper: BN per c, IN per (n,c), GN per (n,g), LN per n', () => {
  const shape = [2, 8, 3, 3];
  const bn = cubeSpec(shape, 'NCHW', 'batch');
  const gn = cubeSpec(shape, 'NCHW', 'group', 4);
  const ln = cubeSpec(shape, 'NCHW', 'layer');
  const inn = cubeSpec(shape, 'NCHW', 'instance');
  assert.equal(setOf(bn, 1, 5), 5);
  assert.equal(setOf(gn, 1, 5), 6);
  assert.equal(setOf(ln, 1, 5), 1);
  assert.equal(setOf(inn, 1, 5), 13);
  assert.equal(setLabel(bn, 5), 'c=5');
  assert.equal(setLabel(gn, 6), 'n=1, g=2 (c 4–5)');
  assert.equal(setLabel(inn, 13), 'n=1, c=5');
  assert.equal(setLabel(ln, 1), 'n=1');
  assert.deepEqual(cubeSpec([5], 'NCHW', 'rms'), { method: 'rms', N: 1, C: 5, S: 1, groups: 1, channelsPerGroup: 5, reduceN: false, numSets: 1, setSize: 5 });
});

test('cells cover each visible face once and carry their set; big axes are binned', () => {
  const spec = cubeSpec([4, 6, 2, 2], 'NCHW', 'group', 2);
  const cells = cubeCells(spec);
  assert.equal(cells.filter((c) => c.face === 'top').length, 6 * 4);
  assert.equal(cells.filter((c) => c.face === 'front').length, 6 * 4);
  assert.equal(cells.filter((c) => c.face === 'side').length, 4 * 4);
  for (const c of cells) assert.equal(c.set, setOf(spec, c.n, c.c));
  assert.deepEqual(divisions(100, 16).length, 17);
  assert.equal(divisions(100, 16)[16], 100);
  const big = cubeCells(cubeSpec([64, 512, 32, 32], 'NCHW', 'batch'));
  assert.equal(big.length, 16 * 8 + 16 * 16 + 16 * 8);
});

test('highlighted block: BN channel 0 is the first column, full height, full depth', () => {
  const spec = cubeSpec([4, 8, 4, 4], 'NCHW', 'batch');
  const v = DEFAULT_VIEW;
  const h = highlightPolygons(spec, 0, v);
  assert.deepEqual(h.front[0], project(v, 0, 0, 0));
  assert.equal(h.front[1].x - h.front[0].x, v.width / 8);
  assert.equal(h.front[2].y - h.front[1].y, v.height);
  assert.deepEqual(h.top[2], project(v, 1 / 8, 0, 1));
  const ln = highlightPolygons(cubeSpec([4, 8, 4, 4], 'NCHW', 'layer'), 2, v);
  assert.deepEqual(ln.front[0], project(v, 0, 0, 0.5));
  assert.deepEqual(ln.front[1], project(v, 1, 0, 0.5));
});
