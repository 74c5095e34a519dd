// The playground's fields as typed, read into the protocol's values by the host's own checkers
// (protocol/playgroundValidate.ts): one rule and one wording, `<field>: expected <what>, got <value>`, on both sides.
// Here a text only becomes numbers (or stays text, so that the error can show what was typed); each field is named
// as the user sees it. Pure: the controls hand in their texts, and the unit tests call these directly.
import type { GenerateSpec } from '../../kernels/generate';
import type { Controls, ViewRequest } from '../../protocol/playground';
import { parseControls, parseGenerateSpec, parseTrainParams, parseView, type FieldNames } from '../../protocol/playgroundValidate';

/** A number typed into a field, or the text itself when it is not one (so that an error can show what was typed). */
export function numberOrText(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** "1, 2.5, -3" or "1 2.5 -3" -> [1, 2.5, -3] (an entry that is not a number stays text). */
export function listOf(text: string): (number | string)[] {
  return text.trim().split(/[,\s]+/).filter(Boolean).map(numberOrText);
}

/** "32, 8, 8, 8", "32x8x8x8" or "(32, 8, 8, 8)" -> its dims (a dim that is not a number stays text). */
export function shapeOf(text: string): (number | string)[] {
  return text.trim().replace(/^[([]|[)\]]$/g, '').split(/[,x×\s]+/).filter(Boolean).map(numberOrText);
}

/** Divisors of C, the only valid group counts. */
export function divisors(C: number): number[] {
  const out: number[] = [];
  for (let g = 1; g <= C; g++) if (C % g === 0) out.push(g);
  return out;
}

/** Names a field by `names[key]`, else by its key. */
const naming = (names: Readonly<Record<string, string>>): FieldNames => (key) => names[key] ?? key;

/** The normalization controls as the webview shows them: selects' values, checkboxes and typed texts. */
export interface ControlsForm {
  method: string;
  groups: number;
  eps: string;
  momentum: string;
  cumulative: boolean;
  affine: boolean;
  gamma: string;
  beta: string;
  layout: string;
  training: boolean;
}

/** The controls, or a ValidationError naming the first field that is not valid (eps, momentum, γ, β, ...). */
export function readControls(f: ControlsForm): Controls {
  return parseControls({
    method: f.method,
    groups: f.groups,
    eps: numberOrText(f.eps),
    momentum: f.cumulative ? null : numberOrText(f.momentum),
    affine: f.affine,
    gamma: listOf(f.gamma),
    beta: listOf(f.beta),
    layout: f.layout,
    training: f.training,
  }, naming({ gamma: 'γ', beta: 'β' }));
}

/** The slice typed into "slice n" and "slice c", or null while one of them is not a valid index. */
export function readView(sliceN: string, sliceC: string): ViewRequest | null {
  try {
    return parseView({ sliceN: Number(sliceN), sliceC: Number(sliceC) });
  } catch {
    return null;
  }
}

/** The generator's fields. */
export interface GenerateForm {
  shape: string;
  layout: string;
  distribution: string;
  seed: string;
  channelScale: string;
  channelShift: string;
}

/** A generator spec, or a ValidationError; `names` are the (localized) labels of the per-channel fields. */
export function readGenerateSpec(f: GenerateForm, names: { channelScale: string; channelShift: string }): GenerateSpec {
  return parseGenerateSpec({
    shape: shapeOf(f.shape),
    layout: f.layout,
    distribution: f.distribution,
    seed: numberOrText(f.seed),
    channelScale: listOf(f.channelScale),
    channelShift: listOf(f.channelShift),
  }, naming(names));
}

/** Steps per click and batch size of the running-statistics tab; `names` are their (localized) labels. */
export function readTrainParams(steps: string, batchSize: string, names: { steps: string; batchSize: string }): { steps: number; batchSize: number } {
  return parseTrainParams({ steps: numberOrText(steps), batchSize: numberOrText(batchSize) }, naming(names));
}
