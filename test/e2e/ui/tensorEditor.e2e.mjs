// UI: the tensor viewer in a real workbench. Double-click examples/activations.npy and
// examples/small_cnn.safetensors in the explorer, read what the webview renders (dtype, shape, statistics,
// norm-layer groups), click Export, and take screenshots in the dark and the light theme.
// The workspace is a temp copy of examples/ so that exported files never land in the repository.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXAMPLES_DIR, answerQuickInput, findFrame, runCommand, openFileFromExplorer, readText, runUiTest, screenshot, setTheme, sleep, waitForText } from '../lib.mjs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-editor-ws-'));
fs.cpSync(EXAMPLES_DIR, workspace, { recursive: true });

/** mean/std of a float32 little-endian .npy (v1 header), in float64 like the viewer. */
function npyStats(file) {
  const b = fs.readFileSync(file);
  const hlen = b.readUInt16LE(8);
  const data = new Float32Array(b.buffer.slice(b.byteOffset + 10 + hlen, b.byteOffset + b.length));
  let sum = 0;
  for (const v of data) sum += v;
  const mean = sum / data.length;
  let m2 = 0;
  for (const v of data) m2 += (v - mean) ** 2;
  return { mean, std: Math.sqrt(m2 / data.length), count: data.length };
}

/** The frame of the tensor viewer showing `fileName`. */
async function viewerFor(page, fileName) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of page.frames()) {
      try {
        const name = await frame.$eval('[data-testid="file-name"]', (e) => e.textContent);
        if (name === fileName) return frame;
      } catch { /* not this frame */ }
    }
    if (Date.now() > deadline) throw new Error(`no tensor viewer for ${fileName}`);
    await sleep(250);
  }
}

/** Waits for the quick pick / input box whose placeholder or prompt matches `prompt`, then types `text` (and Enter). */
async function answer(page, prompt, text, enter = true) {
  await page.waitForFunction((source) => {
    const w = document.querySelector('.quick-input-widget');
    if (!w || getComputedStyle(w).display === 'none') return false;
    const input = w.querySelector('.quick-input-box input');
    const shown = `${input?.getAttribute('placeholder') ?? ''} ${w.querySelector('.quick-input-message')?.textContent ?? ''}`;
    return new RegExp(source).test(shown.trim());
  }, prompt.source, { timeout: 15_000 }).catch(() => { throw new Error(`no quick input matching ${prompt}`); });
  if (enter) await answerQuickInput(page, text);
  else await page.locator('.quick-input-widget .quick-input-box input').fill(text);
}

const close = (a, b, tol) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

