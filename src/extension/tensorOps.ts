// Operations on one tensor of a file, shared by the commands and the tensor editor's actions.
import * as vscode from 'vscode';
import { encodeNpy } from '../formats/npy';
import type { NormParams } from '../kernels/types';
import type { TensorEntry } from '../protocol/worker';
import { baseName } from './fileRefs';
import { parallelNormalize } from './parallelNormalize';
import type { Services } from './services';
import { writeAtomically, type WriteFs, type WriteOptions } from './atomicWrite';
import { CancelledError } from './pool';
import { UserError } from './userErrors';

/** `model.safetensors` -> `model`, `x.npy` -> `x`. */
export function stemOf(uri: vscode.Uri): string {
  return baseName(uri).replace(/\.safetensors\.index\.json$/i, '').replace(/\.[^.]+$/, '');
}

const safePart = (s: string): string => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** A sibling file name: `<stem>[.<tensor>].<suffix>.npy`; the tensor part is left out for single-array .npy files. */
export function siblingUri(uri: vscode.Uri, tensor: string, suffix: string | undefined, singleArray: boolean): vscode.Uri {
  const parts = [stemOf(uri), ...(singleArray ? [] : [safePart(tensor)]), ...(suffix ? [suffix] : []), 'npy'];
  return vscode.Uri.joinPath(uri, '..', parts.join('.'));
}

export interface Progress {
  signal: AbortSignal;
  /** Fraction of this step in [0, 1]. */
  report(fraction: number, message?: string): void;
}

export async function readTensor(services: Services, uri: vscode.Uri, tensor: string, p?: Partial<Progress>) {
  const maxBytes = services.settings().maxTensorBytes;
  return services.pool.run('readTensor', { file: await services.fileRef(uri), tensor, maxBytes }, {
    signal: p?.signal, onProgress: p?.report ? (f) => p.report!(f) : undefined,
  });
}

/** Where a job will write, and what the user answered about an existing file there. */
export interface OutputTarget {
  uri: vscode.Uri;
  write: WriteOptions;
}

/**
 * Normalize's output `<stem>[.<tensor>].<method>.npy`, asked about now when it exists: before the work and before its
 * progress notification, so the modal "Overwrite?" is the only thing on screen. No throws a CancelledError.
 */
export async function normalizeTarget(uri: vscode.Uri, tensor: string, method: NormParams['method'], singleArray: boolean): Promise<OutputTarget> {
  const out = siblingUri(uri, tensor, method, singleArray);
  return { uri: out, write: await askBeforeWork(out) };
}

/** Reads, normalizes in the workers and writes the result to `target` (normalizeTarget: next to the file). */
export async function normalizeToFile(services: Services, uri: vscode.Uri, entry: TensorEntry, params: NormParams, target: OutputTarget, p: Progress): Promise<vscode.Uri> {
  const { uri: out, write: overwrite } = target;
  p.report(0, vscode.l10n.t('reading {0}', entry.name));
  const { data, shape } = await readTensor(services, uri, entry.name, { signal: p.signal, report: (f) => p.report(0.4 * f) });
  p.report(0.4, vscode.l10n.t('normalizing'));
  const result = await parallelNormalize(services.pool, data, shape, params, { signal: p.signal, onProgress: (f) => p.report(0.4 + 0.5 * f) });
  p.report(0.9, vscode.l10n.t('writing'));
  await writeFile(out, encodeNpy(result.y, shape), overwrite);
  p.report(1);
  return out;
}

/**
 * Export's output next to the file: `<stem>.copy.npy` (`<stem>.<tensor>.npy` for a tensor of a multi-tensor file), or a
 * fresh numbered name when that exists. Asked about now, before its progress notification, if even the last name
 * tried exists (the same modal "Overwrite?" as normalizeTarget's); No throws a CancelledError.
 */
export async function exportTarget(uri: vscode.Uri, tensor: string, singleArray: boolean): Promise<OutputTarget> {
  let out = siblingUri(uri, tensor, singleArray ? 'copy' : undefined, singleArray);
  for (let i = 1; (await exists(out)) && i < 1000; i++) out = siblingUri(uri, tensor, singleArray ? `copy${i}` : String(i), singleArray);
  return { uri: out, write: await askBeforeWork(out) };
}

/** Reads the tensor and writes it as float32/float64 .npy to `target` (exportTarget: next to the file). */
export async function exportNpy(services: Services, uri: vscode.Uri, entry: TensorEntry, target: OutputTarget, p?: Partial<Progress>): Promise<vscode.Uri> {
  const { data, shape } = await readTensor(services, uri, entry.name, p);
  await writeFile(target.uri, encodeNpy(data, shape), target.write);
  return target.uri;
}

/** A modal "Overwrite?" for an existing file: true replaces it. */
async function askOverwrite(uri: vscode.Uri): Promise<boolean> {
  const overwrite = vscode.l10n.t('Overwrite');
  const choice = await vscode.window.showWarningMessage(vscode.l10n.t('{0} already exists. Overwrite it?', vscode.workspace.asRelativePath(uri)), { modal: true }, overwrite);
  return choice === overwrite;
}

/**
 * Asks now (before a long job) when `out` exists: No cancels the job (a CancelledError, so nothing is reported);
 * Yes is remembered for the write. A file that appears during the job is asked about when it is written.
 */
async function askBeforeWork(out: vscode.Uri): Promise<WriteOptions> {
  if (!(await exists(out))) return { confirmOverwrite: () => askOverwrite(out) };
  if (!(await askOverwrite(out))) throw new CancelledError('not overwritten');
  return { confirmOverwrite: async () => true };
}

const workspaceFs: WriteFs<vscode.Uri> = {
  exists,
  writeFile: async (uri, bytes) => vscode.workspace.fs.writeFile(uri, bytes),
  rename: async (from, to, overwrite) => vscode.workspace.fs.rename(from, to, { overwrite }),
  delete: async (uri) => vscode.workspace.fs.delete(uri),
  sibling: (uri, name) => vscode.Uri.joinPath(uri, '..', name),
  nameOf: baseName,
};

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes through a temp file in the same folder (all or nothing). Without `opts`, an existing file is replaced (the
 * user confirmed in a save dialog); with opts.confirmOverwrite, it is asked first and No cancels.
 */
export async function writeFile(uri: vscode.Uri, bytes: Uint8Array, opts: WriteOptions = {}): Promise<void> {
  let outcome;
  try {
    outcome = await writeAtomically(workspaceFs, uri, bytes, opts);
  } catch (e) {
    throw new UserError(vscode.l10n.t('cannot write {0}: {1}', vscode.workspace.asRelativePath(uri), e instanceof Error ? e.message : String(e)));
  }
  if (outcome === 'declined') throw new CancelledError('not overwritten');
}

/** Runs `task` under a cancellable progress notification; the token becomes an AbortSignal. */
export function withCancellableProgress<T>(title: string, task: (p: Progress) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    let last = 0;
    return task({
      signal: controller.signal,
      report(fraction, message) {
        const pct = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
        progress.report({ increment: Math.max(0, pct - last), message });
        last = Math.max(last, pct);
      },
    });
  });
}
