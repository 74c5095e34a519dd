// Helpers for driving NormLab inside a real VS Code (code-server 4.100.3 = VS Code 1.100.3) with
// Playwright + Debian Chromium. Used by test/e2e/run.mjs, every test/e2e/ui/*.e2e.mjs and
// scripts/start.mjs. A UI test is normally just:
//
//   import { runUiTest, runCommand, findFrame, screenshot } from '../lib.mjs';
//   await runUiTest('playground', async ({ page }) => {
//     await runCommand(page, 'NormLab: Open Playground');
//     const frame = await findFrame(page, '#app');
//     await screenshot(page, 'playground');
//   });
//
// Env knobs: NORMLAB_EXT_PATH (extension folder, default repo root), E2E_EXT_MODE=dev|vsix,
// CHROMIUM_PATH, CODE_SERVER_ENTRY, CODE_SERVER_NODE, E2E_TIMEOUT_MS, HEADED=1, DEBUG_CONSOLE=1,
// E2E_KEEP_TMP=1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, chromiumPath, codeServerEntry, codeServerNode } from '../../scripts/ensure-vscode.mjs';

export { REPO_ROOT };
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
export const SHOTS_DIR = path.join(REPO_ROOT, 'shots');
export const VSIX_PATH = path.resolve(process.env.NORMLAB_VSIX || path.join(REPO_ROOT, 'normlab.vsix'));
export const EXTENSION_ID = 'normlab.normlab';

/** Folder of the extension under test (NORMLAB_EXT_PATH lets the harness run a scratch extension). */
export function extensionPath() {
  return path.resolve(process.env.NORMLAB_EXT_PATH || REPO_ROOT);
}

/** dev: load via extensionDevelopmentPath (default); vsix: install normlab.vsix before starting. */
export function extMode() {
  const mode = process.env.E2E_EXT_MODE || 'dev';
  if (mode !== 'dev' && mode !== 'vsix') throw new Error(`E2E_EXT_MODE must be dev or vsix, got ${mode}`);
  return mode;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects with a clear message when `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms / 1000)} s: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** User settings for a quiet, deterministic workbench. */
export const DEFAULT_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.commandCenter.enabled': false,
  'window.dialogStyle': 'custom',
  'files.simpleDialog.enable': true,
};

const openServers = new Set();

/**
 * Starts code-server in its own process group with fresh temp user-data/extensions dirs.
 * @param {{ workspace?: string, port?: number, settings?: Record<string, unknown>,
 *           extensionsDir?: string, installVsix?: string, linkExtension?: string, quiet?: boolean, displayLanguage?: string }} [opts]
 *   installVsix: `--install-extension` this file first; linkExtension: symlink this unpacked
 *   extension folder into the extensions dir (what `npm start` does). displayLanguage: run VS Code in this display
 *   language (only 'zh-cn': see useLanguagePack).
 */
export async function startServer(opts = {}) {
  const entry = codeServerEntry();
  if (!fs.existsSync(entry)) throw new Error(`code-server not installed (${entry}); run: node scripts/ensure-vscode.mjs`);
  const workspace = path.resolve(opts.workspace ?? EXAMPLES_DIR);
  const port = opts.port ?? (await freePort());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-vscode-'));
  const userData = path.join(tmp, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2));
  // --config keeps ~/.config/code-server untouched.
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, 'auth: none\ncert: false\n');
  const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensionsDir];

  if (opts.installVsix) installVsix(opts.installVsix, common, tmp);
  if (opts.linkExtension) linkUnpackedExtension(opts.linkExtension, extensionsDir);
  if (opts.displayLanguage) useLanguagePack(opts.displayLanguage, userData, extensionsDir);

  const logPath = path.join(tmp, 'server.log');
  const logFd = fs.openSync(logPath, 'w');
  const args = [entry, ...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened', '--disable-proxy', ...(opts.displayLanguage ? ['--locale', opts.displayLanguage] : []), workspace];
  const proc = spawn(codeServerNode(), args, { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, NODE_OPTIONS: '' } });
  fs.closeSync(logFd);
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });

  const url = `http://127.0.0.1:${port}/`;
  const server = {
    url, port, workspace, tmp, logPath, extensionsDir, proc,
    /** vscode-remote:// URI for a path on this machine, as the workbench's payload needs it. */
    remoteUri: (p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`,
    logTail: (n = 40) => { try { return fs.readFileSync(logPath, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; } },
    stop: async ({ keepTmp = false } = {}) => {
      openServers.delete(server);
      await killGroup(proc, () => exited !== null);
      if (pidFile) fs.rmSync(pidFile, { force: true });
      if (!keepTmp && process.env.E2E_KEEP_TMP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  openServers.add(server);
  // test/e2e/run.mjs passes a folder where each server leaves its process-group id, so it can
  // still stop a server whose driver was killed before its own cleanup ran.
  const pidDir = process.env.NORMLAB_E2E_PIDDIR;
  const pidFile = pidDir && proc.pid ? path.join(pidDir, String(proc.pid)) : undefined;
  if (pidFile) fs.writeFileSync(pidFile, tmp);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start (${JSON.stringify(exited)}):\n${server.logTail()}`);
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await server.stop({ keepTmp: true });
      throw new Error(`code-server did not answer /healthz within 60 s; log: ${logPath}\n${server.logTail()}`);
    }
    await sleep(200);
  }
  if (!opts.quiet) console.log(`[e2e] code-server on ${url} (workspace ${path.relative(REPO_ROOT, workspace) || '.'}, tmp ${tmp})`);
  return server;
}

