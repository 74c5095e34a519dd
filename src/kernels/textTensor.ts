// Pasted text -> tensor. Three forms, told apart by how the text starts:
//   JSON nested arrays            [[1, 2], [3, 4]]
//   NumPy / PyTorch printed form  array([[1., 2.], [3., 4.]], dtype=float32)   (also print()'s [[1. 2.] [3. 4.]])
//   CSV                           rows x columns, separated by commas, tabs, semicolons or spaces
// The shape is inferred; every error names the line and column (1-based) where parsing failed.
// Pure: no vscode, DOM or Node imports.

export type TextFormat = 'json' | 'numpy' | 'csv';

export interface ParsedText {
  format: TextFormat;
  shape: number[];
  data: Float32Array;
}

export class TextTensorError extends Error {
  override readonly name = 'TextTensorError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

/** Refuse more values than this (a paste is for small tensors; files are for big ones). */
export const MAX_TEXT_VALUES = 16 * 1024 * 1024;
/** Deepest nesting of lists in a paste (a tensor has a handful of dims; the parser recurses once per level). */
export const MAX_TEXT_DEPTH = 32;

const isSeparator = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 59 || c === 91 || c === 93 || c === 40 || c === 41;

/**
 * Counts the number-like tokens of the text in one allocation-free scan and refuses as soon as there are more
 * than `limit`, so that an oversized paste is rejected before any array of values (or of lines) is built.
 * A token is number-like if it starts with a digit, '.', '+', '-' or reads nan/inf; names (headers, dtype=...)
 * are not counted. Returns the count (an upper bound on the values the parsers produce).
 */
export function countTextValues(text: string, limit = MAX_TEXT_VALUES): number {
  let count = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSeparator(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSeparator(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(start);
    const lead = c === 43 || c === 45 ? text.charCodeAt(start + 1) : c;
    const numeric = (lead >= 48 && lead <= 57) || lead === 46 || lead === 110 || lead === 78 || lead === 105 || lead === 73;
    if (numeric && ++count > limit) {
      throw errAt(text, start, `expected at most ${limit} elements in a paste, found more than ${limit} elements (open large tensors as files)`);
    }
  }
  return count;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

const errAt = (text: string, offset: number, reason: string): TextTensorError => {
  const { line, column } = lineColumn(text, offset);
  return new TextTensorError(reason, line, column);
};

// Numbers as JSON, NumPy and PyTorch print them: 1, -1., .5, 1e-3, 1.5E+02, nan, inf, -inf, NaN, Infinity.
const NUMBER = /[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf(?:inity)?)/iy;

function readNumber(text: string, pos: number): { value: number; end: number } | null {
  // Fast path for plain decimals (the bulk of a big paste): scan the token, let Number() judge it.
  let end = pos;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) end++;
    else break;
  }
  if (end > pos) {
    const next = text.charCodeAt(end);
    const letter = (next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95;
    const token = text.charCodeAt(end - 1) === 46 ? text.slice(pos, end - 1) : text.slice(pos, end);
    const value = Number(token);
    if (!letter && token !== '' && !Number.isNaN(value)) return { value, end };
  }
  NUMBER.lastIndex = pos;
  const m = NUMBER.exec(text);
  if (!m) return null;
  const stop = pos + m[0].length;
  // A number must not run into a letter ("12abc", "nanx").
  const next = text.charCodeAt(stop);
  if ((next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95) return null;
  const t = m[0].toLowerCase().replace(/^\+/, '');
  let value: number;
  if (t.endsWith('nan')) value = NaN;
  else if (t.endsWith('inf') || t.endsWith('infinity')) value = t.startsWith('-') ? -Infinity : Infinity;
  else value = Number(t.endsWith('.') ? t.slice(0, -1) : t);
  return { value, end: stop };
}

const describe = (text: string, pos: number): string => {
  if (pos >= text.length) return 'the end of the text';
  // The token up to the next separator, so that "x]]" reads as 'x'.
  const token = /^[^\s,[\]()]{1,12}/.exec(text.slice(pos, pos + 16))?.[0] ?? text[pos];
  return `'${token}'`;
};

/** Parses pasted text; throws TextTensorError with the line and column that failed. */
export function parseTensorText(text: string): ParsedText {
  let i = 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (i >= text.length) throw errAt(text, 0, 'expected a tensor (JSON nested arrays, NumPy array(...) or CSV rows), found empty text');
  const capacity = countTextValues(text);
  const rest = text.slice(i, i + 16);
  if (text[i] === '[') return { format: 'json', ...parseNested(text, i, text.length) };
  const call = /^(?:np\.|numpy\.|torch\.)?(array|tensor)\s*\(/.exec(rest);
  if (call) return { format: 'numpy', ...parseCall(text, i + call[0].length) };
  return { format: 'csv', ...parseCsv(text, capacity) };
}

/** array( <nested> [, dtype=float32] [, other=...] ) — the keyword arguments are checked loosely. */
function parseCall(text: string, start: number): { shape: number[]; data: Float32Array } {
  let i = skipSpace(text, start);
  // Find the closing parenthesis of the call (no parentheses occur inside the nested list).
  const close = text.lastIndexOf(')');
  if (close < i) throw errAt(text, text.length, `expected ')' to close the array(...) call, found the end of the text`);
  const after = skipSpace(text, close + 1);
  if (after < text.length) throw errAt(text, after, `expected nothing after the closing ')', found ${describe(text, after)}`);
  if (text[i] !== '[') throw errAt(text, i, `expected '[' to start the values, found ${describe(text, i)}`);
  const depthEnd = matchBracket(text, i, close);
  const parsed = parseNested(text, i, depthEnd + 1);
  i = skipSpace(text, depthEnd + 1);
  if (i < close) {
    if (text[i] !== ',') throw errAt(text, i, `expected ',' or ')' after the values, found ${describe(text, i)}`);
    const kw = text.slice(i + 1, close);
    const dtype = /dtype\s*=\s*(?:np\.|numpy\.|torch\.)?(\w+)/.exec(kw);
    if (dtype && !/^(float(16|32|64)?|int(8|16|32|64)?|uint8|bool|double|half|bfloat16)$/.test(dtype[1])) {
      throw errAt(text, i + 1 + dtype.index, `expected a numeric dtype, found dtype=${dtype[1]}`);
    }
  }
  return parsed;
}

function matchBracket(text: string, open: number, limit: number): number {
  let depth = 0;
  for (let j = open; j < limit; j++) {
    const ch = text[j];
    if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return j;
  }
  throw errAt(text, open, `expected a ']' to close this '[', found none before ${describe(text, limit)}`);
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Nested lists, elements separated by commas (JSON, repr) or by whitespace alone (NumPy's print()).
 * What a depth holds (lists or numbers) and its length are fixed by the first list seen at that depth.
 */
function parseNested(text: string, start: number, end: number): { shape: number[]; data: Float32Array } {
  const holds: ('list' | 'number')[] = [];
  const lengths: number[] = [];
  let values = new Float32Array(1024);
  let n = 0;
  let i = start;

  const push = (v: number) => {
    if (n === values.length) {
      if (n >= MAX_TEXT_VALUES) throw errAt(text, i, `expected at most ${MAX_TEXT_VALUES} values in a paste, found more (open large tensors as files)`);
      const bigger = new Float32Array(n * 2);
      bigger.set(values);
      values = bigger;
    }
    values[n++] = v;
  };

  const parseList = (depth: number): void => {
    const open = i;
    if (depth >= MAX_TEXT_DEPTH) throw errAt(text, open, `expected at most ${MAX_TEXT_DEPTH} nested lists, found deeper nesting`);
    i++; // '['
    let count = 0;
    while (true) {
      i = skipSpace(text, i);
      if (i >= end) throw errAt(text, open, `expected a ']' to close this '[', found the end of the text`);
      if (text[i] === ']') {
        if (count === 0) throw errAt(text, open, `expected at least one value in this list, found '[]'`);
        break;
      }
      if (count > 0) {
        if (text[i] === ',') {
          i = skipSpace(text, i + 1);
          if (i >= end || text[i] === ']') throw errAt(text, i, `expected a value after ',', found ${describe(text, i)}`);
        } else if (!isSpace(text.charCodeAt(i - 1))) {
          throw errAt(text, i, `expected ',' or ']', found ${describe(text, i)}`);
        }
      }
      if (text.charCodeAt(i) === 46 && text.startsWith('...', i)) {
        throw errAt(text, i, `expected every value, found '...' (NumPy shortened the print; use np.set_printoptions(threshold=sys.maxsize))`);
      }
      const kind = text[i] === '[' ? 'list' : 'number';
      holds[depth] ??= kind;
      if (holds[depth] !== kind) {
        const want = holds[depth] === 'list' ? "'['" : 'a number';
        throw errAt(text, i, `expected ${want} (like the first list at this depth; rows are nested unevenly), found ${describe(text, i)}`);
      }
      if (kind === 'list') {
        parseList(depth + 1);
      } else {
        const num = readNumber(text, i);
        if (!num) throw errAt(text, i, `expected a number, found ${describe(text, i)}`);
        push(num.value);
        i = num.end;
      }
      count++;
    }
    i++; // ']'
    lengths[depth] ??= count;
    if (lengths[depth] !== count) {
      throw errAt(text, open, `expected ${lengths[depth]} values in this list (like the first list at this depth), found ${count}`);
    }
  };

  parseList(0);
  const after = skipSpace(text, i);
  if (after < end) throw errAt(text, after, `expected the end of the tensor after the last ']', found ${describe(text, after)}`);
  return { shape: lengths.slice(0, holds.length), data: values.slice(0, n) };
}

/** CSV: one row per non-empty line; all rows the same length; '#' lines are comments; a non-numeric first row is a header. */
function parseCsv(text: string, capacity: number): { shape: number[]; data: Float32Array } {
  // Lines are visited by index (no array of all lines); values go into one array sized by the counting scan.
  const lines = function* (): Generator<{ line: string; lineStart: number }> {
    let start = 0;
    while (start <= text.length) {
      const nl = text.indexOf('\n', start);
      const stop = nl === -1 ? text.length : nl;
      yield { line: text.slice(start, stop).replace(/\r$/, ''), lineStart: start };
      start = stop + 1;
    }
  };
  const isContent = (l: string) => l.trim() !== '' && !l.trimStart().startsWith('#');
  let firstLine = '';
  for (const { line } of lines()) {
    if (isContent(line)) {
      firstLine = line;
      break;
    }
  }
  const sep = firstLine.includes(',') ? ',' : firstLine.includes('\t') ? '\t' : firstLine.includes(';') ? ';' : null;
  const values = new Float32Array(capacity);
  let n = 0;
  let cols = -1;
  let rows = 0;
  let headerSkipped = false;
  for (const { line, lineStart } of lines()) {
    if (!isContent(line)) continue;
    const cells: { text: string; at: number }[] = [];
    if (sep) {
      let at = 0;
      for (const cell of line.split(sep)) {
        cells.push({ text: cell, at });
        at += cell.length + 1;
      }
    } else {
      for (const m of line.matchAll(/\S+/g)) cells.push({ text: m[0], at: m.index });
    }
    if (rows === 0 && !headerSkipped && cells.every((c) => !readWhole(c.text.trim()).ok && c.text.trim() !== '')) {
      headerSkipped = true; // a header row of names
      continue;
    }
    if (cols === -1) cols = cells.length;
    else if (cells.length !== cols) {
      throw errAt(text, lineStart, `expected ${cols} columns (like the first row), found ${cells.length}`);
    }
    for (const cell of cells) {
      const t = cell.text.trim();
      const r = readWhole(t);
      if (!r.ok) {
        const lead = cell.text.length - cell.text.trimStart().length;
        const what = t === '' ? 'an empty cell' : `'${t.slice(0, 12)}'`;
        throw errAt(text, lineStart + cell.at + lead, `expected a number, found ${what}`);
      }
      values[n++] = r.value;
    }
    rows++;
  }
  if (rows === 0) throw errAt(text, 0, 'expected at least one row of numbers, found none');
  return { shape: [rows, cols], data: values.slice(0, n) };
}

function readWhole(t: string): { ok: true; value: number } | { ok: false } {
  const num = t === '' ? null : readNumber(t, 0);
  return num && num.end === t.length ? { ok: true, value: num.value } : { ok: false };
}

/** Nested JSON arrays of a row-major tensor (the inverse of the JSON form above); NaN and ±Inf become null. */
export function toNestedJson(y: ArrayLike<number>, shape: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  const walk = (d: number): void => {
    if (d === shape.length) {
      const v = y[i++];
      parts.push(Number.isFinite(v) ? String(v) : 'null');
      return;
    }
    parts.push('[');
    for (let k = 0; k < shape[d]; k++) {
      if (k > 0) parts.push(', ');
      walk(d + 1);
    }
    parts.push(']');
  };
  walk(0);
  return parts.join('');
}
