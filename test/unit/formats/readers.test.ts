// Every fixture made by NumPy/PyTorch (scripts/make-fixtures.py): shapes, dtypes, every value of small
// tensors, and streamed statistics; every malformed fixture: a FormatError with the expected message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { openFileSource } from '../../../src/formats/fileSource';
import { bufferSource, FormatError, openTensorFile } from '../../../src/formats/index';
import { encodeNpy, parseNpy } from '../../../src/formats/npy';
import { SummaryAccumulator } from '../../../src/kernels/summary';
import { assertStats, assertValues, expected, FIXTURES } from '../../fixtures/formats/expected';

async function open(rel: string) {
  const p = join(FIXTURES, rel);
  return openTensorFile(await openFileSource(p), { openSibling: (name) => openFileSource(join(dirname(p), name)) });
}

for (const [rel, want] of Object.entries(expected.files)) {
  test(`reads ${rel}`, async () => {
    const f = await open(rel);
    try {
      assert.equal(f.format, want.format);
      assert.deepEqual(f.tensors.map((t) => t.name).sort(), Object.keys(want.tensors).sort());
      for (const [k, v] of Object.entries(want.metadata)) assert.deepEqual(f.metadata[k], v, `metadata ${k}`);
      for (const info of f.tensors) {
        const t = want.tensors[info.name];
        assert.equal(info.dtype, t.dtype, `${info.name}: dtype`);
        assert.deepEqual(info.shape, t.shape, `${info.name}: shape`);
        const data = await f.readTensor(info.name);
        assert.equal(data.length, info.numel);
        if (t.values) assertValues(data, t.values, info.name);
        // Streamed in odd-sized chunks: the statistics must not depend on chunking.
        const acc = new SummaryAccumulator();
        let last = 0;
        await f.streamTensor(info.name, (values, done, total) => {
          assert.equal(total, info.numel);
          assert.equal(done, last + values.length);
          last = done;
          acc.add(values);
        }, { chunkElements: info.numel > 5000 ? 4099 : 7 });
        assert.equal(last, info.numel);
        assertStats(acc.result(), t.stats, info.name);
        // In storage order (anyOrder): the same multiset of values, so the same statistics.
        const any = new SummaryAccumulator();
        await f.streamTensor(info.name, (values) => any.add(values), { chunkElements: 1000, anyOrder: true });
        assertStats(any.result(), t.stats, `${info.name} (anyOrder)`);
      }
    } finally {
      await f.close();
    }
  });
}

for (const [rel, message] of Object.entries(expected.bad)) {
  test(`refuses ${rel}`, async () => {
    await assert.rejects(async () => {
      const f = await open(rel);
      try {
        for (const t of f.tensors) {
          await f.readTensor(t.name);
          await f.streamTensor(t.name, () => undefined);
        }
      } finally {
        await f.close();
      }
    }, (e: unknown) => {
      assert.ok(e instanceof FormatError, `expected a FormatError, got ${String(e)}`);
      assert.ok(e.message.toLowerCase().includes(message.toLowerCase()), `message '${e.message}' should mention '${message}'`);
      return true;
    });
  });
}

test('parseNpy reads every npy fixture like the lazy reader', () => {
  for (const [rel, want] of Object.entries(expected.files)) {
    if (want.format !== 'npy') continue;
    const a = parseNpy(readFileSync(join(FIXTURES, rel)));
    const t = Object.values(want.tensors)[0];
    assert.equal(a.dtype, t.dtype, rel);
    assert.deepEqual(a.shape, t.shape, rel);
    if (t.values) assertValues(a.data, t.values, rel);
  }
  assert.ok(parseNpy(readFileSync(join(FIXTURES, 'npy/float32.npy'))).data instanceof Float32Array);
  assert.ok(parseNpy(readFileSync(join(FIXTURES, 'npy/float64.npy'))).data instanceof Float64Array);
});

