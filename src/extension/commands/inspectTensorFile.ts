// NormLab: Inspect Tensor File… — the explorer's file or a quick pick, opened in the tensor viewer.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { pickTensorFile, viewTypeFor } from './pickers';

export async function inspectTensorFileCommand(services: Services, uriArg?: unknown): Promise<void> {
  try {
    const uri = await pickTensorFile(uriArg);
    if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, viewTypeFor(uri));
  } catch (e) {
    services.reportError(e, vscode.l10n.t('Inspect Tensor File'));
  }
}
