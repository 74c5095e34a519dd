// Asks for a method and its parameters with quick picks and validated input boxes. undefined = dismissed.
import * as vscode from 'vscode';
import { logicalShapeOf } from '../../kernels/shape';
import type { Layout, Method, NormParams } from '../../kernels/types';
import { checkEps, checkGroups, parseNormalizedShape } from '../../protocol/validate';
import { STAY_OPEN } from './pickers';

const METHOD_LABELS: Record<Method, () => { label: string; detail: string }> = {
  batch: () => ({ label: vscode.l10n.t('Batch Norm'), detail: vscode.l10n.t('one mean/variance per channel, over (N, spatial)') }),
  layer: () => ({ label: vscode.l10n.t('Layer Norm'), detail: vscode.l10n.t('one mean/variance per sample, over the trailing dims') }),
  instance: () => ({ label: vscode.l10n.t('Instance Norm'), detail: vscode.l10n.t('one mean/variance per (sample, channel), over spatial') }),
  group: () => ({ label: vscode.l10n.t('Group Norm'), detail: vscode.l10n.t('one mean/variance per (sample, group of channels)') }),
  rms: () => ({ label: vscode.l10n.t('RMS Norm'), detail: vscode.l10n.t('root mean square over the trailing dims, no centering') }),
};

const CHANNEL_METHODS: readonly Method[] = ['batch', 'instance', 'group'];


export async function promptNormParams(shape: readonly number[], defaultEps: number): Promise<NormParams | undefined> {
  const rank = shape.length;
  const methods = (Object.keys(METHOD_LABELS) as Method[]).filter((m) => (CHANNEL_METHODS.includes(m) ? rank >= 2 && rank <= 5 : rank >= 1));
  const m = await vscode.window.showQuickPick(methods.map((method) => ({ ...METHOD_LABELS[method](), method })), {
    placeHolder: vscode.l10n.t('Normalization for a tensor of shape [{0}]', shape.join(', ')),
    ...STAY_OPEN,
  });
  if (!m) return undefined;
  const params: NormParams = { method: m.method, layout: 'NCHW', eps: defaultEps };

  if (CHANNEL_METHODS.includes(m.method) && rank >= 3) {
    const layout = await vscode.window.showQuickPick(
      [
        { label: 'NCHW', description: vscode.l10n.t('channels first: C is dim 1'), layout: 'NCHW' as Layout },
        { label: 'NHWC', description: vscode.l10n.t('channels last: C is the last dim'), layout: 'NHWC' as Layout },
      ],
      { placeHolder: vscode.l10n.t('Layout of the tensor'), ...STAY_OPEN },
    );
    if (!layout) return undefined;
    params.layout = layout.layout;
  }
  if (m.method === 'group') {
    const C = logicalShapeOf(shape, params.layout)[1];
    const text = await vscode.window.showInputBox({
      prompt: vscode.l10n.t('Number of groups G (must divide C = {0})', C),
      value: String(C % 32 === 0 ? 32 : 1),
      validateInput: (t) => checkGroups(t, C),
      ...STAY_OPEN,
    });
    if (text === undefined) return undefined;
    params.groups = Number(text.trim());
  }
  if (m.method === 'layer' || m.method === 'rms') {
    const text = await vscode.window.showInputBox({
      prompt: vscode.l10n.t('normalized_shape: the trailing dims to normalize over, of [{0}]', shape.join(', ')),
      value: String(shape[rank - 1]),
      validateInput: (t) => { const r = parseNormalizedShape(t, shape); return typeof r === 'string' ? r : undefined; },
      ...STAY_OPEN,
    });
    if (text === undefined) return undefined;
    params.normalizedShape = parseNormalizedShape(text, shape) as number[];
  }
  const eps = await vscode.window.showInputBox({ prompt: vscode.l10n.t('eps'), value: String(defaultEps), validateInput: checkEps, ...STAY_OPEN });
  if (eps === undefined) return undefined;
  params.eps = Number(eps.trim());
  return params;
}
