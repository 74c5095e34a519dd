// `npm run bench:compare [-- --rounds 8] [--out DIR]`: NormLab's bench and PyTorch (scripts/bench-torch.py) in
// alternating rounds on this machine, so both see the same load; prints the medians as a Markdown table.
// Needs PyTorch under /usr/bin/python3 (`apt-get install -y python3-torch`); nothing else in NormLab does.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const rounds = Number(opt('--rounds', '8'));
const out = opt('--out', '');
const python = opt('--python', '/usr/bin/python3');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const run = (cmd, argv) => JSON.parse(execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 }));

const started = new Date().toISOString();
const ours = [];
const torch = [];
if (out) mkdirSync(out, { recursive: true });
for (let i = 1; i <= rounds; i++) {
  torch.push(run(python, ['scripts/bench-torch.py', '--json']));
  ours.push(run(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--json']));
  if (out) {
    writeFileSync(join(out, `torch-${i}.json`), JSON.stringify(torch.at(-1)) + '\n');
    writeFileSync(join(out, `normlab-${i}.json`), JSON.stringify(ours.at(-1)) + '\n');
  }
  console.error(`round ${i}/${rounds} done`);
}

const copy = median(ours.map((r) => r.copy_gbps));
console.log(`${rounds} alternating rounds from ${started}; copy bandwidth median ${copy.toFixed(1)} GB/s ` +
  `(${Math.min(...ours.map((r) => r.copy_gbps))}–${Math.max(...ours.map((r) => r.copy_gbps))}); PyTorch ${torch[0].torch}\n`);
console.log('| shape | threads | NormLab ms | GB/s | × copy | PyTorch ms | GB/s | NormLab faster in | max abs err vs reference |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const shape of ['A', 'B', 'C', 'D', 'E']) {
  for (const threads of [1, 2]) {
    const mine = ours.map((r) => r.results.find((x) => x.shape === shape && x.workers === threads));
    const theirs = torch.map((r) => r.results.find((x) => x.shape === shape && x.threads === threads));
    if (mine.some((x) => !x) || theirs.some((x) => !x)) continue;
    const ratio = median(ours.map((r, i) => mine[i].gbps / r.copy_gbps));
    const wins = mine.filter((x, i) => x.ms < theirs[i].ms).length;
    const err = Math.max(...mine.map((x) => x.max_abs_err_vs_reference));
    console.log(`| ${shape} ${mine[0].method} | ${threads} | ${median(mine.map((x) => x.ms)).toFixed(3)} | ${median(mine.map((x) => x.gbps)).toFixed(1)} | ` +
      `${ratio.toFixed(2)} | ${median(theirs.map((x) => x.ms)).toFixed(3)} | ${median(theirs.map((x) => x.gbps)).toFixed(1)} | ${wins} of ${rounds} rounds | ${err.toExponential(1)} |`);
  }
}
