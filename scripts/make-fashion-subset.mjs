#!/usr/bin/env node
// Makes the bundled Fashion-MNIST subset from Debian's dataset-fashion-mnist IDX files (MIT, Zalando SE):
//   examples/data/fashion-mnist-train.npz  10,000 images from the training split, 1,000 per class
//   examples/data/fashion-mnist-test.npz    2,000 images from the test split, 200 per class
// Each npz holds x uint8 (N, 1, 28, 28) and y int64 (N,), deflated. Stratified and seeded: the same files
// every time. Usage (tsx loads the seeded generator from src/kernels/generate.ts):
//   node --import tsx scripts/make-fashion-subset.mjs [DIR]
// DIR defaults to /usr/share/datasets/fashion-mnist, the path `dpkg -L dataset-fashion-mnist` lists.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { mulberry32 } from '../src/kernels/generate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const outDir = path.join(root, 'examples', 'data');

function readIdx(file) {
  const b = zlib.gunzipSync(fs.readFileSync(path.join(src, file)));
  const rank = b[3];
  const shape = Array.from({ length: rank }, (_, i) => b.readUInt32BE(4 + 4 * i));
  return { shape, data: b.subarray(4 + 4 * rank) };
}

/** perClass indices of each label, drawn without replacement, then shuffled together. */
function stratified(labels, perClass, seed) {
  const rand = mulberry32(seed);
  const shuffle = (a) => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const byClass = Array.from({ length: 10 }, () => []);
  labels.forEach((y, i) => byClass[y].push(i));
  return shuffle(byClass.flatMap((idx) => shuffle(idx).slice(0, perClass)));
}

function npy(descr, shape, bytes) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + bytes.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(bytes, 10 + header.length);
  return out;
}

function subset(images, labels, perClass, seed, name) {
  const idx = stratified(labels.data, perClass, seed);
  const px = 28 * 28;
  const x = new Uint8Array(idx.length * px);
  const y = new BigInt64Array(idx.length);
  idx.forEach((k, i) => {
    x.set(images.data.subarray(k * px, (k + 1) * px), i * px);
    y[i] = BigInt(labels.data[k]);
  });
  const zip = zipSync({
    'x.npy': [npy('|u1', [idx.length, 1, 28, 28], x), { level: 9 }],
    'y.npy': [npy('<i8', [idx.length], new Uint8Array(y.buffer)), { level: 9 }],
  }, { mtime: new Date('2020-06-05T00:00:00Z') });
  fs.writeFileSync(path.join(outDir, name), zip);
  console.log(`${name}: ${idx.length} images, ${(zip.length / 2 ** 20).toFixed(2)} MiB`);
}

fs.mkdirSync(outDir, { recursive: true });
subset(readIdx('train-images-idx3-ubyte.gz'), readIdx('train-labels-idx1-ubyte.gz'), 1000, 20170825, 'fashion-mnist-train.npz');
subset(readIdx('t10k-images-idx3-ubyte.gz'), readIdx('t10k-labels-idx1-ubyte.gz'), 200, 20170826, 'fashion-mnist-test.npz');
