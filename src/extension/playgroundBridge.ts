// The one place the host reaches the playground panel (src/extension/playgroundPanel.ts, by the playground engineer).
import { PlaygroundPanel } from './playgroundPanel';
import type { Services } from './services';

/** A tensor sent to the playground: small enough to load (checked against normlab.maxTensorBytes by the reader). */
export interface PlaygroundTensor {
  name: string;
  shape: number[];
  data: Float32Array | Float64Array;
  /** Where it came from, for the panel's title (e.g. "model.safetensors"). */
  source: string;
  /** The file's URI (uri.toString()), so that a reload can read the tensor again. */
  uri: string;
}

export function openPlayground(services: Services, initial?: { tensor: PlaygroundTensor }): void {
  PlaygroundPanel.createOrShow(services.context, services, initial);
}

/** Restores a playground that was open before a reload. */
export function registerPlaygroundSerializer(services: Services): void {
  PlaygroundPanel.registerSerializer(services.context, services);
}
