// Fuzz: thousands of seeded mutations of valid files of every format. Opening, listing, reading and streaming
// a mutated file may succeed or fail, but may only fail with a FormatError, quickly, within the memory limit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bufferSource, FormatError, openTensorFile } from '../../../src/formats/index';
import { FIXTURES } from '../../fixtures/formats/expected';
import { rng } from '../helpers';

const SEEDS = ['npy/float32.npy', 'npy/be_int64.npy', 'npy/fortran_i16.npy', 'npy/v3.npy', 'npy/bfloat16.npy', 'npz/stored.npz', 'npz/deflated.npz',
  'npz/zip64.npz', 'st/all_dtypes.safetensors', 'st/float8.safetensors', 'pt/views.pt', 'pt/nested.pth', 'pt/dtypes.pt', 'st/sharded/model.safetensors.index.json',
  'onnx/typed.onnx', 'onnx/small_cnn.onnx', 'gguf/tiny.gguf', 'pt/legacy_views.pt', 'pt/numpy_inside.pt'];
const SHARD = 'st/sharded/model-00001-of-00002.safetensors';
const CASES_PER_SEED = Number(process.env.NORMLAB_FUZZ_CASES ?? 150);
const LIMIT = 8 * 1024 * 1024;


function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  let b = src.slice();
  const rounds = 1 + int(4);
  for (let k = 0; k < rounds; k++) {
    // Mutations cluster near the start (headers, zip directory at the end) where parsers make decisions.
    const pos = () => (r() < 0.5 ? int(Math.min(b.length, 160)) : r() < 0.5 ? Math.max(0, b.length - 1 - int(Math.min(b.length, 200))) : int(b.length));
    switch (int(7)) {
      case 0: b[pos()] ^= 1 << int(8); break; // flip a bit
      case 1: b[pos()] = int(256); break; // random byte
      case 2: b = b.slice(0, int(b.length + 1)); break; // truncate
      case 3: { // insert random bytes
        const at = pos();
        const ins = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
        const nb = new Uint8Array(b.length + ins.length);
        nb.set(b.subarray(0, at));
        nb.set(ins, at);
        nb.set(b.subarray(at), at + ins.length);
        b = nb;
        break;
      }
      case 4: { // a large 32-bit value (sizes, offsets, lengths)
        const at = pos();
        const v = [0xffffffff, 0x7fffffff, 0x80000000, 0, 1 << 30, int(2 ** 32)][int(6)];
        if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, v, r() < 0.5);
        break;
      }
      case 5: { // copy a chunk over another place
        const from = pos();
        const to = pos();
        const len = int(32);
        b.copyWithin(to, from, from + len);
        break;
      }
      default: { // a digit in text headers (JSON/npy shapes)
        const at = pos();
        if (b[at] >= 0x30 && b[at] <= 0x39) b[at] = 0x30 + int(10);
        else b[at] = '9'.charCodeAt(0);
      }
    }
  }
  return b;
}

/** Siblings (shards, ONNX external data) come from the fixture folders; `shard` replaces the first shard. */
async function exercise(bytes: Uint8Array, name: string, shard: Uint8Array): Promise<void> {
  const f = await openTensorFile(bufferSource(bytes, name), {
    openSibling: async (s) => {
      if (s === 'model-00001-of-00002.safetensors') return bufferSource(shard, s);
      const dir = s.endsWith('.safetensors') ? 'st/sharded' : 'onnx';
      return bufferSource(new Uint8Array(readFileSync(join(FIXTURES, dir, s))), s);
    },
    maxHeaderBytes: LIMIT,
  });
  try {
    for (const t of f.tensors) {
      assert.ok(Array.isArray(t.shape) && Number.isSafeInteger(t.numel));
      // A tiny limit exercises the refusal and sparse-view paths: success or a FormatError, nothing else.
      await f.readTensor(t.name, { maxBytes: 64 }).catch((e: unknown) => {
        if (!(e instanceof FormatError)) throw e;
      });
      const data = await f.readTensor(t.name, { maxBytes: LIMIT });
      assert.equal(data.length, t.numel);
      let seen = 0;
      await f.streamTensor(t.name, (v) => (seen += v.length), { chunkElements: 97, maxBytes: LIMIT });
      assert.equal(seen, t.numel);
      // A seeded random range equals the whole read sliced.
      const r = rng(t.numel * 31 + t.name.length);
      const start = Math.floor(r() * (t.numel + 1));
      const end = start + Math.floor(r() * (t.numel - start + 1));
      const part = await f.readTensorRange(t.name, start, end, { maxBytes: LIMIT });
      assert.deepEqual(part, data.subarray(start, end));
    }
  } finally {
    await f.close();
  }
}

