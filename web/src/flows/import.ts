// Reading a flow file to import. Pure, so Node tests run it too.
import { parseDefinitionFile } from '../../../src/definition/parse.ts';
import type { FlowDefinition } from '../../../src/definition/types.ts';

/**
 * A Studio export is the definition itself; a Flow resource (GET /v2/Flows/FW…) wraps it in
 * `definition` — both are taken, as `switchboard flows validate` and `simulate` take them.
 */
export function definitionFromImport(text: string): FlowDefinition {
  const parsed = parseDefinitionFile(text);
  if (!parsed.ok) throw new Error(parsed.error);
  if (!Array.isArray(parsed.definition.states)) throw new Error('This file is not a Studio flow definition (no "states" array).');
  return parsed.definition;
}

/** The flow name a chosen file suggests: its name without `.json`. */
export function nameOfFile(fileName: string): string {
  return fileName.replace(/\.json$/i, '');
}

/**
 * The name field once a file is chosen: the file's name, unless the user typed one (a name that is
 * neither empty nor what the file chosen before suggested). Choosing another file renames the flow too.
 */
export function nameAfterChoosing(current: string, previousFile: string | null, fileName: string): string {
  const typed = current.trim() !== '' && (previousFile === null || current !== nameOfFile(previousFile));
  return typed ? current : nameOfFile(fileName);
}
