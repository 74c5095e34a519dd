// `npm run bench:train [-- --rounds 5] [--seconds 1] [--workers 1,2] [--out DIR] [--python PATH]`: training steps of
// the miniature CNN (BN and GN, 28×28 inputs, batch 2 / 8 / 32) in NormLab (trainRun with the default ops; with N > 1
// workers, each batch split across N worker threads as `normlab train --workers N` runs it, dist/worker.js) and in
// PyTorch CPU with as many threads (scripts/bench-torch-train.py, kept running), in alternating rounds so both see the
// same load. Prints examples/s medians and ratios as Markdown; with --out, writes every round's raw numbers as JSON.
// Wall-clock ratios are the headline; CPU-time ratios are printed too because this machine is shared.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { mulberry32 } from '../src/kernels/generate';
import { WorkerPool } from '../src/extension/pool';
import { trainSplit } from '../src/extension/trainInPool';
import { trainRun } from '../src/nn/train';
import type { Dataset, LayerSpec, ModelSpec, TrainConfig } from '../src/nn/types';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const rounds = Number(opt('--rounds', '5'));
const seconds = Number(opt('--seconds', '1'));
const out = opt('--out', '');
const WORKERS = opt('--workers', '1,2').split(',').map(Number);
const python = opt('--python', '/usr/bin/python3');

type Norm = 'bn' | 'gn';
const BATCHES = [2, 8, 32];
const NORMS: Norm[] = ['bn', 'gn'];
/** ≥ 1.0× at batch 2 and 8, ≥ 0.6× at batch 32. */
const target = (batch: number) => (batch >= 32 ? 0.6 : 1.0);

/** The miniature CNN; norm = BatchNorm2d or GroupNorm(min(8, C), C). Same as scripts/bench-torch-train.py. */
export function miniatureCnn(norm: Norm): ModelSpec {
  const nl = (c: number): LayerSpec => (norm === 'bn' ? ['BatchNorm2d', { num_features: c }] : ['GroupNorm', { num_groups: Math.min(8, c), num_channels: c }]);
  const conv = (i: number, o: number): LayerSpec => ['Conv2d', { in_channels: i, out_channels: o, kernel_size: 3, padding: 1, bias: false }];
  return {
    input_shape: [1, 28, 28],
    layers: [
      conv(1, 16), nl(16), ['ReLU', {}], ['MaxPool2d', { kernel_size: 2 }],
      conv(16, 32), nl(32), ['ReLU', {}], ['MaxPool2d', { kernel_size: 2 }],
      conv(32, 64), nl(64), ['ReLU', {}],
      ['AdaptiveAvgPool2d', { output_size: 1 }], ['Flatten', {}], ['Linear', { in_features: 64, out_features: 10 }],
    ],
  };
}

// Standardized noise: a step's cost does not depend on the values.
const SAMPLES = 512;
const rand = mulberry32(7);
const data: Dataset = {
  x: Float32Array.from({ length: SAMPLES * 784 }, () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand())),
  sampleShape: [1, 28, 28],
  y: Int32Array.from({ length: SAMPLES }, () => Math.floor(rand() * 10)),
  numClasses: 10,
};

interface Timing { examples_per_second: number; cpu_examples_per_second: number; steps: number; seconds: number }

/** The pool of the split runs: as many workers as the largest --workers. */
let pool: WorkerPool | null = null;

async function normlab(norm: Norm, batch: number, steps: number, workers: number): Promise<Timing> {
  const indices = Int32Array.from({ length: steps * batch }, () => Math.floor(rand() * SAMPLES));
  const config: TrainConfig = {
    epochs: 1, batchSize: batch, lr: 0.01, momentum: 0.9, weightDecay: 0, nesterov: false, schedule: { kind: 'constant' },
    warmupEpochs: 0, scaleLrByBatch: false, seed: 1, order: { steps, batch, indices },
  };
  const c0 = process.cpuUsage(); // every thread of the process, the workers' too
  const r = workers > 1
    ? await trainSplit(pool!, workers, miniatureCnn(norm), { train: data, val: null }, config)
    : await trainRun(miniatureCnn(norm), { train: data, val: null }, config);
  const cpu = process.cpuUsage(c0);
  // CPU time of the whole call (model build and the final state dict included: a slight underestimate).
  return { examples_per_second: r.examples_per_second, cpu_examples_per_second: (steps * batch) / ((cpu.user + cpu.system) / 1e6), steps, seconds: r.train_seconds };
}

