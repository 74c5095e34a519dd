// Operations on one tensor of a file, shared by the commands and the tensor editor's actions.
import * as vscode from 'vscode';
import { encodeNpy } from '../formats/npy';
import type { NormParams } from '../kernels/types';
import type { TensorEntry } from '../protocol/worker';
import { baseName } from './fileRefs';
import { parallelNormalize } from './parallelNormalize';
import type { Services } from './services';
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

/** Reads, normalizes in the workers and writes `<stem>[.<tensor>].<method>.npy` next to the file. */
export async function normalizeToFile(services: Services, uri: vscode.Uri, entry: TensorEntry, params: NormParams, singleArray: boolean, p: Progress): Promise<vscode.Uri> {
  p.report(0, vscode.l10n.t('reading {0}', entry.name));
  const { data, shape } = await readTensor(services, uri, entry.name, { signal: p.signal, report: (f) => p.report(0.4 * f) });
  p.report(0.4, vscode.l10n.t('normalizing'));
  const result = await parallelNormalize(services.pool, data, shape, params, { signal: p.signal, onProgress: (f) => p.report(0.4 + 0.5 * f) });
  p.report(0.9, vscode.l10n.t('writing'));
  const out = siblingUri(uri, entry.name, params.method, singleArray);
  await writeFile(out, encodeNpy(result.y, shape));
  p.report(1);
  return out;
}

/** Writes the tensor as float32/float64 .npy next to the file, with a fresh name if that one exists. */
export async function exportNpy(services: Services, uri: vscode.Uri, entry: TensorEntry, singleArray: boolean, p?: Partial<Progress>): Promise<vscode.Uri> {
  const { data, shape } = await readTensor(services, uri, entry.name, p);
  let out = siblingUri(uri, entry.name, singleArray ? 'copy' : undefined, singleArray);
  for (let i = 1; (await exists(out)) && i < 1000; i++) out = siblingUri(uri, entry.name, singleArray ? `copy${i}` : String(i), singleArray);
  await writeFile(out, encodeNpy(data, shape));
  return out;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function writeFile(uri: vscode.Uri, bytes: Uint8Array): Promise<void> {
  try {
    await vscode.workspace.fs.writeFile(uri, bytes);
  } catch (e) {
    throw new UserError(vscode.l10n.t('cannot write {0}: {1}', vscode.workspace.asRelativePath(uri), e instanceof Error ? e.message : String(e)));
  }
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
