import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmt } from '../../../src/webview/common/format';

test('fmt: significant digits, exponent form when very large or small, integers in full, a dash when missing', () => {
  assert.equal(fmt(null), '—');
  assert.equal(fmt(undefined), '—');
  assert.equal(fmt(0), '0');
  assert.equal(fmt(-0), '0');
  assert.equal(fmt(NaN), 'NaN');
  assert.equal(fmt(-Infinity), '-Infinity');
  assert.equal(fmt(42), '42');
  assert.equal(fmt(123456), '123456');
  assert.equal(fmt(1.5), '1.5');
  assert.equal(fmt(2.2262235), '2.2262');
  assert.equal(fmt(2.2262235, 6), '2.22622');
  assert.equal(fmt(-0.0018625670477945278, 6), '-0.00186257');
  assert.equal(fmt(0.0001234), '1.234e-4');
  assert.equal(fmt(123456.7), '1.235e+5');
  assert.equal(fmt(123456.7, 6), '123457');
  // No trailing zeros cut from the integer part: 120000.4 to 6 digits is 120000, not 12.
  assert.equal(fmt(120000.4, 6), '120000');
  assert.equal(fmt(1234567.8, 6), '1.2346e+6');
});
