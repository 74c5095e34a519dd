// The one gate for playground webview messages: every field is checked (types, ranges, sizes, enums) before the
// host acts, and a wrong one gets a ValidationError naming the field, what was expected and what was found.
import { DISTRIBUTIONS, MAX_GENERATE_ELEMENTS, type GenerateSpec } from '../kernels/generate';
import type { Controls } from '../kernels/inputView';
import { LAYOUTS, METHODS } from '../kernels/types';
import {
  MAX_FILE_DIMS, MAX_PARAMS, MAX_PASTE_CHARS, MAX_TENSOR_NAME_CHARS, MAX_TRAIN_STEPS, FILE_TOKEN_HEX, REQUEST_TYPES,
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

/** The eps and momentum controls: one rule and one wording for the host and the webview's fields. */
export const checkEpsControl = (v: unknown, path = 'eps'): number => num(v, path, Number.MIN_VALUE, 1, 'a positive number up to 1');
export const checkMomentumControl = (v: unknown, path = 'momentum'): number | null =>
  v === null ? null : num(v, path, 0, 1, 'a number from 0 to 1, or null (cumulative average)');

export function parseControls(v: unknown, path = 'controls'): Controls {
  const o = obj(v, path);
  return {
    method: oneOf(o.method, `${path}.method`, METHODS),
    groups: int(o.groups, `${path}.groups`, 1, 1 << 20),
    eps: checkEpsControl(o.eps, `${path}.eps`),
    momentum: checkMomentumControl(o.momentum, `${path}.momentum`),
    affine: bool(o.affine, `${path}.affine`),
    gamma: numbers(o.gamma, `${path}.gamma`, MAX_PARAMS),
    beta: numbers(o.beta, `${path}.beta`, MAX_PARAMS),
    layout: oneOf(o.layout, `${path}.layout`, LAYOUTS),
    training: bool(o.training, `${path}.training`),
  };
}

function parseView(v: unknown, path = 'view'): ViewRequest {
  const o = obj(v, path);
  return { sliceN: int(o.sliceN, `${path}.sliceN`, 0, 2 ** 31), sliceC: int(o.sliceC, `${path}.sliceC`, 0, 2 ** 31) };
}

export function parseGenerateSpec(v: unknown, path = 'spec'): GenerateSpec {
  const o = obj(v, path);
  if (!Array.isArray(o.shape) || o.shape.length < 1 || o.shape.length > 5) bad(`${path}.shape`, 'an array of 1 to 5 dims', o.shape);
  const shape = (o.shape as unknown[]).map((d, i) => int(d, `${path}.shape[${i}]`, 1, MAX_GENERATE_ELEMENTS));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_GENERATE_ELEMENTS) bad(`${path}.shape`, `at most ${MAX_GENERATE_ELEMENTS} elements`, `[${shape.join(', ')}] = ${count} elements`);
  return {
    shape,
    layout: oneOf(o.layout, `${path}.layout`, LAYOUTS),
    distribution: oneOf(o.distribution, `${path}.distribution`, DISTRIBUTIONS),
    seed: int(o.seed, `${path}.seed`, 0, 0xffffffff),
    channelScale: numbers(o.channelScale, `${path}.channelScale`, 4096),
    channelShift: numbers(o.channelShift, `${path}.channelShift`, 4096),
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
      return {
        type, id,
        params: {
          controls: parseControls(o.controls, `${at}.controls`),
          steps: int(o.steps, `${at}.steps`, 1, MAX_TRAIN_STEPS),
          batchSize: int(o.batchSize, `${at}.batchSize`, 1, 1 << 16),
        },
      };
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
