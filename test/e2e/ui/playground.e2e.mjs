// UI: the playground in a real workbench. Open it from the palette, drive each control as a user would (selects,
// text fields, checkboxes, tabs, buttons), read the numbers the webview shows and compare them with the kernel run
// here on the same seeded/pasted tensor. Screenshots in the dark and the light theme: shots/playground-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { answerQuickInput, EXAMPLES_DIR, findFrame, readText, runCommand, runUiTest, screenshot, setTheme, sleep, waitForText } from '../lib.mjs';

// The kernel itself, from source, computes the expected numbers.
const { normalize } = await tsImport('../../../src/kernels/normalize.ts', import.meta.url);
const { generateTensor } = await tsImport('../../../src/kernels/generate.ts', import.meta.url);
const { DEFAULT_SPEC } = await tsImport('../../../src/webview/playground/state.ts', import.meta.url);

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-playground-ws-'));
fs.copyFileSync(path.join(EXAMPLES_DIR, 'activations.npy'), path.join(workspace, 'activations.npy'));

/** A float32 little-endian .npy (v1 header) as { shape, data }. */
function readNpy(file) {
  const b = fs.readFileSync(file);
  const hlen = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + hlen).toString('latin1');
  assert.match(header, /'descr': '<f4'/);
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').map((t) => t.trim()).filter(Boolean).map(Number);
  return { shape, data: new Float32Array(b.buffer.slice(b.byteOffset + 10 + hlen, b.byteOffset + b.length)) };
}
/** Writes a float32 .npy (v1 header, padded to 64 bytes). */
function writeNpy(file, shape, data) {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const header = `${dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 11)}\n`;
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(Float32Array.from(data).buffer)]));
}
const close = (a, b, tol = 1e-5) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/** data-value of every element matching selector. */
const values = (frame, selector) => frame.locator(selector).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));

async function choose(frame, testId, optionText) {
  await frame.locator(`[data-testid="${testId}"]`).click();
  await frame.locator(`[data-testid="${testId}"] [role="option"]`, { hasText: optionText }).first().click();
}

async function typeInto(frame, testId, text) {
  const input = frame.locator(`[data-testid="${testId}"] input`);
  await input.fill(text);
}

/** Waits until the status says a computation finished after `action`, and returns the status text. */
async function recomputed(frame, action) {
  await frame.locator('[data-testid="status"]').evaluate((e) => { e.textContent = ''; });
  await action();
  return waitForText(frame, '[data-testid="status"]', /computed in|sets of|error|expected/i, { timeout: 30_000 });
}

function assertStats(rows, ref, what) {
  assert.equal(rows.length, Math.min(256, ref.stats.mean.length), `${what}: number of rows`);
  rows.forEach((m, i) => assert.ok(close(m, ref.stats.mean[i], 1e-9), `${what}: set ${i} mean ${m} vs kernel ${ref.stats.mean[i]}`));
}

/** Reloads the window; the serializer revives the playground. Returns its frame once it shows `rows` statistics rows. */
async function reloadWindow(page, rows) {
  await runCommand(page, 'Developer: Reload Window');
  await sleep(3000);
  const revived = await findFrame(page, '[data-testid="stats-row"]', { timeout: 90_000 });
  await revived.locator('[data-testid="stats-row"]').nth(rows - 1).waitFor({ timeout: 60_000 });
  return revived;
}

