// .npy reader/writer (minimal first version: '<f4' / '<f8', C order). Pure: works on bytes.
import { FormatError } from './errors';

export interface NpyArray {
  /** NumPy dtype name: float32, float64, ... */
  dtype: string;
  shape: number[];
  data: Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new FormatError('not a .npy file: missing the \\x93NUMPY magic');
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hoff = major === 1 ? 10 : 12;
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (hoff + hlen > bytes.length) throw new FormatError(`header length ${hlen} runs past the end of the file (${bytes.length} bytes)`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(hoff, hoff + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new FormatError(`malformed .npy header: ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) throw new FormatError('fortran_order arrays are not supported yet');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const start = hoff + hlen;
  const itemsize = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (!itemsize) throw new FormatError(`unsupported dtype '${descr}' (expected '<f4' or '<f8')`);
  if (start + n * itemsize > bytes.length) throw new FormatError(`data is truncated: expected ${n * itemsize} bytes for shape (${shape.join(', ')}), found ${bytes.length - start}`);
  const copy = bytes.slice(start, start + n * itemsize);
  const data = itemsize === 4 ? new Float32Array(copy.buffer, 0, n) : new Float64Array(copy.buffer, 0, n);
  return { dtype: itemsize === 4 ? 'float32' : 'float64', shape, data };
}

export function encodeNpy(data: Float32Array | Float64Array, shape: readonly number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
