// The CLI's output files: checked before any work is done, written so that a failure leaves nothing behind and an
// existing file is never replaced unless the user said --force.
//   checkOutputs   every named output: distinct paths, an existing folder, not a folder itself, not existing (or --force)
//   writeOutput    bytes to a temp file in the same folder, then linked (no --force: fails if the name was taken
//                  meanwhile) or renamed (--force) onto the name; the temp file is removed whatever happens
import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './args';

export interface OutputOptions {
  /** Replace an existing file (the CLI's --force). */
  force?: boolean;
}

const statOrUndefined = (path: string): Stats | undefined => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

/** Why an output cannot be written at `path`, or undefined when it can. */
function problemWith(path: string, force: boolean): string | undefined {
  const folder = dirname(resolve(path));
  const dir = statOrUndefined(folder);
  if (!dir) return `the folder ${folder} does not exist`;
  if (!dir.isDirectory()) return `${folder} is not a folder`;
  const st = statOrUndefined(path);
  if (!st) return undefined;
  if (st.isDirectory()) return 'it is a folder; expected a file name';
  if (!st.isFile()) return 'it exists and is not a regular file';
  if (!force) return 'the file exists; pass --force to replace it';
  return undefined;
}

/**
 * Refuses, before any work, outputs that would fail or lose data: two flags naming one file (one would silently
 * replace the other), a missing folder, a folder, an existing file without --force. `outputs` maps flag -> path.
 */
export function checkOutputs(outputs: readonly (readonly [flag: string, path: string | undefined])[], opts: OutputOptions = {}): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of outputs) {
    if (path === undefined) continue;
    const st = statOrUndefined(path);
    // The same file under two spellings (a/../x.npy, a hard link) is the same output.
    const key = st ? `${st.dev}:${st.ino}` : resolve(path);
    const other = seen.get(key) ?? seen.get(resolve(path));
    if (other) throw new UsageError(`--${other} and --${flag} both name ${path}; give each output its own file`);
    seen.set(key, flag);
    seen.set(resolve(path), flag);
    const problem = problemWith(path, opts.force === true);
    if (problem) throw new UsageError(`--${flag} ${path}: cannot write: ${problem}`);
  }
}

function describeWriteError(path: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? `the folder ${dirname(resolve(path))} does not exist`
    : code === 'EISDIR' ? 'it is a folder'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENOSPC' ? 'no space left on the device'
    : code === 'EROFS' ? 'the file system is read-only'
    : code === 'EEXIST' ? 'the file exists; pass --force to replace it'
    : code ?? (e instanceof Error ? e.message : String(e));
  return new UsageError(`cannot write ${path}: ${why}`);
}

/** Writes `bytes` to `path` atomically: complete or not at all, and no overwrite without opts.force. */
export function writeOutput(path: string, bytes: Uint8Array, opts: OutputOptions = {}): void {
  const problem = problemWith(path, opts.force === true);
  if (problem) throw new UsageError(`cannot write ${path}: ${problem}`);
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.normlab-tmp`);
  try {
    writeFileSync(tmp, bytes, { flag: 'wx' });
    if (opts.force) {
      renameSync(tmp, path);
    } else {
      linkOrRename(tmp, path);
    }
  } catch (e) {
    throw describeWriteError(path, e);
  } finally {
    try {
      unlinkSync(tmp); // after a link (or a failure); a renamed temp file is gone already
    } catch {
      // nothing left to remove
    }
  }
}

/** link() refuses an existing name atomically; where hard links are not supported, check, then rename. */
function linkOrRename(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e;
    if (statOrUndefined(path)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    renameSync(tmp, path);
  }
}
