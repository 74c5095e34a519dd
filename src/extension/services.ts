// What panels and commands share: the worker pool (started on first use), settings and the "NormLab" log.
import * as vscode from 'vscode';
import type { FileRef } from '../protocol/worker';
import { fileRefFor } from './fileRefs';
import { FILE_JOB_KINDS, FILE_JOB_STALL_MS, poolSize, WorkerPool } from './pool';
import { readSettings, type Settings } from './settings';
import { reportError } from './userErrors';

export class Services implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private currentPool: WorkerPool | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('NormLab', { log: true });
    this.subscriptions.push(this.log, vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('normlab.workers') && this.currentPool) {
        // The next job starts a pool of the new size; the old one finishes its jobs, then stops.
        const old = this.currentPool;
        this.currentPool = undefined;
        this.log.info('normlab.workers changed: the next job starts a new worker pool');
        void old.drain().then(() => old.dispose());
      }
    }));
  }

  /** The shared worker pool; its workers start with the first job. */
  get pool(): WorkerPool {
    if (!this.currentPool) {
      const size = poolSize(this.settings().workers);
      const stallMs = Object.fromEntries(FILE_JOB_KINDS.map((k) => [k, FILE_JOB_STALL_MS]));
      this.currentPool = new WorkerPool({ size, workerFile: this.context.asAbsolutePath('dist/worker.js'), stallMs });
      this.log.info(`worker pool: up to ${size} worker thread(s)`);
    }
    return this.currentPool;
  }

  settings(): Settings {
    return readSettings();
  }

  /** How workers reach a file (see fileRefs.ts), subject to normlab.maxTensorBytes for non-local files. */
  fileRef(uri: vscode.Uri): Promise<FileRef> {
    return fileRefFor(uri, this.settings().maxTensorBytes);
  }

  /** A readable notification for `e` (nothing for a cancellation); details in the log. */
  reportError(e: unknown, what: string): void {
    reportError(this.log, e, what);
  }

  dispose(): void {
    void this.currentPool?.dispose();
    this.currentPool = undefined;
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }
}
