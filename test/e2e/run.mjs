// `npm run test:e2e`: NormLab inside a real VS Code 1.100.3 (code-server), offline.
//  1. ensures apt deps + code-server (scripts/ensure-vscode.mjs) and builds (node esbuild.mjs);
//  2. runs the in-host mocha suite (out/e2e/suite/index.js) in code-server's Node extension host,
//     taking the exit code from window.codeAutomationExit and echoing mocha's output;
//  3. runs every test/e2e/ui/*.e2e.mjs as its own node process (each exits non-zero on failure).
// Ends with the line `N passed, M failed` (one count per UI script plus the in-host suite).
// Args: names filter the UI scripts (`node test/e2e/run.mjs smoke`). Env: SKIP_EXT_TESTS=1,
// SKIP_UI_TESTS=1, E2E_SKIP_BUILD=1, E2E_SKIP_ENSURE=1, EXT_TEST_TIMEOUT_MS, E2E_SCRIPT_TIMEOUT_MS,
// E2E_EXT_MODE=dev|vsix (vsix: `npm run package` first, tests the installed package).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildExtension, ensureAll } from '../../scripts/ensure-vscode.mjs';
import {
  REPO_ROOT, SHOTS_DIR, VSIX_PATH, extMode, launchBrowser, screenshot, sleep, startServer, withTimeout, workbenchUrl,
} from './lib.mjs';

const UI_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'ui');
const SUITE_ENTRY = path.join(REPO_ROOT, 'out', 'e2e', 'suite', 'index.js');
const results = []; // { name, ok, seconds }

function record(name, ok, t0) {
  const seconds = (Date.now() - t0) / 1000;
  results.push({ name, ok, seconds });
  console.log(`[e2e] ${ok ? 'PASS' : 'FAIL'} ${name} (${seconds.toFixed(1)} s)`);
}

