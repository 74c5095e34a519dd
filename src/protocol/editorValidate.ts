// The one gate for tensor-editor webview messages: every field is checked (types, ranges, names of tensors of the open
// file, slice indices within their dims) before the host acts, and a wrong one gets a ValidationError naming the field,
// what was expected and what was found.
import { EDITOR_ACTIONS, EDITOR_LIMITS, EDITOR_REQUEST_TYPES, type EditorRequestType, type EditorToHost } from './editor';
import { MAX_REQUEST_ID, ValidationError } from './rpc';
import { describe, expectEnum, expectInt, expectIntArray, expectNoParams, expectObject, expectString } from './validate';
import type { TensorEntry } from './worker';

/** The tensors of the open file: names and shapes that requests must refer to (none while it is being listed). */
export interface EditorContext {
  tensors: readonly Pick<TensorEntry, 'name' | 'shape'>[];
}

function expectTensor(v: unknown, what: string, ctx: EditorContext): Pick<TensorEntry, 'name' | 'shape'> {
  const name = expectString(v, what, EDITOR_LIMITS.maxNameLength);
  const t = ctx.tensors.find((x) => x.name === name);
  if (!t) throw new ValidationError(`${what}: no tensor named ${describe(name)} in this file`);
  return t;
}

const MESSAGE_TYPES: readonly ('ready' | EditorRequestType)[] = ['ready', ...EDITOR_REQUEST_TYPES];

/** Validates one message from the tensor-editor webview; throws a ValidationError naming the bad field. */
export function parseEditorMessage(raw: unknown, ctx: EditorContext): EditorToHost {
  const m = expectObject(raw, 'message');
  const type = expectEnum(m.type, 'message.type', MESSAGE_TYPES);
  if (type === 'ready') return { type };
  const id = expectInt(m.id, `${type}.id`, 1, MAX_REQUEST_ID);
  const at = `${type}.params`;
  switch (type) {
    case 'cancelStats':
    case 'restartStats':
      return { type, id, params: expectNoParams(m.params, at) };
    case 'action': {
      const p = expectObject(m.params, at);
      const action = expectEnum(p.action, `${at}.action`, EDITOR_ACTIONS);
      return { type, id, params: { action, tensor: expectTensor(p.tensor, `${at}.tensor`, ctx).name } };
    }
    case 'heatmap': {
      const p = expectObject(m.params, at);
      const t = expectTensor(p.tensor, `${at}.tensor`, ctx);
      if (t.shape.length < 2) throw new ValidationError(`${at}.tensor: expected a tensor of at least 2 dims, '${t.name}' has shape [${t.shape.join(', ')}]`);
      const lead = t.shape.slice(0, -2);
      const index = expectIntArray(p.index, `${at}.index`, lead.length, (i) => [0, lead[i] - 1]);
      return { type, id, params: { tensor: t.name, index } };
    }
  }
}
