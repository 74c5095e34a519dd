// The CLI's outputs: refused before any work when they would fail or lose data, written all or nothing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/args';
import { runNormalize } from '../../../src/cli/normalizeCommand';
import { checkOutputs, writeOutput } from '../../../src/cli/outputs';
import { encodeNpy } from '../../../src/formats/npy';

const dir = mkdtempSync(join(tmpdir(), 'normlab-outputs-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const leftovers = (d: string) => readdirSync(d).filter((f) => f.includes('normlab-tmp'));

test('an existing file is never replaced without force; with force it is, atomically', () => {
  const path = join(dir, 'y.bin');
  writeOutput(path, Uint8Array.of(1, 2));
  assert.throws(() => writeOutput(path, Uint8Array.of(3)), (e: unknown) => e instanceof UsageError && /the file exists; pass --force to replace it/.test((e as Error).message));
  assert.deepEqual([...readFileSync(path)], [1, 2]);
  writeOutput(path, Uint8Array.of(3), { force: true });
  assert.deepEqual([...readFileSync(path)], [3]);
  assert.deepEqual(leftovers(dir), []);
});

test('a missing folder, a folder as the output and two flags naming one file are refused by flag', () => {
  assert.throws(() => checkOutputs([['out', join(dir, 'no', 'y.npy')]]), /--out .*: cannot write: the folder .*no does not exist/);
  mkdirSync(join(dir, 'sub'));
  assert.throws(() => checkOutputs([['out', join(dir, 'sub')]], { force: true }), /--out .*sub: cannot write: it is a folder; expected a file name/);
  assert.throws(() => checkOutputs([['out', join(dir, 'a.npy')], ['mean-out', join(dir, 'sub', '..', 'a.npy')]]),
    /--out and --mean-out both name .*a\.npy; give each output its own file/);
  assert.throws(() => writeOutput(join(dir, 'no', 'y.npy'), Uint8Array.of(1)), /cannot write .*: the folder .* does not exist/);
  checkOutputs([['out', join(dir, 'b.npy')], ['var-out', undefined], ['mean-out', join(dir, 'c.npy')]]);
  assert.deepEqual(leftovers(dir), []);
});

test('normlab normalize checks its outputs before any work and writes none of them when one is refused', async () => {
  const x = join(dir, 'x.npy');
  writeFileSync(x, encodeNpy(Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]));
  const y = join(dir, 'n.npy');
  const mean = join(dir, 'n_mean.npy');
  writeFileSync(mean, 'precious');
  await assert.rejects(runNormalize(['--method', 'layer', '--in', x, '--out', y, '--mean-out', mean]), /--mean-out .*n_mean\.npy: cannot write: the file exists/);
  assert.equal(readFileSync(mean, 'utf8'), 'precious');
  assert.throws(() => readFileSync(y), { code: 'ENOENT' });
  await runNormalize(['--method', 'layer', '--in', x, '--out', y, '--mean-out', mean, '--force']);
  assert.notEqual(readFileSync(mean, 'utf8'), 'precious');
  await assert.rejects(runNormalize(['--method', 'layer', '--in', x, '--out', y, '--var-out', y, '--force']), /--out and --var-out both name/);
  assert.deepEqual(leftovers(dir), []);
});
