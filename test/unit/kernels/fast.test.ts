// The fast single-thread kernels (WebAssembly SIMD) against the reference normalize(): same checks, same folding,
// outputs within the golden tolerances, for random shapes, layouts, methods and large-offset data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { normalize, numel, type Layout, type Method, type NormParams } from '../../../src/kernels';
import { kernels, normalizeFast } from '../../../src/kernels/fast';
import { assertMatchesReference, randn } from '../helpers';

interface Case {
  method: Method;
  layout: Layout;
  shape: number[];
  params: NormParams;
}

/** A random valid call: method, layout, shape, groups/normalized_shape, affine, running stats, training. */
const caseArb = fc
  .record({
    method: fc.constantFrom<Method>('batch', 'layer', 'instance', 'group', 'rms'),
    layout: fc.constantFrom<Layout>('NCHW', 'NHWC'),
    N: fc.integer({ min: 1, max: 4 }),
    cpgOrC: fc.integer({ min: 1, max: 9 }),
    G: fc.integer({ min: 1, max: 4 }),
    spatial: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 0, maxLength: 3 }),
    k: fc.integer({ min: 1, max: 3 }),
    affine: fc.boolean(),
    running: fc.boolean(),
    training: fc.boolean(),
    largeOffset: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map((r): Case & { largeOffset: boolean; seed: number } => {
    const C = r.method === 'group' ? r.cpgOrC * r.G : r.cpgOrC;
    const logical = [r.N, C, ...r.spatial];
    const stored = r.layout === 'NHWC' && logical.length >= 3 ? [r.N, ...r.spatial, C] : logical;
    const trailing = r.method === 'layer' || r.method === 'rms';
    const shape = trailing ? logical : stored;
    const ns = trailing ? shape.slice(shape.length - Math.min(r.k, shape.length)) : undefined;
    const pn = trailing ? numel(ns!) : C;
    const params: NormParams = { method: r.method, layout: r.layout, eps: 1e-5 };
    if (r.method === 'group') params.groups = r.G;
    if (ns) params.normalizedShape = ns;
    if (r.affine) {
      params.weight = randn(pn, r.seed + 1, 1, 0.5);
      if (r.method !== 'rms') params.bias = randn(pn, r.seed + 2);
    }
    const S = numel(r.spatial);
    if (r.method === 'batch' || r.method === 'instance') {
      // Training needs more than one value per set (PyTorch's rule); else evaluate.
      params.training = r.training && (r.method === 'batch' ? r.N * S > 1 : S > 1);
      if (r.running || !params.training) {
        params.runningMean = randn(C, r.seed + 3, 0, 0.5);
        params.runningVar = randn(C, r.seed + 4, 1, 0.2).map(Math.abs);
      }
    }
    return { method: r.method, layout: r.layout, shape, params, largeOffset: r.largeOffset, seed: r.seed };
  });

test('WebAssembly SIMD kernels load in this runtime', () => {
  assert.ok(kernels(), 'expected WebAssembly SIMD (Node 20 has it)');
});

test('fast == reference for random shapes, layouts, methods, affine/running/eval, normal and large-offset data', () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const x = { data: randn(numel(c.shape), c.seed, c.largeOffset ? 1e4 : 0, c.largeOffset ? 1e-2 : 1), shape: c.shape };
      assertMatchesReference(normalizeFast(x, c.params), normalize(x, c.params));
    }),
    { numRuns: 300 },
  );
});

test('large-offset data (mean 1e4, std 1e-2) on the benchmark-like layouts stays far inside the golden atol', () => {
  for (const [shape, params] of [
    [[2, 64, 24, 24], { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 32 }],
    [[4, 32, 20, 20], { method: 'batch', layout: 'NCHW', eps: 1e-5 }],
    [[8, 512], { method: 'layer', layout: 'NCHW', eps: 1e-5 }],
    [[2, 20, 20, 32], { method: 'instance', layout: 'NHWC', eps: 1e-5 }],
  ] as [number[], NormParams][]) {
    const x = { data: randn(numel(shape), 99, 1e4, 1e-2), shape };
    const fast = normalizeFast(x, params);
    const ref = normalize(x, params);
    assertMatchesReference(fast, ref);
    let e = 0;
    for (let i = 0; i < ref.y.length; i++) e = Math.max(e, Math.abs(fast.y[i] - ref.y[i]));
    assert.ok(e < 1e-3, `max |Δy| ${e} (golden atol there is ~0.17)`);
  }
});

test('sets larger than a chunk (> 4 MB) take the two-read path and still match', () => {
  const shape = [1, 2, 1030, 1024];
  const x = { data: randn(numel(shape), 5, 3, 2), shape };
  for (const params of [
    { method: 'instance', layout: 'NCHW', eps: 1e-5, weight: randn(2, 1, 1, 0.3), bias: randn(2, 2) },
    { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 1 },
    { method: 'rms', layout: 'NCHW', eps: 1e-5, normalizedShape: [2, 1030, 1024] },
  ] as NormParams[]) {
    assertMatchesReference(normalizeFast(x, params), normalize(x, params));
  }
  // A NaN spoils its own (large) set only.
  const data = x.data.slice();
  data[7] = NaN;
  const r = normalizeFast({ data, shape }, { method: 'instance', layout: 'NCHW', eps: 1e-5 });
  assert.ok(Number.isNaN(r.y[1234]) && Number.isNaN(r.stats.mean[0]));
  assert.ok(Number.isFinite(r.y[shape[2] * shape[3] + 5]) && Number.isFinite(r.stats.mean[1]));
});

