// UI smoke: in a real workbench, the command palette lists every NormLab command from package.json,
// and running "NormLab: Open Playground" opens a webview. Screenshots: shots/smoke-*.png.
import assert from 'node:assert/strict';
import { commandTitles, findFrame, listPaletteCommands, runCommand, runUiTest, screenshot } from '../lib.mjs';

await runUiTest('smoke', async ({ page }) => {
  const expected = [...commandTitles().values()];
  const labels = await listPaletteCommands(page, 'NormLab:');
  await screenshot(page, 'smoke-palette');
  const missing = expected.filter((t) => !labels.some((l) => l.startsWith(t)));
  assert.deepEqual(missing, [], `palette is missing: ${missing.join(', ')}\npalette shows: ${labels.join(' | ')}`);
  console.log(`[e2e] palette lists ${expected.length} NormLab commands`);

  await runCommand(page, 'NormLab: Open Playground');
  await findFrame(page, 'body');
  await page.locator('.tabs-container .tab', { hasText: /Playground/i }).first().waitFor({ timeout: 30_000 });
  await screenshot(page, 'smoke-playground');
});
