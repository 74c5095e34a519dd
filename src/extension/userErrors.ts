// Turns any failure into a readable notification; the details (stack, cause) go to the NormLab log only.
import * as vscode from 'vscode';
import { isCancelled, userMessage } from '../protocol/rpc';

export { isCancelled, userMessage };

/** An error raised by the host itself with a message meant for the user. */
export class UserError extends Error {
  override readonly name = 'UserError';
}


export function reportError(log: vscode.LogOutputChannel, e: unknown, what: string): void {
  if (isCancelled(e)) {
    log.info(`${what}: cancelled`);
    return;
  }
  log.error(`${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  const showLog = vscode.l10n.t('Show Log');
  void vscode.window.showErrorMessage(vscode.l10n.t('{0}: {1}', what, userMessage(e)), showLog).then((choice) => {
    if (choice === showLog) log.show(true);
  });
}