/** The PyTorch side: one long-lived process answering one JSON line per request. */
function startTorch() {
  const child = spawn(python, ['scripts/bench-torch-train.py'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async run(norm: Norm, batch: number, threads = 1): Promise<Timing & { torch: string }> {
      child.stdin.write(JSON.stringify({ norm, batch, seconds, threads }) + '\n');
      const { value, done } = await lines.next();
      if (done) throw new Error('bench-torch-train.py exited (is PyTorch installed for ' + python + '?)');
      return JSON.parse(value as string);
    },
    close: () => child.stdin.end(),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  if (WORKERS.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`--workers expects positive integers like 1,2, got ${opt('--workers', '')}`);
  const most = Math.max(...WORKERS);
  if (most > 1) {
    if (!existsSync('dist/worker.js')) throw new Error('--workers > 1 runs dist/worker.js: run `npm run build` first');
    pool = new WorkerPool({ size: most, workerFile: resolve('dist/worker.js') });
  }
  const torch = startTorch();
  const started = new Date().toISOString();
  const loadStart = loadavg();
  const configs = NORMS.flatMap((norm) => BATCHES.flatMap((batch) => WORKERS.map((workers) => ({ norm, batch, workers, key: `${norm}${batch}w${workers}` }))));
  // Steps per NormLab measurement, from a short calibration run per configuration (also the warm-up).
  const steps = new Map<string, number>();
  for (const { norm, batch, workers, key } of configs) {
    const t = await normlab(norm, batch, Math.max(3, Math.round(64 / batch)), workers);
    steps.set(key, Math.max(5, Math.round((seconds * t.examples_per_second) / batch)));
    await torch.run(norm, batch, workers); // PyTorch's warm-up
  }
  const results: { round: number; norm: Norm; batch: number; workers: number; normlab: Timing; torch: Timing; load: number[] }[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const { norm, batch, workers, key } of configs) {
      // Alternate who goes first, so neither always meets the other's cache or frequency state.
      let mine: Timing;
      let theirs: Timing;
      if (round % 2) {
        mine = await normlab(norm, batch, steps.get(key)!, workers);
        theirs = await torch.run(norm, batch, workers);
      } else {
        theirs = await torch.run(norm, batch, workers);
        mine = await normlab(norm, batch, steps.get(key)!, workers);
      }
      results.push({ round, norm, batch, workers, normlab: mine, torch: theirs, load: loadavg() });
    }
    console.error(`round ${round}/${rounds} done (load ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  }
  const torchVersion = (await torch.run('bn', 2)).torch;
  torch.close();
  await pool?.dispose();
  const loadEnd = loadavg();

  const lines: string[] = [];
  lines.push(`${rounds} alternating rounds of ~${seconds} s each from ${started}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ` +
    `load average ${loadStart[0].toFixed(1)} at the start, ${loadEnd[0].toFixed(1)} at the end; PyTorch ${torchVersion}. ` +
    'NormLab with N workers against PyTorch with N threads; the last ratio is against PyTorch with one thread (the targets).', '');
  lines.push('| model | batch | workers / threads | NormLab ex/s | PyTorch ex/s | ratio (wall) | range over rounds | ratio (CPU time) | vs PyTorch 1 thread | target | met |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const summary = [];
  const med = (norm: Norm, batch: number, workers: number, f: (r: typeof results[number]) => number) =>
    median(results.filter((r) => r.norm === norm && r.batch === batch && r.workers === workers).map(f));
  for (const { norm, batch, workers } of configs) {
    const rs = results.filter((r) => r.norm === norm && r.batch === batch && r.workers === workers);
    const ratios = rs.map((r) => r.normlab.examples_per_second / r.torch.examples_per_second);
    const cpuRatios = rs.map((r) => r.normlab.cpu_examples_per_second / r.torch.cpu_examples_per_second);
    const normlabRate = median(rs.map((r) => r.normlab.examples_per_second));
    const torchOne = WORKERS.includes(1) ? med(norm, batch, 1, (r) => r.torch.examples_per_second) : NaN;
    const row = {
      norm, batch, workers, normlab: normlabRate, torch: median(rs.map((r) => r.torch.examples_per_second)),
      ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), cpuRatio: median(cpuRatios),
      vsOneThread: normlabRate / torchOne, target: target(batch),
    };
    summary.push(row);
    lines.push(`| ${norm === 'bn' ? 'BatchNorm2d' : 'GroupNorm'} | ${batch} | ${workers} | ${row.normlab.toFixed(0)} | ${row.torch.toFixed(0)} | ` +
      `${row.ratio.toFixed(2)}× | ${row.min.toFixed(2)}–${row.max.toFixed(2)}× | ${row.cpuRatio.toFixed(2)}× | ${row.vsOneThread.toFixed(2)}× | ` +
      `≥ ${row.target.toFixed(1)}× | ${(workers === 1 ? row.ratio : row.vsOneThread) >= row.target ? 'yes' : 'no'} |`);
  }
  const table = lines.join('\n');
  console.log(table);
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'raw.json'), JSON.stringify({ started, seconds, rounds, torch: torchVersion, cpus: cpus().length, loadStart, loadEnd, results }, null, 1) + '\n');
    writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
    writeFileSync(join(out, 'table.md'), table + '\n');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
