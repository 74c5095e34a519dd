// UI: the experiments panel in a real workbench. Palette -> NormLab: Open Experiments, edit a tiny preset, run it,
// watch the runs finish and the charts draw, and find results.json / results.csv in .normlab/experiments/. Then the
// panel in the light and high-contrast themes, and its title in Simplified Chinese. Then, in a fresh window, the
// results.json files of that run opened from the explorer: the offer to show them in the panel, accepted; reloads
// (the panel comes back showing the same experiment or results.json, and does not offer again what it shows).
// Screenshots: shots/experiments-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import * as lib from '../lib.mjs';

const { EXAMPLES_DIR, commandTitles, findFrame, runCommand, runUiTest, screenshot, setTheme, sleep, waitForText } = lib;

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-experiments-ws-'));
fs.copyFileSync(path.join(EXAMPLES_DIR, 'activations.npy'), path.join(workspace, 'activations.npy'));

async function typeInto(frame, testId, text) {
  await frame.locator(`[data-testid="${testId}"] input`).fill(text);
}

/** Opens the panel and fills a tiny Custom experiment: BN and GN:4 at batch 16 on a few images. */
async function openTinyCustom(page, { epochs, trainSize, valSize }) {
  await runCommand(page, 'NormLab: Open Experiments');
  const frame = await findFrame(page, '[data-testid="run"]', { timeout: 60_000 });
  await frame.locator('[data-testid="preset"]').click();
  await frame.locator('[data-testid="preset"] [role="option"]', { hasText: 'Custom' }).first().click();
  await frame.locator('[data-testid="methods"]').waitFor();
  await sleep(300);
  await typeInto(frame, 'methods', 'bn, gn:4');
  await typeInto(frame, 'batch-sizes', '16');
  await typeInto(frame, 'epochs', String(epochs));
  await typeInto(frame, 'train-size', String(trainSize));
  await typeInto(frame, 'val-size', String(valSize));
  return frame;
}

/** The configuration form's fields (methods, batch sizes, epochs, train size, val size) as shown. */
async function formValues(frame) {
  const out = {};
  for (const id of ['methods', 'batch-sizes', 'epochs', 'train-size', 'val-size']) out[id] = await frame.locator(`[data-testid="${id}"] input`).inputValue();
  return out;
}
const TINY_FORM = { methods: 'bn, gn:4', 'batch-sizes': '16', epochs: '2', 'train-size': '256', 'val-size': '128' };

/** How many pixels of a canvas differ from its top-left pixel (the background): > 0 once something is drawn. */
const drawnPixels = (frame, testId) => frame.locator(`[data-testid="${testId}"]`).evaluate((c) => {
  const ctx = c.getContext('2d');
  const { data } = ctx.getImageData(0, 0, c.width, c.height);
  let n = 0;
  for (let i = 4; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) n++;
  return n;
});

/**
 * Pixels of the y-axis title and tick labels (the canvas' left 6 %, where no grid line is drawn) that are dark
 * (luminance < 110) and light (> 160): the axis text follows the theme's foreground, so after a switch to the light
 * theme it must be dark, and light in the dark and high-contrast themes.
 */
const axisTextPixels = (frame, testId) => frame.locator(`[data-testid="${testId}"]`).evaluate((c) => {
  const ctx = c.getContext('2d');
  const w = Math.max(1, Math.floor(c.width * 0.06));
  const { data } = ctx.getImageData(0, 0, w, c.height);
  let dark = 0;
  let light = 0;
  for (let i = 0; i < data.length; i += 4) {
    const l = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
    if (l < 110) dark++;
    else if (l > 160) light++;
  }
  return { dark, light };
});

/** The charts' axis text is drawn in the current theme's colours (light text on dark, dark text on light). */
async function assertChartsFollowTheme(frame, kind) {
  await sleep(800);
  for (const id of ['chart-val-error', 'chart-train-error', 'chart-loss']) {
    const { dark, light } = await axisTextPixels(frame, id);
    if (kind === 'light') assert.ok(dark > 20, `${kind} theme: ${id}: only ${dark} dark axis-text pixels (${light} light): stale colours?`);
    else assert.ok(light > 20, `${kind} theme: ${id}: only ${light} light axis-text pixels (${dark} dark): stale colours?`);
  }
}

