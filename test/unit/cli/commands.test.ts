// The CLI as a user runs it: a fresh bundle of src/cli, spawned as a process.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { encodeNpy, parseNpy } from '../../../src/formats/npy';
import { normalize } from '../../../src/kernels';
import { assertClose, randn } from '../helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'normlab-cli-'));
const cli = path.join(dir, 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const file = (name: string, bytes: Uint8Array | string) => {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

before(async () => {
  await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', target: 'node20', outfile: cli, logLevel: 'error' });
  // train --workers N starts worker threads from worker.js beside cli.js, as in dist/.
  await build({ entryPoints: ['src/extension/worker.ts'], bundle: true, platform: 'node', target: 'node20', outfile: path.join(dir, 'worker.js'), logLevel: 'error' });
});

function assertUsageError(r: ReturnType<typeof run>, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(lines[0], /^normlab: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\s+at .*:\d+:\d+/, 'no stack trace');
}

test('normalize writes y, stats and running stats that match the kernel', () => {
  const shape = [4, 3, 5];
  const x = randn(60, 7);
  const inp = file('x.npy', encodeNpy(x, shape));
  const rm = file('rm.npy', encodeNpy(new Float32Array(3), [3]));
  const rv = file('rv.npy', encodeNpy(new Float32Array(3).fill(1), [3]));
  const out = (n: string) => path.join(dir, n);
  const r = run('normalize', '--method', 'batch', '--in', inp, '--out', out('y.npy'), '--eps', '1e-5', '--momentum', '0.2',
    '--running-mean-in', rm, '--running-var-in', rv, '--running-mean-out', out('rmo.npy'), '--running-var-out', out('rvo.npy'),
    '--mean-out', out('m.npy'), '--var-out', out('v.npy'));
  assert.equal(r.status, 0, r.stderr);
  const ref = normalize({ data: x, shape }, { method: 'batch', layout: 'NCHW', eps: 1e-5, momentum: 0.2, runningMean: new Float32Array(3), runningVar: new Float32Array(3).fill(1) });
  const read = (n: string) => parseNpy(new Uint8Array(readFileSync(out(n))));
  const y = read('y.npy');
  assert.equal(y.dtype, 'float32');
  assert.deepEqual(y.shape, shape);
  // The CLI runs the fast kernel: equal to the reference up to float64 rounding of the sums.
  assertClose(y.data, ref.y, 1e-6, 0, 'y');
  assertClose(read('m.npy').data, ref.stats.mean, 1e-12, 1e-12, 'mean');
  assert.equal(read('v.npy').dtype, 'float64');
  assertClose(read('v.npy').data, ref.stats.var, 1e-12, 1e-12, 'var');
  assertClose(read('rmo.npy').data, ref.running!.mean, 1e-12, 1e-12, 'running mean');
  assertClose(read('rvo.npy').data, ref.running!.var, 1e-12, 1e-12, 'running var');
});

test('stats prints the plan and per-set statistics as JSON', () => {
  const x = Float32Array.from({ length: 12 }, (_, i) => i);
  const inp = file('s.npy', encodeNpy(x, [2, 6]));
  const r = run('stats', '--method', 'group', '--groups', '3', '--in', inp);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.sets, { count: 6, size: 2, shape: [2, 3] });
  assert.deepEqual(j.mean, [0.5, 2.5, 4.5, 6.5, 8.5, 10.5]);
  assert.deepEqual(j.var, [0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
});

test('--help documents every flag of the golden checker', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  for (const flag of ['--method', '--layout', '--in', '--out', '--eps', '--groups', '--normalized-shape', '--training', '--momentum',
    '--num-batches-tracked', '--use-input-stats', '--weight', '--bias', '--running-mean-in', '--running-var-in', '--running-mean-out',
    '--running-var-out', '--mean-out', '--var-out', '--ms-out', '--tensor']) {
    assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
  }
});

test('bad input: exit 2, one line, says what was expected and found', () => {
  const good = file('g.npy', encodeNpy(randn(24, 3), [2, 6, 2]));
  assertUsageError(run('frobnicate'), /unknown command 'frobnicate'/);
  assertUsageError(run('normalize', '--method', 'group', '--in', good), /--out is required/);
  assertUsageError(run('normalize', '--method', 'bogus', '--in', good, '--out', '/tmp/y.npy'), /--method expects one of batch, layer, instance, group, rms, got 'bogus'/);
  assertUsageError(run('normalize', '--method', 'group', '--groups', '4', '--in', good, '--out', path.join(dir, 'o.npy')), /num_channels must be divisible by num_groups \(C=6, G=4\)/);
  assertUsageError(run('normalize', '--method', 'layer', '--eps', 'abc', '--in', good, '--out', path.join(dir, 'o.npy')), /--eps expects a number, got 'abc'/);
  assertUsageError(run('normalize', '--method', 'layer', '--in', path.join(dir, 'missing.npy'), '--out', path.join(dir, 'o.npy')), /no such file: .*missing\.npy/);
  assertUsageError(run('normalize', '--method', 'layer', '--in', file('junk.npy', 'not numpy at all'), '--out', path.join(dir, 'o.npy')), /junk\.npy: .*npy/);
  assertUsageError(run('normalize', '--method', 'layer', '--wat', '1'), /Unknown option '--wat'/);
  assertUsageError(run('normalize', '--method', 'batch', '--training', 'yes', '--in', good, '--out', path.join(dir, 'o.npy')), /--training expects 0 or 1, got 'yes'/);
});

const GOLDEN_TRAIN = path.join(__dirname, '../../golden/train/public');
const MLP = ['--model', path.join(GOLDEN_TRAIN, '022_traj_mlp_bn1d_model.json'), '--data', path.join(GOLDEN_TRAIN, '022_traj_mlp_bn1d_data.npz')];

test('train --workers 2: the same losses and saved state as one worker within float32 rounding', async () => {
  const { readStateDict } = await import('../../../src/cli/trainData');
  const go = (workers: string) => {
    const save = path.join(dir, `w${workers}.safetensors`);
    const r = run('train', ...MLP, '--epochs', '3', '--batch-size', '7', '--lr', '0.05', '--momentum', '0.9', '--workers', workers, '--save', save, '--json');
    assert.equal(r.status, 0, r.stderr);
    return { j: JSON.parse(r.stdout), save };
  };
  const one = go('1');
  const two = go('2');
  assert.equal(two.j.workers, 2);
  assert.equal(two.j.losses.length, one.j.losses.length);
  two.j.losses.forEach((l: number, i: number) => assert.ok(Math.abs(l - one.j.losses[i]) < 1e-5, `loss ${i}: ${l} vs ${one.j.losses[i]}`));
  const a = await readStateDict(one.save);
  const b = await readStateDict(two.save);
  for (const [k, t] of a) assertClose(b.get(k)!.data, t.data, 1e-4, 1e-4, k);
});

test('train --workers: batches too small to split and a worker count that is not a positive integer are refused in one line', () => {
  assertUsageError(run('train', ...MLP, '--workers', '3', '--batch-size', '2'), /splitting each batch across 3 workers needs batches of at least 3 samples, got one of 2/);
  assertUsageError(run('train', ...MLP, '--workers', '0'), /--workers expects a positive integer, got 0/);
  assertUsageError(run('train', ...MLP, '--workers', '100000'), /--workers expects at most 64 worker threads, got 100000/);
});

test('train --workers N with more workers than cores trains, and says it will be slower', async () => {
  const { availableParallelism } = await import('node:os');
  const n = availableParallelism() + 1;
  const r = run('train', ...MLP, '--workers', String(n), '--batch-size', String(2 * n));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^warning: --workers ${n} on ${n - 1} core\\(s\\): the workers wait for each other every step`, 'm'));
  assert.match(r.stdout, /^trained \d+ steps/);
});

test('train --workers 2: Ctrl-C stops both workers, exits 130 and saves nothing', async () => {
  const { spawn } = await import('node:child_process');
  const save = path.join(dir, 'never.safetensors');
  // Without the test runner's NODE_TEST_CONTEXT, which makes a child node report its own exit status as a test's.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [cli, 'train', ...MLP, '--epochs', '100000', '--batch-size', '4', '--workers', '2', '--save', save], { env });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  // The first epoch line: both workers are training.
  await new Promise<void>((resolve) => child.stderr.on('data', () => /epoch 1\//.test(err) && resolve()));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 130, err);
  assert.match(err, /normlab: cancelled \(Ctrl-C\) after step \d+ of \d+; nothing was saved/);
  assert.throws(() => readFileSync(save), /ENOENT/);
});