import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError, fromWireError, isCancelled, parseCancelRequest, toWireError, userMessage, ValidationError, type NotificationOf, type Reply, type RequestProgress,
} from '../../../src/protocol/rpc';
import { PROGRESS_INTERVAL_MS, RpcHost, type ReportProgress } from '../../../src/extension/rpcHost';
import { RpcClient } from '../../../src/webview/common/rpcClient';

interface Api {
  add: { params: { a: number; b: number }; result: number };
  slow: { params: { tag: string }; result: string };
  fail: { params: { name: string }; result: null };
}

/** A host and a client wired back to back (replies are delivered asynchronously, as postMessage does). */
function pair() {
  const started: { tag: string; signal: AbortSignal; progress: ReportProgress; finish(): void }[] = [];
  const logged: string[] = [];
  const posted: (Reply | RequestProgress)[] = [];
  const box: { client?: RpcClient<Api> } = {};
  const host = new RpcHost<Api>({
    handlers: {
      add: async ({ a, b }) => a + b,
      slow: ({ tag }, signal, progress) => new Promise((resolve, reject) => {
        started.push({ tag, signal, progress, finish: () => resolve(tag) });
        signal.addEventListener('abort', () => reject(new CancelledError()));
      }),
      fail: async ({ name }) => {
        const e = new Error(`${name} happened`);
        e.name = name;
        throw e;
      },
    },
    post: (reply) => {
      posted.push(reply);
      setImmediate(() => box.client?.onMessage(reply));
    },
    logError: (text) => logged.push(text),
  });
  const client = new RpcClient<Api>((m) => {
    const cancel = parseCancelRequest(m);
    if (cancel) host.cancel(cancel.id);
    else void host.dispatch(m as never);
  });
  box.client = client;
  return { host, client, started, logged, posted };
}

test('a request resolves with its result; ids are distinct', async () => {
  const { client, posted } = pair();
  assert.equal(await client.request('add', { a: 2, b: 3 }), 5);
  assert.equal(await client.request('add', { a: -1, b: 1 }), 0);
  assert.deepEqual(posted.map((p) => p.id), [1, 2]);
});

test('an error rejects the caller with an Error of the same name; only internal errors are logged', async () => {
  const { client, logged } = pair();
  await assert.rejects(client.request('fail', { name: 'FormatError' }), (e: Error) => e.name === 'FormatError' && e.message === 'FormatError happened');
  await assert.rejects(client.request('fail', { name: 'ValidationError' }), (e: Error) => e instanceof ValidationError);
  await assert.rejects(client.request('fail', { name: 'TypeError' }), (e: Error) => userMessage(e) === 'TypeError: TypeError happened');
  assert.equal(logged.length, 1);
  assert.match(logged[0], /^fail: TypeError: TypeError happened/);
});

test('a newer request of the same type cancels the older one; other types run on', async () => {
  const { client, started } = pair();
  const first = client.request('slow', { tag: 'a' });
  const sum = client.request('add', { a: 1, b: 1 });
  await new Promise((r) => setImmediate(r));
  const second = client.request('slow', { tag: 'b' });
  await assert.rejects(first, (e: unknown) => isCancelled(e) && e instanceof CancelledError);
  assert.equal(started[0].signal.aborted, true);
  assert.equal(await sum, 2);
  started[1].finish();
  assert.equal(await second, 'b');
});

test('latest resolves to null when overtaken, and to the result otherwise', async () => {
  const { client, started } = pair();
  const older = client.latest('lane', 'slow', { tag: 'a' });
  await new Promise((r) => setImmediate(r));
  const newer = client.latest('lane', 'slow', { tag: 'b' });
  assert.equal(await older, null);
  await new Promise((r) => setImmediate(r));
  started[1].finish();
  assert.equal(await newer, 'b');
});

test('dispose aborts every running request and posts nothing more', async () => {
  const { host, client, started, posted } = pair();
  void client.request('slow', { tag: 'a' }).catch(() => undefined);
  await new Promise((r) => setImmediate(r));
  host.dispose();
  assert.equal(started[0].signal.aborted, true);
  await new Promise((r) => setImmediate(r));
  assert.equal(posted.length, 0);
  await host.dispatch({ type: 'add', id: 9, params: { a: 1, b: 2 } });
  assert.equal(posted.length, 0);
});