await runUiTest('experiments', async ({ page }) => {
  await setTheme(page, 'dark');
  // A tiny custom experiment: BN and GN at batch 16, two epochs on 256 training and 128 validation images.
  const frame = await openTinyCustom(page, { epochs: 2, trainSize: 256, valSize: 128 });
  await waitForText(frame, '[data-testid="summary"]', /^2 runs/);

  const t0 = Date.now();
  await frame.locator('[data-testid="run"]').click();
  await frame.locator('[data-testid="run-1"]').waitFor({ timeout: 30_000 });
  await waitForText(frame, '[data-testid="status"]', /Finished/, { timeout: 150_000 });
  console.log(`[e2e] 2 runs finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const statuses = await frame.locator('[data-testid="runs"] tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  assert.deepEqual(statuses, ['done', 'done']);

  // The charts are drawn, and the table beside the paper's Table 1 has both methods.
  await sleep(500);
  for (const id of ['chart-val-error', 'chart-train-error', 'chart-loss']) {
    const n = await drawnPixels(frame, id);
    assert.ok(n > 500, `${id}: only ${n} drawn pixels`);
  }
  const table = await frame.locator('[data-testid="table-methods"] tbody tr').allTextContents();
  assert.equal(table.length, 2);
  assert.match(table[0], /^BN/);
  await screenshot(page, 'experiments-dark');

  // Results files in the workspace.
  const root = path.join(workspace, '.normlab', 'experiments');
  const [folder] = fs.readdirSync(root);
  assert.equal(fs.readdirSync(root).length, 1);
  assert.match(folder, /^custom-\d{8}-\d{6}$/);
  const results = JSON.parse(fs.readFileSync(path.join(root, folder, 'results.json'), 'utf8'));
  assert.equal(results.format, 'normlab-experiment');
  assert.deepEqual(results.runs.map((r) => [r.method, r.batch_size, r.status, r.epochs.length]), [['bn', 16, 'done', 2], ['gn', 16, 'done', 2]]);
  for (const r of results.runs) assert.ok(r.epochs[1].val_error > 0 && r.epochs[1].val_error < 0.9, `${r.label}: val error ${r.epochs[1].val_error}`);
  assert.ok(results.data.standardized.std > 0);
  const csv = fs.readFileSync(path.join(root, folder, 'results.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 4);

  // Charts as PNG on request.
  await frame.locator('[data-testid="save-png"]').click();
  await waitForText(frame, '[data-testid="status"]', /Saved/, { timeout: 30_000 });
  assert.ok(fs.readdirSync(path.join(root, folder)).includes('val-error.png'));

  // Export PyTorch script: the same experiment as train.py, saved through the save dialog (run with torch below).
  await frame.locator('[data-testid="export-torch"]').click();
  await waitForText(page, '.quick-input-widget .quick-input-title', 'Save the experiment as a PyTorch script');
  await sleep(500);
  await lib.answerQuickInput(page, path.join(workspace, 'train-custom.py'));
  await waitForText(frame, '[data-testid="status"]', 'PyTorch script written to train-custom.py', { timeout: 30_000 });
  assert.match(fs.readFileSync(path.join(workspace, 'train-custom.py'), 'utf8'), /^import torch$/m);

  await assertChartsFollowTheme(frame, 'dark');
  await lib.axeCheck(frame, 'experiments (dark)');

  await setTheme(page, 'light');
  await assertChartsFollowTheme(frame, 'light');
  await lib.axeCheck(frame, 'experiments (light)');
  await screenshot(page, 'experiments-light');
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget .quick-input-box input').fill('Dark High Contrast');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Dark High Contrast' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-workbench.hc-black').waitFor({ timeout: 15_000 });
  await assertChartsFollowTheme(frame, 'high-contrast');
  await lib.axeCheck(frame, 'experiments (high contrast)');
  await screenshot(page, 'experiments-hc');

  // Cancel one run: a second experiment of two longer runs, both training at once; run 0 is cancelled once the
  // ETA shows, run 1 finishes; results.json says so.
  await typeInto(frame, 'epochs', '6');
  await typeInto(frame, 'train-size', '2048');
  await waitForText(frame, '[data-testid="summary"]', /^2 runs/);
  await frame.locator('[data-testid="run"]').click();
  await frame.locator('[data-testid="run-0"][data-status="running"]').waitFor({ timeout: 30_000 });
  const eta = await waitForText(frame, '[data-testid="progress"]', /^\d+% · .+ elapsed · (\d+ s|\d+:\d\d) left$/, { timeout: 60_000 });
  await frame.locator('[data-testid="cancel-0"]').click();
  // The charts draw as epochs finish: after run 1's first epoch, while it still runs.
  const epochCell = await waitForText(frame, '[data-testid="run-1"] td:nth-child(4)', /^[1-6]\/6$/, { timeout: 120_000 });
  const stillRunning = (await frame.locator('[data-testid="run-1"]').getAttribute('data-status')) === 'running';
  if (stillRunning) {
    for (const id of ['chart-val-error', 'chart-loss']) {
      const n = await drawnPixels(frame, id);
      assert.ok(n > 500, `${id} while run 1 is at epoch ${epochCell}: only ${n} drawn pixels`);
    }
    console.log(`[e2e] charts drawn while run 1 runs (epoch ${epochCell})`);
  }
  await waitForText(frame, '[data-testid="status"]', /Finished/, { timeout: 150_000 });
  const after = await frame.locator('[data-testid="runs"] tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  assert.deepEqual(after, ['cancelled', 'done'], `after cancelling run 0 (progress line was "${eta}")`);
  const second = fs.readdirSync(root).filter((f) => f !== folder);
  assert.equal(second.length, 1);
  const cancelled = JSON.parse(fs.readFileSync(path.join(root, second[0], 'results.json'), 'utf8'));
  assert.deepEqual(cancelled.runs.map((r) => r.status), ['cancelled', 'done']);
  assert.ok(cancelled.runs[0].epochs.length < 6, `the cancelled run has ${cancelled.runs[0].epochs.length} epochs`);
  assert.equal(cancelled.runs[1].epochs.length, 6);
  console.log(`[e2e] cancel one run: run 0 stopped after ${cancelled.runs[0].epochs.length} epoch(s), run 1 done`);

  // Past experiments: the first one, reopened from the list.
  await frame.locator('[data-testid="past"]').click();
  await frame.locator('[data-testid="past"] [role="option"]', { hasText: folder }).first().click();
  await waitForText(frame, '[data-testid="shown"]', `Showing .normlab/experiments/${folder}: 2 runs`);
  const reopened = await frame.locator('[data-testid="runs"] tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  assert.deepEqual(reopened, ['done', 'done']);
  // The form shows the reopened experiment's configuration (the second one's 6 epochs and 2,048 images were there).
  assert.deepEqual(await formValues(frame), TINY_FORM);
}, { workspace, timeoutMs: 300_000 });

// Opening a results.json offers to show it in the panel. A fresh window on a second workspace holding the results of
// the run above in .normlab/experiments/<folder>/ (where the panel lists experiments), and in torch-out/ the results
// of the train.py the panel exported, run with PyTorch. Each opened from the explorer: the offer, accepted, shows that
// experiment's runs, tables and charts; the panel keeps the experiment across a window reload; charts of the
// torch-out one are saved as PNG beside its results.json.
const shownWorkspace = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-experiments-open-'));
const firstRoot = path.join(workspace, '.normlab', 'experiments');
const [shownFolder] = fs.existsSync(firstRoot) ? fs.readdirSync(firstRoot).sort() : [];
if (shownFolder) {
  const src = path.join(firstRoot, shownFolder, 'results.json');
  fs.mkdirSync(path.join(shownWorkspace, '.normlab', 'experiments', shownFolder), { recursive: true });
  fs.copyFileSync(src, path.join(shownWorkspace, '.normlab', 'experiments', shownFolder, 'results.json'));
}
// The exported train.py run with PyTorch writes torch-out/results.json, the file offered to the panel below.
const PYTHON = '/usr/bin/python3';
const script = path.join(workspace, 'train-custom.py');
const torchOk = fs.existsSync(script) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
if (torchOk) {
  const t0 = Date.now();
  const r = spawnSync(PYTHON, [script, '--out', path.join(shownWorkspace, 'torch-out'), '--device', 'cpu'], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`train.py exported by the panel failed (${r.status}): ${r.stderr.slice(-2000)}`);
  console.log(`[e2e] the panel's train.py ran with PyTorch in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} else if (shownFolder) {
  // No PyTorch here (or no script): the panel's own results stand in for the script's, in the same schema.
  console.log(`[e2e] ${PYTHON} has no torch: torch-out/results.json is a copy of NormLab's results`);
  fs.mkdirSync(path.join(shownWorkspace, 'torch-out'));
  fs.copyFileSync(path.join(firstRoot, shownFolder, 'results.json'), path.join(shownWorkspace, 'torch-out', 'results.json'));
}
// Model specs: the bundled one (valid) and one with a wrong type and an unknown key, for the JSON schema.
fs.mkdirSync(path.join(shownWorkspace, 'models'));
fs.copyFileSync(path.join(EXAMPLES_DIR, 'models', 'mini-cnn-bn.normlab-model.json'), path.join(shownWorkspace, 'models', 'good.normlab-model.json'));
fs.writeFileSync(path.join(shownWorkspace, 'models', 'bad.normlab-model.json'), JSON.stringify({
  input_shape: [1, 28, 28],
  layers: [['Conv2d', { in_channels: 'one', out_channels: 16, kernel_size: 3 }], ['ReLU', {}]],
  optimizer: 'sgd',
}, null, 2));

/** Waits for the notification toast whose message matches `text`, clicks its `action` button; returns the message. */
async function acceptNotification(page, text, action, { timeout = 30_000 } = {}) {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ timeout }).catch(async () => {
    throw new Error(`no notification matching ${text}; shown: ${JSON.stringify(await lib.readNotifications(page))}`);
  });
  const message = ((await toast.locator('.notification-list-item-message').textContent()) ?? '').trim();
  await toast.locator('.monaco-button', { hasText: action }).first().click();
  return message;
}

