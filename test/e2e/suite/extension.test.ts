// In-host tests of the extension host part: commands, the worker pool inside VS Code, the tensor viewer,
// Normalize Tensor…, cancellation and clear errors. Files are copied to a temp folder (never written in examples/).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { zipSync } from 'fflate';
import { encodeNpy, parseNpy } from '../../../src/formats/npy';
import { normalize } from '../../../src/kernels/normalize';
import type { NormParams } from '../../../src/kernels/types';
import type { NormLabApi } from '../../../src/extension/extension';
import { EditorSession } from '../../../src/extension/tensorEditor/session';
import type { EditorNotification, HostToEditor } from '../../../src/protocol/editor';
import type { InputInfo } from '../../../src/protocol/playground';
import type { Reply } from '../../../src/protocol/rpc';

const EXTENSION_ID = 'normlab.normlab';

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const seeded = (n: number, seed = 1): Float32Array => {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 4 - 2;
  });
};

/**
 * A tensor-viewer session made as the provider makes one, with the extension's services, but posting to this recorder
 * instead of a webview: the tests read what the webview would receive and send what it would send.
 */
class Viewer {
  readonly messages: HostToEditor[] = [];
  readonly session: EditorSession;
  private nextId = 1;

  constructor(api: NormLabApi, readonly uri: vscode.Uri, onMessage?: (m: HostToEditor, viewer: Viewer) => void) {
    this.session = new EditorSession(api.services, uri, (m) => {
      this.messages.push(m);
      onMessage?.(m, this);
    });
  }

  /** The notifications of one type received so far, oldest first. */
  of<T extends EditorNotification['type']>(type: T): EditorNotification<T>[] {
    return this.messages.filter((m): m is EditorNotification<T> => m.type === type);
  }

  /** Sends a request as the webview's RpcClient does (id, type, params) without waiting for its reply. */
  send(type: string, params: unknown): number {
    const id = this.nextId++;
    void this.session.receive({ type, id, params });
    return id;
  }

  /** The host's reply to request `id`. */
  reply(id: number): Promise<Reply> {
    return until(`the reply to request ${id}`, () => this.messages.find((m): m is Reply => m.type === 'reply' && m.id === id));
  }

  request(type: string, params: unknown): Promise<Reply> {
    return this.reply(this.send(type, params));
  }
}