test('encodeNpy round-trips float32 and float64, aligned header', async () => {
  const a = new Float32Array([1.5, -2, 3e-8, NaN, 7, 8]);
  const bytes = encodeNpy(a, [2, 3]);
  assert.equal((10 + (bytes[8] | (bytes[9] << 8))) % 64, 0);
  const back = parseNpy(bytes);
  assert.deepEqual(back.shape, [2, 3]);
  assert.equal(back.dtype, 'float32');
  assert.deepEqual([...back.data], [...a]);
  const d = new Float64Array([Math.PI]);
  const f = await openTensorFile(bufferSource(encodeNpy(d, []), 'pi.npy'));
  assert.deepEqual(f.tensors[0].shape, []);
  assert.equal(f.tensors[0].name, 'pi');
  assert.deepEqual([...(await f.readTensor('pi'))], [Math.PI]);
  assert.throws(() => encodeNpy(d, [2]), /holds 2 values, but 1/);
});

test('readTensor checks the memory limit before reading', async () => {
  const f = await open('npy/big.npy');
  await assert.rejects(f.readTensor('big', { maxBytes: 1000 }), /above the limit/);
  await assert.rejects(f.readTensor('nope'), /no tensor named 'nope'.*big/);
  await f.close();
});

test('streamTensor is cancelled by an AbortSignal', async () => {
  const f = await open('npy/big.npy');
  const ac = new AbortController();
  let chunks = 0;
  await assert.rejects(
    f.streamTensor('big', () => {
      if (++chunks === 3) ac.abort();
    }, { chunkElements: 1000, signal: ac.signal }),
    (e: unknown) => e instanceof FormatError && e.name === 'CancelledError' && e.message === 'cancelled',
  );
  assert.equal(chunks, 3);
  await f.close();
});

test('openTensorFile closes the source when the file is refused', async () => {
  let closed = 0;
  const src = bufferSource(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'junk.dat');
  await assert.rejects(openTensorFile({ ...src, read: src.read, close: async () => void closed++ }), /not a recognized tensor file/);
  assert.equal(closed, 1);
});

test('anyOrder streams dense non-C layouts in storage order, without gathering', async () => {
  const f = await open('npy/fortran_f32.npy');
  const c = [...(await f.readTensor('fortran_f32'))];
  const storage: number[] = [];
  await f.streamTensor('fortran_f32', (v) => storage.push(...v), { anyOrder: true, maxBytes: 0 });
  // Fortran order of a (3, 4) array: element (i, j) is at j*3 + i.
  assert.deepEqual(storage, Array.from({ length: 12 }, (_, k) => c[(k % 3) * 4 + Math.floor(k / 3)]));
  // In C order, from a plain file, it is streamed chunk by chunk: no gather, so even a tiny limit is met.
  const inC: number[] = [];
  await f.streamTensor('fortran_f32', (x) => inC.push(...x), { maxBytes: 8, chunkElements: 5 });
  assert.deepEqual(inC, c);
  await f.close();
  const v = await open('pt/views.pt');
  const col: number[] = [];
  await v.streamTensor('col', (x) => col.push(...x), { anyOrder: true });
  assert.deepEqual(col, [2, 8, 14, 20]); // base[:, 2] has gaps: gathered in C order even with anyOrder
  await v.close();
});

test('a sparse view is read run by run when the span it covers is above the limit', async () => {
  const v = await open('pt/views.pt');
  // base is 4x6 (arange); col = base[:, 2] spans 19 elements (76 bytes) but holds 4 (16 bytes).
  assert.deepEqual([...(await v.readTensor('col', { maxBytes: 16 }))], [2, 8, 14, 20]);
  // step = base[::2, ::3]: runs of one element.
  assert.deepEqual([...(await v.readTensor('step', { maxBytes: 16 }))], [0, 3, 12, 15]);
  // block = base[1:3, 2:5]: runs of three.
  assert.deepEqual([...(await v.readTensor('block', { maxBytes: 24 }))], [8, 9, 10, 14, 15, 16]);
  await assert.rejects(v.readTensor('col', { maxBytes: 8 }), /above the limit/);
  await v.close();
});
