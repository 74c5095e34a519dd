// The hostile corpus: files generated here, one per case an audit found (plus a valid control per format), each run
// through the real CLI (`normlab inspect`, a fresh bundle of src/cli/main.ts like dist/cli.js) with a time limit of
// 10 s and a peak-RSS limit of 400 MiB. Every run exits 0 or 2 — never 1 (an internal error) — and every refusal is
// one `normlab: ` line; the controls' facts are exact. Writes and pipes of the CLI are checked the same way.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseTensorText } from '../../../src/kernels/textTensor';
import { f32, gguf, npy, onnxModel, P, pickledDict, pickledTensor, safetensors, torchZip, zip } from './hostileCorpus';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TIME_LIMIT_MS = 10_000;
const RSS_LIMIT_KIB = 400 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'normlab-hostile-'));
const cli = join(dir, 'cli.js');
const TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? '/usr/bin/time' : undefined;

before(async () => {
  // The same entry and options as esbuild.mjs's CLI bundle, so the test runs the current source.
  await build({ entryPoints: [join(ROOT, 'src/cli/main.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident set, KiB (undefined where it cannot be measured). */
  rssKiB?: number;
}

/** Runs the CLI in its own process group, killed at the time limit; peak RSS from /usr/bin/time or /proc. */
function runCli(args: string[], opts: { closeStdoutAfterFirstChunk?: boolean } = {}): Promise<Run> {
  const argv = TIME ? [TIME, '-f', 'maxrss=%M', process.execPath, cli, ...args] : [process.execPath, cli, ...args];
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hwm: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.closeStdoutAfterFirstChunk) child.stdout.destroy(); // like `| head -1`
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = TIME ? undefined : setInterval(() => {
      const m = /VmHWM:\s+(\d+)/.exec(readStatus(child.pid!));
      if (m) hwm = Math.max(hwm ?? 0, Number(m[1]));
    }, 25);
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, TIME_LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (poll) clearInterval(poll);
      const m = /(?:^|\n)maxrss=(\d+)\n?$/.exec(stderr);
      if (m) stderr = stderr.slice(0, m.index + (stderr[m.index] === '\n' ? 1 : 0));
      // GNU time reports a killed child as "Command terminated by signal"; keep the exit code of the CLI itself.
      stderr = stderr.replace(/Command (exited with non-zero status \d+|terminated by signal \d+)\n/, '');
      resolve({ code: signal ? null : code, stdout, stderr, ms: Date.now() - t0, rssKiB: m ? Number(m[1]) : hwm });
    });
  });
}

function readStatus(pid: number): string {
  try {
    return spawnSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }).stdout ?? '';
  } catch {
    return '';
  }
}

/** What each run took, printed at the end (the numbers behind the limits). */
const measured: string[] = [];
after(() => console.log(`hostile corpus: time and peak RSS per run\n${measured.join('\n')}`));

function withinLimits(r: Run, what: string): void {
  measured.push(`  ${what.padEnd(28)} exit ${r.code}  ${String(r.ms).padStart(5)} ms  ${r.rssKiB === undefined ? '?' : Math.round(r.rssKiB / 1024)} MiB`);
  assert.ok(r.code !== null && r.ms < TIME_LIMIT_MS, `${what}: killed after ${r.ms} ms (limit ${TIME_LIMIT_MS} ms)`);
  if (r.rssKiB !== undefined) assert.ok(r.rssKiB < RSS_LIMIT_KIB, `${what}: peak RSS ${Math.round(r.rssKiB / 1024)} MiB (limit 400 MiB)`);
  assert.notEqual(r.code, 1, `${what}: exit code 1 (internal error): ${r.stderr}`);
  assert.ok(r.code === 0 || r.code === 2, `${what}: exit code ${r.code}`);
  assert.ok(!/\n\s+at |internal error/.test(r.stderr), `${what}: a stack trace or internal error on stderr: ${r.stderr}`);
}

