// UI smoke: in a real workbench, the command palette lists every NormLab command from package.json,
// and running "NormLab: Open Playground" opens a webview. Screenshots: shots/smoke-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { extensionPath, findFrame, listPaletteCommands, runCommand, runUiTest, screenshot } from '../lib.mjs';

/** Palette titles ("NormLab: Open Playground") from the manifest and its English nls file. */
function expectedTitles() {
  const dir = extensionPath();
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const nlsFile = path.join(dir, 'package.nls.json');
  const nls = fs.existsSync(nlsFile) ? JSON.parse(fs.readFileSync(nlsFile, 'utf8')) : {};
  const resolve = (s) => s.replace(/^%(.+)%$/, (_, key) => nls[key] ?? s);
  return manifest.contributes.commands.map((c) => `${resolve(c.category ?? '')}: ${resolve(c.title)}`);
}

await runUiTest('smoke', async ({ page }) => {
  const expected = expectedTitles();
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
