// UI: "Why Normalize? (Feature Scaling)" in a real workbench. Open it from the palette, read κ and the step counts
// it shows and compare them with the kernel run here on the same seeded data; switch to standardized and see κ drop;
// drive ρ, the learning rate and the animation; take two columns of a workspace .npy (read by the host, asked for
// by token); reload the window and find the state again. Screenshots in the dark and the light theme (shots/);
// UPDATE_DOC_SHOTS=1 also copies the light one to media/screenshots/feature-scaling.png for docs/feature-scaling.md.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import {
  REPO_ROOT, answerQuickInput, axeCheck, commandTitles, findFrame, runCommand, runUiTest, screenshot, setTheme, sleep, waitForText,
} from '../lib.mjs';
const k = await tsImport('../../../src/kernels/featureScaling.ts', import.meta.url);
const { defaultState } = await tsImport('../../../src/webview/featureScaling/state.ts', import.meta.url);

const TITLE = commandTitles().get('normlab.openFeatureScaling');
assert.equal(TITLE, 'NormLab: Why Normalize? (Feature Scaling)');
assert.equal(commandTitles('zh-cn').get('normlab.openFeatureScaling'), 'NormLab: 为什么要归一化？（特征缩放）');

// A workspace with one 2-D tensor: 300 rows × 3 columns of scales 1, 50 and 5 (float32 .npy).
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-featscale-ws-'));
const ROWS = 300;
const table = new Float32Array(ROWS * 3);
for (let i = 0; i < ROWS; i++) {
  table[3 * i] = Math.sin(i * 0.37) + 0.2 * Math.cos(i * 1.3);
  table[3 * i + 1] = 50 * Math.cos(i * 0.91);
  table[3 * i + 2] = 5 * Math.sin(i * 2.1);
}
writeNpy(path.join(workspace, 'features.npy'), [ROWS, 3], table);

function writeNpy(file, shape, data) {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const header = `${dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 11)}\n`;
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]));
}

/** The kernel's κ and steps for each transform of `data`, with the view's default descent settings. */
function expected(data, state = defaultState()) {
  return Object.fromEntries(k.FEATURE_TRANSFORMS.map((t) => {
    const d = k.transformData(data, t);
    const a = k.analyze(d);
    const p = k.descend(d, a, { lr: state.lrFraction * a.maxStableLr, momentum: state.momentum, start: state.start });
    return [t, { kappa: a.kappa, steps: p.outcome === 'converged' ? String(p.steps) : p.outcome }];
  }));
}

/** Scrolls the webview so the descent controls and the pictures are in view (for the screenshots). */
const showPlots = (frame) => frame.locator('[data-testid="view-raw"]').evaluate((e) => e.scrollIntoView({ block: 'start' }));

const value = async (frame, id) => frame.locator(`[data-testid="${id}"]`).getAttribute('data-value');

/** Waits until every view's step count is known, then returns κ and steps as shown. */
async function shown(frame) {
  const out = {};
  for (const t of k.FEATURE_TRANSFORMS) {
    const deadline = Date.now() + 60_000;
    let steps;
    while ((steps = await value(frame, `steps-${t}`)) === 'running' || steps === null) {
      if (Date.now() > deadline) throw new Error(`steps-${t} never finished`);
      await sleep(200);
    }
    out[t] = { kappa: Number(await value(frame, `kappa-${t}`)), steps };
  }
  return out;
}

function assertSame(actual, exp, what) {
  for (const t of k.FEATURE_TRANSFORMS) {
    assert.ok(Math.abs(actual[t].kappa - exp[t].kappa) <= 1e-9 * exp[t].kappa, `${what} ${t}: κ ${actual[t].kappa} vs kernel ${exp[t].kappa}`);
    assert.equal(actual[t].steps, exp[t].steps, `${what} ${t}: steps`);
  }
}

/** Until the shown values change from `before` (a rebuild after a control moved) and then hold still. */
async function changed(frame, before) {
  const deadline = Date.now() + 30_000;
  let last = JSON.stringify(before);
  for (;;) {
    const now = await shown(frame);
    const text = JSON.stringify(now);
    if (text !== JSON.stringify(before) && text === last) return now;
    last = text;
    if (Date.now() > deadline) throw new Error(`the numbers did not change: ${JSON.stringify(now)}`);
    await sleep(200);
  }
}

