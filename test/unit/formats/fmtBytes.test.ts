// The one byte formatter, used by the readers' error messages and the tensor table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtBytes } from '../../../src/formats/errors';

test('fmtBytes picks bytes, KiB, MiB or GiB at the 1024 boundaries', () => {
  assert.equal(fmtBytes(0), '0 bytes');
  assert.equal(fmtBytes(1023), '1023 bytes');
  assert.equal(fmtBytes(1024), '1.0 KiB');
  assert.equal(fmtBytes(1536), '1.5 KiB');
  assert.equal(fmtBytes(2 ** 20), '1.00 MiB');
  assert.equal(fmtBytes(100 * 2 ** 20), '100.00 MiB');
  assert.equal(fmtBytes(2 ** 30), '1.00 GiB');
  assert.equal(fmtBytes(4 * 2 ** 30), '4.00 GiB');
});
