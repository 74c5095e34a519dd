// UI: accessibility, measured. axe-core (every rule: WCAG 2 A/AA and best practices) runs inside each NormLab
// webview in the real workbench — every playground tab and input mode, and the tensor viewer on an array and on a
// checkpoint — in the dark and the light theme. Zero violations; all views are checked before the test fails, so one
// run lists everything to fix.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EXAMPLES_DIR, axeCheck, findFrame, openFileFromExplorer, runCommand, runUiTest, setTheme, sleep } from '../lib.mjs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-a11y-ws-'));
for (const f of ['activations.npy', 'small_cnn.safetensors']) fs.copyFileSync(path.join(EXAMPLES_DIR, f), path.join(workspace, f));

/** The tensor viewer's frame showing `fileName` once its statistics are done. */
async function viewerFor(page, fileName) {
  const frame = await findFrame(page, `[data-testid="file-name"]:text-is("${fileName}")`, { timeout: 60_000 });
  await frame.locator('[data-testid="progress"][data-state="done"]').waitFor({ timeout: 60_000 });
  return frame;
}

await runUiTest('a11y', async ({ page }) => {
  const failures = [];
  const check = async (frame, label) => {
    try {
      assert.ok(await axeCheck(frame, label) > 10, `axe ran only a few rules on ${label}`);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
  };

  for (const theme of ['dark', 'light']) {
    await setTheme(page, theme);
    // ---- the playground: each input mode and each view tab
    await runCommand(page, 'NormLab: Open Playground');
    const pg = await findFrame(page, '[data-testid="method"]', { timeout: 60_000 });
    await pg.locator('[data-testid="stats-row"]').first().waitFor({ timeout: 60_000 });
    await check(pg, `playground (${theme}): Generate, Inspect`);
    if (theme === 'dark') {
      for (const input of ['paste', 'file', 'generate']) {
        await pg.locator(`[data-testid="input-tab-${input}"]`).click();
        await sleep(300);
        if (input !== 'generate') await check(pg, `playground (${theme}): ${input} input`);
      }
    }
    await pg.locator('[data-testid="tab-compare"]').click();
    await pg.locator('[data-testid="compare-panel"]').nth(3).waitFor({ timeout: 30_000 });
    await check(pg, `playground (${theme}): Compare`);
    await pg.locator('[data-testid="tab-sensitivity"]').click();
    await pg.locator('[data-testid="sensitivity-row"]').first().waitFor({ timeout: 30_000 });
    await check(pg, `playground (${theme}): Batch size`);
    await pg.locator('[data-testid="tab-running"]').click();
    await pg.locator('[data-testid="train-step"]').click();
    await pg.locator('[data-testid="train-gap"][data-steps="10"]').waitFor({ timeout: 30_000 });
    await check(pg, `playground (${theme}): Running statistics`);
    await pg.locator('[data-testid="tab-inspect"]').click();

    // ---- the tensor viewer: an array (heatmap with slice fields) and a checkpoint (norm layers grouped)
    await openFileFromExplorer(page, 'activations.npy');
    const npy = await viewerFor(page, 'activations.npy');
    await npy.locator('canvas[data-testid="heatmap"]').waitFor({ timeout: 30_000 });
    await check(npy, `tensor viewer (${theme}): activations.npy`);
    await openFileFromExplorer(page, 'small_cnn.safetensors');
    const st = await viewerFor(page, 'small_cnn.safetensors');
    await st.locator('[data-testid="layer-group"]').first().waitFor({ timeout: 30_000 });
    await check(st, `tensor viewer (${theme}): small_cnn.safetensors`);
    await runCommand(page, 'View: Close All Editors');
  }
  if (failures.length > 0) throw new Error(`accessibility violations in ${failures.length} view(s):\n${failures.join('\n')}`);
}, { workspace, timeoutMs: 300_000 });

fs.rmSync(workspace, { recursive: true, force: true });