await runUiTest('tensorEditor', async ({ page }) => {
  await setTheme(page, 'dark');
  // ---- activations.npy: one float32 (8, 32, 16, 16) array
  await openFileFromExplorer(page, 'activations.npy');
  await findFrame(page, '[data-testid="tensor-table"]');
  const npy = await viewerFor(page, 'activations.npy');
  assert.equal(await readText(npy, '[data-testid="cell-dtype"]'), 'float32');
  assert.equal(await readText(npy, '[data-testid="cell-shape"]'), '[8, 32, 16, 16]');
  await npy.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 60_000 });
  const ref = npyStats(path.join(workspace, 'activations.npy'));
  const mean = Number(await readText(npy, '[data-testid="tensor-row"] [data-testid="stat-mean"]'));
  const std = Number(await readText(npy, '[data-testid="tensor-row"] [data-testid="stat-std"]'));
  assert.ok(close(mean, ref.mean, 1e-4), `mean shown ${mean}, expected ${ref.mean}`);
  assert.ok(close(std, ref.std, 1e-4), `std shown ${std}, expected ${ref.std}`);
  assert.equal(await readText(npy, '[data-testid="detail-count"]'), String(ref.count));
  await npy.locator('canvas[data-testid="histogram"]').waitFor();
  await npy.locator('canvas[data-testid="heatmap"][data-rows="16"]').waitFor({ timeout: 30_000 });
  // The heatmap's note is a status line: the slice it shows, data-state ok (a failed tile would say error).
  const note = npy.locator('[data-testid="heatmap-note"]');
  await waitForText(npy, '[data-testid="heatmap-note"]', /Slice 16 × 16, drawn at 16 × 16/);
  assert.equal(await note.getAttribute('data-state'), 'ok');
  console.log(`[e2e] activations.npy: mean ${mean}, std ${std} (numpy-style reference ${ref.mean}, ${ref.std})`);
  await screenshot(page, 'tensorEditor-npy-dark');

  // Export: writes activations.copy.npy next to the file, and says so in the webview.
  await npy.locator('[data-testid="action-export"]').click();
  await waitForText(npy, '[data-testid="action-result"]', 'activations.copy.npy');
  const exported = path.join(workspace, 'activations.copy.npy');
  assert.ok(fs.existsSync(exported), 'exported file exists');
  assert.deepEqual(fs.readFileSync(exported).subarray(128), fs.readFileSync(path.join(workspace, 'activations.npy')).subarray(128));

  // Normalize…: method, layout, groups and eps through the quick picks, as a user answers them.
  await npy.locator('[data-testid="action-normalize"]').click();
  await answer(page, /Normalization for a tensor of shape \[8, 32, 16, 16\]/, 'Group Norm');
  await answer(page, /Layout of the tensor/, 'NCHW');
  await answer(page, /Number of groups G/, '5', false);
  await page.locator('.quick-input-widget .quick-input-message', { hasText: /must divide the channel count C=32/ }).waitFor({ timeout: 10_000 });
  await screenshot(page, 'tensorEditor-normalize-validation');
  await answerQuickInput(page, '8');
  await answer(page, /^\s*eps/, '1e-5');
  const normalized = path.join(workspace, 'activations.group.npy');
  for (let i = 0; i < 100 && !fs.existsSync(normalized); i++) await sleep(200);
  assert.ok(fs.existsSync(normalized), 'Normalize… wrote activations.group.npy');
  const n = npyStats(normalized);
  assert.ok(Math.abs(n.mean) < 1e-5 && Math.abs(n.std - 1) < 1e-3, `normalized mean ${n.mean}, std ${n.std}`);

  // ---- small_cnn.safetensors: a checkpoint with BatchNorm layers
  await openFileFromExplorer(page, 'small_cnn.safetensors');
  const st = await viewerFor(page, 'small_cnn.safetensors');
  await waitForText(st, '[data-testid="progress"]', /tensors|张量/i);
  await st.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 60_000 });
  const rows = await st.locator('[data-testid="tensor-row"]').count();
  assert.ok(rows > 3, `expected several tensors, got ${rows}`);
  const groups = await st.locator('[data-testid="layer-group"]').count();
  assert.ok(groups >= 1, 'norm layers are grouped');
  const rv = st.locator('[data-testid="layer-group"] tr[data-role="running_var"] [data-testid="layer-min"]').first();
  assert.ok(Number(await rv.textContent()) >= 0, 'running_var min is non-negative');
  // Keyboard: the table is reachable and the arrow keys move the selection.
  await st.locator('[data-testid="tensor-row"]').first().focus();
  await page.keyboard.press('ArrowDown');
  await waitForText(st, '[data-testid="selected-name"]', 'conv1.bias');
  assert.equal(await st.locator('[data-testid="tensor-row"][aria-selected="true"]').getAttribute('data-name'), 'conv1.bias');
  await page.keyboard.press('ArrowUp');
  await waitForText(st, '[data-testid="selected-name"]', 'conv1.weight');
  await screenshot(page, 'tensorEditor-safetensors-dark');
  await st.locator('[data-testid="layer-group"]').first().scrollIntoViewIfNeeded();
  await screenshot(page, 'tensorEditor-layers-dark');

  await setTheme(page, 'light');
  await sleep(800);
  await screenshot(page, 'tensorEditor-layers-light');
  // Back to the first tab: its webview was discarded while hidden and must come back with its statistics.
  await openFileFromExplorer(page, 'activations.npy');
  const again = await viewerFor(page, 'activations.npy');
  await waitForText(again, '[data-testid="tensor-row"] [data-testid="stat-mean"]', String(mean));
  await again.locator('canvas[data-testid="heatmap"][data-rows="16"]').waitFor({ timeout: 30_000 });
  await screenshot(page, 'tensorEditor-npy-light');

  // High contrast: the same view with the theme's contrast borders.
  await runCommand(page, 'Preferences: Color Theme');
  await answerQuickInput(page, 'Dark High Contrast');
  await page.locator('.monaco-workbench.hc-black').waitFor({ timeout: 15_000 });
  await sleep(800);
  await screenshot(page, 'tensorEditor-npy-hc');
}, { workspace });

fs.rmSync(workspace, { recursive: true, force: true });
