import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEps, checkGroups, expectNoParams, parseNormalizedShape, ValidationError } from '../../../src/protocol/validate';

test('input boxes: eps, groups and normalized_shape', () => {
  assert.equal(checkEps('1e-5'), undefined);
  assert.equal(checkEps(' 0.001 '), undefined);
  assert.match(checkEps('0')!, /expected a positive number such as 1e-5, got "0"/);
  assert.match(checkEps('-1')!, /got "-1"/);
  assert.match(checkEps('abc')!, /got "abc"/);
  assert.match(checkEps('Infinity')!, /positive number/);
  assert.match(checkEps('')!, /positive number/);
  assert.equal(checkGroups('4', 32), undefined);
  assert.match(checkGroups('5', 32)!, /must divide the channel count C=32; 5 does not/);
  assert.match(checkGroups('0', 32)!, /positive integer/);
  assert.match(checkGroups('2.5', 32)!, /positive integer number of groups, got "2.5"/);
  assert.deepEqual(parseNormalizedShape('16', [8, 32, 16]), [16]);
  assert.deepEqual(parseNormalizedShape('32, 16', [8, 32, 16]), [32, 16]);
  assert.match(parseNormalizedShape('8', [8, 32, 16]) as string, /trailing dims of the input shape \[8, 32, 16\] such as \[16\], got \[8\]/);
  assert.match(parseNormalizedShape('1,2,3,4', [8, 32, 16]) as string, /at most 3 dims/);
  assert.match(parseNormalizedShape('x', [8, 32, 16]) as string, /comma-separated dims/);
});

test('expectNoParams: absent or empty, anything else names the field', () => {
  assert.deepEqual(expectNoParams(undefined, 'x.params'), {});
  assert.deepEqual(expectNoParams({}, 'x.params'), {});
  assert.throws(() => expectNoParams({ a: 1, b: 2 }, 'x.params'), (e: Error) => e instanceof ValidationError && e.message === 'x.params: expected no parameters, got "a, b"');
  assert.throws(() => expectNoParams(3, 'x.params'), (e: Error) => e instanceof ValidationError && e.message === 'x.params: expected an object, got 3');
});
