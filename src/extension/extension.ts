// Activation: services (pool, settings, log), commands, the tensor viewer and the playground serializer.
import * as vscode from 'vscode';
import { inspectTensorFileCommand } from './commands/inspectTensorFile';
import { normalizeTensorCommand, type NormalizeArgs } from './commands/normalizeTensor';
import { openExamplesCommand, type OpenExamplesArgs } from './commands/openExamples';
import { openPlaygroundCommand, sendToPlaygroundCommand } from './commands/playground';
import { FeatureScalingPanel, openFeatureScalingCommand } from './featureScalingPanel';
import { ExperimentsPanel, watchResultsFiles } from './experimentsPanel';
import { PlaygroundPanel } from './playgroundPanel';
import { Services } from './services';
import { TensorEditorProvider } from './tensorEditor/provider';

/** What activate() returns: used by the in-host tests (vscode.extensions.getExtension(...).exports). */
export interface NormLabApi {
  services: Services;
}

export function activate(context: vscode.ExtensionContext): NormLabApi {
  const services = new Services(context);
  context.subscriptions.push(services);
  TensorEditorProvider.register(services);
  PlaygroundPanel.registerSerializer(services);
  FeatureScalingPanel.registerSerializer(services);
  ExperimentsPanel.registerSerializer(services);
  context.subscriptions.push(watchResultsFiles(services));

  const commands: Record<string, (...args: never[]) => unknown> = {
    'normlab.openPlayground': () => openPlaygroundCommand(services),
    'normlab.inspectTensorFile': (uri?: unknown) => inspectTensorFileCommand(services, uri),
    'normlab.normalizeTensor': (uri?: unknown, args?: NormalizeArgs) => normalizeTensorCommand(services, uri, isObject(args) ? args : {}),
    'normlab.sendToPlayground': (uri?: unknown, tensor?: string) => sendToPlaygroundCommand(services, uri, tensor),
    'normlab.openExperiments': () => ExperimentsPanel.createOrShow(services),
    'normlab.openExamples': (args?: OpenExamplesArgs) => openExamplesCommand(services, isObject(args) ? args : {}),
    'normlab.openFeatureScaling': () => openFeatureScalingCommand(services),
  };
  for (const [id, run] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, run));
  services.log.info('NormLab activated');
  return { services };
}

// The explorer passes (uri, selectedUris[]) — only a plain options object is taken as scripted arguments.
const isObject = (v: unknown): v is Record<string, never> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof vscode.Uri);

export function deactivate(): void {
  // The pool is disposed with context.subscriptions.
}
