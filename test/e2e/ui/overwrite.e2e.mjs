// NormLab: Normalize Tensor… on a file whose output already exists, in a real workbench: the modal "Overwrite?"
// appears before any work; Cancel leaves the old file as it was, Overwrite replaces it with the normalized tensor,
// and neither leaves a temp file in the folder. Then the tensor viewer's Export as .npy when every name it tries
// exists: the same modal, also before its progress notification. Screenshots: shots/overwrite-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXAMPLES_DIR, commandTitles, answerQuickInput, findFrame, openFileFromExplorer, readNotifications, runCommand, runUiTest, screenshot, sleep } from '../lib.mjs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-overwrite-ws-'));
fs.copyFileSync(path.join(EXAMPLES_DIR, 'activations.npy'), path.join(workspace, 'activations.npy'));
const output = path.join(workspace, 'activations.layer.npy');
const OLD = 'an older output that must survive a Cancel\n';
fs.writeFileSync(output, OLD);

const title = commandTitles().get('normlab.normalizeTensor');
/** Everything in the folder but the input and the output: a temp file left behind would show here. */
const strays = () => fs.readdirSync(workspace).filter((f) => f !== 'activations.npy' && f !== 'activations.layer.npy');

/** Runs Normalize Tensor… on activations.npy (the active editor, so first in the file pick) as Layer Norm over the last dim. */
async function normalizeActivations(page) {
  await runCommand(page, title);
  const first = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
  await first.waitFor({ timeout: 15_000 });
  assert.match(await first.innerText(), /^activations\.npy/, 'the active file is offered first');
  await page.keyboard.press('Enter');
  await answerQuickInput(page, 'Layer Norm');
  await answerQuickInput(page, '16'); // normalized_shape
  await answerQuickInput(page, '0.00001'); // eps
}

/**
 * The modal "Overwrite?" about `name` (VS Code draws it in the workbench: web has no native dialogs), shown before any
 * progress notification that says `busy`; its screenshot as `shot` when given.
 */
async function overwriteDialog(page, name, busy, shot) {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 30_000 });
  const text = await dialog.innerText();
  assert.ok(text.includes(`${name} already exists. Overwrite it?`), `dialog text: ${text}`);
  if (shot) await screenshot(page, shot);
  const toasts = await readNotifications(page);
  assert.ok(!toasts.some((m) => busy.test(m)), `asked before the work starts, yet a progress notification shows: ${toasts.join(' | ')}`);
  return dialog;
}

/** Cancel in the modal: after room for a (wrong) write to land, `file` still holds OLD. */
async function cancelKeeps(dialog, file) {
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  await sleep(2_000);
  assert.equal(fs.readFileSync(file, 'utf8'), OLD, `Cancel left ${path.basename(file)} unchanged`);
}

await runUiTest('overwrite', async ({ page }) => {
  await openFileFromExplorer(page, 'activations.npy');
  // The viewer loaded (statistics and heatmap drawn), as a user would see it before running the command.
  const loaded = await findFrame(page, '[data-testid="tensor-table"]');
  await loaded.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 60_000 });
  await loaded.locator('canvas[data-testid="heatmap"][data-rows="16"]').waitFor({ timeout: 30_000 });

  // 1. Cancel: the old file stays as it was, nothing else appears.
  await normalizeActivations(page);
  await cancelKeeps(await overwriteDialog(page, 'activations.layer.npy', /normalizing/, 'overwrite-modal'), output);
  assert.deepEqual(strays(), [], 'no temp file after Cancel');

  // 2. Overwrite: the file becomes the normalized tensor (a float32 .npy of the input's shape).
  await normalizeActivations(page);
  const dialog = await overwriteDialog(page, 'activations.layer.npy', /normalizing/);
  await dialog.getByRole('button', { name: 'Overwrite' }).click();
  const deadline = Date.now() + 60_000;
  while (fs.readFileSync(output).subarray(0, 6).toString('latin1') !== '\x93NUMPY') {
    if (Date.now() > deadline) throw new Error('the output was not replaced within 60 s');
    await sleep(250);
  }
  await page.locator('.notifications-toasts', { hasText: 'Wrote activations.layer.npy' }).waitFor({ timeout: 30_000 });
  // The rename onto the old name reaches the explorer as a delete and a create: wait until it lists the file again.
  await page.locator('.explorer-folders-view .monaco-list-row[aria-label="activations.layer.npy"]').waitFor({ timeout: 15_000 });
  await screenshot(page, 'overwrite-written');
  const bytes = fs.readFileSync(output);
  const input = fs.readFileSync(path.join(workspace, 'activations.npy'));
  assert.equal(bytes.length, input.length, 'same header size and 8·32·16·16 float32 values as the input');
  assert.match(bytes.subarray(0, 128).toString('latin1'), /'descr': '<f4'.*'shape': \(8, 32, 16, 16\)/);
  // Layer Norm over the last dim: every row of 16 values has mean ≈ 0.
  const header = bytes.readUInt16LE(8);
  const y = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + header, bytes.byteOffset + bytes.length));
  for (let r = 0; r < y.length / 16; r += 97) {
    const mean = y.subarray(r * 16, r * 16 + 16).reduce((a, b) => a + b, 0) / 16;
    assert.ok(Math.abs(mean) < 1e-4, `row ${r} mean ${mean}`);
  }
  assert.deepEqual(strays(), [], 'no temp file after Overwrite');

  // 3. The viewer's Export as .npy takes activations.copy.npy, else copy1 … copy999; when all exist it asks about
  // the last one, before its "exporting" progress notification. Cancel writes nothing.
  const copies = ['activations.copy.npy', ...Array.from({ length: 999 }, (_, i) => `activations.copy${i + 1}.npy`)];
  for (const f of copies) fs.writeFileSync(path.join(workspace, f), OLD);
  const last = path.join(workspace, 'activations.copy999.npy');
  const viewer = await findFrame(page, '[data-testid="action-export"]');
  await viewer.locator('[data-testid="action-export"]').click();
  await cancelKeeps(await overwriteDialog(page, 'activations.copy999.npy', /exporting/, 'overwrite-export-modal'), last);
  assert.equal(await viewer.locator('[data-testid="action-result"]').textContent(), '', 'the viewer reports no export');
  assert.deepEqual(strays().filter((f) => !copies.includes(f)), [], 'no temp file after the export\'s Cancel');
}, { workspace });

fs.rmSync(workspace, { recursive: true, force: true });
