// The tensor viewer's webview messages: `ready` and the requests of protocol/editor.ts, each field checked with a
// ValidationError that names it, what was expected and what was found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseEditorMessage } from '../../../src/protocol/editorValidate';
import { ValidationError } from '../../../src/protocol/rpc';

const ctx = { tensors: [{ name: 'x', shape: [2, 3, 4, 5] }, { name: 'v', shape: [7] }, { name: 'm', shape: [4, 6] }] };
const bad = (raw: unknown, message: RegExp) =>
  assert.throws(() => parseEditorMessage(raw, ctx), (e: unknown) => e instanceof ValidationError && message.test(e.message) || assert.fail(`got ${String(e)}`));

test('accepts every well-formed message', () => {
  assert.deepEqual(parseEditorMessage({ type: 'ready' }, ctx), { type: 'ready' });
  assert.deepEqual(parseEditorMessage({ type: 'cancelStats', id: 1, params: {} }, ctx), { type: 'cancelStats', id: 1, params: {} });
  assert.deepEqual(parseEditorMessage({ type: 'restartStats', id: 2 }, ctx), { type: 'restartStats', id: 2, params: {} });
  assert.deepEqual(parseEditorMessage({ type: 'action', id: 3, params: { action: 'export', tensor: 'v' }, extra: 1 }, ctx),
    { type: 'action', id: 3, params: { action: 'export', tensor: 'v' } });
  assert.deepEqual(parseEditorMessage({ type: 'heatmap', id: 4, params: { tensor: 'x', index: [1, 2] } }, ctx),
    { type: 'heatmap', id: 4, params: { tensor: 'x', index: [1, 2] } });
  assert.deepEqual(parseEditorMessage({ type: 'heatmap', id: Number.MAX_SAFE_INTEGER, params: { tensor: 'm', index: [] } }, ctx),
    { type: 'heatmap', id: Number.MAX_SAFE_INTEGER, params: { tensor: 'm', index: [] } });
});

test('names the field, what was expected and what was found', () => {
  bad(null, /^message: expected an object, got null$/);
  bad([1], /^message: expected an object, got an array of length 1$/);
  bad({ type: 'hack', id: 1 }, /^message\.type: expected one of 'ready', 'cancelStats', 'restartStats', 'heatmap', 'action', got "hack"$/);
  bad({}, /^message\.type: expected one of .* got undefined$/);
  // The old one-way message types are gone.
  bad({ type: 'requestHeatmap', requestId: 1, tensor: 'x', index: [0, 0] }, /^message\.type: expected one of .* got "requestHeatmap"$/);
  bad({ type: 'heatmap', params: { tensor: 'x', index: [0, 0] } }, /^heatmap\.id: expected an integer from 1 to 9007199254740991, got undefined$/);
  bad({ type: 'heatmap', id: 0, params: { tensor: 'x', index: [0, 0] } }, /^heatmap\.id: expected an integer from 1 .* got 0$/);
  bad({ type: 'action', id: 1.5, params: { action: 'export', tensor: 'x' } }, /^action\.id: expected an integer .* got 1\.5$/);
  bad({ type: 'cancelStats', id: 1, params: { now: true } }, /^cancelStats\.params: expected no parameters, got "now"$/);
  bad({ type: 'restartStats', id: 1, params: 'go' }, /^restartStats\.params: expected an object, got "go"$/);
  bad({ type: 'action', id: 1 }, /^action\.params: expected an object, got undefined$/);
  bad({ type: 'action', id: 1, params: { action: 'rm', tensor: 'x' } }, /^action\.params\.action: expected one of 'playground', 'normalize', 'export', got "rm"$/);
  bad({ type: 'action', id: 1, params: { action: 'export', tensor: 42 } }, /^action\.params\.tensor: expected a string, got 42$/);
  bad({ type: 'action', id: 1, params: { action: 'export', tensor: '' } }, /^action\.params\.tensor: expected 1 to 4096 characters, got 0$/);
  bad({ type: 'action', id: 1, params: { action: 'export', tensor: 'y'.repeat(5000) } }, /^action\.params\.tensor: expected 1 to 4096 characters, got 5000$/);
  bad({ type: 'action', id: 1, params: { action: 'export', tensor: 'nope' } }, /^action\.params\.tensor: no tensor named "nope" in this file$/);
  bad({ type: 'heatmap', id: 1, params: null }, /^heatmap\.params: expected an object, got null$/);
  bad({ type: 'heatmap', id: 1, params: { tensor: 'v', index: [] } }, /^heatmap\.params\.tensor: expected a tensor of at least 2 dims, 'v' has shape \[7\]$/);
  bad({ type: 'heatmap', id: 1, params: { tensor: 'x', index: [0] } }, /^heatmap\.params\.index: expected 2 integers, got 1$/);
  bad({ type: 'heatmap', id: 1, params: { tensor: 'x', index: 'all' } }, /^heatmap\.params\.index: expected an array of 2 integers, got "all"$/);
  bad({ type: 'heatmap', id: 1, params: { tensor: 'x', index: [0, 3] } }, /^heatmap\.params\.index\[1\]: expected an integer from 0 to 2, got 3$/);
  bad({ type: 'heatmap', id: 1, params: { tensor: 'x', index: [NaN, 0] } }, /^heatmap\.params\.index\[0\]: expected an integer from 0 to 1, got NaN$/);
});

test('no tensor is known while the file is being listed', () => {
  assert.throws(() => parseEditorMessage({ type: 'heatmap', id: 1, params: { tensor: 'x', index: [0, 0] } }, { tensors: [] }),
    (e: unknown) => e instanceof ValidationError && e.message === 'heatmap.params.tensor: no tensor named "x" in this file');
  assert.deepEqual(parseEditorMessage({ type: 'ready' }, { tensors: [] }), { type: 'ready' });
});

test('property: arbitrary JSON is either a valid message or a ValidationError, never anything else', () => {
  const types = ['ready', 'cancelStats', 'restartStats', 'heatmap', 'action', 'other'];
  fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(...types), fc.jsonValue(), (v, type, params) => {
    const asObject = typeof v === 'object' && v !== null && !Array.isArray(v);
    for (const raw of [v, asObject ? { ...v, type } : v, asObject ? { ...v, type, id: 1, params } : v]) {
      try {
        const m = parseEditorMessage(raw, ctx);
        assert.ok(types.slice(0, -1).includes(m.type));
      } catch (e) {
        assert.ok(e instanceof ValidationError, String(e));
      }
    }
  }));
});

test('property: a heatmap index is accepted exactly when every entry is inside its dim', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -3, max: 6 }), { minLength: 2, maxLength: 2 }), (index) => {
    const ok = index[0] >= 0 && index[0] < 2 && index[1] >= 0 && index[1] < 3;
    const run = () => parseEditorMessage({ type: 'heatmap', id: 1, params: { tensor: 'x', index } }, ctx);
    if (ok) assert.deepEqual(run(), { type: 'heatmap', id: 1, params: { tensor: 'x', index } });
    else assert.throws(run, ValidationError);
  }));
});
