// The one place the host reaches the playground panel (src/extension/playgroundPanel.ts, by the playground engineer).
import * as vscode from 'vscode';
import type { Services } from './services';
import { UserError } from './userErrors';

/** A tensor sent to the playground: small enough to load (checked against normlab.maxTensorBytes by the reader). */
export interface PlaygroundTensor {
  name: string;
  shape: number[];
  data: Float32Array | Float64Array;
  /** Where it came from, for the panel's title (e.g. "model.safetensors"). */
  source: string;
}

export function openPlayground(services: Services, initial?: { tensor: PlaygroundTensor }): void {
  // TODO(playground): PlaygroundPanel.createOrShow(services.context, services, initial) once playgroundPanel.ts lands.
  void initial;
  void services;
  throw new UserError(vscode.l10n.t('the playground is not part of this build yet'));
}

export function registerPlaygroundSerializer(services: Services): void {
  // TODO(playground): PlaygroundPanel.registerSerializer(services.context, services) once playgroundPanel.ts lands.
  void services;
}
