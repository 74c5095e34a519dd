// `normlab inspect FILE [--json] [--tensor NAME]`: list a tensor file's tensors with streamed statistics
// (finite values, float64, population std) and, for checkpoints, its normalization layers.
import { basename } from 'node:path';
import { findNormLayers } from '../formats/layers';
import { openTensorPath, withPathInErrors } from '../formats/load';
import type { TensorFile, TensorInfo } from '../formats/tensorFile';
import { SummaryAccumulator, type Summary } from '../kernels/summary';
import { parseFlags, usage } from './args';

const CHUNK = 1 << 16;

async function statsOf(file: TensorFile, name: string): Promise<Summary> {
  const acc = new SummaryAccumulator();
  await file.streamTensor(name, (values) => acc.add(values), { chunkElements: CHUNK, anyOrder: true });
  return acc.result();
}

const fmtNum = (v: number | null): string => {
  if (v === null) return '-';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
};

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => rows.reduce((w, r) => Math.max(w, r[c].length), 0)); // no spread: a file may hold 100,000 tensors
  return rows.map((r) => r.map((cell, c) => (c <= 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

export async function runInspect(args: string[], io: { stdout: (s: string) => void }): Promise<void> {
  const { flags, positionals } = parseFlags(args, ['tensor'], ['json']);
  if (positionals.length !== 1) usage(`inspect expects one FILE, got ${positionals.length ? positionals.map((p) => `'${p}'`).join(' ') : 'none'} (normlab inspect FILE [--json] [--tensor NAME])`);
  const path = positionals[0];
  const only = typeof flags.tensor === 'string' ? flags.tensor : undefined;
  await withPathInErrors(path, () => inspectFile(path, only, flags.json === true, io));
}

async function inspectFile(path: string, only: string | undefined, json: boolean, io: { stdout: (s: string) => void }): Promise<void> {
  const file = await openTensorPath(path);
  try {
    let chosen: TensorInfo[] = file.tensors;
    if (only !== undefined) {
      chosen = file.tensors.filter((t) => t.name === only);
      if (!chosen.length) await file.readTensor(only, { maxBytes: 0 }); // throws "no tensor named ..., the file has: ..."
    }
    // Tensors that are one view of one storage (a pickle may name it 10,000 times) are summarized once.
    const byView = new Map<string, Summary>();
    const results: { info: TensorInfo; stats: Summary }[] = [];
    for (const info of chosen) {
      const key = file.viewKey(info.name);
      const stats = byView.get(key) ?? await statsOf(file, info.name);
      byView.set(key, stats);
      results.push({ info, stats });
    }

    if (json) {
      io.stdout(`${JSON.stringify({
        file: path,
        format: file.format,
        metadata: file.metadata,
        tensors: results.map(({ info, stats }) => ({ name: info.name, dtype: info.dtype, shape: info.shape, stats })),
      })}\n`);
      return;
    }
    const lines = [`${basename(path)}: ${file.format}, ${file.tensors.length} tensor${file.tensors.length === 1 ? '' : 's'}`];
    const meta = Object.entries(file.metadata);
    if (meta.length) {
      lines.push('metadata:');
      for (const [k, v] of meta) {
        const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
        lines.push(`  ${k}: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`);
      }
    }
    const rows = [['name', 'dtype', 'shape', 'count', 'min', 'max', 'mean', 'std', 'nan', 'inf']];
    for (const { info, stats: s } of results) {
      rows.push([info.name, info.dtype, `[${info.shape.join(', ')}]`, String(s.count), fmtNum(s.min), fmtNum(s.max), fmtNum(s.mean), fmtNum(s.std), String(s.nan), String(s.inf)]);
    }
    lines.push(table(rows));
    const shapes = Object.fromEntries(file.tensors.map((t) => [t.name, t.shape]));
    const layers = findNormLayers(file.tensors.map((t) => t.name), shapes);
    if (layers.length) {
      lines.push('', 'normalization layers:');
      for (const l of layers) {
        const w = l.members.weight ?? l.members.running_mean;
        const c = w ? shapes[w]?.[0] : undefined;
        lines.push(`  ${l.prefix || '(root)'}  ${l.kind}${c !== undefined ? `, ${c} channels` : ''}  (${Object.keys(l.members).join(', ')})`);
      }
    }
    lines.push('', 'statistics are over finite values (count); nan and inf are counted apart; std is the population std.');
    io.stdout(`${lines.join('\n')}\n`);
  } finally {
    await file.close();
  }
}
