// The normlab.* settings, read fresh each time (they can change while the extension runs).
import * as vscode from 'vscode';

export interface Settings {
  /** Worker threads; 0 = one per core. */
  workers: number;
  /** Largest tensor (bytes) loaded whole into memory. */
  maxTensorBytes: number;
  defaultEps: number;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('normlab');
  const workers = c.get<number>('workers', 0);
  const maxTensorBytes = c.get<number>('maxTensorBytes', 1 << 30);
  const defaultEps = c.get<number>('defaultEps', 1e-5);
  // Settings edited by hand in settings.json skip the schema: fall back to defaults rather than misbehave.
  return {
    workers: Number.isInteger(workers) && workers >= 0 && workers <= 64 ? workers : 0,
    maxTensorBytes: Number.isSafeInteger(maxTensorBytes) && maxTensorBytes >= 1 << 20 ? maxTensorBytes : 1 << 30,
    defaultEps: Number.isFinite(defaultEps) && defaultEps > 0 ? defaultEps : 1e-5,
  };
}
