// The one place the host reaches the playground panel (src/extension/playgroundPanel.ts, by the playground engineer).
import { PlaygroundPanel } from './playgroundPanel';
import type { InputInfo } from '../protocol/playground';
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

/** Opens (or reveals) the playground; with a tensor, returns the input it now shows (undefined if refused). */
export function openPlayground(services: Services, initial?: { tensor: PlaygroundTensor }): InputInfo | undefined {
  return PlaygroundPanel.createOrShow(services.context, services, initial);
}

/** Restores a playground that was open before a reload. */
export function registerPlaygroundSerializer(services: Services): void {
  PlaygroundPanel.registerSerializer(services.context, services);
}
