// A FileRef for the workers: local files are read in place by path (positioned reads); files on other schemes
// (remote, virtual) are read once through vscode.workspace.fs into a SharedArrayBuffer that every job shares.
import * as vscode from 'vscode';
import { fmtBytes } from '../formats/errors';
import type { FileRef } from '../protocol/worker';
import { UserError } from './userErrors';

export function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

export async function fileRefFor(uri: vscode.Uri, maxBytes: number): Promise<FileRef> {
  const name = baseName(uri);
  if (uri.scheme === 'file') return { kind: 'path', path: uri.fsPath, name };
  const stat = await vscode.workspace.fs.stat(uri);
  // Only regular files: a pipe or a device could block a read forever, a folder is not a tensor file.
  if ((stat.type & vscode.FileType.File) === 0) {
    throw new UserError(vscode.l10n.t('{0} is not a regular file (a folder, pipe or device); NormLab reads tensor files only.', name));
  }
  if (stat.size > maxBytes) {
    throw new UserError(vscode.l10n.t(
      '{0} is {1}; files outside the local disk are read into memory, up to normlab.maxTensorBytes = {2}. Copy it to a local folder or raise the setting.',
      name, fmtBytes(stat.size), fmtBytes(maxBytes)));
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return { kind: 'bytes', bytes: shared, name };
}
