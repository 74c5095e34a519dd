import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReadableUri, FileGrants, type GrantStore } from '../../../src/extension/fileGrants';

function memento(): GrantStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return { data, get: <T>(k: string) => data.get(k) as T | undefined, update: async (k, v) => void data.set(k, v) };
}

test('only URIs the host granted resolve; a token is 32 hex digits and the same URI keeps its token', () => {
  const g = new FileGrants(memento());
  const t = g.grant('file:///data/x.npy');
  assert.match(t, /^[0-9a-f]{32}$/);
  assert.equal(g.resolve(t), 'file:///data/x.npy');
  assert.equal(g.grant('file:///data/x.npy'), t);
  assert.notEqual(g.grant('file:///data/y.npy'), t);
  assert.throws(() => g.resolve('0'.repeat(32)), { name: 'ValidationError', message: /expected a file the host handed out/ });
  assert.throws(() => g.resolve('file:///etc/passwd'), { name: 'ValidationError' });
});

test('grants survive a reload through the store, and are bounded (oldest dropped)', () => {
  const store = memento();
  const first = new FileGrants(store, undefined, 3);
  const tokens = ['a', 'b', 'c', 'd'].map((n) => first.grant(`file:///w/${n}.npy`));
  const again = new FileGrants(store, undefined, 3);
  assert.equal(again.resolve(tokens[3]), 'file:///w/d.npy');
  assert.equal(again.resolve(tokens[1]), 'file:///w/b.npy');
  assert.throws(() => again.resolve(tokens[0]), /handed out/);
  // A tampered store is read defensively.
  store.data.set('normlab.fileGrants', [['nothex', 'file:///etc/passwd'], 42, ['b'.repeat(32), 'file:///ok.npy']]);
  const tampered = new FileGrants(store);
  assert.throws(() => tampered.resolve('nothex'), /handed out/);
  assert.equal(tampered.resolve('b'.repeat(32)), 'file:///ok.npy');
});

test('UNC shares and schemes the workspace cannot read are refused, when granted and when resolved', () => {
  const local = (s: string) => s === 'file';
  assert.throws(() => checkReadableUri('file://server/share/x.npy', local), { name: 'ValidationError', message: /network share \(file:\/\/server\/…\)/ });
  assert.throws(() => checkReadableUri('file://192.168.0.1/c$/x.npy', local), /network share/);
  assert.throws(() => checkReadableUri('https://example.com/x.npy', local), /scheme the workspace can read, got 'https:'/);
  assert.throws(() => checkReadableUri('/etc/passwd', local), /expected a file URI/);
  assert.equal(checkReadableUri('file:///C:/data/x.npy', local), 'file:///C:/data/x.npy');
  assert.equal(checkReadableUri('vscode-vfs://github/o/r/x.npy', (s) => s === 'vscode-vfs'), 'vscode-vfs://github/o/r/x.npy');
  const g = new FileGrants(undefined);
  assert.throws(() => g.grant('file://server/share/x.npy'), /network share/);
  const store = memento();
  store.data.set('normlab.fileGrants', [['c'.repeat(32), 'file://server/share/x.npy']]);
  assert.throws(() => new FileGrants(store).resolve('c'.repeat(32)), /network share/);
});
