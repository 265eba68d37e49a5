// Reading a flow file the user named, with why it could not be read in words: Node's own message
// ("ENOENT: no such file or directory, open 'x.json'") is its internals, not advice.
import { readFileSync } from 'node:fs';
import { parseDefinitionFile } from '../definition/parse.ts';
import type { FlowDefinition } from '../definition/types.ts';

/** The reason `readFileSync` failed, as a phrase that follows the file's name (`x.json: no such file`). */
export function whyUnreadable(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

export type FlowFile =
  | { definition: FlowDefinition; text: string }
  /** The file could not be read. */
  | { unreadable: string }
  /** Its text is no flow definition (broken JSON, not an object): parseDefinitionFile's error. */
  | { notDefinition: string };

/** A flow file's definition: a Studio export, or a saved Flow resource ({definition: …}) taken as its definition. */
export function readFlowFile(path: string): FlowFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { unreadable: whyUnreadable(error) };
  }
  const parsed = parseDefinitionFile(text);
  return parsed.ok ? { definition: parsed.definition, text } : { notDefinition: parsed.error };
}
