// Templates for WebAssembly text, expanded by build-wasm.mjs before wabt compiles a module, so that a loop body written
// once can be used by several functions. Plain WAT passes through unchanged. Two forms, in WAT's annotation syntax:
//
//   (@define name (%a %b) body...)   defines `name`; it is removed from the output. `%a` in body stands for an argument
//                                    (anywhere, also inside a token: `offset=%off`).
//   (@name arg1 arg2)                replaced by body with each %param replaced by its argument, one s-expression or
//                                    atom each; (@seq f1 f2 ...) passes several forms as one argument (or none).
//                                    A definition may call a template named by an argument: (@%advance 64).
//
// Definitions may use other templates; expansion repeats until no (@ form is left.

const isSpace = (ch) => ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r';

/** Index just past the form that opens at text[i] === '(' (skipping comments and strings), or -1. */
function formEnd(text, i) {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const ch = text[j];
    if (ch === ';' && text[j + 1] === ';') {
      j = text.indexOf('\n', j);
      if (j < 0) return -1;
    } else if (ch === '(' && text[j + 1] === ';') {
      j = text.indexOf(';)', j + 2) + 1;
      if (j <= 0) return -1;
    } else if (ch === '"') {
      for (j++; j < text.length && text[j] !== '"'; j++) if (text[j] === '\\') j++;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

/** The top-level items (forms and atoms) of the text between a form's head and its closing parenthesis. */
function items(text) {
  const out = [];
  for (let i = 0; i < text.length;) {
    const ch = text[i];
    if (isSpace(ch)) {
      i++;
    } else if (ch === ';' && text[i + 1] === ';') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (ch === '(') {
      const end = formEnd(text, i);
      if (end < 0) throw new Error(`unbalanced parentheses in ${JSON.stringify(text.slice(i, i + 60))}`);
      out.push(text.slice(i, end));
      i = end;
    } else {
      let j = i;
      while (j < text.length && !isSpace(text[j]) && text[j] !== '(' && text[j] !== ')') j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** Every `(@` form at any depth: [start, end, name, inner text after the name]. */
function* annotations(text) {
  for (let i = text.indexOf('(@'); i >= 0; i = text.indexOf('(@', i + 2)) {
    const end = formEnd(text, i);
    if (end < 0) throw new Error(`unbalanced parentheses after ${JSON.stringify(text.slice(i, i + 60))}`);
    // (@%param ...) inside a definition: the name is an argument, known once the definition is used.
    const head = /^\(@(%?[A-Za-z_][\w]*)/.exec(text.slice(i));
    if (!head) throw new Error(`expected a template name after "(@" in ${JSON.stringify(text.slice(i, i + 60))}`);
    yield { start: i, end, name: head[1], inner: text.slice(i + head[0].length, end - 1) };
  }
}

/** Expands the templates of one WAT source; `file` names it in errors. */
export function expandWat(source, file = 'module.wat') {
  const defs = new Map();
  // Definitions first (top level of the text), cut out of it.
  let text = '';
  let at = 0;
  for (const a of annotations(source)) {
    if (a.name !== 'define' || a.start < at) continue;
    const [name, params] = items(a.inner);
    if (!/^[A-Za-z_]\w*$/.test(name ?? '') || !params?.startsWith('(')) {
      throw new Error(`${file}: (@define name (%params) body) expected, found ${JSON.stringify(a.inner.slice(0, 60))}`);
    }
    if (defs.has(name) || name === 'seq' || name === 'define') throw new Error(`${file}: template ${name} is defined twice or reserved`);
    const names = items(params.slice(1, -1));
    for (const p of names) if (!/^%[A-Za-z_]\w*$/.test(p)) throw new Error(`${file}: template ${name}: parameter ${p} must look like %name`);
    const body = a.inner.slice(a.inner.indexOf(params) + params.length);
    defs.set(name, { params: names.map((p) => p.slice(1)), body });
    text += source.slice(at, a.start);
    at = a.end;
  }
  text += source.slice(at);

  // Then uses, innermost-last: each pass replaces every outermost (@ form; repeat until none is left.
  for (let pass = 0; text.includes('(@'); pass++) {
    if (pass > 50) throw new Error(`${file}: templates nest more than 50 deep (a template that uses itself?)`);
    let out = '';
    let from = 0;
    for (const a of annotations(text)) {
      if (a.start < from) continue;
      out += text.slice(from, a.start) + expandOne(defs, a, file);
      from = a.end;
    }
    text = out + text.slice(from);
  }
  return text;
}

function expandOne(defs, { name, inner }, file) {
  const args = items(inner);
  if (name === 'seq') return args.join(' ');
  if (name === 'define') throw new Error(`${file}: (@define ${args[0]}) must be at the top level of the module`);
  const def = defs.get(name);
  if (!def) throw new Error(`${file}: unknown template (@${name})`);
  if (args.length !== def.params.length) {
    throw new Error(`${file}: (@${name}) takes ${def.params.length} argument(s) (${def.params.map((p) => '%' + p).join(' ')}), got ${args.length}`);
  }
  return def.body.replace(/%([A-Za-z_]\w*)/g, (m, p) => {
    const i = def.params.indexOf(p);
    if (i < 0) throw new Error(`${file}: template ${name} uses %${p}, which is not one of its parameters`);
    return args[i];
  });
}