test('refuse answers a message with a usable id, and ignores one without', () => {
  const { host, posted } = pair();
  host.refuse({ type: 'add', id: 7, params: 'x' }, new ValidationError('add.params: expected an object'));
  host.refuse({ type: 'add', id: 'x' }, new ValidationError('no'));
  host.refuse(null, new ValidationError('no'));
  assert.deepEqual(posted, [{ type: 'reply', id: 7, error: { name: 'ValidationError', message: 'add.params: expected an object' } }]);
});

test('wire errors round-trip their name and message; stacks only on request', () => {
  const e = new RangeError('too big');
  assert.deepEqual(toWireError(e), { name: 'RangeError', message: 'too big' });
  assert.ok(toWireError(e, true).stack);
  assert.deepEqual(toWireError('plain'), { name: 'Error', message: 'plain' });
  const back = fromWireError({ name: 'RangeError', message: 'too big' });
  assert.equal(back.name, 'RangeError');
  assert.ok(fromWireError({ name: 'CancelledError', message: 'x' }) instanceof CancelledError);
  assert.equal(userMessage(new ValidationError('eps: expected a number')), 'eps: expected a number');
});

test('notify posts a host-initiated message, and nothing once disposed', () => {
  interface Pushes {
    tick: { n: number };
  }
  const posted: (Reply | RequestProgress | NotificationOf<Pushes>)[] = [];
  const host = new RpcHost<Api, Pushes>({
    handlers: { add: async ({ a, b }) => a + b, slow: async ({ tag }) => tag, fail: async () => null },
    post: (m) => posted.push(m),
  });
  host.notify({ type: 'tick', params: { n: 1 } });
  host.dispose();
  host.notify({ type: 'tick', params: { n: 2 } });
  assert.deepEqual(posted, [{ type: 'tick', params: { n: 1 } }]);
});

test('progress reaches the caller while its request runs: clamped, throttled, never after the reply', async () => {
  const { client, started, posted } = pair();
  const seen: number[] = [];
  const run = client.request('slow', { tag: 'p' }, { onProgress: (f) => seen.push(f) });
  await new Promise((r) => setImmediate(r));
  const { progress, finish } = started[0];
  progress(-0.5); // clamped to 0
  progress(0.2); // within the interval: dropped
  await new Promise((r) => setTimeout(r, PROGRESS_INTERVAL_MS + 20));
  progress(0.4);
  progress(Number.NaN); // ignored
  await new Promise((r) => setTimeout(r, PROGRESS_INTERVAL_MS + 20));
  progress(7); // clamped to 1
  await new Promise((r) => setImmediate(r));
  finish();
  assert.equal(await run, 'p');
  await new Promise((r) => setTimeout(r, PROGRESS_INTERVAL_MS + 20));
  progress(0.9); // after the reply: nothing
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, [0, 0.4, 1]);
  assert.deepEqual(posted.filter((m) => m.type === 'requestProgress').map((m) => (m as RequestProgress).id), [1, 1, 1]);
});

test("aborting a request's signal cancels it on the host; it rejects with CancelledError and other requests run on", async () => {
  const { client, started } = pair();
  const ac = new AbortController();
  const run = client.request('slow', { tag: 'c' }, { signal: ac.signal });
  const sum = client.request('add', { a: 2, b: 2 });
  await new Promise((r) => setImmediate(r));
  ac.abort();
  await assert.rejects(run, (e: unknown) => isCancelled(e));
  assert.equal(started[0].signal.aborted, true);
  assert.equal(await sum, 4);
  // Already aborted: sent and cancelled at once. latest() turns a cancellation into null.
  assert.equal(await client.latest('lane', 'slow', { tag: 'd' }, { signal: AbortSignal.abort() }), null);
  assert.equal(started[1].signal.aborted, true);
});

test('parseCancelRequest: only cancelRequest messages, with a request id', () => {
  assert.deepEqual(parseCancelRequest({ type: 'cancelRequest', id: 3 }), { type: 'cancelRequest', id: 3 });
  assert.equal(parseCancelRequest({ type: 'compute', id: 3 }), undefined);
  assert.equal(parseCancelRequest(null), undefined);
  assert.throws(() => parseCancelRequest({ type: 'cancelRequest', id: 'x' }), ValidationError);
  assert.throws(() => parseCancelRequest({ type: 'cancelRequest', id: 1.5 }), ValidationError);
  assert.throws(() => parseCancelRequest({ type: 'cancelRequest' }), /cancelRequest.id: expected a request id, got undefined/);
});
