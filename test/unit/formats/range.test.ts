// Ranged streaming: streamTensor(name, onChunk, {start, end}) and readTensorRange hand on exactly the elements
// [start, end) in C order for every fixture, refuse bad ranges, cancel, and read only about the range's bytes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { openFileSource } from '../../../src/formats/fileSource';
import { bufferSource, FormatError, openTensorFile, type ByteSource } from '../../../src/formats/index';
import { encodeNpy } from '../../../src/formats/npy';
import { expected, FIXTURES } from '../../fixtures/formats/expected';
import { rng } from '../helpers';

const dir = mkdtempSync(join(tmpdir(), 'normlab-range-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A ByteSource that counts the bytes read through it, and the reads. */
function counting(src: ByteSource): ByteSource & { bytes: number; reads: number } {
  const c = {
    bytes: 0, reads: 0, size: src.size, name: src.name, close: () => src.close(),
    read: (offset: number, length: number) => {
      c.bytes += length;
      c.reads++;
      return src.read(offset, length);
    },
  };
  return c;
}

async function openFixture(rel: string) {
  const p = join(FIXTURES, rel);
  return openTensorFile(await openFileSource(p), { openSibling: (name) => openFileSource(join(dirname(p), name)) });
}

/** Streams [start, end), checking progress and chunk sizes, and returns the values in one array. */
async function streamRange(f: Awaited<ReturnType<typeof openTensorFile>>, name: string, start: number, end: number, chunk: number, anyOrder = false): Promise<number[]> {
  const got: number[] = [];
  let last = 0;
  await f.streamTensor(name, (values, done, total) => {
    assert.equal(total, end - start, `${name} [${start}, ${end}): total`);
    assert.ok(values.length >= 1 && values.length <= chunk, `${name}: chunk of ${values.length}`);
    assert.equal(done, last + values.length, `${name}: done`);
    last = done;
    got.push(...values);
  }, { start, end, chunkElements: chunk, anyOrder });
  assert.equal(last, end - start);
  return got;
}

for (const rel of Object.keys(expected.files)) {
  test(`ranges of every tensor of ${rel} equal the full read sliced`, async () => {
    const f = await openFixture(rel);
    const r = rng(rel.length * 7919 + rel.charCodeAt(rel.length - 5));
    try {
      for (const t of f.tensors) {
        const full = [...(await f.readTensor(t.name))];
        const n = t.numel;
        const ranges: [number, number][] = [[0, n], [0, 0], [n, n], [Math.max(0, n - 1), n], [Math.floor(n / 3), Math.ceil((2 * n) / 3)]];
        for (let k = 0; k < 4; k++) {
          const a = Math.floor(r() * (n + 1));
          ranges.push([a, a + Math.floor(r() * (n - a + 1))]);
        }
        for (const [a, b] of ranges) {
          const chunk = 1 + Math.floor(r() * 9);
          const want = full.slice(a, b);
          assert.deepEqual(await streamRange(f, t.name, a, b, chunk), want, `${rel} ${t.name} [${a}, ${b}) chunk ${chunk}`);
          // A range means C order, also with anyOrder (Fortran order, transposed views).
          assert.deepEqual(await streamRange(f, t.name, a, b, 1000, true), want, `${rel} ${t.name} [${a}, ${b}) anyOrder`);
          assert.deepEqual([...(await f.readTensorRange(t.name, a, b))], want, `${rel} ${t.name} readTensorRange [${a}, ${b})`);
        }
        // Only one bound: the other defaults to the tensor's start or end.
        const tail: number[] = [];
        await f.streamTensor(t.name, (v, done, total) => {
          assert.equal(total, n - Math.floor(n / 2));
          tail.push(...v);
        }, { start: Math.floor(n / 2) });
        assert.deepEqual(tail, full.slice(Math.floor(n / 2)));
        const head: number[] = [];
        await f.streamTensor(t.name, (v) => head.push(...v), { end: Math.floor(n / 2) });
        assert.deepEqual(head, full.slice(0, Math.floor(n / 2)));
      }
    } finally {
      await f.close();
    }
  });
}

test('an empty range calls onChunk never; a range at the end hands on the last elements', async () => {
  const data = Float32Array.from({ length: 24 }, (_, i) => i * 1.5 - 3);
  const f = await openTensorFile(bufferSource(encodeNpy(data, [2, 3, 4]), 'x.npy'));
  let calls = 0;
  await f.streamTensor('x', () => calls++, { start: 7, end: 7 });
  await f.streamTensor('x', () => calls++, { start: 24, end: 24 });
  assert.equal(calls, 0);
  assert.equal((await f.readTensorRange('x', 24, 24)).length, 0);
  assert.deepEqual([...(await f.readTensorRange('x', 20, 24))], [27, 28.5, 30, 31.5]);
  assert.deepEqual([...(await f.readTensorRange('x', 23, 24))], [31.5]);
});

test('bad ranges are refused with a FormatError naming the tensor, the range and numel', async () => {
  const f = await openTensorFile(bufferSource(encodeNpy(new Float32Array(24), [2, 3, 4]), 'x.npy'));
  const bad: [number | undefined, number | undefined, RegExp][] = [
    [-1, 4, /\[-1, 4\)/], [0, 25, /\[0, 25\)/], [5, 4, /\[5, 4\)/], [1.5, 4, /\[1\.5, 4\)/], [NaN, 4, /\[NaN, 4\)/],
    [25, undefined, /\[25, 24\)/], [undefined, -2, /\[0, -2\)/],
  ];
  for (const [start, end, range] of bad) {
    await assert.rejects(f.streamTensor('x', () => assert.fail('no chunk expected'), { start, end }), (e: unknown) => {
      assert.ok(e instanceof FormatError, String(e));
      assert.match(e.message, /x\.npy: tensor 'x'/);
      assert.match(e.message, range);
      assert.match(e.message, /within its 24 elements/);
      return true;
    });
  }
  await assert.rejects(f.readTensorRange('x', 0, 30), /element range \[0, 30\) is not within its 24 elements/);
  await assert.rejects(f.readTensorRange('x', 0, 24, { maxBytes: 64 }), /elements \[0, 24\) of tensor 'x' need 96 bytes in memory, above the limit of 64 bytes/);
  await assert.rejects(f.streamTensor('nope', () => undefined, { start: 0, end: 1 }), /no tensor named 'nope'/);
});

test('a ranged stream can be cancelled mid-range (contiguous and strided)', async () => {
  const data = Float32Array.from({ length: 1000 }, (_, i) => i);
  const bytes = encodeNpy(data, [10, 100]);
  const fortran = bytes.slice();
  const header = new TextDecoder('latin1').decode(fortran.subarray(10, 90));
  fortran.set(new TextEncoder().encode("'fortran_order': True, "), 10 + header.indexOf("'fortran_order': False,"));
  for (const [name, b] of [['c.npy', bytes], ['f.npy', fortran]] as const) {
    const f = await openTensorFile(bufferSource(b, name));
    const tensor = name.slice(0, 1);
    const ac = new AbortController();
    let seen = 0;
    await assert.rejects(f.streamTensor(tensor, (v, done, total) => {
      assert.equal(total, 500);
      seen += v.length;
      if (done >= 30) ac.abort();
    }, { start: 250, end: 750, chunkElements: 10, signal: ac.signal }), (e: unknown) => e instanceof FormatError && e.name === 'CancelledError' && e.message === 'cancelled');
    assert.equal(seen, 30, name);
  }
});

test('the last slice of a 4 GiB sparse file reads only about that slice', async () => {
  // float32 (1024, 1024, 1024): slice 1023 is the last 4 MiB of a 4 GiB tensor; a few known values are written there.
  const GiB = 2 ** 30;
  const header = new TextEncoder().encode(JSON.stringify({ big: { dtype: 'F32', shape: [1024, 1024, 1024], data_offsets: [0, 4 * GiB] } }));
  const head = new Uint8Array(8 + header.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
  head.set(header, 8);
  const p = join(dir, 'big.safetensors');
  const fh = await open(p, 'w');
  await fh.write(head, 0, head.length, 0);
  const slice = 1023 * 2 ** 20;
  const base = head.length + 4 * slice;
  await fh.write(new Uint8Array(new Float32Array([1.5, -2]).buffer), 0, 8, base);
  await fh.write(new Uint8Array(new Float32Array([7]).buffer), 0, 4, head.length + 4 * GiB - 4);
  await fh.write(new Uint8Array(new Float32Array([9]).buffer), 0, 4, base - 4); // the last element of slice 1022
  await fh.truncate(head.length + 4 * GiB);
  await fh.close();
  const src = counting(await openFileSource(p));
  const f = await openTensorFile(src);
  try {
    const before = src.bytes;
    let first: number[] = [];
    let last = NaN;
    let seen = 0;
    await f.streamTensor('big', (v, done) => {
      if (seen === 0) first = [...v.subarray(0, 3)];
      seen += v.length;
      if (done === 2 ** 20) last = v[v.length - 1];
    }, { start: slice, end: GiB });
    assert.equal(seen, 2 ** 20);
    assert.deepEqual(first, [1.5, -2, 0]);
    assert.equal(last, 7);
    const read = src.bytes - before;
    assert.equal(read, 4 * 2 ** 20, `the last slice read ${read} bytes`);
    // A slice in the middle, as one array.
    const mid = await f.readTensorRange('big', 512 * 2 ** 20, 513 * 2 ** 20);
    assert.equal(mid.length, 2 ** 20);
    assert.equal(src.bytes - before, 8 * 2 ** 20);
    assert.deepEqual([...(await f.readTensorRange('big', slice - 1, slice + 1))], [9, 1.5]);
  } finally {
    await f.close();
  }
});

test('a slice of a Fortran-order array is read in a few windows of storage, not element by element', async () => {
  // Fortran (16, 128, 128): slice [n] is 16384 elements scattered with stride 16 over the whole array. A positioned
  // read costs about as much as reading 1024 elements, so the span is read in windows (at most once) instead of 16384 reads.
  const shape = [16, 128, 128];
  const numel = 16 * 128 * 128;
  const stored = Float32Array.from({ length: numel }, (_, i) => i); // column-major: [a, b, c] = stored[a + 16 b + 2048 c]
  const bytes = encodeNpy(stored, shape);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 120));
  bytes.set(new TextEncoder().encode("'fortran_order': True, "), 10 + header.indexOf("'fortran_order': False,"));
  const src = counting(bufferSource(bytes, 'f.npy'));
  const f = await openTensorFile(src);
  const before = src.bytes;
  const reads = src.reads;
  const n = 11;
  const got = await f.readTensorRange('f', n * 128 * 128, (n + 1) * 128 * 128);
  for (let b = 0; b < 128; b += 17) for (let c = 0; c < 128; c += 13) assert.equal(got[b * 128 + c], n + 16 * b + 2048 * c);
  assert.ok(src.bytes - before <= 4 * numel, `bytes read for one slice: ${src.bytes - before}`);
  assert.ok(src.reads - reads <= 4, `reads for one slice: ${src.reads - reads}`);
  // A contiguous-enough stretch (transposed rows) is read as the span it covers: still far below the array.
  const before2 = src.bytes;
  const row = await f.readTensorRange('f', 5 * 128 * 128 + 3 * 128, 5 * 128 * 128 + 4 * 128);
  assert.equal(row[10], 5 + 16 * 3 + 2048 * 10);
  assert.ok(src.bytes - before2 <= 4 * 2 ** 16, `a row read ${src.bytes - before2} bytes`);
});

test('a deflated npz member is inflated only up to the end of the range', async () => {
  // Random float32 barely compresses: 800 KB of member, so where the range ends decides how much is inflated.
  const { zipSync } = await import('fflate');
  const r = rng(5);
  const data = Float32Array.from({ length: 200_000 }, () => r() - 0.5);
  const zipped = zipSync({ 'big.npy': encodeNpy(data, [200_000]) }, { level: 6 });
  const src = counting(bufferSource(zipped, 'deflated.npz'));
  const f = await openTensorFile(src);
  let before = src.bytes;
  assert.deepEqual([...(await f.readTensorRange('big', 10, 20))], [...data.subarray(10, 20)]);
  const early = src.bytes - before;
  assert.ok(early <= 64 * 1024, `an early range read ${early} compressed bytes`);
  before = src.bytes;
  assert.deepEqual([...(await f.readTensorRange('big', 199_990, 200_000))], [...data.subarray(199_990, 200_000)]);
  const late = src.bytes - before;
  assert.ok(late > 700_000, `a range at the end read ${late} compressed bytes (inflating from the start)`);
});
