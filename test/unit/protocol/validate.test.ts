import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkEps, checkGroups, parseNormalizedShape, validateEditorMessage, ValidationError } from '../../../src/protocol/validate';

const ctx = { tensors: [{ name: 'x', shape: [2, 3, 4, 5] }, { name: 'v', shape: [7] }, { name: 'm', shape: [4, 6] }] };
const bad = (raw: unknown, message: RegExp) => assert.throws(() => validateEditorMessage(raw, ctx), (e: Error) => e instanceof ValidationError && message.test(e.message));

test('accepts every well-formed message', () => {
  assert.deepEqual(validateEditorMessage({ type: 'ready' }, ctx), { type: 'ready' });
  assert.deepEqual(validateEditorMessage({ type: 'cancelStats', extra: 1 }, ctx), { type: 'cancelStats' });
  assert.deepEqual(validateEditorMessage({ type: 'restartStats' }, ctx), { type: 'restartStats' });
  assert.deepEqual(validateEditorMessage({ type: 'action', action: 'export', tensor: 'v' }, ctx), { type: 'action', action: 'export', tensor: 'v' });
  assert.deepEqual(validateEditorMessage({ type: 'requestHeatmap', requestId: 3, tensor: 'x', index: [1, 2] }, ctx),
    { type: 'requestHeatmap', requestId: 3, tensor: 'x', index: [1, 2] });
  assert.deepEqual(validateEditorMessage({ type: 'requestHeatmap', requestId: 0, tensor: 'm', index: [] }, ctx).type, 'requestHeatmap');
});

test('names the field, what was expected and what was found', () => {
  bad(null, /^message: expected an object, got null$/);
  bad([1], /^message: expected an object, got an array of length 1$/);
  bad({ type: 'hack' }, /^message\.type: expected one of 'ready', .*'action', got "hack"$/);
  bad({}, /^message\.type: expected one of .* got undefined$/);
  bad({ type: 'action', action: 'rm', tensor: 'x' }, /^action\.action: expected one of 'playground', 'normalize', 'export', got "rm"$/);
  bad({ type: 'action', action: 'export', tensor: 42 }, /^action\.tensor: expected a string, got 42$/);
  bad({ type: 'action', action: 'export', tensor: '' }, /^action\.tensor: expected 1 to 4096 characters, got 0$/);
  bad({ type: 'action', action: 'export', tensor: 'y'.repeat(5000) }, /expected 1 to 4096 characters, got 5000/);
  bad({ type: 'action', action: 'export', tensor: 'nope' }, /^action\.tensor: no tensor named "nope" in this file$/);
  bad({ type: 'requestHeatmap', requestId: -1, tensor: 'x', index: [0, 0] }, /requestId: expected an integer from 0 to 2147483647, got -1/);
  bad({ type: 'requestHeatmap', requestId: 1.5, tensor: 'x', index: [0, 0] }, /requestId: expected an integer .* got 1\.5/);
  bad({ type: 'requestHeatmap', requestId: 1, tensor: 'v', index: [] }, /at least 2 dims, 'v' has shape \[7\]/);
  bad({ type: 'requestHeatmap', requestId: 1, tensor: 'x', index: [0] }, /^requestHeatmap\.index: expected 2 integers, got 1$/);
  bad({ type: 'requestHeatmap', requestId: 1, tensor: 'x', index: 'all' }, /^requestHeatmap\.index: expected an array of 2 integers, got "all"$/);
  bad({ type: 'requestHeatmap', requestId: 1, tensor: 'x', index: [0, 3] }, /^requestHeatmap\.index\[1\]: expected an integer from 0 to 2, got 3$/);
  bad({ type: 'requestHeatmap', requestId: 1, tensor: 'x', index: [NaN, 0] }, /index\[0\]: expected an integer from 0 to 1, got NaN/);
});

test('property: arbitrary JSON is either a valid message or a ValidationError, never anything else', () => {
  fc.assert(fc.property(fc.jsonValue(), fc.constantFrom('ready', 'action', 'requestHeatmap', 'other'), (v, type) => {
    for (const raw of [v, typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, type } : v]) {
      try {
        const m = validateEditorMessage(raw, ctx);
        assert.ok(['ready', 'cancelStats', 'restartStats', 'action', 'requestHeatmap'].includes(m.type));
      } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
      }
    }
  }));
});

test('property: a heatmap index is accepted exactly when every entry is inside its dim', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -3, max: 6 }), { minLength: 2, maxLength: 2 }), (index) => {
    const ok = index[0] >= 0 && index[0] < 2 && index[1] >= 0 && index[1] < 3;
    const run = () => validateEditorMessage({ type: 'requestHeatmap', requestId: 1, tensor: 'x', index }, ctx);
    if (ok) assert.deepEqual(run().type, 'requestHeatmap');
    else assert.throws(run, ValidationError);
  }));
});

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