/** The panel shows the experiment of `results`: its runs with their final validation errors, the Table 1 rows. */
async function assertShows(frame, results, where) {
  await waitForText(frame, '[data-testid="shown"]', `Showing ${where}: ${results.runs.length} runs`, { timeout: 30_000 });
  const rows = await frame.locator('[data-testid="runs"] tr').evaluateAll((trs) => trs.map((r) => [r.getAttribute('data-status'), ...[...r.cells].map((c) => (c.textContent ?? '').trim())]));
  assert.deepEqual(rows.map((r) => [r[0], r[1], r[5]]), results.runs.map((r) => [r.status, r.label, (r.epochs.at(-1).val_error * 100).toFixed(1)]), `${where}: runs table`);
  // One seed: the table's "this experiment" column is each run's final validation error.
  const table = await frame.locator('[data-testid="table-methods"] tbody tr').evaluateAll((trs) => trs.map((r) => [...r.cells].slice(0, 2).map((c) => (c.textContent ?? '').trim())));
  assert.deepEqual(table, results.runs.map((r) => [r.label, (r.epochs.at(-1).val_error * 100).toFixed(1)]), `${where}: Table 1 rows`);
  await sleep(500);
  for (const id of ['chart-val-error', 'chart-train-error']) {
    const n = await drawnPixels(frame, id);
    assert.ok(n > 500, `${where}: ${id}: only ${n} drawn pixels`);
  }
}

