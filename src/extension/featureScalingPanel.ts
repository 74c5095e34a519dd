// The "Why normalize? (feature scaling)" panel (host side): one instance, revived after a reload by its serializer
// (webviewPanel.ts; the webview keeps its own state). The webview computes everything itself; the host only reads a workspace file
// for it: the user picks a file and a 2-D tensor, the host reads it in the worker pool, keeps it and hands the webview
// an opaque token; the webview then asks for two (or three) columns by that token. It never sends a path.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { evenRows, SCALING_LIMITS } from '../kernels/featureScaling';
import {
  FEATURE_SCALING_LIMITS, parseFeatureScalingMessage, type FeatureScalingRequests, type FeatureScalingToWebview, type HeldTable, type TableColumns,
} from '../protocol/featureScaling';
import { FEATURE_SCALING_STRINGS } from '../protocol/featureScalingStrings';
import { listTensors, pickTensor, pickTensorFile, type FileListing } from './commands/pickers';
import { baseName } from './fileRefs';
import type { Services } from './services';
import { readTensor } from './tensorOps';
import { UserError } from './userErrors';
import { localizedStrings, PanelHost, PanelSlot } from './webviewPanel';

interface Held extends HeldTable {
  data: ArrayLike<number>;
}

export class FeatureScalingPanel {
  static readonly viewType = 'normlab.featureScaling';
  private static readonly slot = new PanelSlot({
    viewType: FeatureScalingPanel.viewType, script: 'featureScaling.js', css: 'featureScaling.css', documentTitle: 'Why Normalize? (Feature Scaling)',
    title: () => vscode.l10n.t('Why Normalize? (Feature Scaling)'), logName: 'feature scaling',
  }, (panel, services) => new FeatureScalingPanel(panel, services));

  readonly host: PanelHost<FeatureScalingRequests, FeatureScalingToWebview>;
  /** The one tensor read for the webview (a new pick replaces it). */
  private held: Held | null = null;

  static createOrShow(services: Services): FeatureScalingPanel {
    return FeatureScalingPanel.slot.show(services);
  }

  static registerSerializer(services: Services): void {
    FeatureScalingPanel.slot.registerSerializer(services);
  }

  private constructor(panel: vscode.WebviewPanel, private readonly services: Services) {
    this.host = new PanelHost<FeatureScalingRequests, FeatureScalingToWebview>(panel, FeatureScalingPanel.slot.kind, services, {
      parse: parseFeatureScalingMessage,
      handlers: { pickFile: (_p, signal) => this.pickFile(signal), columns: async (p) => this.columns(p) },
      onReady: () => this.host.post({ type: 'init', strings: localizedStrings(FEATURE_SCALING_STRINGS) }),
      onDispose: () => {
        this.held = null;
      },
    });
  }

  /** A tensor file of the workspace, then one of its 2-D tensors with at least 2 columns; read and held. */
  private async pickFile(signal: AbortSignal): Promise<HeldTable | null> {
    const uri = await pickTensorFile();
    if (!uri) return null;
    const file = baseName(uri);
    const listing = await listTensors(this.services, uri);
    const usable: FileListing = { ...listing, tensors: listing.tensors.filter((t) => t.shape.length === 2 && t.shape[0] >= SCALING_LIMITS.minSamples && t.shape[1] >= 2) };
    if (usable.tensors.length === 0) {
      throw new UserError(vscode.l10n.t('{0}: expected a 2-D tensor (rows × columns) with at least {1} rows and 2 columns, found {2}', file, SCALING_LIMITS.minSamples,
        listing.tensors.slice(0, 5).map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ') || vscode.l10n.t('no tensors')));
    }
    const entry = await pickTensor(usable, file);
    if (!entry) return null;
    const { data, shape } = await readTensor(this.services, uri, entry.name, { signal });
    this.held = { token: randomBytes(FEATURE_SCALING_LIMITS.tokenLength / 2).toString('hex'), name: `${file}: ${entry.name}`, rows: shape[0], cols: shape[1], data };
    const { token, name, rows, cols } = this.held;
    return { token, name, rows, cols };
  }

  private columns(p: FeatureScalingRequests['columns']['params']): TableColumns {
    const held = this.held;
    if (!held || held.token !== p.token) throw new UserError(vscode.l10n.t('the picked tensor is no longer held (the window was reloaded or another file was picked): pick the file again'));
    for (const [what, c] of [['x1', p.x1], ['x2', p.x2], ['target', p.target]] as const) {
      if (c !== null && c >= held.cols) throw new UserError(vscode.l10n.t('columns.{0}: expected a column from 0 to {1}, got {2}', what, held.cols - 1, c));
    }
    const rows = evenRows(held.rows, FEATURE_SCALING_LIMITS.maxRows);
    const column = (c: number) => rows.map((r) => held.data[r * held.cols + c]);
    return { x1: column(p.x1), x2: column(p.x2), target: p.target === null ? null : column(p.target), rows: rows.length, totalRows: held.rows };
  }

  dispose(): void {
    this.host.dispose();
  }
}

/** NormLab: Why Normalize? (Feature Scaling). */
export function openFeatureScalingCommand(services: Services): void {
  try {
    FeatureScalingPanel.createOrShow(services);
  } catch (e) {
    services.reportError(e, vscode.l10n.t('Why Normalize? (Feature Scaling)'));
  }
}