function installVsix(vsix, common, tmp) {
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} not found; run: npm run package`);
  const r = spawnSync(codeServerNode(), [codeServerEntry(), ...common, '--install-extension', vsix],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' } });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  fs.writeFileSync(path.join(tmp, 'install-extension.log'), out);
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`code-server --install-extension ${path.basename(vsix)} failed (exit ${r.status}):\n${out.trim()}`);
  }
}

/** Symlinks an unpacked extension as <publisher>.<name>-<version>, which VS Code scans at startup. */
export function linkUnpackedExtension(extDir, extensionsDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  const link = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(path.resolve(extDir), link, 'dir');
  return link;
}

/**
 * A display language without Microsoft's language pack (not reachable offline): a stub pack that declares the
 * language and translates nothing (test/e2e/fixtures/language-pack-<id>), linked into the extensions dir, and the
 * languagepacks.json that VS Code would write when installing a pack (it only does so at install time). VS Code's
 * own UI then stays English; extensions get `vscode.env.language` = id, so NormLab's package.nls.<id>.json and
 * l10n/bundle.l10n.<id>.json are used, which is what the test checks.
 */
function useLanguagePack(id, userData, extensionsDir) {
  const dir = path.join(REPO_ROOT, 'test', 'e2e', 'fixtures', `language-pack-${id}`);
  const link = linkUnpackedExtension(dir, extensionsDir);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const loc = manifest.contributes.localizations[0];
  fs.writeFileSync(path.join(userData, 'languagepacks.json'), JSON.stringify({
    [id]: {
      hash: `${manifest.name}-${manifest.version}`,
      extensions: [{ extensionIdentifier: { id: `${manifest.publisher}.${manifest.name}` }, version: manifest.version }],
      translations: Object.fromEntries(loc.translations.map((t) => [t.id, path.join(link, t.path)])),
      label: loc.localizedLanguageName,
    },
  }));
}

/**
 * Palette titles ("NormLab: Open Playground") of the manifest's commands, by command id, resolved through
 * package.nls.<locale>.json when given (falling back to package.nls.json, as VS Code does).
 * @param {string} [locale]
 * @returns {Map<string, string>}
 */
export function commandTitles(locale) {
  const dir = extensionPath();
  const read = (f) => (fs.existsSync(path.join(dir, f)) ? JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) : {});
  const manifest = read('package.json');
  const nls = { ...read('package.nls.json'), ...(locale ? read(`package.nls.${locale}.json`) : {}) };
  const resolve = (s) => s.replace(/^%(.+)%$/, (_, key) => nls[key] ?? s);
  return new Map(manifest.contributes.commands.map((c) => [c.command, `${resolve(c.category ?? '')}: ${resolve(c.title)}`]));
}

/** SIGTERM the whole process group, SIGKILL after 5 s. */
async function killGroup(proc, isDead) {
  if (!proc.pid || isDead()) return;
  try { process.kill(-proc.pid, 'SIGTERM'); } catch { return; }
  for (let i = 0; i < 50 && !isDead(); i++) await sleep(100);
  try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
}

// Last-resort cleanup so no code-server outlives its driver (crash, Ctrl-C, timeout).
function killAllSync() {
  for (const s of openServers) {
    try { process.kill(-s.proc.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  openServers.clear();
}
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (process.listenerCount(sig) > 1) return; // the script has its own graceful handler
    killAllSync();
    process.exit(130);
  });
}

/** Launches Debian Chromium through playwright-core (fresh temp profile per launch). */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath,
    headless: process.env.HEADED !== '1',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
  });
}

/** Workbench URL: dev mode adds extensionDevelopmentPath (and extensionTestsPath) to the payload. */
/** devPath overrides the development extension folder (vsix mode runs the in-host suite with a stub). */
export function workbenchUrl(server, { dev = extMode() === 'dev', extensionTestsPath, devPath } = {}) {
  const params = new URLSearchParams({ folder: server.workspace });
  const payload = [];
  if (dev || devPath) payload.push(['extensionDevelopmentPath', server.remoteUri(devPath ?? extensionPath())]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remoteUri(extensionTestsPath)]);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${server.url}?${params}`;
}

