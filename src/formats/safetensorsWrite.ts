// Writes a .safetensors file in memory: an 8-byte little-endian header length, a JSON header (padded with
// spaces to 8 bytes) mapping names to {dtype, shape, data_offsets} plus "__metadata__" strings, then the data.
export interface SafetensorsEntry {
  name: string;
  dtype: 'F32' | 'F64' | 'I64';
  shape: number[];
  data: ArrayLike<number>;
}

const ITEM = { F32: 4, F64: 8, I64: 8 } as const;

export function encodeSafetensors(entries: SafetensorsEntry[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    const n = e.data.length * ITEM[e.dtype];
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  const json = JSON.stringify(header);
  const len = new TextEncoder().encode(json).length;
  const hb = new TextEncoder().encode(json + ' '.repeat((8 - (len % 8)) % 8));
  const out = new Uint8Array(8 + hb.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const e of entries) {
    for (let i = 0; i < e.data.length; i++) {
      const v = e.data[i];
      if (e.dtype === 'F32') dv.setFloat32(p, v, true);
      else if (e.dtype === 'F64') dv.setFloat64(p, v, true);
      else dv.setBigInt64(p, BigInt(Math.round(v)), true);
      p += ITEM[e.dtype];
    }
  }
  return out;
}
