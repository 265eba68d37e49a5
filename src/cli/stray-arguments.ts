// Arguments parseArgs accepts but a command would misread. The dangerous one: a boolean flag is a
// switch, so in `--dev false` the word `false` is a stray positional and the flag is ON. The others:
// a positional or an option the command does not take, which would be ignored without a word.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName, closestNames } from '../lib/closest-name.ts';

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

/** A true/false word right after a boolean flag: always refused, it was meant as the flag's value. */
export function switchWithWord(tokens: Token[], options: Options): string | undefined {
  for (const [i, token] of tokens.entries()) {
    const before = tokens[i - 1];
    if (token.kind === 'positional' && BOOLEAN_WORD.test(token.value) && before?.kind === 'option' && options[before.name]?.type === 'boolean' && !before.inlineValue) {
      return `${before.rawName} is a switch and takes no value: '${token.value}' after it is not its setting (it would be a stray argument, the switch still given); write --no-${before.name} to turn it off, or --${before.name} alone to turn it on`;
    }
  }
  return undefined;
}

/**
 * Positionals beyond the `allowed` count, in a sentence: `words` is the command as typed before them
 * (`flows list`), `positionals` what follows it.
 */
export function extraArguments(words: string, positionals: string[], allowed: number): string | undefined {
  if (positionals.length <= allowed) return undefined;
  const extra = positionals.slice(allowed).map((value) => `'${value}'`).join(' ');
  return allowed === 0 ? `${words} takes no arguments, got ${extra}` : `unexpected argument ${extra} after '${[words, ...positionals.slice(0, allowed)].join(' ')}'`;
}

/** An option given that `taken` (the command's own options, by name) does not list, in a sentence. */
export function optionNotTaken(words: string, tokens: Token[], taken: ReadonlySet<string>): string | undefined {
  const option = tokens.find((t): t is Extract<Token, { kind: 'option' }> => t.kind === 'option' && !taken.has(t.name));
  return option ? `${words} does not take ${option.rawName}` : undefined;
}

/**
 * A sentence for the first argument that would be misread, or undefined: a true/false word right after
 * a boolean flag, then any positional beyond the `allowed` count (the command's name included).
 */
export function strayArgument(tokens: Token[], options: Options, command: string, allowed: number): string | undefined {
  const word = switchWithWord(tokens, options);
  if (word) return word;
  const positionals = tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : []));
  if (allowed < 1) return extraArguments(command, positionals, 0);
  return extraArguments(positionals.slice(0, 1).join(' ') || command, positionals.slice(1), allowed - 1);
}

/**
 * A mistyped command's message: the command the user may have meant, when one is near (`flow` → `flows`,
 * `lst` → `list`), or every one the word begins (`rotate` → `rotate-token` or `rotate-callback-secret`),
 * since the usage printed after it is long to scan.
 */
export function unknownCommandMessage(prefix: string, command: string, known: Iterable<string>): string {
  const near = closestNames(command, known).map((name) => `'${name}'`);
  const named = near.length > 1 ? `${near.slice(0, -1).join(', ')} or ${near.at(-1)}` : near[0];
  return `${prefix}unknown command '${command}'${named ? ` (did you mean ${named}?)` : ''}`;
}

/**
 * parseArgs, strict, with its "Unknown option" error restated: Node's advice to put a positional that
 * starts with '-' after '--' misleads for a typo (`--jsn`), so the closest option the command takes is
 * named instead. Every other parse error passes through unchanged (commands.ts reports them by code).
 */
export function parseStrict<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const typed = /^Unknown option '([^']*)'/.exec((error as Error).message)?.[1];
    if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || typed === undefined) throw error;
    const name = typed.replace(/^-+/, '');
    const near = typed.startsWith('--') ? closestName(name, Object.keys(config.options ?? {})) : undefined;
    const restated = new TypeError(
      near
        ? `unknown option '${typed}' (did you mean --${near}?)`
        : `unknown option '${typed}' (--help lists the options; a value that starts with '-' goes after '--')`,
    );
    Object.assign(restated, { code });
    throw restated;
  }
}
