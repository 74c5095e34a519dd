// Jobs over tensor files: list, streamed statistics, whole reads and heatmap tiles.
// The host and the webview only ever receive what these return: summaries, bins and small tiles.
import { FormatError } from '../../formats/errors';
import { findNormLayers } from '../../formats/layers';
import { BlockMeans } from '../../kernels/blockMeans';
import { histogram, SummaryAccumulator } from '../../kernels/summary';
import type { HeatmapTile, JobMap, NormLayerEntry } from '../../protocol/worker';
import type { TensorFile } from '../../formats/tensorFile';
import type { Handler, JobContext } from '../workerRuntime';
import { withTensorFile } from './openFile';

type H<K extends keyof JobMap> = Handler<JobMap[K]['payload'], JobMap[K]['result']>;

const CHUNK = 1 << 16;

type StatsResult = JobMap['fileStats']['result'];
/**
 * Statistics by open file and viewKey: tensors that are one view of one storage (a pickle may name a storage 10,000
 * times) are summarized once while the worker keeps the file open.
 */
const statsMemo = new WeakMap<TensorFile, Map<string, StatsResult>>();
/** Metadata values are shown as text; a long value (e.g. an embedded config) is cut for display. */
const MAX_META_CHARS = 2000;

export const fileListJob: H<'fileList'> = async ({ file }) =>
  withTensorFile(file, async (f) => {
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.metadata ?? {})) {
      const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
      metadata[k] = text.length > MAX_META_CHARS ? `${text.slice(0, MAX_META_CHARS)}…` : text;
    }
    const tensors = f.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], numel: t.numel, byteLength: t.byteLength }));
    const shapes = Object.fromEntries(tensors.map((t) => [t.name, t.shape]));
    const layers: NormLayerEntry[] = findNormLayers(tensors.map((t) => t.name), shapes).map((l) => ({
      prefix: l.prefix, kind: l.kind, members: { ...l.members },
    }));
    return { result: { format: f.format, metadata, tensors, layers } };
  });

/**
 * Two streamed passes: the summary first (its min/max fix the histogram range), then the histogram.
 * Neither needs C order, so Fortran-order and transposed tensors stream in storage order (anyOrder).
 */
export const fileStatsJob: H<'fileStats'> = async ({ file, tensor, bins, maxBytes }, ctx) =>
  withTensorFile(file, async (f) => {
    const key = `${f.viewKey(tensor)}\0${bins}`;
    const memo = statsMemo.get(f) ?? new Map<string, StatsResult>();
    statsMemo.set(f, memo);
    const known = memo.get(key);
    if (known) return { result: known };
    const result = await statsOf(f, tensor, bins, maxBytes, ctx);
    memo.set(key, result);
    return { result };
  });

async function statsOf(f: TensorFile, tensor: string, bins: number, maxBytes: number | undefined, ctx: JobContext): Promise<StatsResult> {
  const acc = new SummaryAccumulator();
  await f.streamTensor(tensor, (values, done, total) => {
    acc.add(values);
    ctx.progress(total ? (0.5 * done) / total : 0.5);
  }, { chunkElements: CHUNK, signal: ctx.signal, anyOrder: true, maxBytes });
  const summary = acc.result();
  if (summary.min === null || summary.max === null) {
    ctx.progress(1);
    return { summary, histogram: { edges: [], counts: [] } };
  }
  const range: [number, number] = [summary.min, summary.max];
  let edges: number[] = [];
  const counts = new Array<number>(bins).fill(0);
  await f.streamTensor(tensor, (values, done, total) => {
    const h = histogram(values, bins, range);
    edges = h.edges;
    for (let i = 0; i < bins; i++) counts[i] += h.counts[i];
    ctx.progress(total ? 0.5 + (0.5 * done) / total : 1);
  }, { chunkElements: CHUNK, signal: ctx.signal, anyOrder: true, maxBytes });
  if (edges.length === 0) edges = histogram([], bins, range).edges;
  return { summary, histogram: { edges, counts } };
}

export const readTensorJob: H<'readTensor'> = async ({ file, tensor, maxBytes }, ctx) =>
  withTensorFile(file, async (f) => {
    const info = f.tensors.find((t) => t.name === tensor);
    if (!info) throw new FormatError(`no tensor named '${tensor}' in ${file.name}`);
    ctx.progress(0);
    const data = await f.readTensor(tensor, { maxBytes, signal: ctx.signal });
    ctx.progress(1);
    return { result: { data, shape: [...info.shape], dtype: info.dtype }, transfer: [data.buffer as ArrayBuffer] };
  });

export const heatmapJob: H<'heatmap'> = async ({ file, tensor, index, maxSide, maxBytes }, ctx) =>
  withTensorFile(file, async (f) => {
    const info = f.tensors.find((t) => t.name === tensor);
    if (!info) throw new FormatError(`no tensor named '${tensor}' in ${file.name}`);
    const { shape } = info;
    if (shape.length < 2) throw new FormatError(`a heatmap needs a tensor of at least 2 dims, '${tensor}' has shape [${shape.join(', ')}]`);
    const lead = shape.slice(0, -2);
    if (index.length !== lead.length || index.some((v, i) => !Number.isInteger(v) || v < 0 || v >= lead[i])) {
      throw new FormatError(`slice index [${index.join(', ')}] does not fit the leading dims [${lead.join(', ')}] of '${tensor}'`);
    }
    const [R, C] = shape.slice(-2);
    let sliceNo = 0;
    for (let i = 0; i < lead.length; i++) sliceNo = sliceNo * lead[i] + index[i];
    const start = sliceNo * R * C;
    const end = start + R * C;
    const blocks = new BlockMeans(R, C, maxSide);

    // Stream only the slice's elements: a contiguous tensor reads just the slice's bytes, wherever it lies.
    await f.streamTensor(tensor, (values, done, total) => {
      blocks.add(values, done - values.length);
      ctx.progress(total ? done / total : 1);
    }, { chunkElements: CHUNK, signal: ctx.signal, start, end, maxBytes });
    const b = blocks.result();
    const values = Float32Array.from(b.values);
    const range = (v: number | null) => (v === null ? null : Math.fround(v));
    const tile: HeatmapTile = { rows: b.rows, cols: b.cols, sliceRows: R, sliceCols: C, values, min: range(b.min), max: range(b.max) };
    return { result: tile, transfer: [values.buffer] };
  });

