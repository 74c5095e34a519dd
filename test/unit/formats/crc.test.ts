// Zip members (npz, PyTorch checkpoints) are checked against the CRC-32 in the zip directory when a read or stream
// covers a whole tensor: a corrupt member is a FormatError that names the member, not silently wrong numbers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { crc32 } from '../../../src/formats/crc32';
import { bufferSource, openTensorFile } from '../../../src/formats/index';

const fixture = (rel: string) => new Uint8Array(readFileSync(new URL(`../../fixtures/formats/${rel}`, import.meta.url)));

/** Central-directory entries of a zip: name -> offset of the entry's CRC field. */
function crcFields(zip: Uint8Array): Map<string, number> {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out = new Map<string, number>();
  for (let p = 0; p + 46 <= zip.length; p++) {
    if (dv.getUint32(p, true) !== 0x02014b50) continue;
    const nameLen = dv.getUint16(p + 28, true);
    out.set(new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen)), p + 16);
  }
  return out;
}

function withBadCrc(zip: Uint8Array, member: string): Uint8Array {
  const copy = zip.slice();
  const at = crcFields(copy).get(member);
  assert.ok(at !== undefined, `no central directory entry for ${member}`);
  copy[at] ^= 0x01;
  return copy;
}

test('crc32 matches the standard check value, in pieces and at any alignment', () => {
  const text = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
  assert.equal(crc32(text), 0x414fa339);
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  for (let cut = 0; cut <= text.length; cut++) assert.equal(crc32(text.subarray(cut), crc32(text.subarray(0, cut))), 0x414fa339);
  const shifted = new Uint8Array(text.length + 3);
  shifted.set(text, 3);
  assert.equal(crc32(shifted.subarray(3)), 0x414fa339);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

for (const rel of ['npz/stored.npz', 'npz/deflated.npz']) {
  test(`${rel}: a member whose CRC-32 does not match is refused when read or streamed whole`, async () => {
    const bad = withBadCrc(fixture(rel), 'x.npy');
    const f = await openTensorFile(bufferSource(bad, rel));
    await assert.rejects(f.readTensor('x'), { name: 'FormatError', message: /member 'x\.npy': corrupt data: its CRC-32 is 0x[0-9a-f]{8}, but the zip directory expects 0x[0-9a-f]{8}/ });
    await assert.rejects(f.streamTensor('x', () => undefined), { name: 'FormatError', message: /CRC-32/ });
    // Other members are fine, and a slice cannot be checked (it is read as asked).
    assert.equal((await f.readTensor('labels')).length, 5);
    assert.equal((await f.readTensorRange('x', 4, 8)).length, 4);
  });
}

test('npz: a flipped byte in a stored member\'s data is caught by its CRC-32', async () => {
  const zip = fixture('npz/stored.npz').slice();
  const good = await openTensorFile(bufferSource(zip.slice(), 'stored.npz'));
  const x = await good.readTensor('x');
  // Find x's float32 data in the file and flip one bit of its last value.
  const raw = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  let at = -1;
  for (let p = 0; p + raw.length <= zip.length && at < 0; p++) if (zip[p] === raw[0] && raw.every((b, i) => zip[p + i] === b)) at = p;
  assert.ok(at > 0, 'the data of x is stored as is');
  zip[at + raw.length - 1] ^= 0x01;
  const f = await openTensorFile(bufferSource(zip, 'stored.npz'));
  await assert.rejects(f.readTensor('x'), { name: 'FormatError', message: /CRC-32/ });
});

test('PyTorch checkpoint: a storage whose CRC-32 does not match is refused; the others still read', async () => {
  const zip = fixture('pt/small_cnn_state.pt');
  const storages = [...crcFields(zip).keys()].filter((n) => /\/data\/\d+$/.test(n));
  assert.ok(storages.length > 3);
  const f0 = await openTensorFile(bufferSource(zip, 'small_cnn_state.pt'));
  const bad = await openTensorFile(bufferSource(withBadCrc(zip, storages[0]), 'small_cnn_state.pt'));
  let refused = 0;
  for (const t of f0.tensors) {
    try {
      await bad.readTensor(t.name);
    } catch (e) {
      assert.match((e as Error).message, /CRC-32/);
      refused++;
    }
  }
  assert.ok(refused >= 1 && refused < f0.tensors.length, `${refused} of ${f0.tensors.length} tensors refused`);
  // data.pkl describes every tensor: a corrupt one means the checkpoint cannot be listed at all.
  const pkl = [...crcFields(zip).keys()].find((n) => n.endsWith('/data.pkl'))!;
  await assert.rejects(openTensorFile(bufferSource(withBadCrc(zip, pkl), 'small_cnn_state.pt')), { name: 'FormatError', message: /data\.pkl': corrupt data: its CRC-32/ });
});
