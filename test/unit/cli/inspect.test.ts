// `normlab inspect` (JSON and table), loadTensorFromPath and findNormLayers over the fixtures and examples.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInspect } from '../../../src/cli/inspect';
import { FormatError } from '../../../src/formats/errors';
import { findNormLayers } from '../../../src/formats/layers';
import { loadTensorFromPath } from '../../../src/formats/load';
import { assertStats, assertValues, expected, FIXTURES } from '../../fixtures/formats/expected';

async function inspect(...args: string[]): Promise<string> {
  let out = '';
  await runInspect(args, { stdout: (s) => (out += s) });
  return out;
}

test('inspect --json prints exactly one JSON object with numpy statistics', async () => {
  for (const rel of ['npy/special.npy', 'npz/deflated.npz', 'st/all_dtypes.safetensors', 'pt/small_cnn_state.pt', 'pt/nested.pth']) {
    const file = join(FIXTURES, rel);
    const out = await inspect(file, '--json');
    assert.equal(out.trim().split('\n').length, 1);
    const j = JSON.parse(out);
    const want = expected.files[rel];
    assert.equal(j.file, file);
    assert.equal(j.format, want.format);
    assert.deepEqual(Object.keys(j).sort(), ['file', 'format', 'metadata', 'tensors']);
    assert.deepEqual(j.tensors.map((t: { name: string }) => t.name).sort(), Object.keys(want.tensors).sort());
    for (const t of j.tensors) {
      assert.equal(t.dtype, want.tensors[t.name].dtype);
      assert.deepEqual(t.shape, want.tensors[t.name].shape);
      assertStats(t.stats, want.tensors[t.name].stats, `${rel}:${t.name}`);
    }
  }
});

test('inspect --tensor limits the output to one tensor', async () => {
  const j = JSON.parse(await inspect(join(FIXTURES, 'pt/views.pt'), '--json', '--tensor', 't'));
  assert.equal(j.tensors.length, 1);
  assert.deepEqual(j.tensors[0].shape, [6, 4]);
  await assert.rejects(inspect(join(FIXTURES, 'pt/views.pt'), '--tensor', 'zzz'), /no tensor named 'zzz'.*base/);
});

test('inspect table shows tensors and groups normalization layers', async () => {
  const out = await inspect(join(__dirname, '../../../examples/small_cnn.pt'));
  assert.match(out, /^small_cnn\.pt: pytorch, 13 tensors/);
  assert.match(out, /bn1\.running_var\s+float32\s+\[8\]\s+8 /);
  assert.match(out, /bn1 {2}batchnorm, 8 channels/);
  assert.match(out, /gn2 {2}norm, 16 channels/);
  assert.doesNotMatch(out, /conv1 {2}norm/);
});

test('inspect errors: bad arguments, missing and hostile files', async () => {
  await assert.rejects(inspect(), /expects one FILE/);
  await assert.rejects(inspect(join(FIXTURES, 'nope.npy')), (e: unknown) => e instanceof FormatError && /no such file/.test(e.message));
  await assert.rejects(inspect(join(FIXTURES, 'bad/pt_os_system.pt')), /refusing global 'posix.system'/);
});

test('loadTensorFromPath picks the only tensor or the named one', async () => {
  const a = await loadTensorFromPath(join(FIXTURES, 'npy/fortran_f32.npy'));
  assert.equal(a.name, 'fortran_f32');
  assert.ok(a.data instanceof Float32Array);
  assertValues(a.data, expected.files['npy/fortran_f32.npy'].tensors.fortran_f32.values!, 'fortran');
  const b = await loadTensorFromPath(join(FIXTURES, 'pt/views.pt'), 'block');
  assert.deepEqual(b.shape, [2, 3]);
  assert.deepEqual([...b.data], [8, 9, 10, 14, 15, 16]);
  await assert.rejects(loadTensorFromPath(join(FIXTURES, 'pt/views.pt')), /holds 6 tensors; choose one with --tensor NAME/);
  await assert.rejects(loadTensorFromPath(join(FIXTURES, 'npy/big.npy'), undefined, { maxBytes: 1024 }), /above the limit/);
});

test('findNormLayers groups BatchNorm members and recognizes GroupNorm/LayerNorm', () => {
  const names = ['conv.weight', 'conv.bias', 'layer1.0.bn1.weight', 'layer1.0.bn1.bias', 'layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var',
    'layer1.0.bn1.num_batches_tracked', 'gn.weight', 'gn.bias', 'encoder.ln_f.weight', 'encoder.ln_f.bias', 'fc.weight', 'fc.bias', 'model.norm.weight'];
  const layers = findNormLayers(names);
  assert.deepEqual(layers.map((l) => [l.prefix, l.kind]), [['layer1.0.bn1', 'batchnorm'], ['gn', 'norm'], ['encoder.ln_f', 'norm'], ['model.norm', 'norm']]);
  assert.equal(layers[0].members.num_batches_tracked, 'layer1.0.bn1.num_batches_tracked');
  // With shapes a 1-D weight is a norm whatever its name, a 4-D one is not.
  const byShape = findNormLayers(['a.weight', 'a.bias', 'b.weight', 'b.bias'], { 'a.weight': [16], 'a.bias': [16], 'b.weight': [16, 3, 3, 3], 'b.bias': [16] });
  assert.deepEqual(byShape.map((l) => l.prefix), ['a']);
});

test('examples: activations, batch and the small CNN in two formats hold the same tensors', async () => {
  const ex = (n: string) => join(__dirname, '../../../examples', n);
  const act = await loadTensorFromPath(ex('activations.npy'));
  assert.deepEqual(act.shape, [8, 32, 16, 16]);
  assert.equal(act.dtype, 'float32');
  const batch = JSON.parse(await inspect(ex('batch.npz'), '--json'));
  assert.deepEqual(batch.tensors.map((t: { name: string }) => t.name), ['x', 'labels', 'tokens']);
  const pt = JSON.parse(await inspect(ex('small_cnn.pt'), '--json'));
  const st = JSON.parse(await inspect(ex('small_cnn.safetensors'), '--json'));
  assert.deepEqual(st.tensors.map((t: { name: string }) => t.name), pt.tensors.map((t: { name: string }) => t.name));
  for (const t of pt.tensors) {
    const a = await loadTensorFromPath(ex('small_cnn.pt'), t.name);
    const b = await loadTensorFromPath(ex('small_cnn.safetensors'), t.name);
    assert.equal(a.dtype, b.dtype);
    assert.deepEqual(a.shape, b.shape);
    assert.deepEqual([...a.data], [...b.data], t.name);
  }
});
