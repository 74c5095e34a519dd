// .npz: a zip of .npy members (np.savez stored, np.savez_compressed deflated). A member 'x.npy' is tensor 'x'.
// Listing reads the central directory and each member's .npy header (inflating only the header's bytes).
import { DEFAULT_MAX_HEADER_BYTES } from './errors';
import { npyEntry } from './npy';
import type { ByteSource } from './source';
import { makeTensorFile, type TensorEntry, type TensorFile } from './tensorFile';
import { openZipMember, type ZipEntry } from './zip';

export async function openNpz(src: ByteSource, zip: ZipEntry[], opts: { maxHeaderBytes?: number } = {}): Promise<TensorFile> {
  const entries: TensorEntry[] = [];
  const ignored: string[] = [];
  for (const z of zip) {
    if (!z.name.endsWith('.npy')) {
      if (!z.name.endsWith('/')) ignored.push(z.name);
      continue;
    }
    const region = await openZipMember(src, z);
    entries.push(await npyEntry(region, z.name.slice(0, -4), `${src.name}: member '${z.name}'`, Math.min(opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_BYTES)));
  }
  const metadata: Record<string, unknown> = {};
  if (ignored.length) metadata.ignored_members = ignored;
  return makeTensorFile('npz', src.name, metadata, entries, () => src.close());
}
