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
import type { EditorSession } from '../../../src/extension/tensorEditor/session';
import type { HostToEditor } from '../../../src/protocol/editor';
import type { InputInfo } from '../../../src/protocol/playground';

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

describe('NormLab extension host', () => {
  let api: NormLabApi;
  let dir: string;
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

  function sessionFor(uri: vscode.Uri): EditorSession | undefined {
    return [...api.editors.sessions].find((s) => s.uri.toString() === uri.toString());
  }
  /** Opens a file in the tensor viewer and returns its session. */
  const openInViewer = async (uri: vscode.Uri, viewType = 'normlab.tensorFile') => {
    await vscode.commands.executeCommand('vscode.openWith', uri, viewType);
    return until('the viewer session', () => sessionFor(uri));
  };
  const posted = <T extends HostToEditor['type']>(s: EditorSession, type: T) =>
    s.posted.filter((m): m is Extract<HostToEditor, { type: T }> => m.type === type);

  it('opens .npy in the tensor viewer and streams its statistics', async function () {
    this.timeout(60_000);
    const uri = uriOf('activations.npy');
    const s = await openInViewer(uri);
    await until('statistics done', () => posted(s, 'statsDone').length > 0);
    const init = posted(s, 'init')[0];
    assert.equal(init.file.format, 'npy');
    assert.deepEqual(init.file.tensors.map((t) => [t.dtype, t.shape]), [['float32', [8, 32, 16, 16]]]);
    const stats = posted(s, 'stats')[0];
    const x = parseNpy(fs.readFileSync(uri.fsPath)).data;
    let sum = 0;
    for (const v of x) sum += v;
    assert.equal(stats.summary.count, x.length);
    assert.ok(Math.abs(stats.summary.mean! - sum / x.length) < 1e-9);
    assert.equal(stats.histogram.counts.reduce((a, b) => a + b, 0), x.length);
    assert.ok(posted(s, 'progress').length > 0, 'progress was reported');
  });

  it('opens .safetensors and groups a checkpoint\'s norm layers', async function () {
    this.timeout(60_000);
    const uri = uriOf('small_cnn.safetensors');
    const s = await openInViewer(uri);
    await until('statistics done', () => posted(s, 'statsDone').length > 0);
    const init = posted(s, 'init')[0];
    assert.equal(init.file.format, 'safetensors');
    assert.ok(init.file.layers.some((l) => l.kind === 'batchnorm' && l.members.running_var), 'a BatchNorm layer with running_var');
    assert.equal(posted(s, 'stats').length + posted(s, 'statsError').length, init.file.tensors.length);

    const pt = uriOf('small_cnn.pt');
    const sp = await openInViewer(pt, 'normlab.tensorFile.checkpoint');
    await until('checkpoint listed', () => posted(sp, 'init').length > 0 || posted(sp, 'error').length > 0);
    assert.deepEqual(posted(sp, 'error'), []);
    assert.ok(posted(sp, 'init')[0].file.layers.length > 0);
  });

  it('Inspect Tensor File… opens the explorer\'s file in the viewer that fits it', async function () {
    this.timeout(30_000);
    const uri = uriOf('batch.npz');
    await vscode.commands.executeCommand('normlab.inspectTensorFile', uri);
    const s = await until('the viewer session', () => sessionFor(uri));
    await until('listed', () => posted(s, 'init')[0]);
    assert.equal(posted(s, 'init')[0].file.format, 'npz');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom && tab.input.viewType === 'normlab.tensorFile');
  });

  it('shows a file anew when it changes on disk', async function () {
    this.timeout(30_000);
    const uri = uriOf('changing.npy');
    fs.writeFileSync(uri.fsPath, encodeNpy(seeded(6), [2, 3]));
    const s = await openInViewer(uri);
    await until('statistics done', () => posted(s, 'statsDone').length > 0);
    fs.writeFileSync(uri.fsPath, encodeNpy(seeded(20), [4, 5]));
    const init = await until('a second init', () => posted(s, 'init')[1]);
    assert.deepEqual(init.file.tensors[0].shape, [4, 5]);
    await until('new statistics', () => posted(s, 'stats').find((m) => m.summary.count === 20));
  });

  it('validates webview messages and answers heatmap requests', async function () {
    this.timeout(30_000);
    const s = await until('the npy session', () => sessionFor(uriOf('activations.npy')));
    const before = posted(s, 'error').length;
    await s.receive({ type: 'action', action: 'delete', tensor: 'activations' });
    await s.receive({ type: 'requestHeatmap', requestId: 1, tensor: 'activations', index: [9, 0] });
    const errors = posted(s, 'error').slice(before).map((e) => e.message);
    assert.match(errors[0], /action\.action: expected one of 'playground', 'normalize', 'export', got "delete"/);
    assert.match(errors[1], /requestHeatmap\.index\[0\]: expected an integer from 0 to 7, got 9/);
    await s.receive({ type: 'requestHeatmap', requestId: 77, tensor: 'activations', index: [1, 2] });
    const tile = await until('the heatmap', () => posted(s, 'heatmap').find((m) => m.requestId === 77));
    assert.deepEqual([tile.tile.rows, tile.tile.cols], [16, 16]);
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
    // Press Cancel the moment the first statistics are posted (hooked synchronously, so no timing race).
    const sessions = api.editors.sessions;
    const add = sessions.add.bind(sessions);
    sessions.add = (session: EditorSession) => {
      if (session.uri.toString() === uri.toString()) {
        const push = session.posted.push.bind(session.posted);
        let pressed = false;
        session.posted.push = (...items: HostToEditor[]) => {
          const n = push(...items);
          if (!pressed && items.some((m) => m.type === 'stats')) {
            pressed = true;
            void session.receive({ type: 'cancelStats' });
          }
          return n;
        };
      }
      return add(session);
    };
    const s = await openInViewer(uri);
    sessions.add = add;
    const done = await until('statsDone', () => posted(s, 'statsDone')[0]);
    assert.equal(done.cancelled, true);
    const partial = posted(s, 'stats').length;
    assert.ok(partial > 0 && partial <= 4, `cancelled after ${partial} of 48 tensors`);
    await s.receive({ type: 'restartStats' });
    await until('statistics resumed to the end', () => posted(s, 'statsDone').length > 1, 60_000);
    assert.equal(posted(s, 'statsDone')[1].cancelled, false);
    assert.equal(new Set(posted(s, 'stats').map((m) => m.tensor)).size, 48);
  });

  it('a bad file gives a clear error in the viewer and from the command', async function () {
    this.timeout(30_000);
    const bad = uriOf('garbage.npy');
    fs.writeFileSync(bad.fsPath, 'this is not a tensor file');
    const s = await openInViewer(bad);
    const err = await until('an error message', () => posted(s, 'error')[0]);
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