/** A fresh page whose console lines are collected in `page.consoleLines` (saved on failure). */
export async function newPage(browser, { viewport = { width: 1400, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (msg) => {
    const line = `[${msg.type()}] ${msg.text()}`;
    consoleLines.push(line);
    if (process.env.DEBUG_CONSOLE === '1') console.log(`[browser] ${line}`);
  });
  page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
  /** @type {any} */ (page).consoleLines = consoleLines;
  return page;
}

/**
 * Opens the workbench and waits until it is usable: explorer visible (with the workspace's files
 * listed when it has any) and, in dev mode, the Extension Development Host window.
 * @param {{ browser?: import('playwright-core').Browser, page?: import('playwright-core').Page, server: any,
 *           dev?: boolean, viewport?: { width: number, height: number } }} opts
 * @returns {Promise<import('playwright-core').Page>}
 */
export async function openWorkbench({ browser, page, server, dev = extMode() === 'dev', viewport }) {
  if (!page) {
    if (!browser) throw new Error('openWorkbench needs a browser or a page');
    page = await newPage(browser, { viewport });
  }
  await page.goto(workbenchUrl(server, { dev }), { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view').waitFor({ timeout: 60_000 });
  const hasFiles = fs.readdirSync(server.workspace).some((f) => !f.startsWith('.'));
  if (hasFiles) await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  if (dev) {
    // Proof the payload was honoured; otherwise the extension under test is not loaded at all.
    await page.waitForFunction(() => document.title.includes('Extension Development Host'), null, { timeout: 30_000 })
      .catch(async () => { throw new Error(`window title is "${await page.title()}": the workbench ignored the extensionDevelopmentPath payload`); });
  }
  return page;
}

/** Waits until the extension host has activated NormLab (its commands appear in the palette). */
export async function waitForExtension(page, commandTitle = 'NormLab: Open Playground', timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    await openPalette(page, commandTitle);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: commandTitle }).first();
    const found = await row.waitFor({ timeout: 3_000 }).then(() => true, () => false);
    await page.keyboard.press('Escape');
    if (found) return;
    if (Date.now() > deadline) throw new Error(`"${commandTitle}" never appeared in the command palette: is the extension loaded?`);
    await sleep(1000);
  }
}

/** Opens the F1 command palette with `text` typed after the ">". */
export async function openPalette(page, text = '') {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape');
    // Webviews forward F1 to the workbench; if focus is stuck elsewhere, drop it and try again.
    if (attempt > 0) await page.evaluate(() => /** @type {HTMLElement | null} */ (document.activeElement)?.blur?.()).catch(() => {});
    await page.keyboard.press('F1');
    if (await input.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) break;
    if (attempt >= 3) throw new Error('command palette did not open (F1)');
  }
  await input.fill(`>${text}`);
  return input;
}

/** Lists the command titles the palette shows for `filter` (e.g. 'NormLab:'). */
export async function listPaletteCommands(page, filter) {
  await openPalette(page, filter);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor({ timeout: 10_000 });
  await sleep(300); // the list is filled in batches
  const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
  return labels;
}