test(`fuzz: ${SEEDS.length} formats x ${CASES_PER_SEED} mutations fail only with FormatError`, async () => {
  const shardBytes = new Uint8Array(readFileSync(join(FIXTURES, SHARD)));
  let failures = 0;
  let ok = 0;
  let slowest = 0;
  for (const [si, rel] of SEEDS.entries()) {
    const base = new Uint8Array(readFileSync(join(FIXTURES, rel)));
    const name = rel.split('/').pop()!;
    for (let c = 0; c < CASES_PER_SEED; c++) {
      const seed = si * 100000 + c;
      const r = rng(seed);
      const isIndex = name.endsWith('.json');
      // For the index, mutate either the index or one shard.
      const mutShard = isIndex && r() < 0.5;
      const bytes = mutShard ? base : mutate(base, r);
      const shard = mutShard ? mutate(shardBytes, r) : shardBytes;
      const t0 = performance.now();
      try {
        await exercise(bytes, name, shard);
        ok++;
      } catch (e) {
        if (!(e instanceof FormatError)) {
          assert.fail(`${rel} seed ${seed}: escaped as ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
        }
        failures++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
  }
  if (process.env.NORMLAB_FUZZ_VERBOSE) console.log({ ok, failures, slowest });
  assert.ok(failures > 0 && ok > 0, `mutations should both fail and pass sometimes (failed ${failures}, ok ${ok})`);
  // A hang guard, not a speed test: one mutated file must never take seconds.
  assert.ok(slowest < 10_000, `slowest case took ${slowest.toFixed(0)} ms`);
});

test('fuzz: random bytes under every name fail with FormatError', async () => {
  const r = rng(99);
  for (let c = 0; c < 400; c++) {
    const bytes = Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
    if (c % 4 === 0 && bytes.length >= 12) bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // npy magic then noise
    if (c % 4 === 1 && bytes.length >= 4) bytes.set([0x50, 0x4b, 0x03, 0x04]); // zip magic then noise
    const name = ['x.npy', 'x.npz', 'x.safetensors', 'x.pt', 'x.index.json', 'x.bin', 'x.onnx'][c % 7];
    await exercise(bytes, name, bytes).catch((e: unknown) => {
      if (!(e instanceof FormatError)) assert.fail(`random case ${c}: escaped as ${String(e)}`);
    });
  }
});

test('fuzz: mutated pickles inside a valid checkpoint zip fail only with FormatError', async () => {
  const { unzipSync, zipSync } = await import('fflate');
  let ok = 0;
  for (const rel of ['pt/views.pt', 'pt/nested.pth', 'pt/small_cnn_state.pt']) {
    const members = unzipSync(new Uint8Array(readFileSync(join(FIXTURES, rel))));
    const pklName = Object.keys(members).find((n) => n.endsWith('/data.pkl'))!;
    for (let c = 0; c < CASES_PER_SEED; c++) {
      const r = rng(7000 + c);
      const zipped = zipSync({ ...members, [pklName]: mutate(members[pklName], r) }, { level: 0 });
      try {
        await exercise(zipped, 'm.pt', zipped);
        ok++;
      } catch (e) {
        if (!(e instanceof FormatError)) assert.fail(`${rel} pickle case ${c}: escaped as ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
      }
    }
  }
  assert.ok(ok > 0);
});
