// The ways of reading one tensor entry (src/formats/tensorView.ts) and the file over them (tensorFile.ts):
// memory bounded by the chunk and the window for strided views, work bounded by the storage, typed errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { FormatError, TooLargeError } from '../../../src/formats/errors';
import { deflatedRegion, sourceRegion, type Region } from '../../../src/formats/region';
import { bufferSource } from '../../../src/formats/source';
import { makeTensorFile, tensorInfo, type TensorEntry } from '../../../src/formats/tensorFile';
import { storageOrderView, VIEW_EXPANSION_LIMIT, VIEW_WORK_FREE } from '../../../src/formats/tensorView';
import { SummaryAccumulator } from '../../../src/kernels/summary';

const f32bytes = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** A region over `values` that records the largest single read. */
function recording(values: Float32Array): Region & { largest: number; reads: number } {
  const inner = sourceRegion(bufferSource(f32bytes(values), 'mem'), 0, values.byteLength, 'storage');
  const r = {
    size: inner.size, randomAccess: true, largest: 0, reads: 0,
    read: (offset: number, length: number, signal?: AbortSignal) => {
      r.largest = Math.max(r.largest, length);
      r.reads++;
      return inner.read(offset, length, signal);
    },
    stream: inner.stream,
  };
  return r;
}

function view(name: string, region: Region, shape: number[], strides: number[] | undefined, offset = 0): TensorEntry {
  const numel = shape.reduce((a, b) => a * b, 1);
  return { info: tensorInfo(name, 'float32', shape, numel), region, littleEndian: true, offset, strides };
}

async function statsOf(file: ReturnType<typeof makeTensorFile>, name: string, anyOrder = true) {
  const acc = new SummaryAccumulator();
  await file.streamTensor(name, (v) => acc.add(v), { anyOrder });
  return acc.result();
}

test('a view far larger than its storage (stride 0) is refused before any work, as a TooLargeError', async () => {
  const region = recording(Float32Array.of(1, 2, 3, 4));
  const f = makeTensorFile('pytorch', 'bomb.pt', {}, [view('x', region, [1e6, 1e6], [0, 0])], async () => undefined);
  const t0 = Date.now();
  await assert.rejects(statsOf(f, 'x'), (e: unknown) => e instanceof TooLargeError && e instanceof FormatError
    && /view of 1000000000000 elements .* over a storage of only 4 elements \(stride 0 or overlapping strides\)/.test(e.message));
  await assert.rejects(f.readTensor('x'), TooLargeError);
  await assert.rejects(f.readTensorRange('x', 0, 1e6 * 1e6), TooLargeError);
  assert.ok(Date.now() - t0 < 500);
  assert.equal(region.reads, 0);
});

test('a small broadcast (stride 0 within the work bound) still gives exact statistics', async () => {
  const f = makeTensorFile('pytorch', 'b.pt', {}, [view('x', recording(Float32Array.of(1, 2, 3)), [1000, 3], [0, 1])], async () => undefined);
  const s = await statsOf(f, 'x');
  assert.equal(s.count, 3000);
  assert.equal(s.mean, 2);
  assert.ok(3000 <= VIEW_WORK_FREE && VIEW_EXPANSION_LIMIT > 1);
});

test('statistics of a sparse strided view stream in bounded reads, whatever the logical size', async () => {
  // A column of a (1<<16) x 64 matrix: 4 MiB of storage, 65,536 wanted elements 256 bytes apart.
  const rows = 1 << 16;
  const cols = 64;
  const storage = Float32Array.from({ length: rows * cols }, (_, i) => i % cols === 5 ? Math.floor(i / cols) : -1);
  const region = recording(storage);
  const f = makeTensorFile('pytorch', 'c.pt', {}, [view('col', region, [rows, 1], [cols, 1], 5)], async () => undefined);
  const s = await statsOf(f, 'col');
  assert.equal(s.count, rows);
  assert.equal(s.min, 0);
  assert.equal(s.max, rows - 1);
  assert.ok(region.largest <= 8 << 20, `largest read ${region.largest} bytes`);
  // And readTensor under a limit smaller than the span it covers reads it without the span.
  region.largest = 0;
  const col = await f.readTensor('col', { maxBytes: rows * 4 + 1024 });
  assert.equal(col[123], 123);
  assert.ok(region.largest < rows * cols * 4);
});

test('a transposed view streams in storage order for statistics: each window of storage read once', async () => {
  const n = 512;
  const storage = Float32Array.from({ length: n * n }, (_, i) => i);
  const region = recording(storage);
  // Not dense: every other column of the transpose (strides [1, 2n]), shape (n, n/2).
  const f = makeTensorFile('pytorch', 't.pt', {}, [view('t', region, [n, n / 2], [1, 2 * n])], async () => undefined);
  const s = await statsOf(f, 't');
  assert.equal(s.count, (n * n) / 2);
  const e = storageOrderView(view('t', region, [n, n / 2], [1, 2 * n]));
  assert.deepEqual(e.strides, [2 * n, 1]);
  assert.ok(region.reads < 64, `${region.reads} reads`);
});

test('a strided view in a region that cannot seek is gathered within maxBytes, with a TooLargeError saying why', async () => {
  const values = Float32Array.from({ length: 64 }, (_, i) => i);
  const packed = deflateRawSync(f32bytes(values), { level: 1 });
  const src = bufferSource(packed, 'z.npz');
  const region = deflatedRegion(src, 0, packed.length, values.byteLength, "member 'x.npy'");
  const f = makeTensorFile('npz', 'z.npz', {}, [view('x', region, [8, 4], [8, 2])], async () => undefined);
  const got: number[] = [];
  await f.streamTensor('x', (v) => got.push(...v));
  assert.deepEqual(got.slice(0, 5), [0, 2, 4, 6, 8]);
  await assert.rejects(f.streamTensor('x', () => undefined, { maxBytes: 64 }), (e: unknown) =>
    e instanceof TooLargeError && /stored non-contiguously in compressed or encoded data/.test((e as Error).message));
});

test('entries are not renamed in place; duplicate names are numbered; viewKey tells shared views apart', async () => {
  const region = recording(Float32Array.from({ length: 8 }, (_, i) => i));
  const entries = [view('w', region, [4], undefined), view('w', region, [4], undefined), view('v', region, [4], undefined, 4)];
  const f = makeTensorFile('pytorch', 'k.pt', {}, entries, async () => undefined);
  assert.deepEqual(f.tensors.map((t) => t.name), ['w', 'w (2)', 'v']);
  assert.equal(entries[1].info.name, 'w');
  assert.equal(f.viewKey('w'), f.viewKey('w (2)'));
  assert.notEqual(f.viewKey('w'), f.viewKey('v'));
  await assert.rejects(f.readTensor('nope'), /no tensor named 'nope'; the file has: w, w \(2\), v/);
});
