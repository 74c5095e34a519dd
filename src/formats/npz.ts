// .npz: a zip of .npy members (np.savez stored, np.savez_compressed deflated). A member 'x.npy' is tensor 'x'.
// Listing reads the central directory and each member's .npy header (inflating only the header's bytes).
import { DEFAULT_MAX_HEADER_BYTES, FormatError, fmtBytes } from './errors';
import { npyEntry, NPY_MAX_HEADER_BYTES } from './npy';
import type { ByteSource } from './source';
import { makeTensorFile, type TensorEntry, type TensorFile } from './tensorFile';
import { crcChecked, openZipMember, type ZipEntry } from './zip';

/** Enough for ~80,000 members with typical ~128-byte headers. */
const NPZ_HEADERS_BUDGET = 16 << 20;

export async function openNpz(src: ByteSource, zip: ZipEntry[], opts: { maxHeaderBytes?: number } = {}): Promise<TensorFile> {
  const entries: TensorEntry[] = [];
  const ignored: string[] = [];
  // Every member's header is read (inflated) to list it: their total is bounded like one header, so a zip
  // with a million members pointing at one big header cannot make listing hang.
  const budget = Math.min(opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, NPZ_HEADERS_BUDGET);
  let spent = 0;
  for (const z of zip) {
    if (!z.name.endsWith('.npy')) {
      if (!z.name.endsWith('/')) ignored.push(z.name);
      continue;
    }
    const region = await openZipMember(src, z);
    const what = `${src.name}: member '${z.name}'`;
    // The header is read unchecked (so a corrupt member still lists), the data through the CRC-32 check.
    const e = await npyEntry(region, z.name.slice(0, -4), what, Math.min(budget, NPY_MAX_HEADER_BYTES), crcChecked(region, z, what));
    spent += 64 + (region.size - e.region.size);
    if (spent > budget) throw new FormatError(`${src.name}: the headers of its ${zip.length} members exceed the header limit of ${fmtBytes(budget)}`);
    entries.push(e);
  }
  const metadata: Record<string, unknown> = {};
  if (ignored.length) metadata.ignored_members = ignored;
  return makeTensorFile('npz', src.name, metadata, entries, () => src.close());
}