test('sets whose float32 block sums would lose digits are redone in float64 (outlier shift, huge, tiny, constant)', () => {
  const shape = [2, 3, 32, 32];
  const n = numel(shape);
  const variants: [string, Float32Array][] = [
    // The shift k is each set's first element: an outlier there makes Σ(x - k)² cancel (16× rule).
    ['outlier first', randn(n, 21).map((v, i) => (i % 3072 === 0 ? 1e3 : v))],
    // (x - k)² overflows float32 (> 3.4e38) but not float64.
    ['huge', randn(n, 22, 0, 1e25)],
    // (x - k)² underflows float32 (< 1.2e-38).
    ['tiny', randn(n, 23, 0, 1e-25)],
    ['constant sets', new Float32Array(n).fill(3.25)],
  ];
  for (const [what, data] of variants) {
    for (const params of [
      { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 1 },
      { method: 'batch', layout: 'NCHW', eps: 1e-5, training: true },
      { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: [32] },
      { method: 'rms', layout: 'NCHW', eps: 1e-5, normalizedShape: [3, 32, 32] },
    ] as NormParams[]) {
      const x = { data, shape };
      assert.doesNotThrow(() => assertMatchesReference(normalizeFast(x, params), normalize(x, params)), `${what}, ${params.method}`);
    }
  }
});

test('NaN and Inf propagate per set as in the reference', () => {
  const shape = [2, 4, 3, 3];
  const data = randn(numel(shape), 3);
  data[5] = NaN;
  data[40] = Infinity;
  const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 2 };
  const fast = normalizeFast({ data, shape }, params);
  const ref = normalize({ data, shape }, params);
  for (let i = 0; i < ref.y.length; i++) assert.equal(Number.isNaN(fast.y[i]), Number.isNaN(ref.y[i]), `y[${i}]`);
  for (let s = 0; s < ref.stats.mean.length; s++) {
    assert.equal(Number.isNaN(fast.stats.mean[s]), Number.isNaN(ref.stats.mean[s]), `mean[${s}]`);
    if (Number.isFinite(ref.stats.mean[s])) assert.ok(Math.abs(fast.stats.mean[s] - ref.stats.mean[s]) <= 1e-5 * Math.sqrt(ref.stats.var[s]), `mean[${s}]`);
  }
});

test('writes into `out` when given, and checks its length', () => {
  const shape = [3, 4, 5];
  const x = { data: randn(60, 8), shape };
  const params: NormParams = { method: 'instance', layout: 'NCHW', eps: 1e-5 };
  const out = new Float32Array(60);
  const r = normalizeFast(x, params, out);
  assert.equal(r.y, out);
  assertMatchesReference(r, normalize(x, params));
  assert.throws(() => normalizeFast(x, params, new Float32Array(59)), RangeError);
});

test('bad input gets the reference errors', () => {
  const x = { data: new Float32Array(24), shape: [2, 6, 2] };
  assert.throws(() => normalizeFast(x, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 4 }), { name: 'NormError', message: /divisible/ });
  assert.throws(() => normalizeFast(x, { method: 'batch', layout: 'NCHW', eps: 0 }), { name: 'NormError', message: /eps/ });
});

test('float64 input falls back to the reference, result for result', () => {
  const shape = [2, 3, 4];
  const params: NormParams = { method: 'layer', layout: 'NCHW', eps: 1e-5 };
  const d64 = Float64Array.from(randn(24, 4));
  assert.deepEqual(normalizeFast({ data: d64, shape }, params), normalize({ data: d64, shape }, params));
});

test('a runtime without WebAssembly SIMD falls back to the reference, result for result', () => {
  // A fresh process whose WebAssembly compiles nothing, as in a runtime without SIMD.
  const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `
    WebAssembly.Module = function () { throw new WebAssembly.CompileError('no SIMD here'); };
    const load = async (u) => { const m = await import(u); return m.default ?? m; }; // tsx loads .ts as CommonJS
    const { normalizeFast } = await load(${url('../../../src/kernels/fast/normalizeFast.ts')});
    const { kernels } = await load(${url('../../../src/kernels/fast/wasm.ts')});
    const { normalize } = await load(${url('../../../src/kernels/normalize.ts')});
    const { isDeepStrictEqual } = await import('node:util');
    const x = { data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 3), shape: [2, 3, 4] };
    const params = { method: 'layer', layout: 'NCHW', eps: 1e-5 };
    console.log(JSON.stringify({ kernels: kernels(), same: isDeepStrictEqual(normalizeFast(x, params), normalize(x, params)) }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { kernels: null, same: true });
});