/** Runs a command by its palette title (e.g. 'NormLab: Open Playground') via F1, as a user would. */
export async function runCommand(page, title, { timeout = 30_000 } = {}) {
  await openPalette(page, title);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({
    has: page.locator('.label-name', { hasText: title }),
  });
  const exact = row.filter({ hasText: new RegExp(`^\\s*${escapeRegExp(title)}`) }).first();
  await exact.or(row.first()).first().waitFor({ timeout }).catch(() => {
    throw new Error(`command "${title}" not found in the palette`);
  });
  await (await exact.count() ? exact : row.first()).click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Answers an open quick pick / input box: types `text` and presses Enter. */
export async function answerQuickInput(page, text, { timeout = 15_000 } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(text);
  // Enter is ignored while an earlier value's validation error is still shown (the extension host
  // re-validates asynchronously), so wait for the error decoration to clear first. A value that
  // stays invalid is still submitted after 3 s and the caller's next step fails with the state.
  await sleep(200);
  await page.locator('.quick-input-widget .quick-input-box .monaco-inputbox.error')
    .waitFor({ state: 'detached', timeout: 3_000 }).catch(() => {});
  await page.keyboard.press('Enter');
}

/**
 * Opens a workspace file by double-clicking it in the explorer ('sub/dir/file.npy' expands folders).
 * @returns {Promise<void>}
 */
export async function openFileFromExplorer(page, relPath, { timeout = 30_000 } = {}) {
  const parts = relPath.split('/').filter(Boolean);
  const view = page.locator('.explorer-folders-view');
  await view.waitFor({ timeout });
  for (let i = 0; i < parts.length; i++) {
    const row = view.locator(`.monaco-list-row[aria-label="${parts[i].replace(/"/g, '\\"')}"]`).first();
    await row.waitFor({ timeout }).catch(() => { throw new Error(`"${parts.slice(0, i + 1).join('/')}" not found in the explorer`); });
    await row.scrollIntoViewIfNeeded();
    if (i < parts.length - 1) {
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    } else {
      await row.dblclick();
    }
  }
  // The editor tab for the file appears when it opened (custom editor or text).
  const name = parts[parts.length - 1];
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout })
    .catch(() => { throw new Error(`no editor tab for ${name} after double-click`); });
}

/**
 * Finds the frame (webview panels and custom editors live in iframe.webview > iframe#active-frame)
 * that contains `selector`; polls until `timeout`.
 * @returns {Promise<import('playwright-core').Frame>}
 */
export async function findFrame(page, selector, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        if (await frame.$(selector)) return frame;
      } catch { /* frame navigated or detached meanwhile */ }
    }
    if (Date.now() > deadline) {
      const urls = page.frames().map((f) => f.url().slice(0, 120)).join('\n  ');
      throw new Error(`no frame contains "${selector}" after ${timeout} ms; frames:\n  ${urls}`);
    }
    await sleep(250);
  }
}

/** Text content of `selector` (trimmed) in a page or frame. */
export async function readText(target, selector, { timeout = 15_000 } = {}) {
  const loc = target.locator(selector).first();
  await loc.waitFor({ state: 'attached', timeout });
  return ((await loc.textContent()) ?? '').trim();
}

/** Waits until `selector`'s text matches `expected` (string: includes; RegExp: test); returns the text. */
export async function waitForText(target, selector, expected, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  let last = '';
  for (;;) {
    try { last = await readText(target, selector, { timeout: 1_000 }); } catch { last = '<missing>'; }
    if (typeof expected === 'string' ? last.includes(expected) : expected.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`"${selector}" text is ${JSON.stringify(last)}, expected ${expected}`);
    await sleep(200);
  }
}

/** Texts of all elements matching `selector`. */
export async function readAllText(target, selector) {
  return target.locator(selector).evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
}

/** Saves shots/<name>.png (gitignored) and returns its path. */
export async function screenshot(page, name) {
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  console.log(`[e2e] screenshot ${path.relative(REPO_ROOT, file)}`);
  return file;
}