/** Moves the panel (the active editor) into a group of its own on the right; the editor group it leaves shows the
 * editor active before it. */
async function movePanelToNextGroup(page) {
  await page.locator('.editor-group-container .tab.active', { hasText: 'NormLab Experiments' }).first().waitFor({ timeout: 15_000 });
  await runCommand(page, 'View: Move Editor into Next Group');
  await page.locator('.editor-group-container').nth(1).locator('.tab', { hasText: 'NormLab Experiments' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.editor-group-container .tab', { hasText: 'NormLab Experiments' }).count(), 1);
}

await runUiTest('experiments-open-results', async ({ page }) => {
  assert.ok(shownFolder, 'the first experiments test left no results to open');
  const results = JSON.parse(fs.readFileSync(path.join(shownWorkspace, '.normlab', 'experiments', shownFolder, 'results.json'), 'utf8'));
  const torchResults = JSON.parse(fs.readFileSync(path.join(shownWorkspace, 'torch-out', 'results.json'), 'utf8'));
  if (torchOk) assert.match(torchResults.engine, /^pytorch /);
  await setTheme(page, 'dark');

  // *.normlab-model.json files are checked against NormLab's schema (contributes.jsonValidation): the bad spec gets
  // warnings in the editor and in the Problems view, the bundled one none.
  await lib.openFileFromExplorer(page, 'models/good.normlab-model.json');
  await lib.openFileFromExplorer(page, 'models/bad.normlab-model.json');
  await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
  await runCommand(page, 'View: Toggle Problems');
  const problems = page.locator('.markers-panel');
  await problems.locator('.monaco-list-row', { hasText: 'bad.normlab-model.json' }).first().waitFor({ timeout: 30_000 });
  await sleep(1000);
  const problemText = ((await problems.textContent()) ?? '').replace(/\s+/g, ' ');
  assert.match(problemText, /Incorrect type\. Expected "integer"/, problemText.slice(0, 400));
  assert.match(problemText, /Property optimizer is not allowed/, problemText.slice(0, 400));
  assert.doesNotMatch(problemText, /good\.normlab-model\.json/, 'the bundled model spec has problems');
  await screenshot(page, 'experiments-model-schema');
  await runCommand(page, 'View: Toggle Problems');
  await runCommand(page, 'View: Close All Editors');

  // Outside .normlab/experiments (the PyTorch script's output): offered, shown by its path, charts saved beside it.
  // (First: openFileFromExplorer double-clicks the first visible row of that name.)
  await lib.openFileFromExplorer(page, 'torch-out/results.json');
  let message = await acceptNotification(page, 'holds NormLab experiment results', 'Show in Experiments');
  assert.equal(message, 'torch-out/results.json holds NormLab experiment results (2 runs).');
  let frame = await findFrame(page, '[data-testid="shown"]', { timeout: 60_000 });
  await assertShows(frame, torchResults, 'torch-out/results.json');
  await waitForText(frame, '[data-testid="shown"]', torchResults.engine);
  // A fresh panel: the form takes the opened experiment's configuration (not the Figure 1 preset's).
  assert.deepEqual(await formValues(frame), TINY_FORM);
  await waitForText(frame, '[data-testid="summary"]', /^2 runs/);
  await frame.locator('[data-testid="save-png"]').click();
  await waitForText(frame, '[data-testid="status"]', /Saved/, { timeout: 30_000 });
  const pngs = fs.readdirSync(path.join(shownWorkspace, 'torch-out')).filter((f) => f.endsWith('.png')).sort();
  assert.deepEqual(pngs, ['train-error.png', 'val-error.png']);
  assert.deepEqual([...fs.readFileSync(path.join(shownWorkspace, 'torch-out', 'val-error.png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  await screenshot(page, 'experiments-open-results-torch');
  // The explorer lists the PNGs before the next double-click (rows added meanwhile would move the one clicked).
  await page.locator('.explorer-folders-view .monaco-list-row[aria-label="val-error.png"]').waitFor({ timeout: 30_000 });
  await sleep(500);

  // In .normlab/experiments/<folder>/: offered, shown by its folder.
  await lib.openFileFromExplorer(page, `.normlab/experiments/${shownFolder}/results.json`);
  message = await acceptNotification(page, `${shownFolder}/results.json holds NormLab experiment results`, 'Show in Experiments');
  assert.equal(message, `.normlab/experiments/${shownFolder}/results.json holds NormLab experiment results (2 runs).`);
  frame = await findFrame(page, '[data-testid="shown"]', { timeout: 60_000 });
  await assertShows(frame, results, `.normlab/experiments/${shownFolder}`);
  await screenshot(page, 'experiments-open-results');
  // The panel into a group of its own, so that the results.json editor beside it stays visible (restored at once).
  await movePanelToNextGroup(page);

  // A window reload: the serializer revives the panel showing the same experiment.
  await runCommand(page, 'Developer: Reload Window');
  await sleep(3000);
  frame = await findFrame(page, '[data-testid="shown"]', { timeout: 90_000 });
  await assertShows(frame, results, `.normlab/experiments/${shownFolder}`);
  console.log('[e2e] reload: the shown experiment kept');
  // Its results.json editor, restored (and visible) with the window, is not offered again: the panel shows it.
  await page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: '"engine"' }).first().waitFor({ timeout: 30_000 });
  await sleep(3000);
  assert.deepEqual((await lib.readNotifications(page)).filter((m) => m.includes('holds NormLab experiment results')), [], 'offered again although the panel shows it');

  // The results.json from outside .normlab/experiments survives a reload too: the host kept its URI (the webview
  // names no file). Its editor, restored with the window, is offered again (the panel shows another experiment now).
  await page.locator('.tabs-container .tab', { hasText: 'torch-out' }).first().click();
  await acceptNotification(page, 'torch-out/results.json holds NormLab experiment results', 'Show in Experiments');
  frame = await findFrame(page, '[data-testid="shown"]', { timeout: 60_000 });
  await assertShows(frame, torchResults, 'torch-out/results.json');
  await movePanelToNextGroup(page); // shown, the panel came back to the editor's group
  await runCommand(page, 'Developer: Reload Window');
  await sleep(3000);
  frame = await findFrame(page, '[data-testid="shown"]', { timeout: 90_000 });
  await assertShows(frame, torchResults, 'torch-out/results.json');
  await waitForText(frame, '[data-testid="shown"]', torchResults.engine);
  // The restored editor shows the file (so its document is open), and the panel shows it already: no offer.
  await page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: '"engine"' }).first().waitFor({ timeout: 30_000 });
  await sleep(4000);
  const offers = (await lib.readNotifications(page)).filter((m) => m.includes('holds NormLab experiment results'));
  assert.deepEqual(offers, [], 'offered again although the panel shows it');
  await screenshot(page, 'experiments-reload-outside');
  console.log('[e2e] reload: the results.json from outside .normlab/experiments kept, not offered again');

  // Gone after the reload: the panel says so, and Save charts as PNG has nothing to save beside.
  fs.renameSync(path.join(shownWorkspace, 'torch-out', 'results.json'), path.join(shownWorkspace, 'torch-out', 'results-moved.json'));
  await runCommand(page, 'Developer: Reload Window');
  await sleep(3000);
  frame = await findFrame(page, '[data-testid="status"]', { timeout: 90_000 });
  await waitForText(frame, '[data-testid="status"]', 'torch-out/results.json, which this panel showed, is gone (moved or deleted): open a results.json to show it here.', { timeout: 30_000 });
  assert.equal(await frame.locator('[data-testid="status"]').getAttribute('data-state'), 'error');
  assert.equal(await lib.readText(frame, '[data-testid="shown"]'), '');
  await screenshot(page, 'experiments-reload-outside-gone');
  console.log('[e2e] reload: a results.json gone meanwhile is named in the panel');
}, { workspace: shownWorkspace, timeoutMs: 420_000, settings: { 'explorer.compactFolders': false } });

// Your own data through the pickers: an IDX pair named as MNIST's files are (the images gzipped, the labels with no
// extension), picked as the images and then, in a second dialog, the labels. 240 images 28×28 of 4 classes whose
// brightness depends on the class, so that one epoch learns something. The run trains on them (val held out).
const dataWorkspace = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-experiments-data-'));
{
  const n = 240;
  const idx = (dims, body) => {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head.set([0, 0, 0x08, dims.length]);
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([head, Buffer.from(body)]);
  };
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 4);
  const images = Uint8Array.from({ length: n * 784 }, (_, k) => Math.min(255, Math.floor(rand() * 100 + 50 * labels[Math.floor(k / 784)])));
  fs.mkdirSync(path.join(dataWorkspace, 'mnist-like'));
  fs.writeFileSync(path.join(dataWorkspace, 'mnist-like', 'train-images-idx3-ubyte.gz'), zlib.gzipSync(idx([n, 28, 28], images)));
  fs.writeFileSync(path.join(dataWorkspace, 'mnist-like', 'train-labels-idx1-ubyte'), idx([n], labels));
}

await runUiTest('experiments-data', async ({ page }) => {
  const frame = await openTinyCustom(page, { epochs: 1, trainSize: 160, valSize: 80 });
  await frame.locator('[data-testid="pick-train"]').click();
  const dialogTitle = page.locator('.quick-input-widget .quick-input-title');
  await waitForText(page, '.quick-input-widget .quick-input-title', 'Training data: an .npz with x and y, or an IDX image file and its label file');
  await sleep(500);
  await lib.answerQuickInput(page, path.join(dataWorkspace, 'mnist-like', 'train-images-idx3-ubyte.gz'));
  // The second dialog asks for the label file of the images picked.
  await waitForText(page, '.quick-input-widget .quick-input-title', 'The label file for train-images-idx3-ubyte.gz', { timeout: 30_000 })
    .catch(async (e) => { throw new Error(`${e.message} (dialog title: ${await dialogTitle.textContent().catch(() => '?')})`); });
  await sleep(500);
  await lib.answerQuickInput(page, path.join(dataWorkspace, 'mnist-like', 'train-labels-idx1-ubyte'));
  await waitForText(frame, '[data-testid="data-train"]', 'training: mnist-like/train-images-idx3-ubyte.gz + train-labels-idx1-ubyte');
  await waitForText(frame, '[data-testid="data-val"]', 'validation: held out from the training data');
  await waitForText(frame, '[data-testid="summary"]', /^2 runs/);
  await frame.locator('[data-testid="run"]').click();
  await waitForText(frame, '[data-testid="status"]', /Finished/, { timeout: 150_000 });
  const root = path.join(dataWorkspace, '.normlab', 'experiments');
  const [folder] = fs.readdirSync(root);
  const results = JSON.parse(fs.readFileSync(path.join(root, folder, 'results.json'), 'utf8'));
  assert.deepEqual(results.runs.map((r) => r.status), ['done', 'done']);
  assert.deepEqual({ ...results.data, standardized: null }, { name: 'mnist-like/train-images-idx3-ubyte.gz + train-labels-idx1-ubyte', trainSize: 160, valSize: 80, standardized: null });
  assert.deepEqual(results.config.data, { train: { kind: 'idx', images: 'mnist-like/train-images-idx3-ubyte.gz', labels: 'mnist-like/train-labels-idx1-ubyte' }, val: null });
  for (const r of results.runs) assert.ok(r.epochs[0].val_error < 0.6, `${r.label}: val error ${r.epochs[0].val_error} on 4 separable classes`);
  await screenshot(page, 'experiments-data');
}, { workspace: dataWorkspace, timeoutMs: 240_000 });

const zhTitle = commandTitles('zh-cn').get('normlab.openExperiments');
await runUiTest('experiments-zhcn', async ({ page }) => {
  await runCommand(page, zhTitle);
  const frame = await findFrame(page, '[data-testid="run"]', { timeout: 60_000 });
  await waitForText(frame, 'h1', 'NormLab 实验');
  await screenshot(page, 'experiments-zhcn');
}, { workspace, displayLanguage: 'zh-cn', waitForExtension: zhTitle });
