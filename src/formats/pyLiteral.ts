// A parser for the tiny Python literal subset in .npy headers: dicts, tuples, lists, strings, ints,
// True/False/None. Never evaluates anything; bounded nesting.
import { FormatError } from './errors';

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

const MAX_DEPTH = 32;

export function parsePyLiteral(text: string, what: string): PyValue {
  let i = 0;
  const bad = (expected: string): never => {
    const found = i < text.length ? JSON.stringify(text.slice(i, i + 20)) : 'the end of the header';
    throw new FormatError(`${what}: malformed header: expected ${expected} at character ${i}, found ${found}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) bad(`at most ${MAX_DEPTH} levels of nesting`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: { [key: string]: PyValue } = {};
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return out;
        }
        const k = value(depth + 1);
        if (typeof k !== 'string') bad('a string key');
        ws();
        if (text[i] !== ':') bad("':'");
        i++;
        out[k as string] = value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') bad("',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const out: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return out;
        }
        out.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) bad(`',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) bad('a closing quote');
      const s = text.slice(i + 1, end);
      if (s.includes('\\')) bad('a string without escapes');
      i = end + 1;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)/.exec(text.slice(i, i + 40));
    if (!m) return bad('a value');
    i += m[0].length;
    if (m[2]) return m[2] === 'True' ? true : m[2] === 'False' ? false : null;
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n)) bad('an integer below 2^53');
    return n;
  };
  const v = value(0);
  ws();
  if (i !== text.length) bad('the end of the header');
  return v;
}
