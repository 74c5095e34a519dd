// UI in Simplified Chinese: VS Code runs with display language zh-cn (a stub language pack, see lib.mjs
// useLanguagePack), and NormLab's palette titles, playground and tensor viewer show the strings of
// package.nls.zh-cn.json and l10n/bundle.l10n.zh-cn.json. Screenshots: shots/zhcn-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, commandTitles, findFrame, listPaletteCommands, openFileFromExplorer, runCommand, runUiTest, screenshot, sleep } from '../lib.mjs';

const bundle = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'l10n/bundle.l10n.zh-cn.json'), 'utf8'));
const titles = commandTitles('zh-cn');
const title = (id) => titles.get(id);

/** How many of the zh-cn bundle's translations (those with Chinese characters) the frame's text shows. */
async function chineseStringsShown(frame) {
  const text = await frame.evaluate(() => document.body.innerText);
  return Object.values(bundle).filter((v) => /[\u4e00-\u9fff]/.test(v) && !/\{\d\}/.test(v) && text.includes(v));
}

await runUiTest('zhcn', async ({ page }) => {
  // Palette: every NormLab command under its zh-cn title.
  const labels = await listPaletteCommands(page, 'NormLab');
  await screenshot(page, 'zhcn-palette');
  const expected = [...titles.values()];
  for (const t of expected) assert.ok(/[\u4e00-\u9fff]/.test(t), `manifest title ${t} is not translated`);
  const missing = expected.filter((t) => !labels.some((l) => l.startsWith(t)));
  assert.deepEqual(missing, [], `palette is missing ${missing.join(', ')}; shows ${labels.join(' | ')}`);
  console.log(`[e2e] palette: ${labels.join(' | ')}`);
  await page.keyboard.press('Escape');

  // Playground: its controls and headings in Chinese.
  await runCommand(page, title('normlab.openPlayground'));
  const playground = await findFrame(page, '[data-testid="method"]', { timeout: 60_000 });
  await sleep(1500);
  const shown = await chineseStringsShown(playground);
  assert.ok(shown.length >= 10, `the playground shows only ${shown.length} zh-cn strings: ${shown.join(' | ')}`);
  console.log(`[e2e] playground shows ${shown.length} zh-cn strings, e.g. ${shown.slice(0, 6).join(' | ')}`);
  await screenshot(page, 'zhcn-playground');

  // Tensor viewer, opened from the explorer.
  await openFileFromExplorer(page, 'activations.npy');
  const viewer = await findFrame(page, '[data-testid="file-name"]');
  await sleep(1500);
  const inViewer = await chineseStringsShown(viewer);
  assert.ok(inViewer.length >= 5, `the tensor viewer shows only ${inViewer.length} zh-cn strings: ${inViewer.join(' | ')}`);
  console.log(`[e2e] tensor viewer shows ${inViewer.length} zh-cn strings, e.g. ${inViewer.slice(0, 6).join(' | ')}`);
  await screenshot(page, 'zhcn-tensorEditor');
}, { displayLanguage: 'zh-cn', waitForExtension: title('normlab.openPlayground') });
