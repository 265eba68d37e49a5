// Arguments parseArgs accepts but a command would misread. The dangerous one: a boolean flag is a
// switch, so in `--dev false` the word `false` is a stray positional and the flag is ON.
import type { parseArgs } from 'node:util';

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];
type Options = Record<string, { type: 'string' | 'boolean' }>;

const BOOLEAN_WORD = /^(true|false|yes|no|on|off|1|0)$/i;

/**
 * `--flag=value` on a boolean flag, checked before parseArgs (whose own error, "does not take an
 * argument", does not say how to write false).
 */
export function booleanWithValue(argv: string[], options: Options): string | undefined {
  for (const arg of argv) {
    if (arg === '--') break;
    const match = /^--([^=]+)=(.*)$/s.exec(arg);
    if (!match) continue;
    const name = match[1]!.replace(/^no-(?=.)/, '');
    if (options[match[1]!]?.type === 'boolean' || (name !== match[1] && options[name]?.type === 'boolean')) {
      return `--${match[1]} is a switch and takes no value (got ${arg}); write --no-${name} to turn it off, or --${name} alone to turn it on`;
    }
  }
  return undefined;
}

/**
 * A sentence for the first argument that would be misread, or undefined: a true/false word right after
 * a boolean flag (always refused: it was meant as the flag's value), then any positional beyond the
 * `allowed` count (the command's name included).
 */
export function strayArgument(tokens: Token[], options: Options, command: string, allowed: number): string | undefined {
  for (const [i, token] of tokens.entries()) {
    const before = tokens[i - 1];
    if (token.kind === 'positional' && BOOLEAN_WORD.test(token.value) && before?.kind === 'option' && options[before.name]?.type === 'boolean' && !before.inlineValue) {
      return `${before.rawName} is a switch and takes no value: '${token.value}' after it is not its setting (it would be a stray argument, the switch still given); write --no-${before.name} to turn it off, or --${before.name} alone to turn it on`;
    }
  }
  const positionals = tokens.filter((t): t is Extract<Token, { kind: 'positional' }> => t.kind === 'positional');
  if (positionals.length > allowed) {
    const extra = positionals.slice(allowed).map((t) => `'${t.value}'`).join(' ');
    return allowed <= 1 ? `${command} takes no arguments, got ${extra}` : `unexpected argument ${extra} after '${positionals.slice(0, allowed).map((t) => t.value).join(' ')}'`;
  }
  return undefined;
}
