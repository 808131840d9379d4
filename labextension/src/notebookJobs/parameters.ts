/**
 * The `parameters` cell of a notebook (papermill's convention), read without
 * a kernel: each `name = literal` line is a parameter with its default.
 * Defaults that are not plain literals (an expression, a call) are listed
 * with no value, so the form can still offer them.
 */

/** What a default looked like: how the form shows it and reads it back. */
export type ParamKind = 'number' | 'bool' | 'none' | 'string' | 'json' | 'expression';

export interface INotebookParameter {
  name: string;
  kind: ParamKind;
  /** The default as JSON (undefined for an expression). */
  value: unknown;
  /** The default as written in the cell. */
  source: string;
}

interface ICell {
  cell_type?: string;
  source?: string | string[];
  metadata?: { tags?: unknown };
}

/** The source of the cell tagged `parameters`, or null when there is none. */
export function parametersSource(notebook: { cells?: ICell[] } | null | undefined): string | null {
  for (const cell of notebook?.cells ?? []) {
    const tags = cell.metadata?.tags;
    if (cell.cell_type === 'code' && Array.isArray(tags) && tags.includes('parameters')) {
      return Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '');
    }
  }
  return null;
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]*)?=\s*(.+?)\s*$/;

/** Strip a trailing `# comment` that is not inside a string. */
function withoutComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') {
        i++;
      } else if (c === quote) {
        quote = null;
      }
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#') {
      return text.slice(0, i).trimEnd();
    }
  }
  return text;
}

/** A Python literal as JSON, or undefined when it is not one we can read. */
export function pythonLiteral(text: string): { kind: ParamKind; value: unknown } | undefined {
  const t = text.trim();
  if (t === 'True' || t === 'False') {
    return { kind: 'bool', value: t === 'True' };
  }
  if (t === 'None') {
    return { kind: 'none', value: null };
  }
  if (/^[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?$/.test(t)) {
    return { kind: 'number', value: Number(t.replace(/_/g, '')) };
  }
  const str = /^(['"])((?:\\.|(?!\1).)*)\1$/.exec(t);
  if (str) {
    return { kind: 'string', value: (str[2] ?? '').replace(/\\(.)/g, '$1') };
  }
  if (/^[[{]/.test(t)) {
    // Lists and dicts of literals: Python's spelling of JSON, near enough.
    const json = t
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false')
      .replace(/\bNone\b/g, 'null')
      .replace(/'((?:\\.|[^'\\])*)'/g, (_, s: string) => JSON.stringify(s.replace(/\\'/g, "'")))
      .replace(/,\s*([\]}])/g, '$1');
    try {
      return { kind: 'json', value: JSON.parse(json) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Every `name = value` of a parameters cell, in order (a name assigned twice: the last). */
export function parseParameters(source: string): INotebookParameter[] {
  const found = new Map<string, INotebookParameter>();
  for (const raw of source.split('\n')) {
    if (/^\s/.test(raw)) {
      continue; // inside a block: not a top-level parameter
    }
    const m = ASSIGNMENT.exec(withoutComment(raw));
    if (!m) {
      continue;
    }
    const name = m[1] ?? '';
    const text = m[2] ?? '';
    const literal = pythonLiteral(text);
    found.delete(name);
    found.set(name, {
      name,
      kind: literal?.kind ?? 'expression',
      value: literal?.value,
      source: text
    });
  }
  return [...found.values()];
}

/**
 * What a user typed, as the JSON value to send: typed by the default
 * (a string default takes the text as is), otherwise papermill's `-p`
 * inference (True / False / None, a number, JSON, else the text).
 */
export function readValue(text: string, kind: ParamKind): unknown {
  if (kind === 'string') {
    return text;
  }
  const t = text.trim();
  const literal = pythonLiteral(t);
  if (literal !== undefined) {
    return literal.value;
  }
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

/** A default as the form shows it (strings without their quotes). */
export function showValue(p: INotebookParameter): string {
  if (p.kind === 'string') {
    return String(p.value);
  }
  if (p.kind === 'bool') {
    return p.value ? 'True' : 'False';
  }
  if (p.kind === 'none') {
    return 'None';
  }
  if (p.kind === 'expression') {
    return '';
  }
  return p.kind === 'json' ? JSON.stringify(p.value) : p.source;
}
