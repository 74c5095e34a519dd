// The playground webview's pure parts: its fields read by the host's own checkers (form.ts: one rule and one
// wording on both sides), the divisors offered as G, and the state that survives a reload (state.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TRAIN_STEPS, type Controls, type PersistedState } from '../../../src/protocol/playground';
import { parseWebviewMessage } from '../../../src/protocol/playgroundValidate';
import { ValidationError } from '../../../src/protocol/rpc';
import {
  divisors, listOf, numberOrText, readControls, readGenerateSpec, readTrainParams, readView, shapeOf, type ControlsForm, type GenerateForm,
} from '../../../src/webview/playground/form';
import { DEFAULT_SPEC, defaultState, initialState, MAX_PERSISTED_PASTE, persistableSource } from '../../../src/webview/playground/state';

const form: ControlsForm = {
  method: 'group', groups: 4, eps: '1e-5', momentum: '0.1', cumulative: false, affine: true, gamma: '1, 2', beta: '0 -1', layout: 'NCHW', training: true,
};
const gen: GenerateForm = { shape: '32, 8, 8, 8', layout: 'NCHW', distribution: 'normal', seed: '0', channelScale: '1, 2, 5, 10', channelShift: '0, 3, -2, 8' };
const genNames = { channelScale: 'per-channel scale', channelShift: 'per-channel shift' };
const trainNames = { steps: 'steps per click', batchSize: 'batch size' };

/** The message of the ValidationError `f` throws. */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a ValidationError, nothing was thrown');
}

/** What the host says about a compute request with these controls. */
const hostSays = (controls: Record<string, unknown>) =>
  messageOf(() => parseWebviewMessage({ type: 'compute', id: 1, params: { controls, view: { sliceN: 0, sliceC: 0 } } }));

test('texts become numbers, or stay text so that an error can show what was typed', () => {
  assert.equal(numberOrText(' 0.5 '), 0.5);
  assert.equal(numberOrText('1e-5'), 1e-5);
  assert.equal(numberOrText(''), '');
  assert.equal(numberOrText('abc'), 'abc');
  assert.deepEqual(listOf('1, 2.5,,-3  4'), [1, 2.5, -3, 4]);
  assert.deepEqual(listOf('  '), []);
  assert.deepEqual(listOf('1, x'), [1, 'x']);
  assert.deepEqual(shapeOf('(32, 8, 8, 8)'), [32, 8, 8, 8]);
  assert.deepEqual(shapeOf('32x8×8 8'), [32, 8, 8, 8]);
  assert.deepEqual(shapeOf('[2, a]'), [2, 'a']);
});

test('divisors of C are the group counts offered (1 = LN, C = IN)', () => {
  assert.deepEqual(divisors(8), [1, 2, 4, 8]);
  assert.deepEqual(divisors(12), [1, 2, 3, 4, 6, 12]);
  assert.deepEqual(divisors(1), [1]);
  assert.deepEqual(divisors(0), []);
});

test('the controls read from their texts', () => {
  const c: Controls = readControls(form);
  assert.deepEqual(c, { method: 'group', groups: 4, eps: 1e-5, momentum: 0.1, affine: true, gamma: [1, 2], beta: [0, -1], layout: 'NCHW', training: true });
  assert.equal(readControls({ ...form, cumulative: true, momentum: 'not read' }).momentum, null);
  assert.deepEqual(readControls({ ...form, gamma: '', beta: '' }).gamma, []);
});

test('an invalid control gets the host\'s wording, naming the field as the webview shows it', () => {
  const cases: [Partial<ControlsForm>, string, Record<string, unknown>, string][] = [
    [{ eps: '0' }, 'eps: expected a positive number up to 1, got 0', { eps: 0 }, 'compute.params.controls.eps: expected a positive number up to 1, got 0'],
    [{ eps: 'abc' }, 'eps: expected a positive number up to 1, got "abc"', { eps: 'abc' }, 'compute.params.controls.eps: expected a positive number up to 1, got "abc"'],
    [{ momentum: '2' }, 'momentum: expected a number from 0 to 1, or null (cumulative average), got 2', { momentum: 2 }, 'compute.params.controls.momentum: expected a number from 0 to 1, or null (cumulative average), got 2'],
    [{ gamma: '1, x' }, 'γ[1]: expected a finite number, got "x"', { gamma: [1, 'x'] }, 'compute.params.controls.gamma[1]: expected a finite number, got "x"'],
    [{ beta: 'nan' }, 'β[0]: expected a finite number, got "nan"', { beta: ['nan'] }, 'compute.params.controls.beta[0]: expected a finite number, got "nan"'],
    [{ method: 'weight' }, 'method: expected one of \'batch\', \'layer\', \'instance\', \'group\', \'rms\', got "weight"', { method: 'weight' }, 'compute.params.controls.method: expected one of \'batch\', \'layer\', \'instance\', \'group\', \'rms\', got "weight"'],
  ];
  const valid = readControls(form);
  for (const [edit, webview, hostEdit, host] of cases) {
    assert.equal(messageOf(() => readControls({ ...form, ...edit })), webview);
    assert.equal(hostSays({ ...valid, ...hostEdit }), host);
  }
});

