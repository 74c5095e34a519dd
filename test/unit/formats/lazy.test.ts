// Laziness at scale: a 4 GiB sparse safetensors file and a 4 GiB sparse .npy list in well under a second, with
// little extra memory (bytes read, and heap + ArrayBuffers after a forced GC); whole reads are refused by the limit before allocating; streaming can be cancelled.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openFileSource } from '../../../src/formats/fileSource';
import { bufferSource, FormatError, openTensorFile } from '../../../src/formats/index';
import { encodeNpyHeader } from '../../../src/formats/npy';

const dir = mkdtempSync(join(tmpdir(), 'normlab-lazy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const GiB = 2 ** 30;

/** Writes `head` and extends the file to `size` bytes without writing them (a sparse file). */
async function sparse(name: string, head: Uint8Array, size: number): Promise<string> {
  const p = join(dir, name);
  const fh = await open(p, 'w');
  await fh.write(head, 0, head.length, 0);
  await fh.truncate(size);
  await fh.close();
  return p;
}

/** Bytes held by JS (heap + ArrayBuffers) after a full collection: `npm run test:unit` runs node with --expose-gc. */
function heldBytes(): number {
  assert.ok(global.gc, 'this test measures memory after a full GC: run node with --expose-gc (npm run test:unit does)');
  global.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function checkLazy(path: string, name: string, numel: number) {
  const held0 = heldBytes();
  // Laziness is measured in bytes read, not in milliseconds (speed belongs to the benchmark).
  const src = await openFileSource(path);
  let bytesRead = 0;
  const counting = { ...src, size: src.size, name: src.name, close: () => src.close(),
    read: (offset: number, length: number) => { bytesRead += length; return src.read(offset, length); } };
  const f = await openTensorFile(counting);
  try {
    const t = f.tensors.find((x) => x.name === name)!;
    assert.equal(t.numel, numel);
    assert.ok(bytesRead < 1 << 20, `listing a ${(src.size / 2 ** 30).toFixed(1)} GiB file read ${bytesRead} bytes`);
    // Whole read: refused by the default 1 GiB limit before anything is allocated.
    await assert.rejects(f.readTensor(name), (e: unknown) => e instanceof FormatError && /above the limit/.test(e.message));
    // Streaming: a few chunks, then cancel.
    const ac = new AbortController();
    let seen = 0;
    await assert.rejects(f.streamTensor(name, (v, done, total) => {
      seen += v.length;
      assert.equal(total, numel);
      assert.equal(v[0], 0);
      if (done >= 4 * (1 << 16)) ac.abort();
    }, { signal: ac.signal }), /cancelled/);
    assert.equal(seen, 4 * (1 << 16));
    // What was read is what could have been kept: 4 chunks of at most 8-byte values, plus the header.
    assert.ok(bytesRead <= (1 << 20) + 4 * 8 * (1 << 16), `streaming 4 chunks read ${bytesRead} bytes`);
    const grew = (heldBytes() - held0) / 2 ** 20;
    assert.ok(grew < 64, `memory held grew by ${grew.toFixed(1)} MiB`);
  } finally {
    await f.close();
  }
}

test('a 4 GiB sparse safetensors file lists lazily', async () => {
  const header = new TextEncoder().encode(JSON.stringify({ __metadata__: { format: 'pt' }, big: { dtype: 'F32', shape: [1024, 1024, 1024], data_offsets: [0, 4 * GiB] }, small: { dtype: 'F16', shape: [4], data_offsets: [4 * GiB, 4 * GiB + 8] } }));
  const head = new Uint8Array(8 + header.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
  head.set(header, 8);
  const p = await sparse('big.safetensors', head, head.length + 4 * GiB + 8);
  await checkLazy(p, 'big', GiB);
});

test('a 4 GiB sparse .npy lists lazily', async () => {
  const head = encodeNpyHeader('<f8', [536870912]);
  const p = await sparse('big.npy', head, head.length + 4 * GiB);
  await checkLazy(p, 'big', 536870912);
});

test('a sparse file shorter than its header declares is refused at open, not at read', async () => {
  const header = new TextEncoder().encode(JSON.stringify({ big: { dtype: 'F32', shape: [1024, 1024, 1024], data_offsets: [0, 4 * GiB] } }));
  const head = new Uint8Array(8 + header.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(header.length), true);
  head.set(header, 8);
  const p = await sparse('short.safetensors', head, head.length + GiB);
  await assert.rejects(openTensorFile(await openFileSource(p)), /run past the end of the data .*truncated/);
});

test('huge metadata arrays (GGUF) and millions of protobuf fields (ONNX) do not hang the reader', async () => {
  // GGUF: one key holding 1,000,000 empty strings (a hostile "vocabulary"), no tensors.
  const n = 1_000_000;
  const key = new TextEncoder().encode('voc');
  const g = new Uint8Array(24 + 8 + key.length + 4 + 12 + 8 * n);
  const dv = new DataView(g.buffer);
  g.set([0x47, 0x47, 0x55, 0x46]);
  dv.setUint32(4, 3, true);
  dv.setBigUint64(8, 0n, true);
  dv.setBigUint64(16, 1n, true);
  dv.setBigUint64(24, BigInt(key.length), true);
  g.set(key, 32);
  dv.setUint32(32 + key.length, 9, true);
  dv.setUint32(36 + key.length, 8, true);
  dv.setBigUint64(40 + key.length, BigInt(n), true);
  let t0 = performance.now();
  const f = await openTensorFile(bufferSource(g, 'vocab.gguf'));
  assert.match(String(f.metadata.voc), /^\[1000000 × string\]/);
  assert.ok(performance.now() - t0 < 20_000, `GGUF took ${(performance.now() - t0).toFixed(0)} ms`);
  // ONNX: a graph of 2,000,000 tiny unknown fields.
  const fields = 2_000_000;
  const graph = new Uint8Array(2 * fields);
  for (let i = 0; i < fields; i++) graph[2 * i] = 0x18;
  const len = [];
  for (let v = graph.length; ; v >>>= 7) {
    len.push((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
    if (v < 0x80) break;
  }
  const model = new Uint8Array([0x08, 0x07, 0x3a, ...len, ...graph]);
  t0 = performance.now();
  const o = await openTensorFile(bufferSource(model, 'many.onnx'));
  assert.equal(o.tensors.length, 0);
  assert.ok(performance.now() - t0 < 20_000, `ONNX took ${(performance.now() - t0).toFixed(0)} ms`);
});

test('a 4 GiB sparse zip64 .npz (stored member) lists lazily', async () => {
  // One stored member 'big.npy': a float32 .npy of 2^30 values; its local header, then the (sparse) data,
  // then a zip64 central directory and end records written past 4 GiB.
  const npyHead = encodeNpyHeader('<f4', [1073741824]);
  const memberSize = npyHead.length + 4 * GiB;
  const name = new TextEncoder().encode('big.npy');
  const local = new Uint8Array(30 + name.length + 20);
  let dv = new DataView(local.buffer);
  dv.setUint32(0, 0x04034b50, true);
  dv.setUint16(4, 45, true);
  dv.setUint32(18, 0xffffffff, true);
  dv.setUint32(22, 0xffffffff, true);
  dv.setUint16(26, name.length, true);
  dv.setUint16(28, 20, true);
  local.set(name, 30);
  dv.setUint16(30 + name.length, 1, true);
  dv.setUint16(32 + name.length, 16, true);
  dv.setBigUint64(34 + name.length, BigInt(memberSize), true);
  dv.setBigUint64(42 + name.length, BigInt(memberSize), true);
  const cdOffset = local.length + memberSize;
  const central = new Uint8Array(46 + name.length + 28);
  dv = new DataView(central.buffer);
  dv.setUint32(0, 0x02014b50, true);
  dv.setUint16(4, 45, true);
  dv.setUint16(6, 45, true);
  dv.setUint32(20, 0xffffffff, true);
  dv.setUint32(24, 0xffffffff, true);
  dv.setUint16(28, name.length, true);
  dv.setUint16(30, 28, true);
  dv.setUint32(42, 0xffffffff, true);
  central.set(name, 46);
  const x = 46 + name.length;
  dv.setUint16(x, 1, true);
  dv.setUint16(x + 2, 24, true);
  dv.setBigUint64(x + 4, BigInt(memberSize), true);
  dv.setBigUint64(x + 12, BigInt(memberSize), true);
  dv.setBigUint64(x + 20, 0n, true);
  const tail = new Uint8Array(56 + 20 + 22);
  dv = new DataView(tail.buffer);
  dv.setUint32(0, 0x06064b50, true);
  dv.setBigUint64(4, 44n, true);
  dv.setBigUint64(24, 1n, true);
  dv.setBigUint64(32, 1n, true);
  dv.setBigUint64(40, BigInt(central.length), true);
  dv.setBigUint64(48, BigInt(cdOffset), true);
  dv.setUint32(56, 0x07064b50, true);
  dv.setBigUint64(64, BigInt(cdOffset + central.length), true);
  dv.setUint32(72, 1, true);
  dv.setUint32(76, 0x06054b50, true);
  dv.setUint16(84, 0xffff, true);
  dv.setUint16(86, 0xffff, true);
  dv.setUint32(88, 0xffffffff, true);
  dv.setUint32(92, 0xffffffff, true);
  const p = join(dir, 'big.npz');
  const fh = await open(p, 'w');
  await fh.write(local, 0, local.length, 0);
  await fh.write(npyHead, 0, npyHead.length, local.length);
  await fh.write(central, 0, central.length, cdOffset);
  await fh.write(tail, 0, tail.length, cdOffset + central.length);
  await fh.close();
  await checkLazy(p, 'big', GiB);
});