/** Runs the mocha suite inside the server-side extension host; resolves to true when it passed. */
async function runInHostSuite() {
  const t0 = Date.now();
  const timeoutMs = Number(process.env.EXT_TEST_TIMEOUT_MS || 300_000);
  let server;
  let browser;
  let page;
  let ok = false;
  const consoleLines = [];
  try {
    if (!fs.existsSync(SUITE_ENTRY)) throw new Error(`${SUITE_ENTRY} missing: the esbuild step did not build the suite`);
    server = await startServer({ installVsix: extMode() === 'vsix' ? VSIX_PATH : undefined });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    let settle;
    const exitCode = new Promise((resolve) => { settle = resolve; });
    // The workbench calls this when the extension host finishes run(): 0 = passed.
    let exited = false;
    await page.exposeFunction('codeAutomationExit', (code) => { exited = true; settle(code); });
    page.on('console', (msg) => {
      const text = msg.text();
      consoleLines.push(`[${msg.type()}] ${text}`);
      const i = text.indexOf('[test] ');
      if (i >= 0) console.log(`  ${text.slice(i + 7)}`);
      else if (process.env.DEBUG_CONSOLE === '1') console.log(`[browser] ${text}`);
    });
    page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
    // The workbench only runs extensionTestsPath for a development extension; in vsix mode that is
    // an empty stub, so the installed normlab.vsix is what the suite sees.
    const devPath = extMode() === 'vsix' ? writeStubExtension(server.tmp) : undefined;
    const url = workbenchUrl(server, { dev: extMode() === 'dev', extensionTestsPath: SUITE_ENTRY, devPath });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    // Fail fast when the workbench ignores the payload (then the suite would never start).
    await page.waitForFunction(() => document.title.includes('Extension Development Host'), null, { timeout: 90_000 })
      .catch(async () => {
        if (exited) return; // the suite already finished
        throw new Error(`window title is "${await page.title()}": the workbench ignored the test payload`);
      });
    const code = await withTimeout(exitCode, timeoutMs, 'in-host suite (no codeAutomationExit; see shots/in-host-console.log)');
    ok = code === 0;
    if (!ok) console.error(`[e2e] in-host suite: extension host exit code ${code}`);
  } catch (err) {
    console.error(`[e2e] in-host suite: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (!ok) {
      if (page) await screenshot(page, 'in-host-failure').catch(() => {});
      fs.mkdirSync(SHOTS_DIR, { recursive: true });
      fs.writeFileSync(path.join(SHOTS_DIR, 'in-host-console.log'), consoleLines.join('\n'));
      // Offline noise: the extension gallery (open-vsx) and missing optional resources.
      const noise = /open-vsx|ERR_NAME_NOT_RESOLVED|Failed to load resource/;
      const errors = consoleLines.filter((l) => (/^\[error\]/.test(l) || /\bERR\b|Error:/.test(l)) && !noise.test(l)).slice(-15);
      if (errors.length) console.error(`[e2e] last browser/extension-host errors:\n${errors.join('\n')}`);
      if (server) console.error(`[e2e] code-server log tail (${server.logPath}):\n${server.logTail(20)}`);
    }
    await browser?.close().catch(() => {});
    await server?.stop({ keepTmp: !ok }).catch(() => {});
  }
  record('in-host suite (test/e2e/suite)', ok, t0);
}

function writeStubExtension(dir) {
  const stub = path.join(dir, 'e2e-test-host');
  fs.mkdirSync(stub, { recursive: true });
  fs.writeFileSync(path.join(stub, 'package.json'), JSON.stringify({
    name: 'e2e-test-host', publisher: 'normlab-e2e', version: '0.0.0', engines: { vscode: '^1.100.0' },
  }));
  return stub;
}

/** Stops any code-server a UI script left behind (it records its group id in pidDir). */
function reapServers(pidDir) {
  for (const f of fs.readdirSync(pidDir)) {
    try {
      process.kill(-Number(f), 'SIGKILL');
      console.error(`[e2e] stopped leftover code-server group ${f}`);
    } catch { /* already gone */ }
    fs.rmSync(path.join(pidDir, f), { force: true });
  }
}

/** Runs one UI script as a child process with a timeout; its servers are reaped afterwards. */
async function runUiScript(file, pidDir) {
  const t0 = Date.now();
  const name = path.relative(REPO_ROOT, file);
  const timeoutMs = Number(process.env.E2E_SCRIPT_TIMEOUT_MS || 300_000);
  console.log(`\n[e2e] ${name}`);
  const child = spawn(process.execPath, [file], {
    cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, NORMLAB_E2E_PIDDIR: pidDir },
  });
  let timedOut = false;
  const timer = setTimeout(async () => {
    timedOut = true;
    console.error(`[e2e] ${name}: timed out after ${timeoutMs / 1000} s, stopping it`);
    child.kill('SIGTERM'); // its handler stops its servers
    await sleep(5_000);
    child.kill('SIGKILL');
  }, timeoutMs);
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  clearTimeout(timer);
  reapServers(pidDir);
  record(name, code === 0 && !timedOut, t0);
}

async function main() {
  const t0 = Date.now();
  const filters = process.argv.slice(2);
  try {
    if (process.env.E2E_SKIP_ENSURE !== '1') ensureAll();
    if (process.env.E2E_SKIP_BUILD !== '1') buildExtension();
    if (extMode() === 'vsix' && process.env.E2E_SKIP_BUILD !== '1') {
      const r = spawnSync('npm', ['run', 'package'], { cwd: REPO_ROOT, stdio: 'inherit' });
      if (r.status !== 0) throw new Error('npm run package failed');
    }
  } catch (err) {
    console.error(`[e2e] setup failed: ${err instanceof Error ? err.message : String(err)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }

  if (process.env.SKIP_EXT_TESTS !== '1' && filters.length === 0) await runInHostSuite();

  if (process.env.SKIP_UI_TESTS !== '1') {
    const scripts = fs.readdirSync(UI_DIR).filter((f) => f.endsWith('.e2e.mjs')).sort()
      .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
      .map((f) => path.join(UI_DIR, f));
    const pidDir = fs.mkdtempSync(path.join(os.tmpdir(), 'normlab-e2e-pids-'));
    try {
      for (const file of scripts) await runUiScript(file, pidDir);
    } finally {
      reapServers(pidDir);
      fs.rmSync(pidDir, { recursive: true, force: true });
    }
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`\n[e2e] summary (${((Date.now() - t0) / 1000).toFixed(0)} s):`);
  for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  ${r.seconds.toFixed(1)} s`);
  if (results.length === 0) console.error('[e2e] no e2e tests ran');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || results.length === 0 ? 1 : 0);
}

await main();
