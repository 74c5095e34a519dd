// NormLab: Open Examples — open one bundled example read-only, or copy them all into a folder of the user's choice
// (the bundled copy lives in the extension's install folder, which must not be edited).
import * as vscode from 'vscode';
import type { Services } from '../services';
import { viewTypeFor } from './pickers';

export interface OpenExamplesArgs {
  /** Copy every example into this folder without asking (scripted use). */
  copyTo?: vscode.Uri;
}

export async function openExamplesCommand(services: Services, args: OpenExamplesArgs = {}): Promise<vscode.Uri | undefined> {
  try {
    const root = vscode.Uri.joinPath(services.context.extensionUri, 'examples');
    const files = (await vscode.workspace.fs.readDirectory(root)).filter(([, type]) => type === vscode.FileType.File).map(([name]) => name).sort();
    if (args.copyTo) return await copyExamples(root, files, args.copyTo);
    const copy = { label: `$(copy) ${vscode.l10n.t('Copy all examples to a folder…')}`, file: undefined as string | undefined };
    const pick = await vscode.window.showQuickPick(
      [copy, ...files.filter((f) => !f.endsWith('.md')).map((f) => ({ label: f, description: vscode.l10n.t('open read-only'), file: f as string | undefined }))],
      { placeHolder: vscode.l10n.t('NormLab examples') },
    );
    if (!pick) return undefined;
    if (pick.file) {
      const uri = vscode.Uri.joinPath(root, pick.file);
      await vscode.commands.executeCommand('vscode.openWith', uri, viewTypeFor(uri));
      return uri;
    }
    const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: vscode.l10n.t('Copy Examples Here') });
    if (!folder?.[0]) return undefined;
    const target = await copyExamples(root, files, folder[0]);
    const openFolder = vscode.l10n.t('Open Folder');
    const inWorkspace = vscode.workspace.getWorkspaceFolder(target) !== undefined;
    if (inWorkspace) await vscode.commands.executeCommand('revealInExplorer', target);
    else {
      void vscode.window.showInformationMessage(vscode.l10n.t('Copied the examples to {0}', target.fsPath), openFolder).then((c) => {
        if (c === openFolder) void vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: true });
      });
    }
    return target;
  } catch (e) {
    services.reportError(e, vscode.l10n.t('Open Examples'));
    return undefined;
  }
}

/** Copies into `<folder>/normlab-examples`, never overwriting a file the user already has there. */
async function copyExamples(root: vscode.Uri, files: string[], folder: vscode.Uri): Promise<vscode.Uri> {
  const target = vscode.Uri.joinPath(folder, 'normlab-examples');
  await vscode.workspace.fs.createDirectory(target);
  for (const f of files) {
    await vscode.workspace.fs.copy(vscode.Uri.joinPath(root, f), vscode.Uri.joinPath(target, f), { overwrite: false }).then(undefined, (e: unknown) => {
      if (!(e instanceof vscode.FileSystemError && e.code === 'FileExists')) throw e;
    });
  }
  return target;
}