await runUiTest('playground', async ({ page }) => {
  await setTheme(page, 'dark');
  await runCommand(page, 'NormLab: Open Playground');
  const frame = await findFrame(page, '[data-testid="method"]', { timeout: 60_000 });
  await frame.locator('[data-testid="stats-row"]').first().waitFor({ timeout: 60_000 });

  // ---- default: the generated [32, 8, 8, 8] tensor, GN with G = 4
  const x = generateTensor(DEFAULT_SPEC);
  const shape = DEFAULT_SPEC.shape;
  assert.equal(await frame.locator('[data-testid="input-info"]').getAttribute('data-shape'), '32,8,8,8');
  const gn = normalize({ data: x, shape }, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 4 });
  assertStats(await values(frame, '[data-testid="stats-row"] [data-testid="row-mean"]'), gn, 'GN G=4');
  const groupLabels = await frame.locator('[data-testid="groups"] vscode-option').allTextContents();
  assert.deepEqual(groupLabels.map((s) => s.trim()), ['1 (= LN)', '2', '4', '8 (= IN)']);

  // Hover a cell of the cube: its set is highlighted in the table and its statistics are shown.
  // N = 32 is drawn in 16 bins, so the top-face cell of (n = 2, c = 2) stands for set n·G + g = 2·4 + 1 = 9.
  const cell = frame.locator('[data-testid="cube"] polygon.cell.top[data-n="2"][data-c="2"]').first();
  assert.equal(await cell.getAttribute('data-set'), '9');
  await cell.hover();
  await waitForText(frame, '[data-testid="set-label"]', 'n=2, g=1 (c 2–3)');
  const setMean = Number(await frame.locator('[data-testid="set-mean"]').getAttribute('data-value'));
  assert.ok(close(setMean, gn.stats.mean[9], 1e-9), `set 9 mean ${setMean} vs ${gn.stats.mean[9]}`);
  assert.equal(await readText(frame, '[data-testid="set-count"]'), String(gn.stats.count));
  assert.equal(await frame.locator('[data-testid="stats-row"].selected').getAttribute('data-set'), '9');
  await frame.locator('canvas[data-testid="heatmap"]').hover();
  await waitForText(frame, '[data-testid="heatmap-value"]', /\[\d+, \d+\] = /);
  await screenshot(page, 'playground-inspect-dark');

  // ---- method BN
  await recomputed(frame, () => choose(frame, 'method', 'BatchNorm'));
  const bn = normalize({ data: x, shape }, { method: 'batch', layout: 'NCHW', eps: 1e-5 });
  assertStats(await values(frame, '[data-testid="stats-row"] [data-testid="row-mean"]'), bn, 'BN');

  // ---- eps 0.1: the output slice x[0, 0] follows
  await recomputed(frame, () => typeInto(frame, 'eps', '0.1'));
  const bnEps = normalize({ data: x, shape }, { method: 'batch', layout: 'NCHW', eps: 0.1 });
  const after = await values(frame, '[data-testid="slice-after"] td');
  assert.equal(after.length, 64);
  after.forEach((v, i) => assert.ok(close(v, bnEps.y[i], 1e-6), `BN eps=0.1 y[${i}] ${v} vs ${bnEps.y[i]}`));

  // ---- GN, G = 1 (= LN): one set per sample
  await recomputed(frame, () => choose(frame, 'method', 'GroupNorm'));
  await recomputed(frame, () => choose(frame, 'groups', '= LN'));
  const gn1 = normalize({ data: x, shape }, { method: 'group', layout: 'NCHW', eps: 0.1, groups: 1 });
  assertStats(await values(frame, '[data-testid="stats-row"] [data-testid="row-mean"]'), gn1, 'GN G=1');

  // ---- affine γ = 2, β = 1 on slice x[1, 3]
  await recomputed(frame, () => frame.locator('[data-testid="affine"]').click());
  await recomputed(frame, () => typeInto(frame, 'gamma', '2'));
  await recomputed(frame, () => typeInto(frame, 'beta', '1'));
  await recomputed(frame, () => typeInto(frame, 'slice-n', '1'));
  await recomputed(frame, () => typeInto(frame, 'slice-c', '3'));
  const affine = normalize({ data: x, shape }, {
    method: 'group', layout: 'NCHW', eps: 0.1, groups: 1, weight: new Float32Array(8).fill(2), bias: new Float32Array(8).fill(1),
  });
  const off = (1 * 8 + 3) * 64;
  const afterAffine = await values(frame, '[data-testid="slice-after"] td');
  afterAffine.forEach((v, i) => assert.ok(close(v, affine.y[off + i], 1e-6), `affine y[${off + i}] ${v} vs ${affine.y[off + i]}`));

  // ---- layout NHWC: the same bytes read channels-last (C = the last dim)
  await recomputed(frame, () => choose(frame, 'layout', 'NHWC'));
  const nhwc = normalize({ data: x, shape }, {
    method: 'group', layout: 'NHWC', eps: 0.1, groups: 1, weight: new Float32Array(8).fill(2), bias: new Float32Array(8).fill(1),
  });
  assertStats(await values(frame, '[data-testid="stats-row"] [data-testid="row-mean"]'), nhwc, 'GN NHWC');
  await recomputed(frame, () => choose(frame, 'layout', 'NCHW'));
  await recomputed(frame, () => frame.locator('[data-testid="affine"]').click());

  // ---- paste: an error names line and column; a good paste is used
  await frame.locator('[data-testid="input-tab-paste"]').click();
  await frame.locator('[data-testid="paste-input"] textarea').fill('[[1, 2, 3, 4],\n [5, 6, x, 8]]');
  await frame.locator('[data-testid="paste-apply"]').click();
  await waitForText(frame, '[data-testid="paste-error"]', 'line 2, column 9');
  await screenshot(page, 'playground-paste-error-dark');
  await frame.locator('[data-testid="paste-input"] textarea').fill('array([[1., 2., 3., 4.],\n       [5., 6., 7., 9.]], dtype=float32)');
  await recomputed(frame, () => frame.locator('[data-testid="paste-apply"]').click());
  await waitForText(frame, '[data-testid="paste-shape"]', '[2, 4]');
  await recomputed(frame, () => choose(frame, 'method', 'LayerNorm'));
  const lnMeans = await values(frame, '[data-testid="stats-row"] [data-testid="row-mean"]');
  assert.deepEqual(lnMeans, [2.5, 6.75]);

  // ---- generate [8, 4, 4, 4], seed 3
  await frame.locator('[data-testid="input-tab-generate"]').click();
  await typeInto(frame, 'gen-shape', '8, 4, 4, 4');
  await typeInto(frame, 'gen-seed', '3');
  await recomputed(frame, () => frame.locator('[data-testid="generate"]').click());
  await waitForText(frame, '[data-testid="input-info"]', '[8, 4, 4, 4]');
  const spec2 = { ...DEFAULT_SPEC, shape: [8, 4, 4, 4], seed: 3 };
  const x2 = generateTensor(spec2);
  await recomputed(frame, () => choose(frame, 'method', 'InstanceNorm'));
  const inn = normalize({ data: x2, shape: spec2.shape }, { method: 'instance', layout: 'NCHW', eps: 0.1 });
  assertStats(await values(frame, '[data-testid="stats-row"] [data-testid="row-mean"]'), inn, 'IN');

  // ---- compare: BN, LN, IN, GN side by side
  await frame.locator('[data-testid="tab-compare"]').click();
  await frame.locator('[data-testid="compare-panel"]').nth(3).waitFor({ timeout: 30_000 });
  const titles = await frame.locator('[data-testid="compare-panel"] h2').allTextContents();
  assert.deepEqual(titles, ['BN', 'LN', 'IN', 'GN (G=2)']);
  assert.equal(await frame.locator('[data-testid="compare-panel"] [data-testid="compare-cube"]').count(), 4);
  const sets = await frame.locator('[data-testid="compare-sets"]').allTextContents();
  assert.match(sets[0], /^4 /);
  assert.match(sets[2], /^32 /);
  await sleep(300);
  await screenshot(page, 'playground-compare-dark');

  // ---- batch-size sensitivity: BN scatter shrinks with the batch, GN's is 0
  await frame.locator('[data-testid="tab-sensitivity"]').click();
  await frame.locator('[data-testid="sensitivity-row"]').nth(3).waitFor({ timeout: 30_000 });
  const bnMean = await values(frame, '[data-testid="sensitivity-row"] td:nth-child(3)');
  const gnMean = await values(frame, '[data-testid="sensitivity-row"] td:nth-child(5)');
  assert.equal(bnMean.length, 4, 'sizes 1, 2, 4, 8 for N = 8');
  for (let i = 1; i < bnMean.length; i++) assert.ok(bnMean[i] < bnMean[i - 1], `BN scatter ${bnMean}`);
  assert.ok(gnMean.every((v) => v < 1e-9), `GN scatter ${gnMean}`);
  await sleep(300);
  await screenshot(page, 'playground-sensitivity-dark');

  // ---- running statistics: 10 train steps of BN
  await frame.locator('[data-testid="tab-running"]').click();
  await recomputed(frame, () => choose(frame, 'method', 'BatchNorm'));
  await frame.locator('[data-testid="train-step"]').click();
  await frame.locator('[data-testid="train-gap"][data-steps="10"]').waitFor({ timeout: 30_000 });
  await frame.locator('[data-testid="train-step"]').click();
  await frame.locator('[data-testid="train-gap"][data-steps="20"]').waitFor({ timeout: 30_000 });
  await sleep(300);
  await screenshot(page, 'playground-running-dark');

  // ---- export: copy as JSON (status says how many values), then .npy through the save dialog
  await frame.locator('[data-testid="copy-json"]').click();
  await waitForText(frame, '[data-testid="status"]', /512/);
  await frame.locator('[data-testid="export"]').click();
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 15_000 });
  await sleep(300);
  await page.keyboard.press('Enter'); // the proposed name in the workspace folder
  await waitForText(frame, '[data-testid="status"]', /generated\.batch\.npy/);
  const saved = fs.readFileSync(path.join(workspace, 'generated.batch.npy'));
  const hlen = saved.readUInt16LE(8);
  assert.match(saved.subarray(10, 10 + hlen).toString('latin1'), /'shape': \(8, 4, 4, 4\)/);
  const y = new Float32Array(saved.buffer.slice(saved.byteOffset + 10 + hlen, saved.byteOffset + saved.length));
  const bnRef = normalize({ data: x2, shape: spec2.shape }, { method: 'batch', layout: 'NCHW', eps: 0.1 });
  assert.deepEqual([...y], [...bnRef.y], 'exported .npy = kernel output');

  // ---- light theme
  await frame.locator('[data-testid="tab-inspect"]').click();
  await setTheme(page, 'light');
  await sleep(1000);
  await screenshot(page, 'playground-inspect-light');
  await frame.locator('[data-testid="tab-compare"]').click();
  await sleep(800);
  await screenshot(page, 'playground-compare-light');
  await frame.locator('[data-testid="tab-inspect"]').click();

  // ---- a 1M-element input: the worker computes it and the page redraws in well under a second
  await typeInto(frame, 'gen-shape', '16, 64, 32, 32');
  await recomputed(frame, () => frame.locator('[data-testid="generate"]').click());
  await waitForText(frame, '[data-testid="input-info"]', '[16, 64, 32, 32]');
  await recomputed(frame, () => choose(frame, 'method', 'GroupNorm'));
  await recomputed(frame, () => choose(frame, 'groups', '32'));
  // Timing on a shared machine is noisy: take the best of three edits (eps 0.02, 0.03, then the 0.01 checked below).
  let best = { workerMs: Infinity, redrawMs: Infinity, drawMs: 0 };
  for (const eps of ['0.02', '0.03', '0.01']) {
    const status = await recomputed(frame, () => typeInto(frame, 'eps', eps));
    await sleep(500);
    const workerMs = Number(/computed in ([\d.]+) ms/.exec(status)?.[1]);
    const redrawMs = Number(await frame.locator('[data-testid="status"]').getAttribute('data-redraw-ms'));
    const drawMs = Number(await frame.locator('[data-testid="status"]').getAttribute('data-draw-ms'));
    console.log(`[e2e] 1M elements, eps ${eps}: worker ${workerMs} ms, webview draw ${drawMs} ms, edit -> redrawn ${redrawMs} ms (incl. 120 ms debounce)`);
    if (redrawMs < best.redrawMs) best = { workerMs, redrawMs, drawMs };
  }
  // Speed is the benchmark's job (npm run bench measures this recompute); here only a hang would fail.
  assert.ok(best.redrawMs < 10_000, `edit -> redrawn took ${best.redrawMs} ms`);
  const x3 = generateTensor({ ...spec2, shape: [16, 64, 32, 32] });
  const big = normalize({ data: x3, shape: [16, 64, 32, 32] }, { method: 'group', layout: 'NCHW', eps: 0.01, groups: 32 });
  assertStats(await values(frame, '[data-testid="stats-row"] [data-testid="row-mean"]'), big, 'GN 1M');
  assert.match(await readText(frame, '[data-testid="stats-note"]'), /256 .* 512/);

  // ---- reload the window: the serializer revives the panel with its state (method, groups, eps, input spec)
  let revived = await reloadWindow(page, 256);
  assertStats(await values(revived, '[data-testid="stats-row"] [data-testid="row-mean"]'), big, 'after reload');
  assert.equal(await revived.locator('[data-testid="eps"]').evaluate((e) => e.value), '0.01');

  // ---- a tensor from a file: "Send Tensor to Playground" replaces the input of the open playground. Right after a
  // reload the revived webview takes the focus as it finishes loading: NormLab's file pick stays open through that
  // (ignoreFocusOut). VS Code's own command palette may close then, before the command runs: it is run again if so.
  const pick = page.locator('.quick-input-widget .quick-input-box input[placeholder="Select a tensor file"]');
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'NormLab: Send Tensor to Playground');
    if (await pick.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) break;
    assert.ok(attempt < 5, 'Send Tensor to Playground did not show its file pick in five tries');
    console.log('[e2e] the command palette closed before Send Tensor to Playground ran (the revived webview took the focus); running it again');
  }
  await sleep(3_000); // the revived webview finishes loading meanwhile
  assert.ok(await pick.isVisible(), 'the file pick stays open while the revived webview loads');
  // The focus moving to a webview (here a click on the playground's text) does not dismiss it either.
  await revived.locator('[data-testid="stats-note"]').click();
  await sleep(1_000);
  assert.ok(await pick.isVisible(), 'the file pick stays open when the focus moves to a webview');
  await answerQuickInput(page, 'activations.npy');
  await waitForText(revived, '[data-testid="input-info"]', 'activations.npy', { timeout: 60_000 });
  const act = readNpy(path.join(workspace, 'activations.npy'));
  assert.equal(await revived.locator('[data-testid="input-info"]').getAttribute('data-shape'), act.shape.join(','));
  await revived.locator('[data-testid="stats-row"]').nth(255).waitFor({ timeout: 30_000 });
  await sleep(500);
  const fromFile = normalize({ data: act.data, shape: act.shape }, { method: 'group', layout: 'NCHW', eps: 0.01, groups: 32 });
  assertStats(await values(revived, '[data-testid="stats-row"] [data-testid="row-mean"]'), fromFile, 'activations.npy GN');
  await screenshot(page, 'playground-file-light');

  // ---- reload again: the file's tensor is read again from the file (its URI and name were kept, not its data)
  revived = await reloadWindow(page, 256);
  await waitForText(revived, '[data-testid="input-info"]', 'activations.npy: activations · [8, 32, 16, 16]');
  assert.equal(await revived.locator('[data-testid="input-info"]').getAttribute('data-shape'), act.shape.join(','));
  assertStats(await values(revived, '[data-testid="stats-row"] [data-testid="row-mean"]'), fromFile, 'activations.npy GN after reload');
  assert.equal(await revived.locator('[data-testid="eps"]').evaluate((e) => e.value), '0.01');
  assert.equal(await readText(revived, '[data-testid="input-notice"]'), '');
  await sleep(500);
  await screenshot(page, 'playground-file-restored-light');

  // ---- keyboard: the cube is a tab stop and the arrow keys walk through the sets
  await revived.locator('[data-testid="tab-inspect"]').click();
  await revived.locator('[data-testid="cube"]').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await waitForText(revived, '[data-testid="set-label"]', 'n=0, g=2 (c=2)');
  assert.equal(await revived.locator('[data-testid="stats-row"].selected').getAttribute('data-set'), '2');

  // ---- high contrast: still drawn from the theme's variables
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget .quick-input-box input').fill('Dark High Contrast');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Dark High Contrast' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-workbench.hc-black').waitFor({ timeout: 15_000 });
  await sleep(1000);
  await screenshot(page, 'playground-inspect-hc');

  // ---- the file changed shape: a reload falls back to the generator and says what was expected and what was found
  writeNpy(path.join(workspace, 'activations.npy'), [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
  revived = await reloadWindow(page, 256);
  await waitForText(revived, '[data-testid="input-notice"]', "activations.npy: expected 'activations' of shape [8, 32, 16, 16], found shape [2, 4]");
  await waitForText(revived, '[data-testid="input-info"]', 'generated · [32, 8, 8, 8]');
  await sleep(500);
  await screenshot(page, 'playground-file-fallback-hc');

  // ---- strict CSP: nothing was refused
  const refused = (page.consoleLines ?? []).filter((l) => /Content Security Policy|Refused to/i.test(l));
  assert.deepEqual(refused, [], 'CSP violations in the console');
}, { workspace, timeoutMs: 300_000 });

fs.rmSync(workspace, { recursive: true, force: true });
