// Turns any failure into a readable notification; the details (stack, cause) go to the NormLab log only.
import * as vscode from 'vscode';
import { CANCELLED } from '../protocol/worker';

/** Errors whose message is written for users (what was expected, what was found). */
const USER_ERRORS = new Set(['NormError', 'FormatError', 'ValidationError', 'TooLargeError', 'UserError', 'JobStalledError']);

/** An error raised by the host itself with a message meant for the user. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export const isCancelled = (e: unknown): boolean => e instanceof Error && e.name === CANCELLED;

/** The one-line text shown to a user for an error. */
export function userMessage(e: unknown): string {
  if (e instanceof Error) return USER_ERRORS.has(e.name) ? e.message : `${e.name}: ${e.message}`;
  return String(e);
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
