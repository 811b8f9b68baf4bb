/**
 * The part of OData's $filter that SAP Business One's Service Layer clients use for incremental reads:
 * comparisons of a field with a literal (eq, ne, gt, ge, lt, le), joined by and/or, negated by not, grouped by
 * parentheses. Strings compare as strings, which is right for SAP's 'YYYY-MM-DD' dates and 'HH:MM:SS' times.
 */

export type Literal = string | number | null;

export type FilterNode =
  | { kind: 'compare'; field: string; op: ComparisonOp; value: Literal }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode };

const COMPARISON_OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;
type ComparisonOp = (typeof COMPARISON_OPS)[number];

export class ODataFilterError extends Error {
  override readonly name = 'ODataFilterError';
}

type Token =
  | { type: 'word'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: '(' | ')'; at: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const char = input[i] as string;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(' || char === ')') {
      tokens.push({ type: char, at: i });
      i++;
    } else if (char === "'") {
      // A quote inside a string is written twice: 'O''Brien'.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= input.length) throw new ODataFilterError(`Unterminated string at position ${i}`);
        if (input[j] === "'") {
          if (input[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += input[j];
        j++;
      }
      tokens.push({ type: 'string', value, at: i });
      i = j + 1;
    } else {
      const match = /^[-+]?\d+(\.\d+)?(?![\w.])|^[A-Za-z_][\w.]*/.exec(input.slice(i));
      if (!match) throw new ODataFilterError(`Unexpected character '${char}' at position ${i}`);
      const text = match[0];
      if (/^[-+]?\d/.test(text)) tokens.push({ type: 'number', value: Number(text), at: i });
      else tokens.push({ type: 'word', text, at: i });
      i += text.length;
    }
  }
  return tokens;
}

export function parseFilter(input: string): FilterNode {
  const tokens = tokenize(input);
  let position = 0;
  const peek = () => tokens[position];
  const describe = (token: Token | undefined) =>
    token === undefined ? 'the end' : `'${input.slice(token.at).split(/\s/)[0]}' at position ${token.at}`;
  const isWord = (token: Token | undefined, word: string) =>
    token?.type === 'word' && token.text.toLowerCase() === word;

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      position++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseUnary();
    while (isWord(peek(), 'and')) {
      position++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterNode => {
    if (isWord(peek(), 'not')) {
      position++;
      return { kind: 'not', operand: parseUnary() };
    }
    const token = peek();
    if (token?.type === '(') {
      position++;
      const inner = parseOr();
      if (peek()?.type !== ')') throw new ODataFilterError(`Expected ')' but found ${describe(peek())}`);
      position++;
      return inner;
    }
    return parseComparison();
  };
  const parseComparison = (): FilterNode => {
    const field = peek();
    if (field?.type !== 'word')
      throw new ODataFilterError(`Expected a field name but found ${describe(field)}`);
    position++;
    const opToken = peek();
    const op = opToken?.type === 'word' ? opToken.text.toLowerCase() : '';
    if (!COMPARISON_OPS.includes(op as ComparisonOp)) {
      throw new ODataFilterError(
        `Expected eq, ne, gt, ge, lt or le after ${field.text} but found ${describe(opToken)}`,
      );
    }
    position++;
    const literal = peek();
    position++;
    if (literal?.type === 'string' || literal?.type === 'number') {
      return { kind: 'compare', field: field.text, op: op as ComparisonOp, value: literal.value };
    }
    if (isWord(literal, 'null'))
      return { kind: 'compare', field: field.text, op: op as ComparisonOp, value: null };
    throw new ODataFilterError(`Expected a value after ${field.text} ${op} but found ${describe(literal)}`);
  };

  const tree = parseOr();
  if (position < tokens.length) throw new ODataFilterError(`Unexpected ${describe(peek())}`);
  return tree;
}

function compare(actual: unknown, op: ComparisonOp, expected: Literal): boolean {
  if (op === 'eq') return actual === expected;
  if (op === 'ne') return actual !== expected;
  if (actual === null || actual === undefined || expected === null) return false;
  const a = actual as string | number;
  if (op === 'gt') return a > expected;
  if (op === 'ge') return a >= expected;
  if (op === 'lt') return a < expected;
  return a <= expected;
}

/** Evaluates the filter against a record; fields the record lacks are rejected when the filter is parsed. */
export function matchesFilter(node: FilterNode, record: Record<string, unknown>): boolean {
  switch (node.kind) {
    case 'compare':
      return compare(record[node.field], node.op, node.value);
    case 'and':
      return matchesFilter(node.left, record) && matchesFilter(node.right, record);
    case 'or':
      return matchesFilter(node.left, record) || matchesFilter(node.right, record);
    case 'not':
      return !matchesFilter(node.operand, record);
  }
}

/** The fields a filter reads, so that the server can refuse unknown ones as SAP does. */
export function filterFields(node: FilterNode): string[] {
  if (node.kind === 'compare') return [node.field];
  if (node.kind === 'not') return filterFields(node.operand);
  return [...filterFields(node.left), ...filterFields(node.right)];
}
