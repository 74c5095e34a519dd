// Long kernels in chunks: normalize(..., { between }) and the workers' pieces (runMomentsPieces, runApplyPieces) give
// the same numbers as one call, call `between` before every chunk with a rising fraction, and stop where it throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHUNK_ELEMENTS, makePlan, normalize, numel, type NormParams } from '../../../src/kernels';
import { gatherMoments, runApplyPart, runApplyPieces, runMomentsPart, runMomentsPieces, PIECE_FLOATS } from '../../../src/kernels/fast/parts';
import { assertClose, randn } from '../helpers';

class Stop extends Error {}

const cases: [string, number[], NormParams][] = [
  ['GN NCHW', [8, 32, 48, 48], { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 8 }],
  ['BN NHWC eval', [8, 48, 48, 32], { method: 'batch', layout: 'NHWC', eps: 1e-5, training: false, runningMean: randn(32, 1), runningVar: randn(32, 2).map(Math.abs) }],
  ['LN, one set larger than a chunk', [1, 600_000], { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: [600_000] }],
];

for (const [name, shape, params] of cases) {
  test(`normalize in chunks equals one pass and stops where between throws: ${name}`, () => {
    const x = randn(numel(shape), 3);
    const seen: number[] = [];
    const chunked = normalize({ data: x, shape }, params, { between: (f) => void seen.push(f) });
    const whole = normalize({ data: x, shape }, params);
    assert.deepEqual(chunked.y, whole.y);
    assert.deepEqual(chunked.stats, whole.stats);
    assert.ok(seen.length >= 2 * Math.floor(x.length / CHUNK_ELEMENTS), `${seen.length} chunks for ${x.length} values`);
    assert.ok(seen.every((f, i) => f >= 0 && f < 1 && (i === 0 || f > seen[i - 1])), seen.join(', '));

    let calls = 0;
    assert.throws(() => normalize({ data: x, shape }, params, { between: () => {
      if (++calls === 2) throw new Stop();
    } }), Stop);
    assert.equal(calls, 2, 'no chunk after the throw');
  });
}

test('a worker part in pieces equals the part in one call, and stops where between throws', () => {
  const shape = [8, 64, 64, 96];
  const x = randn(numel(shape), 5);
  const y = new Float32Array(x.length);
  for (const [params, kind] of [[{ method: 'group', layout: 'NCHW', eps: 1e-5, groups: 16 }, 'fused'], [{ method: 'group', layout: 'NHWC', eps: 1e-5, groups: 16 }, 'twoPass']] as const) {
    const sShape = params.layout === 'NHWC' ? [8, 64, 96, 64] : shape;
    const units = kind === 'fused' ? 8 * 16 : 8 * 64 * 96;
    const part = kind === 'fused'
      ? { kind, x, shape: sShape, params, unit0: 0, unit1: units, y } as const
      : { kind, x, shape: sShape, params, unit0: 0, unit1: units } as const;
    let pieces = 0;
    const parts = runMomentsPieces(part, () => void pieces++);
    assert.equal(parts.length, pieces);
    assert.ok(pieces >= Math.floor(x.length / PIECE_FLOATS), `${pieces} pieces for ${x.length} values`);
    const plan = makePlan(sShape, { method: params.method, layout: params.layout, groups: params.groups });
    const a = gatherMoments(plan, x, parts);
    const b = gatherMoments(plan, x, [runMomentsPart(part)]);
    // Positions walk: the pieces' partial sums are added in another order (float64 rounding only).
    for (const k of ['mean', 'var', 'ms'] as const) assertClose(a[k], b[k], 1e-12, 1e-12, k);
    let calls = 0;
    assert.throws(() => runMomentsPieces(part, () => {
      if (++calls === 2) throw new Stop();
    }), Stop);
    assert.equal(calls, 2);
  }

  const params: NormParams = { method: 'batch', layout: 'NHWC', eps: 1e-5 };
  const nhwc = [8, 64, 96, 64];
  const apart = { x, shape: nhwc, params, scale: Float64Array.from(randn(64, 7)), shift: new Float64Array(64).fill(0.5), row0: 0, row1: 8 * 64 * 96 };
  const y1 = new Float32Array(x.length);
  const y2 = new Float32Array(x.length);
  runApplyPart({ ...apart, y: y1 });
  let applied = 0;
  runApplyPieces({ ...apart, y: y2 }, () => void applied++);
  assert.deepEqual(y2, y1);
  assert.ok(applied >= Math.floor(x.length / PIECE_FLOATS));
  const y3 = new Float32Array(x.length).fill(NaN);
  let calls = 0;
  assert.throws(() => runApplyPieces({ ...apart, y: y3 }, () => {
    if (++calls === 2) throw new Stop();
  }), Stop);
  assert.ok(Number.isNaN(y3[y3.length - 1]), 'the rows after the throw are not written');
});
