// The flow files of the flow directory as the `flows` subcommands see them: which there are, each read
// as a definition (with the validator's errors and warnings, or why it cannot be read), and the JSON a
// pull or export writes.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowDefinition } from '../../definition/types.ts';
import { isPlainObject, unwrapFlowResource } from '../../definition/parse.ts';
import { validateDefinition, type ValidateOptions } from '../../definition/validate.ts';
import { substituteTemplateVars } from '../../definition/template-vars.ts';
import type { JsonObject } from '../../engine/types.ts';
import { canonicalJson } from '../../flowtest/flow-diff.ts';
import { MANIFEST } from './manifest.ts';
import { readFlowFile, whyUnreadable } from '../unreadable-file.ts';
import { NUL_MESSAGE, nulPath } from '../../lib/nul-path.ts';

/** Stable JSON for files in git: two-space indent, trailing newline. */
export function definitionJson(definition: FlowDefinition): string {
  return JSON.stringify(definition, null, 2) + '\n';
}

export function localFiles(dir: string, given: string[]): string[] {
  if (given.length) return given;
  if (!existsSync(dir)) throw new Error(`no flow directory '${dir}' (use --dir, or pull first)`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new Error(`cannot read the flow directory '${dir}': ${whyUnreadable(error)}`);
  }
  return names.filter((f) => f.endsWith('.json') && f !== MANIFEST).sort().map((f) => join(dir, f));
}

export interface ReadDefinition {
  definition: FlowDefinition | null;
  /** A saved Flow resource's friendly_name (friendlyName as twilio-cli prints it), when the file is one. */
  friendlyName?: string;
  /** Set when the file could not be read at all (then errors holds the same sentence). */
  unreadable?: string;
  errors: string[];
  warnings: string[];
  /**
   * The deploy-time `${…}` placeholders (template-vars.ts) the definition still holds: every one without `vars`,
   * those `vars` has no value for with them. A push refuses such a file: the flow would fail at run time.
   */
  placeholders: string[];
  /** `vars` changed the definition (a placeholder filled in, a `$${` made `${`): the file is a template. */
  substituted: boolean;
}

/** `vars`: values for the file's deploy-time `${…}` placeholders (--vars FILE), substituted before it is checked. */
export function readDefinition(path: string, options: ValidateOptions = {}, vars?: JsonObject): ReadDefinition {
  // A Flow resource saved from the API (`{definition: …}`) is taken as its definition, as simulate and the console do.
  const file = readFlowFile(path);
  if ('unreadable' in file) return { definition: null, unreadable: file.unreadable, errors: [`cannot read the file: ${file.unreadable}`], warnings: [], placeholders: [], substituted: false };
  if ('notDefinition' in file) return { definition: null, errors: [`#: ${file.notDefinition}`], warnings: [], placeholders: [], substituted: false };
  // Without vars the file is read as written (a `$${` stays); its placeholders are those an empty set of values leaves.
  const substitution = substituteTemplateVars(file.definition, vars ?? {});
  const definition = vars ? substitution.value : file.definition;
  const substituted = vars !== undefined && canonicalJson(substitution.value) !== canonicalJson(file.definition);
  const result = validateDefinition(structuredClone(definition), options);
  const friendlyName = resourceFriendlyName(file.text);
  // The server refuses a NUL character anywhere in a Definition (81022): said here, a push stops before
  // sending any file, as for any invalid one, instead of failing at this one after creating the others.
  const nul = nulPath(definition);
  const errors = [...(nul === null ? [] : [`${nul}: ${NUL_MESSAGE}`]), ...result.errors.map((e) => `${e.property_path}: ${e.message}`)];
  return {
    definition: result.valid && result.definition && nul === null ? definition : null,
    ...(friendlyName ? { friendlyName } : {}),
    errors,
    warnings: result.warnings.map((w) => `${w.property_path}: ${w.message}`),
    placeholders: substitution.left,
    substituted,
  };
}

/**
 * The deploy-time `${…}` placeholders a flow file holds (none: not a template, or no flow definition to read);
 * with `vars`, those they have no value for.
 */
export function filePlaceholders(path: string, vars?: JsonObject): string[] {
  const file = readFlowFile(path);
  return 'definition' in file ? substituteTemplateVars(file.definition, vars ?? {}).left : [];
}

/**
 * The deploy-time `${…}` placeholders a server flow's definition holds unfilled: a template created or pushed
 * without its values (the console, the API, another tool, `flows import` without --vars). Empty for most flows.
 */
export function definitionPlaceholders(definition: FlowDefinition): string[] {
  return substituteTemplateVars(definition, {}).left;
}

/**
 * What diff and pull say of a server flow that holds unfilled placeholders: it fails at run time where they are
 * used (a request to the URL `${api}/x`), then `remedy` (how the file fills them in), when given.
 */
export function serverPlaceholdersNote(flow: string, placeholders: string[], remedy?: string): string {
  const one = placeholders.length === 1;
  return (
    `the server's flow ${flow} holds ${one ? 'a deploy-time placeholder' : 'deploy-time placeholders'} ${placeholders.join(', ')} unfilled ` +
    `(a template created or pushed without its values): it fails at run time where ${one ? 'it is' : 'they are'} used${remedy ? `; ${remedy}` : ''}`
  );
}

/** The friendly name a Flow resource file (parseDefinitionFile takes its definition) carries, if any. */
function resourceFriendlyName(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value) || unwrapFlowResource(value) === value) return undefined;
  const name = value.friendly_name ?? value.friendlyName;
  return typeof name === 'string' && name.trim() !== '' ? name : undefined;
}