test('the slice: an index, or null while one of the fields is not one (the last valid slice is kept)', () => {
  assert.deepEqual(readView('1', '3'), { sliceN: 1, sliceC: 3 });
  assert.deepEqual(readView('', '0'), { sliceN: 0, sliceC: 0 }, 'an emptied field reads as 0, as before');
  assert.equal(readView('-1', '0'), null);
  assert.equal(readView('1.5', '0'), null);
  assert.equal(readView('0', 'x'), null);
});

test('the generator\'s fields: a spec, or the host\'s wording for the first invalid one', () => {
  assert.deepEqual(readGenerateSpec(gen, genNames), DEFAULT_SPEC);
  assert.deepEqual(readGenerateSpec({ ...gen, shape: '8x4x4x4', seed: '3', channelScale: '', channelShift: '' }, genNames).shape, [8, 4, 4, 4]);
  assert.equal(messageOf(() => readGenerateSpec({ ...gen, shape: '8, 0' }, genNames)), 'shape[1]: expected an integer from 1 to 16777216, got 0');
  assert.equal(messageOf(() => readGenerateSpec({ ...gen, shape: '1 2 3 4 5 6' }, genNames)), 'shape: expected an array of 1 to 5 dims, got an array of length 6');
  assert.equal(messageOf(() => readGenerateSpec({ ...gen, shape: '4096, 4096, 4' }, genNames)), 'shape: expected at most 16777216 elements, got "[4096, 4096, 4] = 67108864 elements"');
  assert.equal(messageOf(() => readGenerateSpec({ ...gen, seed: '-1' }, genNames)), 'seed: expected an integer from 0 to 4294967295, got -1');
  assert.equal(messageOf(() => readGenerateSpec({ ...gen, channelScale: '1, two' }, { ...genNames, channelScale: '逐通道缩放' })), '逐通道缩放[1]: expected a finite number, got "two"');
  // The host refuses the same spec in the same words.
  const spec = { ...DEFAULT_SPEC, shape: [8, 0] };
  assert.equal(messageOf(() => parseWebviewMessage({ type: 'setInput', id: 1, params: { source: { kind: 'generate', spec } } })),
    'setInput.params.source.spec.shape[1]: expected an integer from 1 to 16777216, got 0');
});

test('train steps: 1 to MAX_TRAIN_STEPS (the protocol\'s constant) and a batch of at least 1', () => {
  assert.deepEqual(readTrainParams('10', '4', trainNames), { steps: 10, batchSize: 4 });
  assert.deepEqual(readTrainParams(String(MAX_TRAIN_STEPS), '1', trainNames), { steps: MAX_TRAIN_STEPS, batchSize: 1 });
  assert.equal(messageOf(() => readTrainParams(String(MAX_TRAIN_STEPS + 1), '4', trainNames)), `steps per click: expected an integer from 1 to ${MAX_TRAIN_STEPS}, got ${MAX_TRAIN_STEPS + 1}`);
  assert.equal(messageOf(() => readTrainParams('10', '0', trainNames)), 'batch size: expected an integer from 1 to 65536, got 0');
  assert.equal(messageOf(() => readTrainParams('', '4', trainNames)), 'steps per click: expected an integer from 1 to 1000, got ""');
  const controls = readControls(form);
  assert.equal(messageOf(() => parseWebviewMessage({ type: 'trainStep', id: 2, params: { controls, steps: MAX_TRAIN_STEPS + 1, batchSize: 4 } })),
    `trainStep.params.steps: expected an integer from 1 to ${MAX_TRAIN_STEPS}, got ${MAX_TRAIN_STEPS + 1}`);
});

test('the state at start: the webview\'s own, else the one the host revived, else the defaults', () => {
  const revived: PersistedState = { ...defaultState(1e-3), tab: 'compare' };
  assert.deepEqual(initialState({}, null, 1e-5), defaultState(1e-5));
  assert.deepEqual(initialState({}, revived, 1e-5), revived);
  const own = { controls: { ...defaultState(1e-5).controls, method: 'batch' as const }, view: { sliceN: 2, sliceC: 1 } };
  const s = initialState(own, revived, 1e-5);
  assert.equal(s.controls.method, 'batch');
  assert.deepEqual(s.view, { sliceN: 2, sliceC: 1 });
  assert.equal(s.tab, 'inspect', 'what the webview did not keep comes from the defaults');
  assert.deepEqual(initialState({ controls: own.controls }, revived, 1e-5), revived, 'a partial own state is not used');
});

test('a paste too large to keep is not persisted (a reload falls back to the generator)', () => {
  const small = { kind: 'paste', text: '[1, 2]' };
  assert.equal(persistableSource(small), small);
  assert.equal(persistableSource({ kind: 'paste', text: 'x'.repeat(MAX_PERSISTED_PASTE + 1) }), null);
  const generated = { kind: 'generate', spec: DEFAULT_SPEC };
  assert.equal(persistableSource(generated), generated);
});
