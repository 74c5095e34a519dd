import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTextValues, MAX_TEXT_VALUES, parseTensorText, TextTensorError, lineColumn, toNestedJson } from '../../../src/kernels/textTensor';

const fails = (text: string, line: number, column: number, re: RegExp) => {
  assert.throws(() => parseTensorText(text), (e: unknown) => {
    assert.ok(e instanceof TextTensorError, `expected TextTensorError, got ${String(e)}`);
    assert.equal(e.line, line, `line of: ${e.message}`);
    assert.equal(e.column, column, `column of: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
};

test('JSON nested arrays: shape inferred, values in row-major order', () => {
  const r = parseTensorText('[[[1, 2], [3, 4]], [[5, 6], [7, 8.5]]]');
  assert.equal(r.format, 'json');
  assert.deepEqual(r.shape, [2, 2, 2]);
  assert.deepEqual([...r.data], [1, 2, 3, 4, 5, 6, 7, 8.5]);
  assert.deepEqual(parseTensorText(' [1e-3, -2, .5]\n').shape, [3]);
});

test('NumPy repr with dtype, and print() form without commas', () => {
  const r = parseTensorText('array([[ 1.,  2.],\n       [-3., nan]], dtype=float32)');
  assert.equal(r.format, 'numpy');
  assert.deepEqual(r.shape, [2, 2]);
  assert.deepEqual([...r.data].slice(0, 3), [1, 2, -3]);
  assert.ok(Number.isNaN(r.data[3]));
  const p = parseTensorText('[[1. 2. 3.]\n [4. 5. inf]]');
  assert.deepEqual(p.shape, [2, 3]);
  assert.equal(p.data[5], Infinity);
  const t = parseTensorText('tensor([[0.5000, -1.0000]])');
  assert.deepEqual(t.shape, [1, 2]);
  assert.deepEqual([...t.data], [0.5, -1]);
});

test('CSV rows x columns, header row skipped, tabs and spaces accepted', () => {
  const r = parseTensorText('a,b,c\n1,2,3\n4,5,6\n');
  assert.equal(r.format, 'csv');
  assert.deepEqual(r.shape, [2, 3]);
  assert.deepEqual([...r.data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(parseTensorText('1\t2\n3\t4').shape, [2, 2]);
  assert.deepEqual(parseTensorText('1 2 3\n4 5 6\n7 8 9').shape, [3, 3]);
});

test('errors point at the line and column that failed', () => {
  fails('[[1, 2],\n [3]]', 2, 2, /expected 2 values .* found 1/);
  fails('[[1, 2],\n [3, x]]', 2, 6, /expected a number, found 'x'$/);
  fails('[1, 2', 1, 1, /close this '\['/);
  fails('[1, [2]]', 1, 5, /expected a number .* found '\['/);
  fails('[1,, 2]', 1, 4, /expected a number, found ','/);
  fails('[1, 2,]', 1, 7, /expected a value after ','/);
  fails('[1, 2] 3', 1, 8, /expected the end/);
  fails('1,2,3\n4,5\n', 2, 1, /expected 3 columns .* found 2/);
  fails('1,2,3\n4,abc,6\n', 2, 3, /expected a number, found 'abc'/);
  fails('array([1, 2], dtype=str)', 1, 15, /numeric dtype/);
  fails('array([[1., 2.], ..., [3., 4.]])', 1, 18, /'\.\.\.'/);
  fails('   \n ', 1, 1, /empty text/);
});

test('lineColumn is 1-based', () => {
  assert.deepEqual(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
});

test('a million values (8 MB of text) parse in a few seconds at most, even on a busy machine', () => {
  const rows = Array.from({ length: 1000 }, (_, r) => `[${Array.from({ length: 1000 }, (_, c) => (r * 1000 + c) / 7).join(', ')}]`);
  const t0 = performance.now();
  const r = parseTensorText(`[${rows.join(',\n')}]`);
  const ms = performance.now() - t0;
  assert.deepEqual(r.shape, [1000, 1000]);
  assert.equal(r.data[999_999], Math.fround(999_999 / 7));
  assert.ok(ms < 4000, `took ${ms} ms`);
});

test('copy as JSON writes nested arrays that paste back to the same tensor', () => {
  const data = Float32Array.from({ length: 24 }, (_, i) => Math.fround(Math.sin(i) * 1e3));
  const text = toNestedJson(data, [2, 3, 4]);
  assert.equal(JSON.parse(text)[1][2][3], data[23]);
  const back = parseTensorText(text);
  assert.deepEqual(back.shape, [2, 3, 4]);
  assert.deepEqual([...back.data], [...data]);
  assert.equal(toNestedJson(Float32Array.of(1, NaN, -Infinity), [3]), '[1, null, null]');
});

// A paste over the element limit is refused by the counting scan, before any array of values or lines exists.
const refusedEarly = (text: string) => {
  text.indexOf('\u0000'); // flattens the repeat()-built string, so that its own bytes are not counted below
  const before = process.memoryUsage();
  assert.throws(() => parseTensorText(text), (e: unknown) => {
    assert.ok(e instanceof TextTensorError, `expected TextTensorError, got ${String(e)}`);
    assert.match(e.message, new RegExp(`more than ${MAX_TEXT_VALUES} elements`));
    return true;
  });
  const after = process.memoryUsage();
  // Parsing would need 64 MB of float32 values (and far more as numbers/lines); the refusal allocates nothing of that order.
  assert.ok(after.arrayBuffers - before.arrayBuffers < 16 * 1024 * 1024, `array buffers grew by ${after.arrayBuffers - before.arrayBuffers}`);
  assert.ok(after.heapUsed - before.heapUsed < 32 * 1024 * 1024, `heap grew by ${after.heapUsed - before.heapUsed}`);
};

test('a 34 MB CSV paste with more values than the limit is refused while scanning, memory bounded', () => {
  const text = ('1,'.repeat(1023) + '1\n').repeat(MAX_TEXT_VALUES / 1024 + 1);
  assert.ok(text.length > 33_000_000);
  refusedEarly(text);
});

test('a JSON paste with more values than the limit is refused while scanning', () => {
  refusedEarly(`[${'[0.5,-1,2e3,nan],'.repeat(MAX_TEXT_VALUES / 4)}[1,2,3,4]]`);
});

test('the element count stops at the limit and names it; names, dtype and brackets are not elements', () => {
  assert.equal(countTextValues('array([[1., -2.], [.5, inf]], dtype=float32)'), 4);
  assert.equal(countTextValues('a,b\n1,2\nnan,-inf'), 4);
  assert.throws(() => countTextValues('1 2 3\n4 5 6', 5), /line 2, column 5: expected at most 5 elements .* found more than 5 elements/);
});
