// The one validator module: field checkers for everything that crosses into the host from a webview or an input
// box (and for the webviews' own controls). A webview is untrusted: each field is checked for type, range, size and
// enum, and a wrong one gets one wording: `<field>: expected <what>, got <value>`.
import { ValidationError } from './rpc';

export { ValidationError };

const fail = (message: string): never => {
  throw new ValidationError(message);
};

/** Short, safe description of a value for an error message. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return v.length > 40 ? `a string of length ${v.length}` : JSON.stringify(v);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/** Throws the one wording of every validation error: `<field>: expected <what>, got <value>`. */
export function expected(what: string, expectation: string, found: unknown): never {
  return fail(`${what}: expected ${expectation}, got ${describe(found)}`);
}

export function expectNumber(v: unknown, what: string, min: number, max: number, expectation = `a number from ${min} to ${max}`): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : expected(what, expectation, v);
}

export function expectBool(v: unknown, what: string): boolean {
  return typeof v === 'boolean' ? v : expected(what, 'true or false', v);
}

/** An array of at most maxLength finite numbers. */
export function expectNumbers(v: unknown, what: string, maxLength: number): number[] {
  if (!Array.isArray(v) || v.length > maxLength) return expected(what, `an array of at most ${maxLength} numbers`, v);
  return v.map((x, i) => expectNumber(x, `${what}[${i}]`, -Number.MAX_VALUE, Number.MAX_VALUE, 'a finite number'));
}

export function expectObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what}: expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

export function expectString(v: unknown, what: string, maxLength: number): string {
  if (typeof v !== 'string') return fail(`${what}: expected a string, got ${describe(v)}`);
  if (v.length === 0 || v.length > maxLength) fail(`${what}: expected 1 to ${maxLength} characters, got ${v.length}`);
  return v;
}

export function expectInt(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${what}: expected an integer from ${min} to ${max}, got ${describe(v)}`);
  return v as number;
}

export function expectEnum<T extends string>(v: unknown, what: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(`${what}: expected one of ${values.map((s) => `'${s}'`).join(', ')}, got ${describe(v)}`);
  return v as T;
}

export function expectIntArray(v: unknown, what: string, length: number, bounds: (i: number) => [number, number]): number[] {
  if (!Array.isArray(v)) return fail(`${what}: expected an array of ${length} integers, got ${describe(v)}`);
  if (v.length !== length) fail(`${what}: expected ${length} integers, got ${v.length}`);
  return v.map((x, i) => expectInt(x, `${what}[${i}]`, ...bounds(i)));
}

/** The params of a request that takes none: absent or an empty object. */
export function expectNoParams(v: unknown, what: string): Record<string, never> {
  const o = v === undefined ? {} : expectObject(v, what);
  if (Object.keys(o).length > 0) expected(what, 'no parameters', Object.keys(o).join(', '));
  return {};
}

// ---- parameters typed into input boxes (Normalize Tensor…). Each returns a message for an invalid text, else undefined.

/** eps: a finite number > 0. */
export function checkEps(text: string): string | undefined {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) return `expected a positive number such as 1e-5, got ${describe(text.trim())}`;
  return undefined;
}

/** groups: a positive integer that divides C. */
export function checkGroups(text: string, channels: number): string | undefined {
  const v = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || v < 1) return `expected a positive integer number of groups, got ${describe(text.trim())}`;
  if (channels % v !== 0) return `the number of groups must divide the channel count C=${channels}; ${v} does not`;
  return undefined;
}

/** normalized_shape: comma-separated trailing dims of `shape`, e.g. "64" or "8, 8". */
export function parseNormalizedShape(text: string, shape: readonly number[]): number[] | string {
  const parts = text.split(/[,\s]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) return `expected comma-separated dims such as ${shape.at(-1) ?? 1}, got ${describe(text.trim())}`;
  const dims = parts.map(Number);
  if (dims.length > shape.length) return `expected at most ${shape.length} dims (the input is ${shape.length}-D), got ${dims.length}`;
  const trailing = shape.slice(shape.length - dims.length);
  if (trailing.some((d, i) => d !== dims[i])) return `expected the trailing dims of the input shape [${shape.join(', ')}] such as [${trailing.join(', ')}], got [${dims.join(', ')}]`;
  return dims;
}
