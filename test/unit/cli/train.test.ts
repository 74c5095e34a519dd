// `normlab train` in-process: --save / --eval-in / --json round trip, IDX (.gz) images with --labels, and
// bad input refused with one clear message before any training.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runTrain } from '../../../src/cli/trainCommand';
import { readStateDict } from '../../../src/cli/trainData';
import { openTensorPath } from '../../../src/formats/load';
import { parseIdx } from '../../../src/formats/idx';
import { encodeNpy } from '../../../src/formats/npy';

const GOLDEN = join(__dirname, '../../golden/train/public');
const tmp = mkdtempSync(join(tmpdir(), 'normlab-train-'));
const MLP = join(GOLDEN, '022_traj_mlp_bn1d_model.json');
const DATA = join(GOLDEN, '022_traj_mlp_bn1d_data.npz');

async function train(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runTrain(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), tty: false });
  return { code, out, err };
}

test('--save writes a state dict with nn.Sequential keys and the spec; --eval-in writes eval logits; --json one object', async () => {
  const save = join(tmp, 'mlp.safetensors');
  const evalX = join(tmp, 'x.npy');
  const logits = join(tmp, 'logits.npy');
  writeFileSync(evalX, encodeNpy(new Float32Array(3 * 64).fill(0.5), [3, 1, 8, 8]));
  const r = await train('--model', MLP, '--data', DATA, '--epochs', '2', '--batch-size', '8', '--lr', '0.05', '--momentum', '0.9', '--save', save,
    '--eval-in', evalX, '--eval-logits-out', logits, '--json', '--schedule', 'cosine', '--warmup-epochs', '1');
  assert.equal(r.code, 0);
  const j = JSON.parse(r.out);
  assert.equal(r.out.trim().split('\n').length, 1);
  assert.equal(j.epochs.length, 2);
  assert.equal(j.losses.length, j.steps);
  assert.ok(j.examples_per_second > 0 && j.train_seconds > 0 && j.standardized === null && j.workers === 1);
  const sd = await readStateDict(save);
  assert.deepEqual([...sd.keys()], ['1.weight', '1.bias', '2.weight', '2.bias', '2.running_mean', '2.running_var', '2.num_batches_tracked', '4.weight', '4.bias']);
  assert.equal(sd.get('2.num_batches_tracked')!.data[0], j.steps);
  const f = await openTensorPath(save);
  assert.equal(f.tensors.find((t) => t.name === '2.num_batches_tracked')!.dtype, 'int64');
  assert.deepEqual(JSON.parse(String(f.metadata.normlab_model)), JSON.parse(readFileSync(MLP, 'utf8')));
  await f.close();
  const lf = await openTensorPath(logits);
  assert.deepEqual(lf.tensors[0].shape, [3, 10]);
  await lf.close();
  // --init accepts the state dict that --save wrote.
  const again = join(tmp, 'logits2.npy');
  const r2 = await train('--model', MLP, '--data', DATA, '--init', save, '--lr', '0', '--eval-in', evalX, '--eval-logits-out', again);
  assert.equal(r2.code, 0);
  assert.match(r2.out, /trained \d+ steps/);
});

test('IDX images (.gz) with --labels: uint8 scaled and standardized, reported on stderr', async () => {
  const n = 12;
  const idx = (type: number, shape: number[], body: Uint8Array) => {
    const h = Buffer.alloc(4 + 4 * shape.length);
    h[2] = type;
    h[3] = shape.length;
    shape.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([h, body]);
  };
  const images = join(tmp, 'img-idx3-ubyte.gz');
  const labels = join(tmp, 'lab-idx1-ubyte');
  writeFileSync(images, gzipSync(idx(0x08, [n, 4, 4], Uint8Array.from({ length: n * 16 }, (_, i) => (i * 37) % 256))));
  writeFileSync(labels, idx(0x08, [n], Uint8Array.from({ length: n }, (_, i) => i % 3)));
  const spec = join(tmp, 'tiny.json');
  writeFileSync(spec, JSON.stringify({ input_shape: [1, 4, 4], layers: [['Flatten', {}], ['Linear', { in_features: 16, out_features: 3 }]] }));
  const r = await train('--model', spec, '--data', images, '--labels', labels, '--batch-size', '4');
  assert.equal(r.code, 0);
  assert.match(r.err, /standardized with the training set's mean 0\.\d+ and std 0\.\d+/);
  assert.match(r.err, /epoch 1\/1: train loss/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]), 'short'), /shape \[9\] needs 9 bytes of data, the file holds 2/);
  assert.throws(() => parseIdx(Uint8Array.from([1, 2, 3, 4]), 'bad'), /not an IDX file/);
});

test('bad input: the spec is checked before the data, flags name what they expect', async () => {
  const bad = join(tmp, 'bad.json');
  writeFileSync(bad, JSON.stringify({ input_shape: [1, 8, 8], layers: [['Conv2d', { in_channels: 1, out_channels: 6, kernel_size: 3 }], ['GroupNorm', { num_groups: 4, num_channels: 6 }]] }));
  await assert.rejects(train('--model', bad, '--data', join(tmp, 'missing.npz')), /layer 1 \(GroupNorm\): num_channels must be divisible by num_groups/);
  await assert.rejects(train('--model', MLP, '--data', DATA, '--schedule', 'linear'), /--schedule expects constant, cosine or step:E1,E2/);
  await assert.rejects(train('--model', MLP, '--data', join(tmp, 'img-idx3-ubyte.gz')), /expected an .npz with arrays x and y, or images with --labels FILE/);
  await assert.rejects(train('--model', MLP, '--data', DATA, '--eval-in', 'x.npy'), /--eval-in and --eval-logits-out go together/);
  const wrongInit = join(tmp, 'wrong.safetensors');
  await train('--model', join(tmp, 'tiny.json'), '--data', join(tmp, 'img-idx3-ubyte.gz'), '--labels', join(tmp, 'lab-idx1-ubyte'), '--save', wrongInit);
  await assert.rejects(train('--model', MLP, '--data', DATA, '--init', wrongInit), /Missing key\(s\): "2.weight".*size mismatch for 1.weight: copying a param with shape \[3, 16\], the shape in current model is \[32, 64\]/);
});
