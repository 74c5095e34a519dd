// The status line and its request helper (webview/common/status.ts), on a stand-in for the status element.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, ValidationError } from '../../../src/protocol/rpc';
import { StatusLine, type StatusTarget } from '../../../src/webview/common/status';

/** The three properties StatusLine writes, recorded. */
function target(): StatusTarget & { classes: Set<string> } {
  const classes = new Set<string>();
  return {
    textContent: '',
    dataset: {},
    classes,
    classList: { toggle: (token: string, force?: boolean) => ((force ?? !classes.has(token)) ? classes.add(token) : classes.delete(token), classes.has(token)) },
  };
}

test('show: the text, data-state and the error class', () => {
  const el = target();
  const status = new StatusLine(el);
  status.show('saved x.npy');
  assert.deepEqual([el.textContent, el.dataset.state, el.classes.has('error')], ['saved x.npy', 'ok', false]);
  status.show('broken', true);
  assert.deepEqual([el.textContent, el.dataset.state, el.classes.has('error')], ['broken', 'error', true]);
  status.show('fine again');
  assert.equal(el.classes.has('error'), false);
});

test('error: the user wording; other errors with their name; a cancellation says nothing', () => {
  const el = target();
  const status = new StatusLine(el);
  status.error(new ValidationError('eps: expected a positive number up to 1, got 0'));
  assert.equal(el.textContent, 'eps: expected a positive number up to 1, got 0');
  assert.equal(el.dataset.state, 'error');
  status.error(new TypeError('x is undefined'));
  assert.equal(el.textContent, 'TypeError: x is undefined');
  status.show('Computing…');
  status.error(new CancelledError());
  assert.deepEqual([el.textContent, el.dataset.state], ['Computing…', 'ok']);
});

test('run: shows the busy text, resolves to the result; a failure is shown and resolves to undefined', async () => {
  const el = target();
  const status = new StatusLine(el);
  let seen: string | null = null;
  const r = await status.run(async () => {
    seen = el.textContent;
    return 42;
  }, { busy: 'Loading input…' });
  assert.equal(r, 42);
  assert.equal(seen, 'Loading input…');
  assert.equal(await status.run(() => Promise.reject(new ValidationError('shape[0]: expected an integer from 1 to 16777216, got 0'))), undefined);
  assert.deepEqual([el.textContent, el.dataset.state], ['shape[0]: expected an integer from 1 to 16777216, got 0', 'error']);
  // Overtaken: the busy text stays, no error.
  assert.equal(await status.run(() => Promise.reject(new CancelledError()), { busy: 'Computing…' }), undefined);
  assert.deepEqual([el.textContent, el.dataset.state], ['Computing…', 'ok']);
  // A synchronous throw inside the work is a failure like any other.
  assert.equal(await status.run(async () => { throw new ValidationError('bad'); }), undefined);
  assert.equal(el.textContent, 'bad');
});

test('run with onError: the failure goes there (awaited) and not to the status line', async () => {
  const el = target();
  const status = new StatusLine(el);
  const got: unknown[] = [];
  const r = await status.run(() => Promise.reject(new ValidationError('line 2, column 9: expected a number')), {
    busy: 'Loading input…',
    onError: async (e) => {
      await Promise.resolve();
      got.push(e);
      status.show('The pasted text was not used; the input is unchanged.');
    },
  });
  assert.equal(r, undefined);
  assert.equal(got.length, 1);
  assert.equal(el.textContent, 'The pasted text was not used; the input is unchanged.');
  assert.equal(el.dataset.state, 'ok');
});

test('check: the value, or undefined once the error is shown', () => {
  const el = target();
  const status = new StatusLine(el);
  assert.deepEqual(status.check(() => ({ steps: 10 })), { steps: 10 });
  assert.equal(status.check(() => { throw new ValidationError('steps per click: expected an integer from 1 to 1000, got 0'); }), undefined);
  assert.equal(el.textContent, 'steps per click: expected an integer from 1 to 1000, got 0');
});
