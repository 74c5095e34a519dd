// The one gate for playground webview messages: every field is checked (types, ranges, sizes, enums) before the
// host acts, and a wrong one gets a ValidationError naming the field, what was expected and what was found.
// The webview reads its own fields with the same checkers (webview/playground/form.ts), naming each field as the
// user sees it: one rule and one wording on both sides.
import { DISTRIBUTIONS, MAX_GENERATE_ELEMENTS, type GenerateSpec } from '../kernels/generate';
import type { Controls } from '../kernels/inputView';
import { LAYOUTS, METHODS } from '../kernels/types';
import {
  MAX_CHANNEL_PARAMS, MAX_FILE_DIMS, MAX_GROUPS, MAX_PARAMS, MAX_PASTE_CHARS, MAX_SLICE_INDEX, MAX_TENSOR_NAME_CHARS,
  MAX_TRAIN_BATCH, MAX_TRAIN_STEPS, FILE_TOKEN_HEX, REQUEST_TYPES,
  type FileSource, type InputSource, type PersistedState, type RequestType, type ViewRequest, type WebviewToHost,
} from './playground';
import { expectBool, expected, expectEnum, expectInt, expectNoParams, expectNumber, expectNumbers, expectObject } from './validate';


const bad = expected;
const obj = expectObject;
const int = expectInt;
const num = expectNumber;
const oneOf = expectEnum;
const bool = expectBool;
const numbers = expectNumbers;

/**
 * How an error names a field: by its path in the message (`compute.params.controls.eps`) on the host, by the label
 * the user sees (`eps`, `γ`, `seed`) in the webview's form.
 */
export type FieldNames = (key: string) => string;
/** The fields of the object at `path`: `path.key`. */
export const under = (path: string): FieldNames => (key) => `${path}.${key}`;
const namesOf = (path: string | FieldNames): FieldNames => (typeof path === 'string' ? under(path) : path);
const objectName = (path: string | FieldNames): string => (typeof path === 'string' ? path : 'form');

/** The eps and momentum controls: one rule and one wording for the host and the webview's fields. */
export const checkEpsControl = (v: unknown, path = 'eps'): number => num(v, path, Number.MIN_VALUE, 1, 'a positive number up to 1');
export const checkMomentumControl = (v: unknown, path = 'momentum'): number | null =>
  v === null ? null : num(v, path, 0, 1, 'a number from 0 to 1, or null (cumulative average)');

export function parseControls(v: unknown, path: string | FieldNames = 'controls'): Controls {
  const o = obj(v, objectName(path));
  const name = namesOf(path);
  return {
    method: oneOf(o.method, name('method'), METHODS),
    groups: int(o.groups, name('groups'), 1, MAX_GROUPS),
    eps: checkEpsControl(o.eps, name('eps')),
    momentum: checkMomentumControl(o.momentum, name('momentum')),
    affine: bool(o.affine, name('affine')),
    gamma: numbers(o.gamma, name('gamma'), MAX_PARAMS),
    beta: numbers(o.beta, name('beta'), MAX_PARAMS),
    layout: oneOf(o.layout, name('layout'), LAYOUTS),
    training: bool(o.training, name('training')),
  };
}

export function parseView(v: unknown, path: string | FieldNames = 'view'): ViewRequest {
  const o = obj(v, objectName(path));
  const name = namesOf(path);
  return { sliceN: int(o.sliceN, name('sliceN'), 0, MAX_SLICE_INDEX), sliceC: int(o.sliceC, name('sliceC'), 0, MAX_SLICE_INDEX) };
}

/** The steps and batch size of one "train step" request. */
export function parseTrainParams(v: unknown, path: string | FieldNames): { steps: number; batchSize: number } {
  const o = obj(v, objectName(path));
  const name = namesOf(path);
  return { steps: int(o.steps, name('steps'), 1, MAX_TRAIN_STEPS), batchSize: int(o.batchSize, name('batchSize'), 1, MAX_TRAIN_BATCH) };
}

export function parseGenerateSpec(v: unknown, path: string | FieldNames = 'spec'): GenerateSpec {
  const o = obj(v, objectName(path));
  const name = namesOf(path);
  if (!Array.isArray(o.shape) || o.shape.length < 1 || o.shape.length > 5) bad(name('shape'), 'an array of 1 to 5 dims', o.shape);
  const shape = (o.shape as unknown[]).map((d, i) => int(d, `${name('shape')}[${i}]`, 1, MAX_GENERATE_ELEMENTS));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_GENERATE_ELEMENTS) bad(name('shape'), `at most ${MAX_GENERATE_ELEMENTS} elements`, `[${shape.join(', ')}] = ${count} elements`);
  return {
    shape,
    layout: oneOf(o.layout, name('layout'), LAYOUTS),
    distribution: oneOf(o.distribution, name('distribution'), DISTRIBUTIONS),
    seed: int(o.seed, name('seed'), 0, 0xffffffff),
    channelScale: numbers(o.channelScale, name('channelScale'), MAX_CHANNEL_PARAMS),
    channelShift: numbers(o.channelShift, name('channelShift'), MAX_CHANNEL_PARAMS),
  };
}

