// `switchboard flows import FILE`: creates a new flow on the server from a file (the manifest is left
// as it is), named by --name, else a saved Flow resource's friendly_name, else the file's name.
import { basename } from 'node:path';
import type { FlowsContext } from './context.ts';
import { readDefinition } from './files.ts';

export async function flowsImport({ values, positionals, json, status, validation, vars, client }: FlowsContext): Promise<number> {
  const file = positionals[0];
  if (!file) {
    console.error('switchboard flows import: give the flow file to import');
    return 2;
  }
  const read = readDefinition(file, validation, vars);
  if (read.unreadable !== undefined) {
    console.error(`switchboard flows import: cannot read ${file}: ${read.unreadable}`);
    return 2;
  }
  if (!read.definition) {
    console.error(`switchboard flows import: ${file} is not a valid flow definition:\n  ${read.errors.slice(0, 8).join('\n  ')}`);
    return 1;
  }
  // A saved Flow resource keeps the name it had; an explicit --name still wins.
  const name = values.name ?? read.friendlyName ?? basename(file).replace(/\.json$/, '');
  const created = await (await client()).createFlow(name, (status as 'draft' | 'published') ?? 'draft', read.definition, values.message);
  // A Terraform template imported without its values (push refuses such a file) is a flow that fails at run time.
  if (read.placeholders.length) {
    const one = read.placeholders.length === 1;
    const given = values.vars !== undefined ? `--vars ${values.vars} has no value for ${one ? 'it' : 'them'}` : `flows import --vars FILE (their values) fills ${one ? 'it' : 'them'} in`;
    console.error(
      `warning: ${file} holds ${one ? 'a deploy-time placeholder' : 'deploy-time placeholders'} ${read.placeholders.join(', ')} unfilled (a flow kept as a Terraform template), ` +
        `and so does ${created.friendlyName} (${created.sid}): it fails at run time where ${one ? 'it is' : 'they are'} used; ${given}`,
    );
  }
  if (json) console.log(JSON.stringify({ sid: created.sid, friendlyName: created.friendlyName, revision: created.revision, status: created.status, ...(read.placeholders.length ? { placeholders: read.placeholders } : {}) }, null, 2));
  else console.log(`imported ${file} as ${created.friendlyName} (${created.sid}, revision ${created.revision}, ${created.status})`);
  return 0;
}
