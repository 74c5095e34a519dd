// NormLab: Open Playground and NormLab: Send Tensor to Playground.
import * as vscode from 'vscode';
import { PlaygroundPanel } from '../playgroundPanel';
import type { InputInfo } from '../../protocol/playground';
import type { Services } from '../services';
import { readTensor, withCancellableProgress } from '../tensorOps';
import { listTensors, pickTensor, pickTensorFile } from './pickers';
import { baseName } from '../fileRefs';

export function openPlaygroundCommand(services: Services): void {
  try {
    PlaygroundPanel.createOrShow(services);
  } catch (e) {
    services.reportError(e, vscode.l10n.t('Open Playground'));
  }
}

/** Returns the playground's new input (name and shape), for scripts and tests; undefined if nothing was sent. */
export async function sendToPlaygroundCommand(services: Services, uriArg?: unknown, tensorName?: string): Promise<InputInfo | undefined> {
  try {
    const uri = await pickTensorFile(uriArg);
    if (!uri) return undefined;
    const listing = await listTensors(services, uri);
    const entry = await pickTensor(listing, baseName(uri), typeof tensorName === 'string' ? tensorName : undefined);
    if (!entry) return undefined;
    return await sendTensor(services, uri, entry.name);
  } catch (e) {
    services.reportError(e, vscode.l10n.t('Send Tensor to Playground'));
    return undefined;
  }
}

/** Reads one tensor in the workers (refused beyond normlab.maxTensorBytes) and opens it in the playground. */
export async function sendTensor(services: Services, uri: vscode.Uri, tensor: string): Promise<InputInfo | undefined> {
  const { data, shape } = await withCancellableProgress(vscode.l10n.t('NormLab: reading {0}', tensor), (p) =>
    readTensor(services, uri, tensor, p));
  return PlaygroundPanel.createOrShow(services, { tensor: { name: tensor, shape, data, source: baseName(uri), uri: uri.toString() } });
}