/** A file token: the only way a webview can name a file (the host resolves it; it never reads a path it was sent). */
function parseToken(v: unknown, path: string): string {
  return typeof v === 'string' && new RegExp(`^[0-9a-f]{${FILE_TOKEN_HEX}}$`).test(v) ? v : bad(path, `the token the host gave for the file (${FILE_TOKEN_HEX} hex digits)`, v);
}

function parseFileSource(o: Record<string, unknown>, path: string): FileSource {
  if (typeof o.tensor !== 'string' || o.tensor.length > MAX_TENSOR_NAME_CHARS) bad(`${path}.tensor`, `a tensor name of at most ${MAX_TENSOR_NAME_CHARS} characters`, typeof o.tensor === 'string' ? `${o.tensor.length} characters` : o.tensor);
  if (!Array.isArray(o.shape) || o.shape.length > MAX_FILE_DIMS) bad(`${path}.shape`, `an array of at most ${MAX_FILE_DIMS} dims`, o.shape);
  return {
    kind: 'file',
    token: parseToken(o.token, `${path}.token`),
    tensor: o.tensor as string,
    shape: (o.shape as unknown[]).map((d, i) => int(d, `${path}.shape[${i}]`, 0, Number.MAX_SAFE_INTEGER)),
  };
}

function parseSource(v: unknown, path: string): InputSource {
  const o = obj(v, path);
  const kind = oneOf(o.kind, `${path}.kind`, ['generate', 'paste', 'file'] as const);
  if (kind === 'generate') return { kind, spec: parseGenerateSpec(o.spec, `${path}.spec`) };
  if (kind === 'file') return parseFileSource(o, path);
  if (typeof o.text !== 'string' || o.text.length > MAX_PASTE_CHARS) bad(`${path}.text`, `text of at most ${MAX_PASTE_CHARS} characters`, typeof o.text === 'string' ? `${o.text.length} characters` : o.text);
  return { kind, text: o.text as string };
}

const empty = expectNoParams;

/**
 * The one gate for webview messages: returns a well-typed message or throws a ValidationError naming the field.
 */
export function parseWebviewMessage(raw: unknown): WebviewToHost {
  const m = obj(raw, 'message');
  if (m.type === 'ready') return { type: 'ready' };
  const type = oneOf(m.type, 'message.type', ['ready', ...REQUEST_TYPES]) as RequestType;
  const id = int(m.id, `${type}.id`, 1, Number.MAX_SAFE_INTEGER);
  const p = m.params;
  const at = `${type}.params`;
  switch (type) {
    case 'setInput': return { type, id, params: { source: parseSource(obj(p, at).source, `${at}.source`) } };
    case 'pickFile': return { type, id, params: empty(p, at) };
    case 'resetRunning': return { type, id, params: empty(p, at) };
    case 'compute':
    case 'compare': {
      const o = obj(p, at);
      return { type, id, params: { controls: parseControls(o.controls, `${at}.controls`), view: parseView(o.view, `${at}.view`) } };
    }
    case 'sensitivity': return { type, id, params: { controls: parseControls(obj(p, at).controls, `${at}.controls`) } };
    case 'trainStep': {
      const o = obj(p, at);
      return { type, id, params: { controls: parseControls(o.controls, `${at}.controls`), ...parseTrainParams(o, at) } };
    }
    case 'export': {
      const o = obj(p, at);
      return { type, id, params: { controls: parseControls(o.controls, `${at}.controls`), format: oneOf(o.format, `${at}.format`, ['npy', 'json'] as const) } };
    }
  }
}

/** Best-effort reading of a persisted state handed back by VS Code after a reload (null if unusable). */
export function parsePersistedState(raw: unknown): PersistedState | null {
  try {
    const o = obj(raw, 'state');
    return {
      controls: parseControls(o.controls),
      view: parseView(o.view),
      source: o.source === null || o.source === undefined ? null : parseSource(o.source, 'state.source'),
      tab: typeof o.tab === 'string' && o.tab.length < 40 ? o.tab : 'inspect',
    };
  } catch {
    return null;
  }
}
