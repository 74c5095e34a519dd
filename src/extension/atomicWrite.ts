// Writing a file from the extension: never over an existing file without the user's confirmation, and all or
// nothing (a temp file in the same folder, renamed onto the name; removed if anything fails). No vscode import: the
// host binds it to vscode.workspace.fs and a modal dialog (tensorOps.ts), the tests to an in-memory file system.

/** The few file operations a write needs (vscode.workspace.fs has them all). */
export interface WriteFs<U> {
  exists(uri: U): Promise<boolean>;
  writeFile(uri: U, bytes: Uint8Array): Promise<void>;
  /** Fails if `to` exists and `overwrite` is false. */
  rename(from: U, to: U, overwrite: boolean): Promise<void>;
  delete(uri: U): Promise<void>;
  /** A sibling of `uri` named `name` (same folder, so the rename stays on one file system). */
  sibling(uri: U, name: string): U;
  nameOf(uri: U): string;
}

export type WriteOutcome = 'written' | 'declined';

export interface WriteOptions {
  /**
   * Asked only when the target exists: true replaces it. Leave it out when the user has confirmed already (a save
   * dialog asks by itself); then an existing file is replaced.
   */
  confirmOverwrite?: () => Promise<boolean>;
}

let counter = 0;

/** Writes `bytes` to `target`; 'declined' when it exists and the user did not confirm replacing it (nothing written). */
export async function writeAtomically<U>(fs: WriteFs<U>, target: U, bytes: Uint8Array, opts: WriteOptions = {}): Promise<WriteOutcome> {
  const existed = await fs.exists(target);
  if (existed && opts.confirmOverwrite && !(await opts.confirmOverwrite())) return 'declined';
  const tmp = fs.sibling(target, `.${fs.nameOf(target)}.${Date.now().toString(36)}-${(counter++).toString(36)}.normlab-tmp`);
  try {
    await fs.writeFile(tmp, bytes);
    // Without a confirmation a file that appeared meanwhile is not replaced: rename refuses it.
    await fs.rename(tmp, target, existed || !opts.confirmOverwrite);
  } catch (e) {
    await fs.delete(tmp).catch(() => undefined);
    throw e;
  }
  return 'written';
}
