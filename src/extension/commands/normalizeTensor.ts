// NormLab: Normalize Tensor… — file, tensor, method and parameters, run in the pool, `<name>.<method>.npy` written beside.
import * as vscode from 'vscode';
import type { NormParams } from '../../kernels/types';
import type { Services } from '../services';
import { normalizeTarget, normalizeToFile, withCancellableProgress } from '../tensorOps';
import { promptNormParams } from './normParamsPrompt';
import { listTensors, pickTensor, pickTensorFile, viewTypeFor } from './pickers';

/** Arguments for scripted use (tests, other commands); anything left out is asked for. */
export interface NormalizeArgs {
  tensor?: string;
  params?: NormParams;
}

export async function normalizeTensorCommand(services: Services, uriArg?: unknown, args: NormalizeArgs = {}): Promise<vscode.Uri | undefined> {
  const what = vscode.l10n.t('Normalize Tensor');
  try {
    const uri = await pickTensorFile(uriArg);
    if (!uri) return undefined;
    const listing = await listTensors(services, uri);
    const entry = await pickTensor(listing, uri.path.slice(uri.path.lastIndexOf('/') + 1), args.tensor);
    if (!entry) return undefined;
    const params = args.params ?? (await promptNormParams(entry.shape, services.settings().defaultEps));
    if (!params) return undefined;
    const target = await normalizeTarget(uri, entry.name, params.method, listing.format === 'npy'); // may ask "Overwrite?"
    const out = await withCancellableProgress(vscode.l10n.t('NormLab: normalizing {0}', entry.name), (p) =>
      normalizeToFile(services, uri, entry, params, target, p));
    services.log.info(`normalized ${entry.name} (${params.method}) -> ${out.toString()}`);
    const open = vscode.l10n.t('Open');
    void vscode.window.showInformationMessage(vscode.l10n.t('Wrote {0}', vscode.workspace.asRelativePath(out)), open).then((c) => {
      if (c === open) void vscode.commands.executeCommand('vscode.openWith', out, viewTypeFor(out));
    });
    return out;
  } catch (e) {
    services.reportError(e, what);
    return undefined;
  }
}