/** Switches the color theme via "Preferences: Color Theme" and waits for the workbench to repaint. */
export async function setTheme(page, kind) {
  const theme = kind === 'light' ? 'Light Modern' : 'Dark Modern';
  const cls = kind === 'light' ? 'vs' : 'vs-dark';
  const already = await page.locator(`.monaco-workbench.${cls}`).count();
  if (already) return;
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(theme);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.monaco-workbench.${cls}`).waitFor({ timeout: 15_000 });
}

/** Texts of the notification toasts currently shown (errors, infos). */
export async function readNotifications(page) {
  return page.locator('.notifications-toasts .notification-list-item-message').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
}

/** axe-core's browser bundle, read once (devDependency). */
let axeSource;

/**
 * Runs axe-core (all its rules: WCAG A/AA and best practices) inside a webview frame (or a page) and throws
 * one error listing every violation by rule, impact and element unless there are none. The source is evaluated
 * through the DevTools protocol, which the webview's CSP does not govern, so the CSP stays as users get it.
 * Call it once the view has rendered what you want checked (open tabs, dialogs, loaded data).
 * @param {import('playwright-core').Frame | import('playwright-core').Page} target
 * @param {string} label names the view in the error and the log, e.g. 'playground: Compare tab'
 * @returns {Promise<number>} how many rules passed (a sanity check that axe saw the view)
 */
export async function axeCheck(target, label) {
  axeSource ??= fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const loaded = await target.evaluate('typeof window.axe === "object"');
  if (!loaded) await target.evaluate(`${axeSource}\n;void 0`);
  const result = await target.evaluate(async () => {
    const r = await /** @type {any} */ (window).axe.run(document, { resultTypes: ['violations'] });
    return {
      passes: r.passes.length,
      violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join('; ').trim() ?? ''}`),
      })),
    };
  });
  if (result.violations.length > 0) {
    const lines = result.violations.flatMap((v) => [`  ${v.id} (${v.impact}): ${v.help}`, ...v.nodes.map((n) => `    ${n}`)]);
    throw new Error(`axe: ${label}: ${result.violations.length} rule(s) violated\n${lines.join('\n')}`);
  }
  console.log(`[e2e] axe: ${label}: no violations (${result.passes} rules passed)`);
  return result.passes;
}

/**
 * Runs one UI test: starts code-server and Chromium, opens the workbench (extension loaded and
 * activated-able), runs `body`, and always cleans up. On failure saves shots/<name>-failure.png,
 * shots/<name>-console.log and prints the server log tail. Sets process.exitCode; never hangs
 * (E2E_TIMEOUT_MS, default 180 s).
 * @param {string} name
 * @param {(ctx: { page: import('playwright-core').Page, server: any, browser: import('playwright-core').Browser }) => Promise<void>} body
 * @param {{ workspace?: string, settings?: Record<string, unknown>, timeoutMs?: number, waitForExtension?: boolean | string, displayLanguage?: string }} [opts]
 *   waitForExtension: false, or the palette title to wait for (default 'NormLab: Open Playground').
 */
export async function runUiTest(name, body, opts = {}) {
  const t0 = Date.now();
  const timeoutMs = opts.timeoutMs ?? Number(process.env.E2E_TIMEOUT_MS || 180_000);
  // Hard stop even if teardown itself hangs.
  const hard = setTimeout(() => {
    console.error(`[e2e] ${name}: FAIL (hard timeout ${timeoutMs + 30_000} ms)`);
    killAllSync();
    process.exit(1);
  }, timeoutMs + 30_000);
  hard.unref();
  let server;
  let browser;
  let page;
  let ok = false;
  try {
    await withTimeout((async () => {
      const vsix = extMode() === 'vsix' ? VSIX_PATH : undefined;
      server = await startServer({ workspace: opts.workspace, settings: opts.settings, installVsix: vsix, displayLanguage: opts.displayLanguage });
      browser = await launchBrowser();
      page = await newPage(browser);
      await openWorkbench({ page, server });
      if (opts.waitForExtension !== false) await waitForExtension(page, typeof opts.waitForExtension === 'string' ? opts.waitForExtension : undefined);
      await body({ page, server, browser });
    })(), timeoutMs, `UI test ${name}`);
    ok = true;
  } catch (err) {
    console.error(`[e2e] ${name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    if (page) {
      await screenshot(page, `${name}-failure`).catch(() => {});
      fs.mkdirSync(SHOTS_DIR, { recursive: true });
      fs.writeFileSync(path.join(SHOTS_DIR, `${name}-console.log`), (/** @type {any} */ (page).consoleLines ?? []).join('\n'));
    }
    if (server) console.error(`[e2e] code-server log tail (${server.logPath}):\n${server.logTail(30)}`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop({ keepTmp: !ok }).catch(() => {});
    clearTimeout(hard);
  }
  console.log(`[e2e] ${name}: ${ok ? 'PASS' : 'FAIL'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (!ok) process.exitCode = 1;
  return ok;
}
