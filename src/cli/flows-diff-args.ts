// What `flows diff` is asked, from its arguments. Files of the flow directory are the repo's flows
// and are checked against the server (all of them without arguments, as `flows push` would send
// them); two sides — FW…, FW…@N, or two files outside the directory — are compared with each other.
// --pair compares any two sides, also two files of the directory.
import { isAbsolute, relative, resolve } from 'node:path';

export type DiffPlan =
  /** Local files against the server: `files` empty means every file of the flow directory. */
  | { mode: 'server'; files: string[] }
  | { mode: 'pair'; sides: [string, string] }
  | { problem: string };

const SERVER_SIDE = /^FW[0-9a-fA-F]{32}(?:@\w+)?$/;

/** Whether `spec` names a server flow (FW…, FW…@N, FW…@published) rather than a file. */
export function isServerSide(spec: string): boolean {
  return SERVER_SIDE.test(spec);
}

/** Whether `file` lies in `dir` (by its path: the flows diff and push match by manifest key). */
export function inFlowDirectory(dir: string, file: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith('../') && !rel.startsWith('..\\');
}

const quoted = (values: string[]) => values.map((v) => `'${v}'`).join(' ');

export function diffPlan(positionals: string[], dir: string, options: { pair: boolean; all: boolean }): DiffPlan {
  const rule = `files in the flow directory (${dir}, --dir) are compared with the server; two sides (FW…, FW…@N, or two files outside it) with each other; --pair compares any two`;
  if (options.all && positionals.length) return { problem: `flows diff --all checks every flow of the server against the whole flow directory: give no files or sides with it` };
  if (options.pair) {
    if (positionals.length !== 2) return { problem: `flows diff --pair compares two sides (files, FW…, FW…@N): got ${positionals.length ? quoted(positionals) : 'none'}` };
    return { mode: 'pair', sides: [positionals[0]!, positionals[1]!] };
  }
  if (positionals.length === 0) return { mode: 'server', files: [] };
  const server = positionals.filter(isServerSide);
  if (server.length) {
    if (positionals.length === 2) return { mode: 'pair', sides: [positionals[0]!, positionals[1]!] };
    if (positionals.length === 1) return { problem: `flows diff ${server[0]}: a server flow is one side; give the other (a file, FW…, FW…@N), or only files to compare them with the server` };
    return { problem: `unexpected argument ${quoted(positionals.slice(2))} after 'flows diff ${positionals.slice(0, 2).join(' ')}': ${rule}` };
  }
  const outside = positionals.filter((file) => !inFlowDirectory(dir, file));
  if (outside.length === 0) return { mode: 'server', files: positionals };
  if (outside.length === positionals.length && positionals.length === 2) return { mode: 'pair', sides: [positionals[0]!, positionals[1]!] };
  if (outside.length === positionals.length && positionals.length > 2) {
    return { problem: `unexpected argument ${quoted(positionals.slice(2))} after 'flows diff ${positionals.slice(0, 2).join(' ')}': ${rule}` };
  }
  if (outside.length === positionals.length) return { problem: `flows diff ${positionals[0]}: not in the flow directory (${dir}), so not compared with the server; ${rule}` };
  return { problem: `flows diff: ${quoted(outside)} ${outside.length === 1 ? 'is' : 'are'} not in the flow directory (${dir}) while ${quoted(positionals.filter((f) => !outside.includes(f)))} ${positionals.length - outside.length === 1 ? 'is' : 'are'}: ${rule}` };
}
