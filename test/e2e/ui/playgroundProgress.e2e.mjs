// UI: a long playground request shows a progress bar and a Cancel button, reached with the keyboard, and Cancel stops
// it (the host's worker too: the next, small computation answers at once). The long request is 1,000 train steps of
// batch 16 on 16M generated values (seconds even on an idle machine; a compute on them can finish before the bar's
// 0.4 s delay, so the compute is only awaited). Screenshots in the dark and the light theme:
// shots/playground-progress-*.png.
import assert from 'node:assert/strict';
import { axeCheck, findFrame, runCommand, runUiTest, screenshot, setTheme, sleep, waitForText } from '../lib.mjs';

async function generate(frame, shape) {
  await frame.locator('[data-testid="input-tab-generate"]').click();
  await frame.locator('[data-testid="gen-shape"] input').fill(shape);
  await frame.locator('[data-testid="generate"]').click();
}

/** Waits for the progress line of a long request labelled `label`; returns its text. */
async function progressShown(frame, label) {
  await frame.locator('[data-testid="request-progress"]').waitFor({ state: 'visible', timeout: 60_000 });
  return waitForText(frame, '[data-testid="request-progress-text"]', new RegExp(`^${label} \\(\\d+%\\)$`), { timeout: 30_000 });
}

/** Tabs from the last control before the progress line until the Cancel button has the focus, then presses Enter. */
async function cancelWithKeyboard(frame, page) {
  const cancel = frame.locator('[data-testid="request-cancel"]');
  await frame.locator('[data-testid="slice-c"] input').focus();
  const seen = [];
  for (let i = 0; i < 8 && !(await cancel.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
    seen.push(await frame.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName));
  }
  assert.ok(await cancel.evaluate((el) => el === document.activeElement), `Tab reaches the Cancel button (focus went: ${seen.join(' > ')})`);
  await page.keyboard.press('Enter');
}

await runUiTest('playground-progress', async ({ page }) => {
  await setTheme(page, 'dark');
  await runCommand(page, 'NormLab: Open Playground');
  const frame = await findFrame(page, '[data-testid="status"]');
  await waitForText(frame, '[data-testid="status"]', /computed in/, { timeout: 60_000 });

  // 1. A large input: computed (with or without the bar, as fast as the machine is); then no bar is left.
  await generate(frame, '64, 64, 64, 64');
  // GN with G = 4 on (64, 64, 64, 64): 256 sets of 16·64·64 elements (the first input's status says other numbers).
  await waitForText(frame, '[data-testid="status"]', /^256 sets of 65536 elements · computed in/, { timeout: 120_000 });
  await frame.locator('[data-testid="request-progress"]').waitFor({ state: 'hidden', timeout: 5_000 });

  // 2. Train steps: the bar follows the steps; Tab reaches Cancel and Enter stops them.
  await frame.locator('[data-testid="tab-running"]').click();
  await frame.locator('[data-testid="train-steps"] input').fill('1000');
  await frame.locator('[data-testid="train-batch"] input').fill('16');
  await frame.locator('[data-testid="train-step"]').click();
  console.log(`[e2e] progress line: ${await progressShown(frame, 'Training steps…')}`);
  await screenshot(page, 'playground-progress-dark');
  await cancelWithKeyboard(frame, page);
  await waitForText(frame, '[data-testid="status"]', /^Cancelled\.$/, { timeout: 10_000 });
  await frame.locator('[data-testid="request-progress"]').waitFor({ state: 'hidden', timeout: 5_000 });

  // 3. Again: checked by axe while it runs, in the dark and the light theme; the Cancel button stops it.
  await frame.locator('[data-testid="train-step"]').click();
  await progressShown(frame, 'Training steps…');
  await axeCheck(frame, 'playground (dark): a long request in progress');
  await setTheme(page, 'light');
  const later = await progressShown(frame, 'Training steps…');
  await sleep(800); // the webview takes the new theme's colours after the workbench
  await axeCheck(frame, 'playground (light): a long request in progress');
  console.log(`[e2e] progress line: ${later}`);
  await screenshot(page, 'playground-progress-light');
  await frame.locator('[data-testid="request-cancel"]').click();
  await waitForText(frame, '[data-testid="status"]', /^Cancelled\.$/, { timeout: 10_000 });

  // 4. The worker is free: a small input computes at once, with no bar.
  const t0 = Date.now();
  await frame.locator('[data-testid="tab-inspect"]').click();
  await generate(frame, '2, 4, 3, 3');
  await waitForText(frame, '[data-testid="status"]', /computed in/, { timeout: 30_000 });
  console.log(`[e2e] after the cancels a small input computed in ${Date.now() - t0} ms`);
  assert.ok(await frame.locator('[data-testid="request-progress"]').isHidden());
}, { timeoutMs: 240_000 });