async function choose(frame, testId, optionText) {
  await frame.locator(`[data-testid="${testId}"]`).click();
  await frame.locator(`[data-testid="${testId}"] [role="option"]`, { hasText: optionText }).first().click();
}

const SHOT_FOR_DOCS = path.join(REPO_ROOT, 'media', 'screenshots', 'feature-scaling.png');

await runUiTest('featureScaling', async ({ page }) => {
  await setTheme(page, 'dark');
  await runCommand(page, TITLE);
  const frame = await findFrame(page, '[data-testid="numbers"]', { timeout: 60_000 });
  const tab = page.locator('.tabs-container .tab', { hasText: 'Why Normalize? (Feature Scaling)' });
  await tab.first().waitFor({ timeout: 10_000 });

  // ---- the defaults: x1 ~ 1, x2 ~ 100, ρ = 0
  const spec = defaultState().spec;
  const defaults = await shown(frame);
  assertSame(defaults, expected(k.generateScalingData(spec)), 'defaults');
  console.log(`[e2e] defaults: ${JSON.stringify(defaults)}`);
  assert.ok(defaults.raw.kappa > 5000, `raw κ ${defaults.raw.kappa}`);
  await frame.locator('[data-testid="plot-raw"]').waitFor();
  await showPlots(frame);
  await screenshot(page, 'featureScaling-side-by-side-dark');

  // ---- switch to standardized: only its picture, κ drops to about 1 and it converges in a step or two
  await frame.locator('[data-testid="view-standardized"]').click();
  assert.equal(await frame.locator('[data-testid="view-standardized"]').getAttribute('aria-pressed'), 'true');
  await frame.locator('[data-testid="card-raw"]').waitFor({ state: 'hidden' });
  const label = await frame.locator('[data-testid="plot-standardized"]').getAttribute('aria-label');
  const kappaShown = Number(/κ = ([\d.e+-]+)/.exec(label)[1]);
  assert.ok(kappaShown < 1.1 && kappaShown < defaults.raw.kappa / 1000, `standardized κ in the picture's label: ${label}`);
  assert.match(await frame.locator('[data-testid="caption-standardized"]').textContent(), /converges in 1 step$/);
  await showPlots(frame);
  await screenshot(page, 'featureScaling-standardized-dark');

  // ---- ρ = 0.8: standardizing leaves κ = (1+ρ)/(1−ρ) ≈ 9 up to sampling, whitening gives 1
  await frame.locator('[data-testid="rho"]').fill('0.8');
  const correlated = await changed(frame, defaults);
  assertSame(correlated, expected(k.generateScalingData({ ...spec, rho: 0.8 })), 'ρ = 0.8');
  assert.ok(correlated.standardized.kappa > 7 && correlated.standardized.kappa < 11, `κ standardized with ρ=0.8: ${correlated.standardized.kappa}`);
  assert.ok(Math.abs(correlated.whitened.kappa - 1) < 1e-9);
  assert.ok(Number(correlated.standardized.steps) > 3 * Number(correlated.whitened.steps), `the tilt costs steps: ${JSON.stringify(correlated)}`);
  await waitForText(frame, '[data-testid="rho-value"]', '0.80');

  // ---- the animation: restart, step, play to the end
  await frame.locator('[data-testid="restart"]').click();
  await waitForText(frame, '[data-testid="step-info"]', /^step 0 of /);
  await frame.locator('[data-testid="step"]').click();
  await waitForText(frame, '[data-testid="step-info"]', /^step 1 of /);
  await frame.locator('[data-testid="view-raw"]').click();
  await frame.locator('[data-testid="play"]').click();
  await sleep(800);
  const during = await frame.locator('[data-testid="step-info"]').textContent();
  await waitForText(frame, '[data-testid="play"]', 'Play', { timeout: 60_000 }); // it stops at the end by itself
  const total = correlated.raw.steps;
  await waitForText(frame, '[data-testid="step-info"]', `step ${Number(total).toLocaleString('en-US')} of`);
  console.log(`[e2e] animation: "${during}" while playing; raw needs ${total} steps`);

  // ---- a learning rate above 2/λmax diverges, in every view
  await frame.locator('[data-testid="lr"]').fill('1.05');
  const fast = await changed(frame, correlated);
  for (const t of k.FEATURE_TRANSFORMS) assert.equal(fast[t].steps, 'diverged', `${t} at 1.05 × 2/λmax`);
  assert.match(await frame.locator('[data-testid="steps-raw"]').textContent(), /diverges/);
  await frame.locator('[data-testid="lr"]').fill('0.5'); // back to the default, lr = 1/λmax
  await changed(frame, fast);

  // ---- logistic regression: the same argument with the cross-entropy (Hessian at the Newton optimum)
  const linear = await shown(frame);
  await choose(frame, 'model', 'logistic regression');
  const logistic = await changed(frame, linear);
  assertSame(logistic, expected(k.generateScalingData({ ...spec, rho: 0.8, model: 'logistic' })), 'logistic');
  assert.ok(logistic.raw.kappa > 100 * logistic.standardized.kappa, `logistic κ: ${JSON.stringify(logistic)}`);
  console.log(`[e2e] logistic: ${JSON.stringify(logistic)}`);
  await choose(frame, 'model', 'linear regression');
  await changed(frame, logistic);

  // ---- the side-by-side picture in both themes
  await frame.locator('[data-testid="side-by-side"]').click();
  await frame.locator('[data-testid="card-raw"]').waitFor({ state: 'visible' });
  await showPlots(frame);
  await screenshot(page, 'featureScaling-correlated-dark');
  await setTheme(page, 'light');
  await sleep(800);
  const shot = await screenshot(page, 'featureScaling-correlated-light');
  fs.mkdirSync(path.dirname(SHOT_FOR_DOCS), { recursive: true });
  if (process.env.UPDATE_DOC_SHOTS === '1') fs.copyFileSync(shot, SHOT_FOR_DOCS);

  // ---- accessibility: axe-core inside the webview, in the light and the dark theme
  await axeCheck(frame, 'feature scaling (light)');
  await setTheme(page, 'dark');
  await axeCheck(frame, 'feature scaling (dark)');

  // ---- two columns of a workspace file, read by the host
  await choose(frame, 'source', 'two columns of a file');
  await answerQuickInput(page, 'features.npy');
  await waitForText(frame, '[data-testid="file-info"]', 'features.npy: features: 300 of 300 rows, 3 columns');
  const x1 = Array.from({ length: ROWS }, (_, i) => table[3 * i]);
  const x2 = Array.from({ length: ROWS }, (_, i) => table[3 * i + 1]);
  const fromFile = await changed(frame, correlated);
  assertSame(fromFile, expected(k.dataFromColumns('linear', x1, x2, null, spec.noise, spec.seed)), 'file columns 0, 1');
  console.log(`[e2e] file: ${JSON.stringify(fromFile)}`);
  await frame.locator('[data-testid="column-x2"] input').fill('2');
  await frame.locator('[data-testid="column-x2"] input').press('Enter');
  await frame.locator('[data-testid="column-x2"] input').blur();
  const x3 = Array.from({ length: ROWS }, (_, i) => table[3 * i + 2]);
  const other = await changed(frame, fromFile);
  assertSame(other, expected(k.dataFromColumns('linear', x1, x3, null, spec.noise, spec.seed)), 'file columns 0, 2');
  await screenshot(page, 'featureScaling-file-dark');

  // ---- reload: the panel comes back with its state (file columns kept in the webview state)
  await runCommand(page, 'Developer: Reload Window');
  await sleep(3000);
  const revived = await findFrame(page, '[data-testid="numbers"]', { timeout: 90_000 });
  const again = await shown(revived);
  assertSame(again, expected(k.dataFromColumns('linear', x1, x3, null, spec.noise, spec.seed)), 'after reload');
  await waitForText(revived, '[data-testid="file-info"]', 'features.npy');
  console.log('[e2e] reload: state kept');
}, { workspace, timeoutMs: 300_000, waitForExtension: TITLE });
