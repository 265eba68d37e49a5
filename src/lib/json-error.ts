// Where a JSON file (a flow, a flow test, the config) breaks, in words a user can act on. V8 names a
// position for most errors but not for an unexpected token ("Unexpected token ']', ..."s": [1,⏎ ],"...
// is not valid JSON"), and it points at the `}` after a trailing comma, a line below the comma to
// delete. jsonc-parser (Microsoft's, VS Code's own) locates every error; it runs only once JSON.parse
// has already failed.
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

export interface JsonErrorSpot {
  /** Offset into the text (UTF-16 code units, as JSON.parse counts). */
  position: number;
  line: number;
  column: number;
  detail: string;
}

/** "Invalid JSON at line L, column C (position P): <what is wrong>". */
export function describeJsonError(source: string, err: unknown): string {
  return `Invalid JSON${whereJsonBreaks(source, err)}`;
}

/** " at line L, column C (position P): <what is wrong>", or ": <the engine's message>" without a spot. */
export function whereJsonBreaks(source: string, err: unknown): string {
  const spot = locateJsonError(source, err);
  if (spot === null) return `: ${err instanceof Error ? err.message : String(err)}`;
  return ` at line ${spot.line}, column ${spot.column} (position ${spot.position}): ${spot.detail}`;
}

export function locateJsonError(source: string, err: unknown): JsonErrorSpot | null {
  const raw = err instanceof Error ? err.message : String(err);
  let position: number | undefined;
  // V8 already appends "(line L column C)"; it is dropped so as not to say it twice.
  let detail = raw.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
  const named = /position (\d+)/.exec(raw);
  if (named) position = Number(named[1]);
  else if (/Unexpected end of JSON input/.test(raw)) position = source.length;
  else {
    const first = firstSyntaxError(source);
    if (first !== null) {
      position = first.offset;
      detail = wordError(source, first);
    }
  }
  if (position === undefined) return null;
  // Whoever located it (V8 or jsonc-parser), an error at a comment is the comment.
  if (source.startsWith('//', position) || source.startsWith('/*', position)) detail = 'JSON has no comments';
  const comma = trailingCommaBefore(source, position);
  if (comma !== null) {
    detail = `a trailing comma before '${source[position]}' (JSON allows none: delete the comma)`;
    position = comma;
  }
  const before = source.slice(0, position);
  return { position, line: before.split('\n').length, column: position - before.lastIndexOf('\n'), detail };
}

function firstSyntaxError(source: string): ParseError | null {
  const errors: ParseError[] = [];
  parse(source, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  return errors[0] ?? null;
}

function wordError(source: string, error: ParseError): string {
  const found = source.slice(error.offset, error.offset + Math.max(1, error.length));
  switch (printParseErrorCode(error.error)) {
    case 'InvalidSymbol':
      return `'${found}' is not JSON (strings take double quotes; true, false and null are written in lower case)`;
    case 'ValueExpected':
      return `expected a value, found '${found}'`;
    case 'CommaExpected':
      return `expected ',' before '${found}'`;
    default:
      // "PropertyNameExpected" -> "property name expected"
      return `${printParseErrorCode(error.error).replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase()} at '${found}'`;
  }
}

/** The offset of the comma right before the `}` or `]` at `position` (whitespace between), if there is one. */
function trailingCommaBefore(source: string, position: number): number | null {
  if (source[position] !== '}' && source[position] !== ']') return null;
  let i = position - 1;
  while (i >= 0 && /\s/.test(source[i]!)) i--;
  return source[i] === ',' ? i : null;
}
