import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FILE_TOKEN_HEX, MAX_TENSOR_NAME_CHARS, type Controls } from '../../../src/protocol/playground';
import { parseWebviewMessage, parsePersistedState } from '../../../src/protocol/playgroundValidate';
import { ValidationError } from '../../../src/protocol/rpc';

const controls: Controls = { method: 'group', groups: 2, eps: 1e-5, momentum: 0.1, affine: false, gamma: [], beta: [], layout: 'NCHW', training: true };
const view = { sliceN: 0, sliceC: 1 };

const rejects = (msg: unknown, re: RegExp) =>
  assert.throws(() => parseWebviewMessage(msg), (e: unknown) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.match(e.message, re);
    return true;
  });

test('well-formed requests pass through unchanged', () => {
  const m = { type: 'compute', id: 3, params: { controls, view } };
  assert.deepEqual(parseWebviewMessage(m), m);
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  const gen = { type: 'setInput', id: 1, params: { source: { kind: 'generate', spec: { shape: [2, 4, 3, 3], layout: 'NCHW', distribution: 'normal', seed: 7, channelScale: [1, 2], channelShift: [] } } } };
  assert.deepEqual(parseWebviewMessage(gen), gen);
  assert.deepEqual(parseWebviewMessage({ type: 'compute', id: 4, params: { controls: { ...controls, momentum: null }, view } }).type, 'compute');
  assert.deepEqual(parseWebviewMessage({ type: 'trainStep', id: 5, params: { controls, steps: 10, batchSize: 4 } }).type, 'trainStep');
});

test('bad fields are named with what was expected and what was got (the one wording of protocol/validate.ts)', () => {
  rejects({ type: 'compute', id: 3, params: { controls: { ...controls, method: 'weight' }, view } }, /^compute\.params\.controls\.method: expected one of 'batch', 'layer', 'instance', 'group', 'rms', got "weight"$/);
  rejects({ type: 'compute', id: 3, params: { controls: { ...controls, eps: -1 }, view } }, /controls\.eps: expected a positive number up to 1, got -1/);
  rejects({ type: 'compute', id: 3, params: { controls: { ...controls, eps: Number.NaN }, view } }, /controls\.eps: expected .* got NaN/);
  rejects({ type: 'compute', id: 3, params: { controls: { ...controls, momentum: 2 }, view } }, /momentum: expected a number from 0 to 1, or null/);
  rejects({ type: 'compute', id: 3, params: { controls: { ...controls, gamma: [1, 'x'] }, view } }, /controls\.gamma\[1\]: expected a finite number, got "x"/);
  rejects({ type: 'compute', id: 3, params: { controls: { ...controls, groups: 1.5 }, view } }, /groups: expected an integer from 1/);
  rejects({ type: 'compute', id: 0, params: { controls, view } }, /compute\.id: expected an integer from 1/);
  rejects({ type: 'compute', id: 3, params: { controls, view: { sliceN: -1, sliceC: 0 } } }, /view\.sliceN/);
  rejects({ type: 'launch', id: 3 }, /message\.type: expected one of 'ready', 'setInput'/);
  rejects('compute', /message: expected an object, got "compute"/);
  rejects({ type: 'setInput', id: 1, params: { source: { kind: 'paste', text: 42 } } }, /source\.text: expected text of at most/);
  rejects({ type: 'setInput', id: 1, params: { source: { kind: 'url', path: '/etc/passwd' } } }, /source\.kind: expected one of 'generate', 'paste', 'file', got "url"/);
  rejects({ type: 'setInput', id: 1, params: { source: { kind: 'generate', spec: { shape: [4096, 4096, 4], layout: 'NCHW', distribution: 'normal', seed: 1, channelScale: [], channelShift: [] } } } }, /spec\.shape: expected at most 16777216 elements/);
  rejects({ type: 'setInput', id: 1, params: { source: { kind: 'generate', spec: { shape: [2, 2], layout: 'NCHW', distribution: 'cauchy', seed: 1, channelScale: [], channelShift: [] } } } }, /distribution: expected one of 'normal', 'uniform', 'constant', 'offset', got "cauchy"/);
  rejects({ type: 'export', id: 2, params: { controls, format: 'exe' } }, /format: expected one of 'npy', 'json'/);
  rejects({ type: 'pickFile', id: 2, params: { path: '/x' } }, /pickFile\.params: expected no parameters, got "path"/);
  rejects({ type: 'trainStep', id: 5, params: { controls, steps: 1e6, batchSize: 4 } }, /steps: expected an integer from 1 to 1000/);
});

test('a persisted state is read back, or dropped when it is not usable', () => {
  const state = { controls, view, source: null, tab: 'compare' };
  assert.deepEqual(parsePersistedState(state), state);
  assert.equal(parsePersistedState({ controls: { ...controls, layout: 'NWHC' }, view, source: null, tab: 'x' }), null);
  assert.equal(parsePersistedState(undefined), null);
});

test('a file source: a token the host handed out, a bounded tensor name and a shape; never a path or data', () => {
  const token = 'a'.repeat(FILE_TOKEN_HEX);
  const file = { kind: 'file', token, tensor: 'activations', shape: [8, 32, 16, 16] };
  const m = { type: 'setInput', id: 1, params: { source: file } };
  assert.deepEqual(parseWebviewMessage(m), m);
  // Only the fields of a file source are kept (no data or path smuggled through).
  assert.deepEqual(parseWebviewMessage({ type: 'setInput', id: 1, params: { source: { ...file, data: [1, 2], uri: 'file:///etc/passwd' } } }), m);
  const withFile = (source: object) => ({ type: 'setInput', id: 1, params: { source: { ...file, ...source } } });
  rejects(withFile({ token: 'file:///etc/passwd' }), /source\.token: expected the token the host gave for the file \(32 hex digits\), got "file:\/\/\/etc\/passwd"$/);
  rejects(withFile({ token: undefined, uri: 'file:///etc/passwd' }), /source\.token: expected the token .* got undefined/);
  rejects(withFile({ token: 'A'.repeat(FILE_TOKEN_HEX) }), /source\.token: expected the token/);
  rejects(withFile({ tensor: undefined }), /source\.tensor: expected a tensor name of at most 1024 characters, got undefined/);
  rejects(withFile({ tensor: 'w'.repeat(MAX_TENSOR_NAME_CHARS + 1) }), /source\.tensor: expected a tensor name of at most 1024 characters, got "1025 characters"/);
  rejects(withFile({ shape: [8, -1] }), /source\.shape\[1\]: expected an integer from 0/);
  rejects(withFile({ shape: 'big' }), /source\.shape: expected an array of at most 32 dims, got "big"/);
});

test('a persisted file source is read back; one with a path instead of a token drops the state', () => {
  const source = { kind: 'file', token: '0123456789abcdef0123456789abcdef', tensor: 'layer1.bn.weight', shape: [64] };
  const state = { controls, view, source, tab: 'inspect' };
  assert.deepEqual(parsePersistedState(state), state);
  assert.equal(parsePersistedState({ ...state, source: { kind: 'file', uri: 'file:///w/model.safetensors', tensor: 'x', shape: [64] } }), null);
});