/** A refusal: exit 2 and exactly one `normlab: ` line saying what was expected and what was found. */
function refused(r: Run, what: string, message: RegExp): void {
  withinLimits(r, what);
  assert.equal(r.code, 2, `${what}: expected a refusal (exit 2), got exit ${r.code}: ${r.stdout.slice(0, 300)}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what}: expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], /^normlab: /, what);
  assert.match(lines[0], message, what);
}

const put = (name: string, bytes: Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

const mkfifo = (path: string): boolean => process.platform !== 'win32' && spawnSync('mkfifo', [path]).status === 0;

async function inspectJson(path: string, what: string) {
  const r = await runCli(['inspect', path, '--json']);
  withinLimits(r, what);
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { format: string; tensors: { name: string; dtype: string; shape: number[]; stats: { count: number; min: number; max: number; mean: number } }[] };
}

// --- controls: one valid file per format, with exact facts -------------------------------------------------------

test('controls: a valid file of every format is read with its exact facts', async () => {
  const facts = (j: Awaited<ReturnType<typeof inspectJson>>) => Object.fromEntries(j.tensors.map((t) => [t.name, [t.dtype, t.shape, t.stats.count, t.stats.min, t.stats.max, t.stats.mean]]));
  assert.deepEqual(facts(await inspectJson(put('control.npy', npy([0, 1, 2, 3, 4, 5], [2, 3])), 'npy')), { control: ['float32', [2, 3], 6, 0, 5, 2.5] });
  const npz = zip([{ name: 'a.npy', data: npy([1, 2, 3, 4], [4]), deflate: true }, { name: 'b.npy', data: npy([-1, 1, 3, 5], [2, 2], 'float64') }]);
  const jz = await inspectJson(put('control.npz', npz), 'npz');
  assert.equal(jz.format, 'npz');
  assert.deepEqual(facts(jz), { a: ['float32', [4], 4, 1, 4, 2.5], b: ['float64', [2, 2], 4, -1, 5, 2] });
  const st = safetensors({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] }, __metadata__: { format: 'pt' } },
    f32([1, 2, 3, 4, 10, 20]));
  assert.deepEqual(facts(await inspectJson(put('control.safetensors', st), 'safetensors')), { w: ['float32', [2, 2], 4, 1, 4, 2.5], b: ['float32', [2], 2, 10, 20, 15] });
  // PyTorch: three views of one storage 0..11: the whole (3, 4), a column (stride 4) and a broadcast (stride 0).
  const pkl = pickledDict([['full', pickledTensor('0', 12, 0, [3, 4], [4, 1])], ['col', pickledTensor('0', 12, 1, [3], [4])], ['bcast', pickledTensor('0', 12, 0, [4, 3], [0, 1])]]);
  const jp = await inspectJson(put('control.pt', torchZip(pkl, { 0: f32([...Array(12).keys()]) })), 'pt');
  assert.equal(jp.format, 'pytorch');
  assert.deepEqual(facts(jp), { full: ['float32', [3, 4], 12, 0, 11, 5.5], col: ['float32', [3], 3, 1, 9, 5], bcast: ['float32', [4, 3], 12, 0, 2, 1] });
  assert.deepEqual(facts(await inspectJson(put('control.onnx', onnxModel('w', [2n, 2n], f32([1, 2, 3, 6]))), 'onnx')), { w: ['float32', [2, 2], 4, 1, 6, 3] });
  assert.deepEqual(facts(await inspectJson(put('control.gguf', gguf([{ name: 'w', shape: [3], values: [2, 4, 9] }])), 'gguf')), { w: ['float32', [3], 3, 2, 9, 5] });
});

// --- non-regular files -------------------------------------------------------------------------------------------

test('a FIFO (also as a shard named by an index), a device and a folder are refused at once', async (t) => {
  refused(await runCli(['inspect', '/dev/zero']), '/dev/zero', /expected a regular file, found a character device: \/dev\/zero/);
  mkdirSync(join(dir, 'folder.npy'));
  refused(await runCli(['inspect', join(dir, 'folder.npy')]), 'folder', /expected a regular file, found a directory/);
  if (!mkfifo(join(dir, 'pipe.npy'))) return t.skip('mkfifo is not available');
  refused(await runCli(['inspect', join(dir, 'pipe.npy')]), 'fifo', /expected a regular file, found a named pipe \(FIFO\)/);
  mkdirSync(join(dir, 'sharded'));
  mkfifo(join(dir, 'sharded', 'shard.safetensors'));
  writeFileSync(join(dir, 'sharded', 'model.safetensors.index.json'), JSON.stringify({ weight_map: { w: 'shard.safetensors' } }));
  refused(await runCli(['inspect', join(dir, 'sharded', 'model.safetensors.index.json')]), 'fifo shard', /cannot open shard 'shard\.safetensors': .*named pipe/);
});

// --- strided views that lie about their size -----------------------------------------------------------------------

test('views far beyond their storage are refused quickly; a storage named 10,000 times is summarized once', async () => {
  const tiny = torchZip(pickledDict([['x', pickledTensor('0', 4, 0, [1_000_000, 1_000_000], [0, 0])]]), { 0: f32([1, 2, 3, 4]) });
  refused(await runCli(['inspect', put('stride0.pt', tiny)]), 'stride 0', /view of 1000000000000 elements .* over a storage of only 4 elements \(stride 0 or overlapping strides\)/);
  const rows = 16384;
  const overlap = torchZip(pickledDict([['x', pickledTensor('0', rows, 0, [rows, rows], [1, 0])]]), { 0: f32(Array.from({ length: rows }, (_, i) => i)) });
  refused(await runCli(['inspect', put('overlap.pt', overlap)]), 'overlapping strides', /view of 268435456 elements/);
  // One 1 MiB storage, 10,000 names: 10,000 x 262,144 elements if each were summarized.
  const n = 1 << 18;
  const many = Array.from({ length: 10_000 }, (_, i) => [`t${i}`, pickledTensor('0', n, 0, [n], [1])] as [string, Uint8Array]);
  const shared = put('shared.pt', torchZip(pickledDict(many), { 0: f32(Array.from({ length: n }, (_, i) => i % 7)) }));
  const r = await runCli(['inspect', shared]);
  withinLimits(r, 'shared storage');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^shared\.pt: pytorch, 10000 tensors/);
  assert.match(r.stdout, /\nt9999 +float32 +\[262144\] +262144 +0 +6 /);
  // Strided views of a 4 MiB storage (every other column, a transpose-like view): streamed in bounded memory.
  const m = 1 << 20;
  const views = pickledDict([['even', pickledTensor('0', m, 0, [512, 1024], [2048, 2])], ['cols', pickledTensor('0', m, 3, [1024, 256], [1, 1024])]]);
  const j = await inspectJson(put('strided.pt', torchZip(views, { 0: f32(Array.from({ length: m }, (_, i) => i % 1000)) })), 'strided views');
  assert.deepEqual(j.tensors.map((x) => x.stats.count), [512 * 1024, 1024 * 256]);
});

// --- archives and headers whose parts share bytes --------------------------------------------------------------------

test('overlapping zip members and overlapping safetensors ranges are refused from the directory/header', async () => {
  const zeros = npy(new Array<number>(1 << 22).fill(0), [1 << 22]); // 16 MiB of zeros: about 16 KB deflated
  const bomb16 = zip([{ name: 'a0.npy', data: zeros, deflate: true }], Array.from({ length: 15 }, (_, i) => [`a${i + 1}.npy`, 0] as [string, number]));
  refused(await runCli(['inspect', put('bomb16.npz', bomb16)]), 'npz 16 overlapping', /overlapping members are refused/);
  const bomb60k = zip([{ name: 'a0.npy', data: zeros, deflate: true }], Array.from({ length: 60_000 }, (_, i) => [`a${i + 1}.npy`, 0] as [string, number]));
  refused(await runCli(['inspect', put('bomb60k.npz', bomb60k)]), 'npz 60,000 overlapping', /overlapping members are refused/);
  const header: Record<string, unknown> = {};
  for (let i = 0; i < 10_000; i++) header[`t${i}`] = { dtype: 'F32', shape: [100_000], data_offsets: [0, 400_000] };
  refused(await runCli(['inspect', put('overlap.safetensors', safetensors(header, new Uint8Array(400_000)))]), 'safetensors overlap', /overlap; the safetensors format requires each tensor to have its own bytes/);
});

// --- depth and size of what a header declares ------------------------------------------------------------------------

test('deep nesting and huge pickle opcodes are clear errors or read, never exit 1', async () => {
  const deepJson = `{"__metadata__": {"a": ${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
  refused(await runCli(['inspect', put('deep.safetensors', safetensors(deepJson, new Uint8Array(0)))]), 'deep JSON', /nests arrays or objects deeper than 64 levels/);
  // ADDITEMS with 500,000 items (once spread into one call): read as metadata.
  const items = Array.from({ length: 500_000 }, () => P.int(0));
  const add = pickledDict([['s', new Uint8Array([...P.emptySet, ...P.mark, ...items.flatMap((b) => [...b]), ...P.additems])]]);
  const r = await runCli(['inspect', put('additems.pt', torchZip(add, {}))]);
  withinLimits(r, 'ADDITEMS 500k');
  assert.match(r.stdout, /^additems\.pt: pytorch, 0 tensors\nmetadata:\n {2}s: \[0,0,0,/);
  // Lists nested 100,000 deep as a checkpoint value.
  const lists: number[] = [...P.emptyList];
  for (let i = 0; i < 100_000; i++) lists.push(...P.emptyList);
  for (let i = 0; i < 100_000; i++) lists.push(...P.append);
  refused(await runCli(['inspect', put('deeplist.pt', torchZip(pickledDict([['d', Uint8Array.from(lists)]]), {}))]), 'deep lists', /nests deeper than 64 levels/);
  // A paste of 200,000 '[' is refused by depth, not by a stack overflow.
  assert.throws(() => parseTensorText('['.repeat(200_000)), /expected at most 32 nested lists, found deeper nesting/);
});

test('ONNX dims are read to 64 bits: 2^32 + 1 is not 1, and a negative dim is refused by value', async () => {
  refused(await runCli(['inspect', put('dim2_32.onnx', onnxModel('w', [4294967297n], f32([1])))]), 'dim 2^32+1', /dims \[4294967297\] of float32 need 17179869188/);
  refused(await runCli(['inspect', put('dimneg.onnx', onnxModel('w', [-1n], f32([1])))]), 'dim -1', /tensor dim -1 cannot be represented/);
  refused(await runCli(['inspect', put('dim2_60.onnx', onnxModel('w', [1n << 60n], f32([1])))]), 'dim 2^60', /tensor dim 1152921504606846976 cannot be represented/);
});

// --- writes and pipes ------------------------------------------------------------------------------------------------

test('CLI outputs: a folder, a missing folder, two flags on one file and an existing file are refused; nothing left behind', async () => {
  const x = put('x.npy', npy([...Array(24).keys()], [2, 3, 4]));
  const out = join(dir, 'outs');
  mkdirSync(out);
  const norm = (...extra: string[]) => runCli(['normalize', '--method', 'layer', '--in', x, ...extra]);
  refused(await norm('--out', out), '--out a folder', /--out .*outs: cannot write: it is a folder/);
  refused(await norm('--out', join(out, 'missing', 'y.npy')), '--out in a missing folder', /the folder .*missing does not exist/);
  refused(await norm('--out', join(out, 'y.npy'), '--mean-out', join(out, 'y.npy')), 'same path twice', /--out and --mean-out both name/);
  const ok = await norm('--out', join(out, 'y.npy'));
  withinLimits(ok, 'first write');
  assert.equal(ok.code, 0, ok.stderr);
  refused(await norm('--out', join(out, 'y.npy')), 'existing output', /the file exists; pass --force to replace it/);
  withinLimits(await norm('--out', join(out, 'y.npy'), '--force'), '--force');
  assert.deepEqual(readdirSync(out), ['y.npy']);
});

test('a closed stdout pipe (| head) ends the CLI quietly', async () => {
  const r = await runCli(['inspect', join(dir, 'shared.pt')], { closeStdoutAfterFirstChunk: true });
  withinLimits(r, 'EPIPE');
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
});