describe('NormLab extension host', () => {
  let api: NormLabApi;
  let dir: string;
  const viewers: Viewer[] = [];
  const uriOf = (name: string) => vscode.Uri.file(path.join(dir, name));

  before(async function () {
    this.timeout(60_000);
    const ext = vscode.extensions.getExtension<NormLabApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    api = await ext.activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-host-'));
    const examples = path.join(ext.extensionPath, 'examples');
    fs.cpSync(examples, dir, { recursive: true });
  });

  after(async () => {
    for (const v of viewers) v.session.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the worker pool computes a normalization equal to the kernel', async () => {
    const shape = [4, 8, 5, 5];
    const x = seeded(4 * 8 * 25);
    for (const params of [
      { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 4 },
      { method: 'batch', layout: 'NCHW', eps: 1e-5 },
      { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: [8, 5, 5] },
    ] as NormParams[]) {
      const got = await api.services.pool.run('normalize', { x: x.slice(), shape, params });
      const want = normalize({ data: x, shape }, params);
      assert.deepEqual(Array.from(got.y), Array.from(want.y), `${params.method}: y differs`);
      assert.deepEqual(Array.from(got.stats.mean), Array.from(want.stats.mean));
    }
  });

  /** A viewer session on `uri` whose webview said `ready`, as a newly opened tensor viewer does. */
  const openViewer = (uri: vscode.Uri, onMessage?: (m: HostToEditor, viewer: Viewer) => void): Viewer => {
    const v = new Viewer(api, uri, onMessage);
    viewers.push(v);
    void v.session.receive({ type: 'ready' });
    return v;
  };

  it('opens .npy in the tensor viewer and streams its statistics', async function () {
    this.timeout(60_000);
    const uri = uriOf('activations.npy');
    const v = openViewer(uri);
    await until('statistics done', () => v.of('statsDone').length > 0);
    const init = v.of('init')[0].params;
    assert.equal(init.file.format, 'npy');
    assert.deepEqual(init.file.tensors.map((t) => [t.dtype, t.shape]), [['float32', [8, 32, 16, 16]]]);
    const stats = v.of('stats')[0].params;
    const x = parseNpy(fs.readFileSync(uri.fsPath)).data;
    let sum = 0;
    for (const e of x) sum += e;
    assert.equal(stats.summary.count, x.length);
    assert.ok(Math.abs(stats.summary.mean! - sum / x.length) < 1e-9);
    assert.equal(stats.histogram.counts.reduce((a, b) => a + b, 0), x.length);
    assert.ok(v.of('statsProgress').length > 0, 'progress was reported');
    assert.equal(v.of('statsDone')[0].params.cancelled, false);
  });

  it('opens .safetensors and groups a checkpoint\'s norm layers', async function () {
    this.timeout(60_000);
    const v = openViewer(uriOf('small_cnn.safetensors'));
    await until('statistics done', () => v.of('statsDone').length > 0);
    const init = v.of('init')[0].params;
    assert.equal(init.file.format, 'safetensors');
    assert.ok(init.file.layers.some((l) => l.kind === 'batchnorm' && l.members.running_var), 'a BatchNorm layer with running_var');
    assert.equal(v.of('stats').length + v.of('statsError').length, init.file.tensors.length);

    const vp = openViewer(uriOf('small_cnn.pt'));
    await until('checkpoint listed', () => vp.of('init').length > 0 || vp.of('loadError').length > 0);
    assert.deepEqual(vp.of('loadError'), []);
    assert.ok(vp.of('init')[0].params.file.layers.length > 0);
  });

  it('Inspect Tensor File… opens the explorer\'s file in the viewer that fits it', async function () {
    this.timeout(30_000);
    const uri = uriOf('batch.npz');
    await vscode.commands.executeCommand('normlab.inspectTensorFile', uri);
    const tab = await until('the viewer tab', () => {
      const t = vscode.window.tabGroups.activeTabGroup.activeTab;
      return t?.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString() ? t.input : undefined;
    });
    assert.equal(tab.viewType, 'normlab.tensorFile');
  });

  it('shows a file anew when it changes on disk', async function () {
    this.timeout(30_000);
    const uri = uriOf('changing.npy');
    fs.writeFileSync(uri.fsPath, encodeNpy(seeded(6), [2, 3]));
    const v = openViewer(uri);
    await until('statistics done', () => v.of('statsDone').length > 0);
    fs.writeFileSync(uri.fsPath, encodeNpy(seeded(20), [4, 5]));
    const init = await until('a second init', () => v.of('init')[1]);
    assert.deepEqual(init.params.file.tensors[0].shape, [4, 5]);
    await until('new statistics', () => v.of('stats').find((m) => m.params.summary.count === 20));
  });

  it('validates webview requests, answers heatmap requests and cancels an overtaken or a cancelled one', async function () {
    this.timeout(30_000);
    const v = openViewer(uriOf('activations.npy'));
    await until('listed', () => v.of('init')[0]);
    const refused = async (type: string, params: unknown, message: RegExp) => {
      const r = await v.request(type, params);
      assert.ok('error' in r, `${type} was refused`);
      assert.equal(r.error.name, 'ValidationError');
      assert.match(r.error.message, message);
    };
    await refused('action', { action: 'delete', tensor: 'activations' }, /^action\.params\.action: expected one of 'playground', 'normalize', 'export', got "delete"$/);
    await refused('heatmap', { tensor: 'activations', index: [9, 0] }, /^heatmap\.params\.index\[0\]: expected an integer from 0 to 7, got 9$/);
    await refused('heatmap', { tensor: 'nope', index: [] }, /^heatmap\.params\.tensor: no tensor named "nope" in this file$/);

    const r = await v.request('heatmap', { tensor: 'activations', index: [1, 2] });
    assert.ok('result' in r, 'the heatmap request succeeded');
    const tile = r.result as { rows: number; cols: number; values: unknown[] };
    assert.deepEqual([tile.rows, tile.cols, tile.values.length], [16, 16, 256]);

    // A newer heatmap request cancels the older one: the webview draws only its latest.
    const older = v.send('heatmap', { tensor: 'activations', index: [2, 3] });
    const newer = v.send('heatmap', { tensor: 'activations', index: [3, 4] });
    const [a, b] = await Promise.all([v.reply(older), v.reply(newer)]);
    assert.ok('error' in a && a.error.name === 'CancelledError', 'the overtaken request was cancelled');
    assert.ok('result' in b, 'the newer request succeeded');

    // The webview's cancelRequest (rpc.ts) stops a request by its id; it is answered by its reply.
    const stopped = v.send('heatmap', { tensor: 'activations', index: [4, 5] });
    void v.session.receive({ type: 'cancelRequest', id: stopped });
    const c = await v.reply(stopped);
    assert.ok('error' in c && c.error.name === 'CancelledError', 'the cancelled request replied CancelledError');
  });

  it('Normalize Tensor… writes <name>.<method>.npy equal to the kernel within float32 rounding', async function () {
    this.timeout(60_000);
    const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 8 };
    const out = await vscode.commands.executeCommand<vscode.Uri | undefined>('normlab.normalizeTensor', uriOf('activations.npy'), { params });
    assert.ok(out, 'the command returned the output file');
    assert.equal(path.basename(out.fsPath), 'activations.group.npy');
    const x = parseNpy(fs.readFileSync(uriOf('activations.npy').fsPath));
    const y = parseNpy(fs.readFileSync(out.fsPath));
    assert.deepEqual(y.shape, x.shape);
    // The command splits the sets across workers with the fast kernels: equal to the reference within float32 rounding.
    const ref = normalize({ data: x.data, shape: x.shape }, params).y;
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(y.data[i] - ref[i]));
    assert.ok(worst <= 2e-6, `max |y - reference| = ${worst}`);
  });

  it('cancels a running job and keeps the pool usable', async function () {
    this.timeout(60_000);
    const big = path.join(dir, 'big.npy');
    fs.writeFileSync(big, encodeNpy(seeded(6_000_000, 7), [6_000_000]));
    const ac = new AbortController();
    const t0 = Date.now();
    const job = api.services.pool.run('fileStats', { file: { kind: 'path', path: big, name: 'big.npy' }, tensor: 'big', bins: 64 }, {
      signal: ac.signal,
      onProgress: (f) => { if (f > 0) ac.abort(); },
    });
    await assert.rejects(job, { name: 'CancelledError' });
    assert.ok(Date.now() - t0 < 20_000);
    const again = await api.services.pool.run('fileList', { file: { kind: 'path', path: big, name: 'big.npy' } });
    assert.equal(again.tensors[0].numel, 6_000_000);
  });

  it('the viewer\'s Cancel stops the statistics and Resume finishes them', async function () {
    this.timeout(90_000);
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 48; i++) files[`t${String(i).padStart(2, '0')}.npy`] = encodeNpy(seeded(60_000, i + 1), [300, 200]);
    const uri = uriOf('many.npz');
    fs.writeFileSync(uri.fsPath, zipSync(files, { level: 0 }));
    // Press Cancel the moment the first statistics arrive (synchronously from the post, so no timing race).
    let pressed = false;
    const v = openViewer(uri, (m, viewer) => {
      if (!pressed && m.type === 'stats') {
        pressed = true;
        viewer.send('cancelStats', {});
      }
    });
    const done = await until('statsDone', () => v.of('statsDone')[0]);
    assert.equal(done.params.cancelled, true);
    const partial = v.of('stats').length;
    assert.ok(partial > 0 && partial <= 4, `cancelled after ${partial} of 48 tensors`);
    const restarted = await v.request('restartStats', {});
    assert.deepEqual(restarted, { type: 'reply', id: restarted.id, result: null });
    await until('statistics resumed to the end', () => v.of('statsDone').length > 1, 60_000);
    assert.equal(v.of('statsDone')[1].params.cancelled, false);
    assert.equal(new Set(v.of('stats').map((m) => m.params.tensor)).size, 48);
  });

  it('a bad file gives a clear error in the viewer and from the command', async function () {
    this.timeout(30_000);
    const bad = uriOf('garbage.npy');
    fs.writeFileSync(bad.fsPath, 'this is not a tensor file');
    const v = openViewer(bad);
    const err = (await until('an error message', () => v.of('loadError')[0])).params;
    assert.match(err.message, /garbage\.npy/);
    assert.doesNotMatch(err.message, /\n\s+at /, 'no stack trace');
    const out = await vscode.commands.executeCommand('normlab.normalizeTensor', bad, { params: { method: 'layer', layout: 'NCHW', eps: 1e-5 } });
    assert.equal(out, undefined);
  });

  it('Send Tensor to Playground opens the playground with the tensor', async function () {
    this.timeout(30_000);
    const file = parseNpy(fs.readFileSync(uriOf('activations.npy').fsPath));
    const input = await vscode.commands.executeCommand<InputInfo | undefined>('normlab.sendToPlayground', uriOf('activations.npy'), 'activations');
    assert.ok(input, 'the command returned the playground input');
    assert.deepEqual([input.name, input.shape, input.numel], ['activations.npy: activations', file.shape, file.data.length]);
    const tab = await until('a playground tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('normlab.playground')));
    assert.match(tab.label, /activations/, 'the playground is titled with the tensor');
  });

  it('normlab.workers resizes the pool for the next job', async () => {
    const config = vscode.workspace.getConfiguration('normlab');
    await config.update('workers', 1, vscode.ConfigurationTarget.Global);
    try {
      await until('a pool of 1 worker', () => api.services.pool.size === 1);
      const r = await api.services.pool.run('normalize', { x: seeded(12), shape: [3, 4], params: { method: 'rms', layout: 'NCHW', eps: 1e-5 } });
      assert.equal(r.y.length, 12);
    } finally {
      await config.update('workers', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('copies the examples into a chosen folder', async function () {
    const target = await vscode.commands.executeCommand<vscode.Uri>('normlab.openExamples', { copyTo: vscode.Uri.file(dir) });
    assert.ok(target);
    assert.ok(fs.existsSync(path.join(target.fsPath, 'activations.npy')));
  });
});
