// An experiment's data as the panel and the CLI read it: an .npz (x, y) or an IDX image file with its label file
// (gzipped or not), then the first trainSize / valSize samples (or the last valSize held out), standardized with the
// mean and std of the training samples used, in shared memory for the workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { labelledFromBytes, prepareExperimentData } from '../../../src/experiments/data';
import { preset } from '../../../src/experiments/presets';
import type { ExperimentConfig } from '../../../src/experiments/types';
import { npyBytes as npy, rng } from '../helpers';

const N = 30;
const H = 4;

/** N uint8 images 4×4 and labels in [0, 5). */
function sample(seed: number): { x: Uint8Array; y: Uint8Array } {
  const r = rng(seed);
  return { x: new Uint8Array(N * H * H).map(() => Math.floor(r() * 256)), y: new Uint8Array(N).map(() => Math.floor(r() * 5)) };
}

/** An IDX file: magic 0 0 <type 0x08 = uint8> <rank>, big-endian uint32 dims, the bytes. */
function idx(shape: number[], body: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(head.buffer);
  head.set([0, 0, 0x08, shape.length]);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

const config = (trainSize: number, valSize: number): ExperimentConfig => {
  const c = preset('custom');
  c.model = { ...c.model, input_shape: [1, H, H] };
  return { ...c, trainSize, valSize, batchSizes: [4] };
};

test('an IDX pair (images gzipped, labels not) and an .npz with x and y read as the same arrays', async () => {
  const { x, y } = sample(1);
  const fromIdx = await labelledFromBytes({
    images: { bytes: gzipSync(idx([N, H, H], x)), name: 'train-images-idx3-ubyte.gz' },
    labels: { bytes: idx([N], y), name: 'train-labels-idx1-ubyte' },
  });
  const npz = zipSync({ 'x.npy': npy('|u1', [N, H, H], x), 'y.npy': npy('|u1', [N], y) });
  const fromNpz = await labelledFromBytes({ npz: { bytes: npz, name: 'data.npz' } });
  for (const d of [fromIdx, fromNpz]) {
    assert.deepEqual(d.x.shape, [N, H, H]);
    assert.deepEqual(d.y.shape, [N]);
    assert.equal(d.x.uint8, true);
    assert.deepEqual(Array.from(d.x.data), [...x]);
    assert.deepEqual(Array.from(d.y.data), [...y]);
  }
});

test('an .npz without y, or labels that do not match the images, is one clear error', async () => {
  const { x, y } = sample(2);
  await assert.rejects(labelledFromBytes({ npz: { bytes: zipSync({ 'x.npy': npy('|u1', [N, H, H], x) }), name: 'd.npz' } }), /d\.npz: expected an array named 'y', found 'x'/);
  const short = await labelledFromBytes({ images: { bytes: idx([N, H, H], x), name: 'img' }, labels: { bytes: idx([N - 1], y.subarray(1)), name: 'lab' } });
  assert.throws(() => prepareExperimentData(config(10, 5), short, null, 'd'), /training data: expected 30 labels of shape \(30,\), found shape \[29\]/);
});

test('held-out validation: the first trainSize samples train, the last valSize validate, standardized by the training samples', async () => {
  const { x, y } = sample(3);
  const data = await labelledFromBytes({ images: { bytes: idx([N, H, H], x), name: 'img' }, labels: { bytes: idx([N], y), name: 'lab' } });
  const p = prepareExperimentData(config(20, 6), data, null, 'tiny');
  const per = H * H;
  const used = [...x.subarray(0, 20 * per)].map((v) => v / 255);
  const mean = used.reduce((a, b) => a + b, 0) / used.length;
  const std = Math.sqrt(used.reduce((a, b) => a + (b - mean) ** 2, 0) / used.length);
  assert.ok(Math.abs(p.description.standardized!.mean - mean) < 1e-6);
  assert.ok(Math.abs(p.description.standardized!.std - std) < 1e-6);
  assert.deepEqual({ ...p.description, standardized: null }, { name: 'tiny', trainSize: 20, valSize: 6, standardized: null });
  assert.equal(p.train.x.length, 20 * per);
  assert.equal(p.val.x.length, 6 * per);
  assert.deepEqual(p.train.sampleShape, [1, H, H]);
  const st = p.description.standardized!;
  for (const [got, raw] of [[p.train.x[5], x[5]], [p.val.x[0], x[(N - 6) * per]], [p.val.x[6 * per - 1], x[N * per - 1]]] as const) {
    assert.ok(Math.abs(got - (raw / 255 - st.mean) / st.std) < 1e-5, `${got} for raw ${raw}`);
  }
  assert.deepEqual([...p.train.y], [...y.subarray(0, 20)]);
  assert.deepEqual([...p.val.y], [...y.subarray(N - 6)]);
  // Shared memory: every run's worker reads the same arrays.
  for (const a of [p.train.x, p.train.y, p.val.x, p.val.y]) assert.ok(a.buffer instanceof SharedArrayBuffer);
  assert.equal(p.train.numClasses, p.val.numClasses);
});

test('separate validation data: its first valSize samples, standardized with the training constants', async () => {
  const a = sample(4);
  const b = sample(5);
  const train = await labelledFromBytes({ npz: { bytes: zipSync({ 'x.npy': npy('|u1', [N, H, H], a.x), 'y.npy': npy('|u1', [N], a.y) }), name: 't.npz' } });
  const val = await labelledFromBytes({ npz: { bytes: zipSync({ 'x.npy': npy('|u1', [N, H, H], b.x), 'y.npy': npy('|u1', [N], b.y) }), name: 'v.npz' } });
  const p = prepareExperimentData(config(30, 8), train, val, 't.npz');
  const st = p.description.standardized!;
  assert.ok(Math.abs(p.val.x[0] - (b.x[0] / 255 - st.mean) / st.std) < 1e-5);
  assert.deepEqual([...p.val.y], [...b.y.subarray(0, 8)]);
  assert.throws(() => prepareExperimentData(config(30, 31), train, val, 't.npz'), /validation size 31 is larger than the validation data \(30 samples\)/);
});
