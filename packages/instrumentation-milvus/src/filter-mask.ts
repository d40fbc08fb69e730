/* Masking of Milvus boolean expressions for `db.query.text`: a small lexer, no parser and no OpenTelemetry state. */

const RESERVED = new Set(['and', 'or', 'not', 'in', 'like', 'exists', 'is', 'null']);

function isIdentStart(ch: string): boolean {
  return /[A-Za-z_$]/.test(ch) || ch.charCodeAt(0) > 127;
}

function isIdentPart(ch: string): boolean {
  return /[A-Za-z0-9_$]/.test(ch) || ch.charCodeAt(0) > 127;
}

// Sticky: matched in place, so long filters are scanned once.
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/y;

function numberLength(text: string, at: number): number {
  NUMBER.lastIndex = at;
  return NUMBER.exec(text)?.[0].length ?? 0;
}

function stringEnd(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === quote) return i + 1;
    else i += 1;
  }
  return text.length;
}

function nextSignificant(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    const ch = text[i] as string;
    if (!/\s/.test(ch)) return ch;
  }
  return undefined;
}

type Token = 'start' | 'operand' | 'ident' | 'reserved' | 'open' | 'operator';

/**
 * A Milvus boolean expression with every literal value replaced by `?`: strings, numbers (with their sign),
 * booleans and each element of a list. Field names, operators, functions, JSON keys (`meta["key"]`), array
 * indices (`arr[0]`) and template placeholders (`{name}`) are kept, and so is the whitespace.
 */
export function maskFilter(expression: string): string {
  let out = '';
  let prev: Token = 'start';
  // For each open `[`: whether it indexes a JSON/array field (its literal is a key) or opens a list of values.
  const brackets: boolean[] = [];
  // The last token closed a field index, so a following `[` indexes deeper (`meta["a"]["b"]`).
  let afterIndex = false;
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i] as string;
    if (/\s/.test(ch)) {
      out += ch;
      i += 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const end = stringEnd(expression, i);
      const inPath = brackets.at(-1) === true && prev === 'open' && nextSignificant(expression, end) === ']';
      out += inPath ? expression.slice(i, end) : '?';
      i = end;
      prev = 'operand';
      afterIndex = false;
      continue;
    }
    if (isIdentStart(ch)) {
      let end = i + 1;
      while (end < expression.length && isIdentPart(expression[end] as string)) end += 1;
      const word = expression.slice(i, end);
      const lower = word.toLowerCase();
      if (lower === 'true' || lower === 'false') {
        out += '?';
        prev = 'operand';
      } else {
        out += word;
        prev = RESERVED.has(lower) ? 'reserved' : 'ident';
      }
      i = end;
      afterIndex = false;
      continue;
    }
    const signed =
      (ch === '-' || ch === '+') &&
      (prev === 'start' || prev === 'open' || prev === 'operator' || prev === 'reserved');
    const digits = signed || /[0-9.]/.test(ch) ? numberLength(expression, signed ? i + 1 : i) : 0;
    if (digits > 0) {
      const length = digits + (signed ? 1 : 0);
      const inPath =
        brackets.at(-1) === true && prev === 'open' && nextSignificant(expression, i + length) === ']';
      out += inPath ? expression.slice(i, i + length) : '?';
      i += length;
      prev = 'operand';
      afterIndex = false;
      continue;
    }
    const closesIndex = ch === ']' && brackets.at(-1) === true;
    if (ch === '[') {
      // `field[` or `field["a"][` indexes a field; after an operator or `in` it opens a list.
      brackets.push(prev === 'ident' || afterIndex);
      prev = 'open';
    } else if (ch === ']') {
      brackets.pop();
      prev = 'operand';
    } else if (ch === '(' || ch === ',' || ch === '{') {
      prev = 'open';
    } else if (ch === ')' || ch === '}') {
      prev = 'operand';
    } else {
      prev = 'operator';
    }
    afterIndex = closesIndex;
    out += ch;
    i += 1;
  }
  return out;
}
