// Quick picks shared by the commands: a tensor file of the workspace, then one of its tensors.
import * as vscode from 'vscode';
import { fmtShape } from '../../kernels/errors';
import type { JobMap, TensorEntry } from '../../protocol/worker';
import type { Services } from '../services';
import { UserError } from '../userErrors';

export const TENSOR_FILE_GLOB = '**/*.{npy,npz,safetensors,pt,pth,bin,onnx,gguf,safetensors.index.json}';
const CHECKPOINT = /\.(pt|pth|bin)$|\.safetensors\.index\.json$/i;

/**
 * The quick picks and input boxes of a command's steps stay open when the focus moves: a webview that finishes
 * loading (a tensor viewer just opened, a panel revived after a reload) takes the focus and would otherwise dismiss
 * the step the user is on, as would the return of focus to a webview that started the command. Escape still cancels.
 */
export const STAY_OPEN = { ignoreFocusOut: true } as const;

/** The custom editor that shows a file: checkpoints get the checkpoint view. */
export const viewTypeFor = (uri: vscode.Uri): string => (CHECKPOINT.test(uri.path) ? 'normlab.tensorFile.checkpoint' : 'normlab.tensorFile');

/** The explorer's URI, else a quick pick of the workspace's tensor files. undefined = the user dismissed it. */
export async function pickTensorFile(uri?: unknown): Promise<vscode.Uri | undefined> {
  if (uri instanceof vscode.Uri) return uri;
  const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const found = await vscode.workspace.findFiles(TENSOR_FILE_GLOB, '**/node_modules/**', 500);
  if (found.length === 0) {
    const open = await vscode.window.showOpenDialog({
      canSelectMany: false, openLabel: vscode.l10n.t('Open Tensor File'),
      filters: { [vscode.l10n.t('Tensor files')]: ['npy', 'npz', 'safetensors', 'pt', 'pth', 'bin'] },
    });
    return open?.[0];
  }
  const activeUri = active && typeof active === 'object' && 'uri' in active ? String((active as { uri: vscode.Uri }).uri) : undefined;
  found.sort((a, b) => Number(String(b) === activeUri) - Number(String(a) === activeUri) || a.path.localeCompare(b.path));
  const pick = await vscode.window.showQuickPick(
    found.map((u) => ({ label: u.path.slice(u.path.lastIndexOf('/') + 1), description: vscode.workspace.asRelativePath(u), uri: u })),
    { placeHolder: vscode.l10n.t('Select a tensor file'), matchOnDescription: true, ...STAY_OPEN },
  );
  return pick?.uri;
}

export type FileListing = JobMap['fileList']['result'];

export async function listTensors(services: Services, uri: vscode.Uri): Promise<FileListing> {
  return services.pool.run('fileList', { file: await services.fileRef(uri) });
}

/** A tensor of the file: the named one, the only one, or a quick pick. */
export async function pickTensor(listing: FileListing, fileName: string, name?: string): Promise<TensorEntry | undefined> {
  if (listing.tensors.length === 0) throw new UserError(vscode.l10n.t('{0} holds no tensors', fileName));
  if (name !== undefined) {
    const named = listing.tensors.find((t) => t.name === name);
    if (!named) throw new UserError(vscode.l10n.t("no tensor named '{0}' in {1}", name, fileName));
    return named;
  }
  if (listing.tensors.length === 1) return listing.tensors[0];
  const pick = await vscode.window.showQuickPick(
    listing.tensors.map((t) => ({ label: t.name, description: `${t.dtype} ${fmtShape(t.shape)}`, tensor: t })),
    { placeHolder: vscode.l10n.t('Select a tensor of {0}', fileName), matchOnDescription: true, ...STAY_OPEN },
  );
  return pick?.tensor;
}
